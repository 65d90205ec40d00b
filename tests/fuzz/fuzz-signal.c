/* fuzz-signal.c: the rendezvous server's JSON message parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is one WebSocket text message, as a client or the server
 * could send it. Whatever parses must serialize again and parse back to
 * the same text.
 */
#include <glib.h>
#include <string.h>

#include "td-fuzz.h"
#include "td-signal.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  TdSignalMessage *message;
  g_autoptr(GError) error = NULL;

  if (!initialized)
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      initialized = TRUE;
    }

  message = td_signal_parse ((const char *) data, size, TD_SIGNAL_MAX_SIZE_DEFAULT, &error);
  if (message == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }

  {
    g_autofree char *text = td_signal_serialize (message, NULL);

    if (text != NULL)
      {
        TdSignalMessage *again = td_signal_parse (text, strlen (text), G_MAXSIZE, NULL);
        g_autofree char *text2 = NULL;

        g_assert_nonnull (again);
        text2 = td_signal_serialize (again, NULL);
        g_assert_cmpstr (text, ==, text2);
        td_signal_message_free (again);
      }
  }

  td_signal_message_free (message);
  return 0;
}
