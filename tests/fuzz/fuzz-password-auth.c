/* fuzz-password-auth.c: the password authentication messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte chooses what the rest is:
 *   0  MSG1 given to a host
 *   1  MSG2 given to a viewer that sent its share
 *   2  MSG3 given to a host that answered a genuine viewer
 *   3  a length byte N, then N bytes of MSG1 and the rest as MSG3, both
 *      given to one host
 */
#include <string.h>
#include <glib.h>

#include "td-password-auth.h"
#include "td-fuzz.h"

static GBytes *host_fp;
static GBytes *viewer_fp;
static const guint8 sid[TD_PASSWORD_AUTH_SID_SIZE] = "fuzz-auth-sid!!";

static TdPasswordAuth *
new_host (void)
{
  return td_password_auth_new_host ((const guint8 *) "abcdefgh", 8, NULL, 0,
                                    host_fp, viewer_fp, sid, sizeof sid);
}

static TdPasswordAuth *
new_viewer (void)
{
  return td_password_auth_new_viewer (TD_PASSWORD_KIND_ONE_TIME, (const guint8 *) "abcdefgh", 8,
                                      host_fp, viewer_fp, sid, sizeof sid);
}

static gboolean
feed (TdPasswordAuth *auth,
      const guint8   *data,
      gsize           size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  gboolean ok = td_password_auth_receive (auth, data, size, &reply, &error);

  g_assert_true (ok == (error == NULL));
  if (!ok)
    {
      g_assert_true (error->domain == TD_AUTH_ERROR);
      g_assert_cmpint (td_password_auth_get_state (auth), ==, TD_PASSWORD_AUTH_STATE_FAILED);
    }

  return ok;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(TdPasswordAuth) host = NULL;
  g_autoptr(TdPasswordAuth) viewer = NULL;
  g_autoptr(GBytes) msg1 = NULL;
  g_autoptr(GBytes) msg2 = NULL;

  if (host_fp == NULL)
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      host_fp = g_bytes_new_static ("host fingerprint, 32 bytes long.", 32);
      viewer_fp = g_bytes_new_static ("viewer fingerprint, 32 bytes....", 32);
    }

  if (size < 1)
    return 0;

  switch (data[0] % 4)
    {
    case 0:
      host = new_host ();
      feed (host, data + 1, size - 1);
      break;

    case 1:
      viewer = new_viewer ();
      msg1 = td_password_auth_start (viewer);
      feed (viewer, data + 1, size - 1);
      break;

    case 2:
      viewer = new_viewer ();
      host = new_host ();
      msg1 = td_password_auth_start (viewer);
      g_assert_true (td_password_auth_receive (host, g_bytes_get_data (msg1, NULL),
                                               g_bytes_get_size (msg1), &msg2, NULL));
      feed (host, data + 1, size - 1);
      break;

    case 3:
      if (size < 2 || (gsize) data[1] > size - 2)
        return 0;
      host = new_host ();
      if (feed (host, data + 2, data[1]))
        feed (host, data + 2 + data[1], size - 2 - data[1]);
      break;

    default:
      g_assert_not_reached ();
    }

  return 0;
}
