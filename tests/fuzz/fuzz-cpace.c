/* fuzz-cpace.c: the CPace message parser and point checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a message lv_cat (Y, AD) from a partner, given to a
 * responder with fixed inputs.
 */
#include <glib.h>

#include "td-cpace.h"
#include "td-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const guint8 sid[16] = "fuzz-cpace-sid!";
  static gboolean initialized;
  g_autoptr(TdCpace) cpace = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *point = NULL, *ad = NULL;
  gsize ad_len = 0;
  gboolean parsed, accepted;

  if (!initialized)
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      initialized = TRUE;
    }

  parsed = td_cpace_parse_message (data, size, &point, &ad, &ad_len, NULL);
  if (parsed)
    {
      g_assert_true (point == data + 1);
      g_assert_true (ad + ad_len == data + size);
    }

  cpace = td_cpace_new (TD_CPACE_ROLE_RESPONDER, (const guint8 *) "password", 8,
                        (const guint8 *) "ci", 2, sid, sizeof sid,
                        (const guint8 *) "ADb", 3);
  accepted = td_cpace_set_peer_message (cpace, data, size, &error);

  g_assert_true (accepted == (error == NULL));
  g_assert_true (!accepted || parsed);
  if (accepted)
    {
      g_assert_nonnull (td_cpace_get_isk (cpace));
      g_assert_cmpuint (g_bytes_get_size (td_cpace_get_peer_ad (cpace)), ==, ad_len);
    }
  else
    {
      g_assert_true (g_error_matches (error, TD_AUTH_ERROR, TD_AUTH_ERROR_PROTOCOL));
      g_assert_null (td_cpace_get_isk (cpace));
    }

  return 0;
}
