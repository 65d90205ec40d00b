/* test-ice-transport.c: two ICE agents in one process on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Credentials and trickled candidates are handed over in-process, as the
 * rendezvous server would relay them; then the control channel runs its
 * TLS handshake and transfers over ICE component 1, and datagrams go over
 * component 2.
 */
#include <string.h>

#include "td-control-channel.h"
#include "td-ice-transport.h"
#include "td-wire.h"
#include "transport-test-util.h"

typedef struct _Side Side;

struct _Side
{
  const char     *name;
  TdIceTransport *ice;
  Side           *peer;
  guint           n_local_candidates;
  gboolean        gathered;
  TestResult      connect;
  guint           n_media;
  gsize           media_bytes;
};

typedef struct
{
  Side side_a;
  Side side_b;
} Fixture;

static void
on_local_candidate (TdIceTransport *ice,
                    const char     *candidate,
                    Side           *side)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (candidate, "candidate:"));
  g_test_message ("%s: %s", side->name, candidate);
  side->n_local_candidates++;

  /* Trickled straight to the partner, as the rendezvous server would. */
  g_assert_true (td_ice_transport_add_remote_candidate (side->peer->ice, candidate, &error));
  g_assert_no_error (error);
}

static void
on_local_candidates_done (TdIceTransport *ice,
                          Side           *side)
{
  td_ice_transport_end_of_remote_candidates (side->peer->ice);
}

static void
on_gathered (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Side *side = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (td_ice_transport_gather_finish (TD_ICE_TRANSPORT (source), result, &error));
  g_assert_no_error (error);
  side->gathered = TRUE;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Side *side = user_data;

  side->connect.ok = td_ice_transport_connect_finish (TD_ICE_TRANSPORT (source), result,
                                                      &side->connect.error);
  side->connect.finished_at = g_get_monotonic_time ();
  side->connect.done = TRUE;
}

static void
on_media (const guint8 *data,
          gsize         length,
          gpointer      user_data)
{
  Side *side = user_data;

  side->n_media++;
  side->media_bytes += length;
}

static void
side_init (Side       *side,
           const char *name,
           gboolean    controlling,
           Side       *peer)
{
  g_autoptr(GError) error = NULL;

  side->name = name;
  side->peer = peer;
  side->ice = td_ice_transport_new (controlling);
  g_assert_true (td_ice_transport_add_local_address (side->ice, "127.0.0.1", &error));
  g_assert_no_error (error);

  g_signal_connect (side->ice, "local-candidate", G_CALLBACK (on_local_candidate), side);
  g_signal_connect (side->ice, "local-candidates-done", G_CALLBACK (on_local_candidates_done), side);
  td_ice_transport_set_media_receive_func (side->ice, on_media, side, NULL);
}

static void
exchange_credentials (Side *a,
                      Side *b)
{
  g_autofree char *ufrag = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GError) error = NULL;

  td_ice_transport_get_local_credentials (a->ice, &ufrag, &password);
  g_assert_nonnull (ufrag);
  g_assert_nonnull (password);
  g_assert_true (td_ice_transport_set_remote_credentials (b->ice, ufrag, password, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  side_init (&f->side_a, "viewer", TRUE, &f->side_b);
  side_init (&f->side_b, "host", FALSE, &f->side_a);
}

static void
on_ice_closed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (td_ice_transport_close_finish (TD_ICE_TRANSPORT (source), result, NULL));
  *done = TRUE;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gboolean closed_a = FALSE, closed_b = FALSE;

  td_ice_transport_close_async (f->side_a.ice, NULL, on_ice_closed, &closed_a);
  td_ice_transport_close_async (f->side_b.ice, NULL, on_ice_closed, &closed_b);
  g_assert_true (test_wait_for (&closed_a, 5000));
  g_assert_true (test_wait_for (&closed_b, 5000));
  test_drain_main_context ();

  g_assert_finalize_object (f->side_a.ice);
  g_assert_finalize_object (f->side_b.ice);
  test_result_clear (&f->side_a.connect);
  test_result_clear (&f->side_b.connect);
}

