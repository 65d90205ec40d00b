/* test-mitm.c: a man in the middle who terminates TLS toward each side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a malicious rendezvous server or relay could do: answer the viewer
 * with its own certificate, open its own TLS session to the host, and pass
 * every message along in the clear. Both TLS handshakes succeed; CPace,
 * bound to each TLS session's exporter and to the certificates seen, must
 * then fail on both sides even with the right password, and the middle
 * sees nothing but two CPace shares and tags that no password guess can be
 * checked against offline. The same exchange without the middle succeeds,
 * so the test can tell the two apart.
 */
#include <string.h>

#include "td-auth-error.h"
#include "td-control-channel.h"
#include "td-datagram-pipe.h"
#include "td-password-auth.h"
#include "td-wire.h"

typedef struct {
  TdControlChannel *channel;
  TdPasswordAuth   *auth;
  TdDeviceKey      *key;
  gboolean          viewer;
  gboolean          done;
  GError           *error;
  GPtrArray        *seen;  /* message types a middle saw */
  TdControlChannel *forward_to;
} Side;

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Side *side = user_data;

  g_assert_true (td_control_channel_handshake_finish (TD_CONTROL_CHANNEL (object), result, &side->error));
  side->done = TRUE;
}

static GVariant *
data_field (GBytes *data)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert_value (&dict, "data", g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, data, TRUE));
  return g_variant_dict_end (&dict);
}

static void
make_auth (Side       *side,
           const char *password)
{
  guint8 sid[TD_PASSWORD_AUTH_SID_SIZE];
  g_autoptr(GError) error = NULL;
  GBytes *peer_fp = td_control_channel_get_peer_fingerprint (side->channel);
  GBytes *own_fp = td_device_key_get_fingerprint (side->key);

  g_assert_true (td_control_channel_export (side->channel, TD_PASSWORD_AUTH_SID_EXPORTER_LABEL,
                                            NULL, sizeof sid, sid, &error));
  if (side->viewer)
    side->auth = td_password_auth_new_viewer (TD_PASSWORD_KIND_ONE_TIME, (const guint8 *) password,
                                              strlen (password), peer_fp, own_fp, sid, sizeof sid);
  else
    side->auth = td_password_auth_new_host ((const guint8 *) password, strlen (password), NULL, 0,
                                            own_fp, peer_fp, sid, sizeof sid);
}

/* An end: runs CPace over its channel as the sessions do. */
static void
on_end_message (TdControlChannel *channel,
                guint             type,
                GVariant         *fields,
                Side             *side)
{
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) reply = NULL;

  g_assert_true (td_wire_lookup_bytes (fields, "data", 4096, &data, NULL));
  if (!td_password_auth_receive (side->auth, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                 &reply, &side->error))
    side->done = TRUE;
  else if (td_password_auth_get_state (side->auth) == TD_PASSWORD_AUTH_STATE_SUCCEEDED)
    side->done = TRUE;

  if (reply != NULL)
    td_control_channel_send_message (channel, side->viewer ? TD_WIRE_TYPE_CPACE_CONFIRM
                                                           : TD_WIRE_TYPE_CPACE,
                                     data_field (reply), NULL);
}

/* The middle: passes everything along, after reading it. */
static void
on_middle_message (TdControlChannel *channel,
                   guint             type,
                   GVariant         *fields,
                   Side             *side)
{
  g_ptr_array_add (side->seen, g_strdup (td_wire_type_to_string (type)));
  td_control_channel_send_message (side->forward_to, type, fields, NULL);
}