/* Gathers, trickles and connects both sides; returns the ICE time in ms. */
static double
connect_pair (Fixture *f)
{
  gint64 start;

  exchange_credentials (&f->side_a, &f->side_b);
  exchange_credentials (&f->side_b, &f->side_a);

  start = g_get_monotonic_time ();
  td_ice_transport_gather_async (f->side_b.ice, NULL, on_gathered, &f->side_b);
  td_ice_transport_gather_async (f->side_a.ice, NULL, on_gathered, &f->side_a);
  td_ice_transport_connect_async (f->side_a.ice, NULL, on_connected, &f->side_a);
  td_ice_transport_connect_async (f->side_b.ice, NULL, on_connected, &f->side_b);

  g_assert_true (test_wait_for (&f->side_a.connect.done, 10000));
  g_assert_true (test_wait_for (&f->side_b.connect.done, 10000));
  g_assert_no_error (f->side_a.connect.error);
  g_assert_no_error (f->side_b.connect.error);
  g_assert_true (f->side_a.gathered && f->side_b.gathered);

  g_assert_cmpint (td_ice_transport_get_state (f->side_a.ice), ==, TD_ICE_STATE_CONNECTED);
  g_assert_cmpint (td_ice_transport_get_state (f->side_b.ice), ==, TD_ICE_STATE_CONNECTED);

  return (MAX (f->side_a.connect.finished_at, f->side_b.connect.finished_at) - start) / 1000.0;
}

static void
test_connect (Fixture       *f,
              gconstpointer  data)
{
  double ms = connect_pair (f);
  const char *pair = td_ice_transport_get_selected_pair (f->side_a.ice);

  g_test_message ("ICE on loopback: both components connected %.1f ms after gathering began", ms);
  g_test_message ("selected pair: %s", pair);

  /* One UDP host candidate per component on 127.0.0.1. */
  g_assert_cmpuint (f->side_a.n_local_candidates, ==, 2);
  g_assert_cmpint (td_ice_transport_get_local_candidate_type (f->side_a.ice), ==,
                   TD_ICE_CANDIDATE_HOST);
  g_assert_cmpint (td_ice_transport_get_remote_candidate_type (f->side_a.ice), ==,
                   TD_ICE_CANDIDATE_HOST);
  g_assert_false (td_ice_transport_get_relayed (f->side_a.ice));
  g_assert_nonnull (strstr (pair, "127.0.0.1"));
  g_assert_nonnull (td_ice_transport_get_agent (f->side_a.ice));
  g_assert_cmpuint (td_ice_transport_get_stream_id (f->side_a.ice), >, 0);
}

static void
test_media_component (Fixture       *f,
                      gconstpointer  data)
{
  guint8 packet[1000];

  connect_pair (f);
  memset (packet, 0xab, sizeof packet);

  for (guint i = 0; i < 50; i++)
    g_assert_true (td_ice_transport_send_media (f->side_a.ice, packet, sizeof packet));

  while (f->side_b.n_media < 50)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (f->side_b.media_bytes, ==, 50 * sizeof packet);
}

static void
test_control_channel (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key_viewer = td_device_key_new_ephemeral (&error);
  g_autoptr(TdDeviceKey) key_host = td_device_key_new_ephemeral (&error);
  g_autoptr(TdControlChannel) client = NULL;
  g_autoptr(TdControlChannel) server = NULL;
  TestResult closed = { 0 };
  double mbps;

  connect_pair (f);

  client = td_control_channel_new (TD_DATAGRAM_LINK (f->side_a.ice), key_viewer,
                                   TD_CONTROL_ROLE_CLIENT);
  server = td_control_channel_new (TD_DATAGRAM_LINK (f->side_b.ice), key_host,
                                   TD_CONTROL_ROLE_SERVER);

  test_handshake_pair (client, server, 5000);
  test_check_peers (client, key_viewer, server, key_host);

  mbps = test_transfer (client, server, 10 * 1000 * 1000, 60000);
  g_test_message ("control channel over ICE on loopback: %.1f MB/s", mbps);

  td_control_channel_close_async (client, NULL, test_on_closed, &closed);
  g_assert_true (test_wait_for (&closed.done, 5000));
  g_assert_true (closed.ok);
}

static void
on_client_state (TdControlChannel *client,
                 GParamSpec       *pspec,
                 Fixture          *f)
{
  /* The host's computer goes away while the TLS handshake runs. */
  if (td_control_channel_get_state (client) == TD_CONTROL_STATE_HANDSHAKING)
    td_ice_transport_close_async (f->side_b.ice, NULL, NULL, NULL);
}

static void
test_peer_vanishes (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key_viewer = td_device_key_new_ephemeral (&error);
  g_autoptr(TdDeviceKey) key_host = td_device_key_new_ephemeral (&error);
  g_autoptr(TdControlChannel) client = NULL;
  g_autoptr(TdControlChannel) server = NULL;
  TestResult c = { 0 }, s = { 0 };
  gint64 start;

  connect_pair (f);

  client = td_control_channel_new (TD_DATAGRAM_LINK (f->side_a.ice), key_viewer,
                                   TD_CONTROL_ROLE_CLIENT);
  server = td_control_channel_new (TD_DATAGRAM_LINK (f->side_b.ice), key_host,
                                   TD_CONTROL_ROLE_SERVER);
  g_object_set (client, "handshake-timeout", 2000, NULL);
  g_object_set (server, "handshake-timeout", 2000, NULL);
  g_signal_connect (client, "notify::state", G_CALLBACK (on_client_state), f);

  start = g_get_monotonic_time ();
  td_control_channel_handshake_async (server, NULL, test_on_handshake, &s);
  td_control_channel_handshake_async (client, NULL, test_on_handshake, &c);

  g_assert_true (test_wait_for (&c.done, 5000));
  g_test_message ("client gave up after %.2f s: %s", (c.finished_at - start) / 1e6,
                  c.error->message);
  g_assert_error (c.error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_TIMED_OUT);
  g_assert_cmpint (c.finished_at - start, <, 5 * G_USEC_PER_SEC);
  g_assert_true (test_wait_for (&s.done, 5000));
  g_assert_false (s.ok);

  test_result_clear (&c);
  test_result_clear (&s);
}

static void
on_closed_signal (TdControlChannel *channel,
                  const GError     *error,
                  GError          **out)
{
  *out = error ? g_error_copy (error) : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "clean");
}