static void
open_pair (TdDeviceKey       *client_key,
           TdDeviceKey       *server_key,
           Side              *client,
           Side              *server)
{
  TdDatagramPipe *a, *b;

  td_datagram_pipe_new_pair (&a, &b);
  client->channel = td_control_channel_new (TD_DATAGRAM_LINK (a), client_key, TD_CONTROL_ROLE_CLIENT);
  server->channel = td_control_channel_new (TD_DATAGRAM_LINK (b), server_key, TD_CONTROL_ROLE_SERVER);
  g_object_unref (a);
  g_object_unref (b);

  td_control_channel_handshake_async (server->channel, NULL, handshake_cb, server);
  td_control_channel_handshake_async (client->channel, NULL, handshake_cb, client);
  while (!client->done || !server->done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (client->error);
  g_assert_no_error (server->error);
  client->done = server->done = FALSE;
}

static void
run (gboolean with_middle)
{
  g_autoptr(TdDeviceKey) viewer_key = td_device_key_new_ephemeral (NULL);
  g_autoptr(TdDeviceKey) host_key = td_device_key_new_ephemeral (NULL);
  g_autoptr(TdDeviceKey) middle_key = td_device_key_new_ephemeral (NULL);
  Side viewer = { .key = viewer_key, .viewer = TRUE };
  Side host = { .key = host_key };
  Side m_toward_viewer = { .key = middle_key, .seen = g_ptr_array_new_with_free_func (g_free) };
  Side m_toward_host = { .key = middle_key, .seen = m_toward_viewer.seen, .viewer = TRUE };
  const char *password = "abcd2345";

  if (with_middle)
    {
      open_pair (viewer_key, middle_key, &viewer, &m_toward_viewer);
      open_pair (middle_key, host_key, &m_toward_host, &host);
      m_toward_viewer.forward_to = m_toward_host.channel;
      m_toward_host.forward_to = m_toward_viewer.channel;
      g_signal_connect (m_toward_viewer.channel, "message-received", G_CALLBACK (on_middle_message), &m_toward_viewer);
      g_signal_connect (m_toward_host.channel, "message-received", G_CALLBACK (on_middle_message), &m_toward_host);
    }
  else
    open_pair (viewer_key, host_key, &viewer, &host);

  make_auth (&viewer, password);
  make_auth (&host, password);
  g_signal_connect (viewer.channel, "message-received", G_CALLBACK (on_end_message), &viewer);
  g_signal_connect (host.channel, "message-received", G_CALLBACK (on_end_message), &host);

  {
    g_autoptr(GBytes) msg1 = td_password_auth_start (viewer.auth);

    td_control_channel_send_message (viewer.channel, TD_WIRE_TYPE_CPACE, data_field (msg1), NULL);
  }
  while (!viewer.done || !host.done)
    g_main_context_iteration (NULL, TRUE);

  if (with_middle)
    {
      /* The right password on both ends, and still both refuse. */
      g_assert_error (viewer.error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD);
      g_assert_error (host.error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD);
      /* All the middle saw: the viewer's share, the host's share and tag,
       * and the viewer's failure notice. No session, no keys. */
      g_assert_cmpuint (m_toward_viewer.seen->len, ==, 3);
      g_assert_cmpint (td_password_auth_get_state (viewer.auth), ==, TD_PASSWORD_AUTH_STATE_FAILED);
      g_assert_cmpint (td_password_auth_get_state (host.auth), ==, TD_PASSWORD_AUTH_STATE_FAILED);
    }
  else
    {
      g_assert_no_error (viewer.error);
      g_assert_no_error (host.error);
      g_assert_cmpint (td_password_auth_get_state (viewer.auth), ==, TD_PASSWORD_AUTH_STATE_SUCCEEDED);
      g_assert_cmpint (td_password_auth_get_state (host.auth), ==, TD_PASSWORD_AUTH_STATE_SUCCEEDED);
    }

  g_clear_error (&viewer.error);
  g_clear_error (&host.error);
  g_clear_object (&viewer.auth);
  g_clear_object (&host.auth);
  g_clear_object (&viewer.channel);
  g_clear_object (&host.channel);
  g_clear_object (&m_toward_viewer.channel);
  g_clear_object (&m_toward_host.channel);
  g_ptr_array_unref (m_toward_viewer.seen);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_direct (void)
{
  run (FALSE);
}

static void
test_middle (void)
{
  run (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mitm/direct-succeeds", test_direct);
  g_test_add_func ("/mitm/tls-terminating-middle-fails", test_middle);

  return g_test_run ();
}