static void
test_malformed_frame (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key_viewer = td_device_key_new_ephemeral (&error);
  g_autoptr(TdDeviceKey) key_host = td_device_key_new_ephemeral (&error);
  g_autoptr(TdControlChannel) client = NULL;
  g_autoptr(TdControlChannel) server = NULL;
  g_autoptr(GError) server_reason = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  connect_pair (f);

  client = td_control_channel_new (TD_DATAGRAM_LINK (f->side_a.ice), key_viewer,
                                   TD_CONTROL_ROLE_CLIENT);
  server = td_control_channel_new (TD_DATAGRAM_LINK (f->side_b.ice), key_host,
                                   TD_CONTROL_ROLE_SERVER);
  g_signal_connect (server, "closed", G_CALLBACK (on_closed_signal), &server_reason);
  test_handshake_pair (client, server, 5000);

  /* A field the host cannot understand but must: the session ends. */
  g_variant_dict_insert (&dict, "!needs-version-9", "b", TRUE);
  g_assert_true (td_control_channel_send_message (client, TD_WIRE_TYPE_PERMISSIONS,
                                                  g_variant_dict_end (&dict), &error));
  while (server_reason == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_test_message ("host: %s", server_reason->message);
  g_assert_error (server_reason, TD_WIRE_ERROR, TD_WIRE_ERROR_UNKNOWN_REQUIRED);
  g_assert_cmpint (td_control_channel_get_state (server), ==, TD_CONTROL_STATE_CLOSED);
}

static void
test_bad_servers (Fixture       *f,
                  gconstpointer  data)
{
  static const char *bad[] = {
    "http://relay.example.org",
    "turn:",
    "turn::3478",
    "turn:relay.example.org:0",
    "turn:relay.example.org:99999",
    "turn:relay.example.org:34x",
    "turn:relay.example.org?transport=sctp",
    "turns:relay.example.org?transport=udp",
    "turn:[::1",
    "stun:[::1]x",
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *uris[] = { bad[i], NULL };

      g_assert_false (td_ice_transport_set_servers (f->side_a.ice, uris, "u", "p", &error));
      g_assert_error (error, TD_ICE_ERROR, TD_ICE_ERROR_BAD_URI);
      g_test_message ("%s", error->message);
      g_clear_error (&error);
    }

  {
    const char *uris[] = { "turn:203.0.113.1:3478", NULL };

    g_assert_false (td_ice_transport_set_servers (f->side_a.ice, uris, NULL, NULL, &error));
    g_assert_error (error, TD_ICE_ERROR, TD_ICE_ERROR_BAD_CREDENTIALS);
    g_clear_error (&error);
  }

  {
    const char *uris[] = {
      "stun:stun.example.org",
      "turn:203.0.113.1:3478?transport=udp",
      "turn:[2001:db8::1]:3478?transport=tcp",
      "turns:relay.example.org:443?transport=tcp",
      "turns:relay.example.org",
      NULL
    };

    g_assert_true (td_ice_transport_set_servers (f->side_a.ice, uris, "1700000000:viewer",
                                                 "c2VjcmV0", &error));
    g_assert_no_error (error);
  }
}

static void
test_bad_remote_input (Fixture       *f,
                       gconstpointer  data)
{
  static const char *bad[] = {
    "",
    "garbage",
    "candidate:",
    "candidate:1 3 UDP 2013266431 127.0.0.1 40000 typ host",
    "candidate:1 1 UDP 2013266431 not-an-address 40000 typ host",
    "candidate:1 1 UDP 2013266431 127.0.0.1 40000 typ nonsense",
    "candidate:1 1 UDP 2013266431 127.0.0.1 40000 typ host \xc3\xa9",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *huge = g_strnfill (5000, 'a');

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (td_ice_transport_add_remote_candidate (f->side_a.ice, bad[i], &error));
      g_assert_error (error, TD_ICE_ERROR, TD_ICE_ERROR_BAD_CANDIDATE);
      g_clear_error (&error);
    }
  g_assert_false (td_ice_transport_add_remote_candidate (f->side_a.ice, huge, &error));
  g_assert_error (error, TD_ICE_ERROR, TD_ICE_ERROR_BAD_CANDIDATE);
  g_clear_error (&error);

  /* Both spellings of a good one. */
  g_assert_true (td_ice_transport_add_remote_candidate (
    f->side_a.ice, "candidate:1 1 UDP 2013266431 127.0.0.1 40000 typ host", &error));
  g_assert_true (td_ice_transport_add_remote_candidate (
    f->side_a.ice, "a=candidate:2 2 UDP 2013266431 127.0.0.1 40001 typ host", &error));
  g_assert_no_error (error);

  g_assert_false (td_ice_transport_set_remote_credentials (f->side_a.ice, "ab", "x", &error));
  g_assert_error (error, TD_ICE_ERROR, TD_ICE_ERROR_BAD_CREDENTIALS);
  g_clear_error (&error);
  g_assert_false (td_ice_transport_set_remote_credentials (f->side_a.ice, "abcd",
                                                           "not valid ice chars!!!!!!", &error));
  g_assert_error (error, TD_ICE_ERROR, TD_ICE_ERROR_BAD_CREDENTIALS);
}

static void
test_connect_timeout (Fixture       *f,
                      gconstpointer  data)
{
  gint64 start;

  /* The partner never sends a candidate nor says it is done. */
  exchange_credentials (&f->side_b, &f->side_a);
  g_object_set (f->side_a.ice, "connect-timeout", 1000, NULL);
  g_signal_handlers_disconnect_by_data (f->side_a.ice, &f->side_a);

  start = g_get_monotonic_time ();
  td_ice_transport_gather_async (f->side_a.ice, NULL, on_gathered, &f->side_a);
  td_ice_transport_connect_async (f->side_a.ice, NULL, on_connected, &f->side_a);
  g_assert_true (test_wait_for (&f->side_a.connect.done, 5000));
  g_assert_error (f->side_a.connect.error, TD_ICE_ERROR, TD_ICE_ERROR_TIMED_OUT);
  g_test_message ("after %.2f s: %s", (f->side_a.connect.finished_at - start) / 1e6,
                  f->side_a.connect.error->message);
  g_assert_cmpint (td_ice_transport_get_state (f->side_a.ice), ==, TD_ICE_STATE_FAILED);
}

static void
test_no_path (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  NiceAgent *agent = td_ice_transport_get_agent (f->side_a.ice);
  gint64 start;

  /* Faster STUN retransmissions, so that the checks fail soon. */
  g_object_set (agent, "stun-max-retransmissions", 2, "stun-initial-timeout", 100, NULL);

  exchange_credentials (&f->side_b, &f->side_a);
  g_signal_handlers_disconnect_by_data (f->side_a.ice, &f->side_a);

  /* Candidates that lead nowhere, then the end of them. */
  g_assert_true (td_ice_transport_add_remote_candidate (
    f->side_a.ice, "candidate:1 1 UDP 2013266431 127.0.0.1 9 typ host", &error));
  g_assert_true (td_ice_transport_add_remote_candidate (
    f->side_a.ice, "candidate:1 2 UDP 2013266431 127.0.0.1 9 typ host", &error));
  g_assert_no_error (error);
  td_ice_transport_end_of_remote_candidates (f->side_a.ice);

  start = g_get_monotonic_time ();
  td_ice_transport_gather_async (f->side_a.ice, NULL, on_gathered, &f->side_a);
  td_ice_transport_connect_async (f->side_a.ice, NULL, on_connected, &f->side_a);
  g_assert_true (test_wait_for (&f->side_a.connect.done, 15000));
  g_test_message ("after %.2f s: %s", (f->side_a.connect.finished_at - start) / 1e6,
                  f->side_a.connect.error->message);
  g_assert_error (f->side_a.connect.error, TD_ICE_ERROR, TD_ICE_ERROR_NO_PATH);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ice/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("connect", test_connect);
  ADD ("media-component", test_media_component);
  ADD ("control-channel", test_control_channel);
  ADD ("peer-vanishes-mid-handshake", test_peer_vanishes);
  ADD ("malformed-frame", test_malformed_frame);
  ADD ("bad-servers", test_bad_servers);
  ADD ("bad-remote-input", test_bad_remote_input);
  ADD ("connect-timeout", test_connect_timeout);
  ADD ("no-path", test_no_path);

#undef ADD

  return g_test_run ();
}
