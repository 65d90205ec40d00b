/* test-rendezvous.c: TdRendezvousClient against an in-process server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "td-id.h"
#include "td-registry.h"
#include "test-helpers.h"

typedef struct
{
  char               *dir;
  char               *db;
  TdServerConfig      config;
  TdRendezvousServer *server;
  char               *uri;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("td-rendezvous-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "registry.db", NULL);
  th_config_init (&f->config);
  f->config.db_path = g_strdup (f->db);
  f->config.turn_secret = g_strdup ("north-wind-secret");
  f->config.turn_uris = g_strsplit ("turn:turn.example.org:3478?transport=udp|turns:turn.example.org:443?transport=tcp", "|", -1);
  f->config.turn_ttl_s = 300;
}

static void
start (Fixture *f)
{
  f->server = th_server_start (&f->config, 0);
  f->uri = th_server_uri (f->server);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->server);
  /* Let closing connections finish so valgrind sees no loose ends. */
  th_sleep (50);
  td_server_config_clear (&f->config);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->uri);
}

static TdDeviceKey *
new_key (void)
{
  g_autoptr(GError) error = NULL;
  TdDeviceKey *key = td_device_key_new_ephemeral (&error);

  g_assert_no_error (error);
  return key;
}

static TdRendezvousClient *
new_client (Fixture    *f,
            const char *name)
{
  g_autoptr(TdDeviceKey) key = new_key ();
  TdRendezvousClient *client = td_rendezvous_client_new (f->uri, key);

  td_rendezvous_client_set_display_name (client, name);
  return client;
}

/* Registration */

static void
test_register (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key = new_key ();
  g_autoptr(TdRendezvousClient) first = NULL;
  g_autoptr(TdRendezvousClient) again = NULL;
  g_autoptr(TdRendezvousClient) other = NULL;
  guint32 id, id_again, id_other;

  start (f);
  first = td_rendezvous_client_new (f->uri, key);
  id = th_register (first, &error);
  g_assert_no_error (error);
  g_assert_true (td_id_is_valid (id));
  g_assert_cmpuint (td_rendezvous_client_get_id (first), ==, id);
  g_assert_cmpint (td_rendezvous_client_get_state (first), ==, TD_RENDEZVOUS_STATE_REGISTERED);
  g_assert_null (td_rendezvous_client_get_last_error (first));

  /* Registering when registered completes at once. */
  g_assert_cmpuint (th_register (first, &error), ==, id);
  g_assert_no_error (error);

  td_rendezvous_client_stop (first);
  g_assert_cmpint (td_rendezvous_client_get_state (first), ==, TD_RENDEZVOUS_STATE_DISCONNECTED);

  /* The same key gets the same ID back. */
  again = td_rendezvous_client_new (f->uri, key);
  id_again = th_register (again, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id_again, ==, id);

  /* Another key gets another. */
  other = new_client (f, "other");
  id_other = th_register (other, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id_other, !=, id);
  g_assert_cmpuint (td_rendezvous_server_get_n_hosts (f->server), ==, 2);
}

static void
test_register_after_restart (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRendezvousClient) client = NULL;
  guint16 port;
  guint32 id;

  start (f);
  port = td_rendezvous_server_get_port (f->server);
  client = new_client (f, "host");
  id = th_register (client, &error);
  g_assert_no_error (error);

  /* A graceful stop: the client is told and comes back by itself. */
  th_server_stop (f->server);
  g_clear_object (&f->server);
  g_assert_true (th_wait_state (client, TD_RENDEZVOUS_STATE_RETRYING, 5000));
  g_assert_cmpint (td_rendezvous_client_get_state (client), !=, TD_RENDEZVOUS_STATE_REGISTERED);

  f->server = th_server_start (&f->config, port);
  g_assert_true (th_wait_state (client, TD_RENDEZVOUS_STATE_REGISTERED, 10000));
  g_assert_cmpuint (td_rendezvous_client_get_id (client), ==, id);

  /* An abrupt end (the server object just disappears) works the same. */
  g_clear_object (&f->server);
  g_assert_true (th_wait_state (client, TD_RENDEZVOUS_STATE_RETRYING, 5000));
  f->server = th_server_start (&f->config, port);
  g_assert_true (th_wait_state (client, TD_RENDEZVOUS_STATE_REGISTERED, 10000));
  g_assert_cmpuint (td_rendezvous_client_get_id (client), ==, id);
}

static void
test_register_unreachable (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key = new_key ();
  g_autoptr(TdRendezvousClient) client = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *uri = NULL;
  guint16 port;

  /* A port nobody listens on: bind it, do not listen, keep it. */
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  uri = g_strdup_printf ("ws://127.0.0.1:%u", port);

  client = td_rendezvous_client_new (uri, key);
  g_assert_cmpuint (th_register (client, &error), ==, 0);
  g_assert_error (error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_UNREACHABLE);
  /* It keeps trying behind the first failure. */
  g_assert_cmpint (td_rendezvous_client_get_state (client), ==, TD_RENDEZVOUS_STATE_RETRYING);
  g_assert_nonnull (td_rendezvous_client_get_last_error (client));
  td_rendezvous_client_stop (client);
  g_assert_cmpint (td_rendezvous_client_get_state (client), ==, TD_RENDEZVOUS_STATE_DISCONNECTED);

  /* Not a URI at all */
  {
    g_autoptr(TdRendezvousClient) bad = td_rendezvous_client_new ("not a uri", key);
    g_autoptr(GError) bad_error = NULL;

    g_assert_cmpuint (th_register (bad, &bad_error), ==, 0);
    g_assert_error (bad_error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_UNREACHABLE);
    g_assert_cmpint (td_rendezvous_client_get_state (bad), ==, TD_RENDEZVOUS_STATE_DISCONNECTED);
  }
}

static void
test_id_taken (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRendezvousClient) owner = NULL;
  g_autoptr(TdRendezvousClient) thief = NULL;
  guint32 id, other_id;

  start (f);
  owner = new_client (f, "owner");
  id = th_register (owner, &error);
  g_assert_no_error (error);

  /* Another key asking for that ID never gets it: the server refuses,
   * and the client takes a fresh ID instead. */
  thief = new_client (f, "thief");
  td_rendezvous_client_set_preferred_id (thief, id);
  other_id = th_register (thief, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other_id, !=, id);
  g_assert_true (td_id_is_valid (other_id));

  /* The owner is undisturbed. */
  g_assert_cmpint (td_rendezvous_client_get_state (owner), ==, TD_RENDEZVOUS_STATE_REGISTERED);

  /* A free ID asked for is granted (a device keeps its ID if the server
   * lost its registry). */
  {
    g_autoptr(TdRendezvousClient) returning = new_client (f, "returning");
    guint32 wanted = td_id_from_payload (31415926);

    td_rendezvous_client_set_preferred_id (returning, wanted);
    g_assert_cmpuint (th_register (returning, &error), ==, wanted);
    g_assert_no_error (error);
  }
}

static void
test_replaced (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key = new_key ();
  g_autoptr(TdRendezvousClient) first = NULL;
  g_autoptr(TdRendezvousClient) second = NULL;
  guint32 id;

  start (f);
  first = td_rendezvous_client_new (f->uri, key);
  id = th_register (first, &error);
  g_assert_no_error (error);

  second = td_rendezvous_client_new (f->uri, key);
  g_assert_cmpuint (th_register (second, &error), ==, id);
  g_assert_no_error (error);

  /* The older connection is told and does not fight back. */
  g_assert_true (th_wait_state (first, TD_RENDEZVOUS_STATE_DISCONNECTED, 5000));
  g_assert_error (td_rendezvous_client_get_last_error (first), TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_REPLACED);
  th_sleep (300);
  g_assert_cmpint (td_rendezvous_client_get_state (second), ==, TD_RENDEZVOUS_STATE_REGISTERED);
}

/* Connecting */

typedef struct
{
  GPtrArray *peers;          /* incoming, in order */
  gboolean   accept;
  gboolean   reject_busy;
  gboolean   reject_declined;
  gboolean   ignore;         /* handle, answer nothing */
  gboolean   got;
} Host;

static gboolean
incoming_cb (TdRendezvousClient *client,
             TdSignalingPeer    *peer,
             gpointer            user_data)
{
  Host *host = user_data;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (host->peers, g_object_ref (peer));
  host->got = TRUE;

  if (host->ignore)
    return TRUE;
  if (host->accept)
    {
      g_assert_true (td_signaling_peer_accept (peer, &error));
      g_assert_no_error (error);
      return TRUE;
    }
  if (host->reject_busy || host->reject_declined)
    {
      g_assert_true (td_signaling_peer_reject (peer, host->reject_busy, &error));
      g_assert_no_error (error);
      return TRUE;
    }

  return FALSE;
}

typedef struct
{
  GPtrArray *kinds;
  GPtrArray *payloads;
  gboolean   closed;
  GError    *close_error;
} Inbox;

static void
received_cb (TdSignalingPeer *peer,
             TdSignalKind     kind,
             GVariant        *payload,
             gpointer         user_data)
{
  Inbox *inbox = user_data;

  g_ptr_array_add (inbox->kinds, GINT_TO_POINTER (kind));
  g_ptr_array_add (inbox->payloads, g_variant_ref (payload));
}

static void
closed_cb (TdSignalingPeer *peer,
           const GError    *error,
           gpointer         user_data)
{
  Inbox *inbox = user_data;

  inbox->closed = TRUE;
  g_clear_error (&inbox->close_error);
  inbox->close_error = g_error_copy (error);
}

static void
inbox_init (Inbox           *inbox,
            TdSignalingPeer *peer)
{
  inbox->kinds = g_ptr_array_new ();
  inbox->payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_signal_connect (peer, "received", G_CALLBACK (received_cb), inbox);
  g_signal_connect (peer, "closed", G_CALLBACK (closed_cb), inbox);
}

static void
inbox_clear (Inbox *inbox)
{
  g_clear_pointer (&inbox->kinds, g_ptr_array_unref);
  g_clear_pointer (&inbox->payloads, g_ptr_array_unref);
  g_clear_error (&inbox->close_error);
}

static gboolean
wait_inbox (Inbox *inbox,
            guint  n)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (inbox->kinds->len < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (th_sleep (5), TRUE);

  return inbox->kinds->len >= n;
}

static GVariant *
ice_payload (const char *ufrag,
             const char *pwd)
{
  const char *candidates[] = { "a=candidate:1 1 UDP 2013266431 192.0.2.10 50000 typ host", NULL };
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "ufrag", g_variant_new_string (ufrag));
  g_variant_builder_add (&builder, "{sv}", "pwd", g_variant_new_string (pwd));
  g_variant_builder_add (&builder, "{sv}", "candidates", g_variant_new_strv (candidates, -1));
  return g_variant_builder_end (&builder);
}

static void
check_turn (Fixture         *f,
            TdSignalingPeer *peer)
{
  const char * const *uris = td_signaling_peer_get_turn_uris (peer);
  const char *username = td_signaling_peer_get_turn_username (peer);
  const char *password = td_signaling_peer_get_turn_password (peer);
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) "north-wind-secret", strlen ("north-wind-secret"));
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  g_autofree char *expected = NULL;
  g_auto(GStrv) parts = NULL;
  gint64 expiry, now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_nonnull (uris);
  g_assert_cmpstrv (uris, f->config.turn_uris);
  g_assert_cmpuint (td_signaling_peer_get_turn_ttl (peer), ==, 300);

  /* coturn's use-auth-secret: "expiry:tag", base64 (HMAC-SHA1 (secret, username)) */
  parts = g_strsplit (username, ":", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  expiry = g_ascii_strtoll (parts[0], NULL, 10);
  g_assert_cmpint (expiry, >=, now + 300 - 5);
  g_assert_cmpint (expiry, <=, now + 300 + 5);
  g_assert_cmpstr (parts[1], !=, "");

  g_hmac_update (hmac, (const guchar *) username, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  expected = g_base64_encode (digest, digest_len);
  g_assert_cmpstr (password, ==, expected);
}

static void
test_connect_relay (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRendezvousClient) host_client = NULL;
  g_autoptr(TdRendezvousClient) viewer_client = NULL;
  g_autoptr(TdSignalingPeer) viewer_peer = NULL;
  Host host = { g_ptr_array_new_with_free_func (g_object_unref), TRUE };
  Inbox at_host = { 0 }, at_viewer = { 0 };
  TdSignalingPeer *host_peer;
  const char *ufrag = NULL;
  guint32 host_id, viewer_id;

  start (f);
  host_client = new_client (f, "host");
  g_signal_connect (host_client, "incoming", G_CALLBACK (incoming_cb), &host);
  host_id = th_register (host_client, &error);
  g_assert_no_error (error);

  /* The viewer is registered too, so the host learns its verified ID. */
  viewer_client = new_client (f, "Zoë’s laptop");
  viewer_id = th_register (viewer_client, &error);
  g_assert_no_error (error);

  viewer_peer = th_connect (viewer_client, host_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (viewer_peer);
  g_assert_cmpuint (host.peers->len, ==, 1);
  host_peer = g_ptr_array_index (host.peers, 0);

  /* Both see the same opaque session and who the other is. */
  g_assert_cmpstr (td_signaling_peer_get_session (viewer_peer), ==, td_signaling_peer_get_session (host_peer));
  g_assert_cmpint (td_signaling_peer_get_role (viewer_peer), ==, TD_SIGNALING_ROLE_VIEWER);
  g_assert_cmpint (td_signaling_peer_get_role (host_peer), ==, TD_SIGNALING_ROLE_HOST);
  g_assert_cmpuint (td_signaling_peer_get_partner_id (viewer_peer), ==, host_id);
  g_assert_cmpuint (td_signaling_peer_get_partner_id (host_peer), ==, viewer_id);
  g_assert_cmpstr (td_signaling_peer_get_partner_name (host_peer), ==, "Zoë’s laptop");
  g_assert_true (td_signaling_peer_get_partner_verified (host_peer));
  g_assert_cmpstr (td_signaling_peer_get_partner_fingerprint (host_peer), ==,
                   td_device_key_get_fingerprint_hex (td_rendezvous_client_get_device_key (viewer_client)));
  g_assert_cmpstr (td_signaling_peer_get_partner_fingerprint (viewer_peer), ==,
                   td_device_key_get_fingerprint_hex (td_rendezvous_client_get_device_key (host_client)));
  g_assert_true (g_bytes_equal (td_signaling_peer_get_partner_public_key (viewer_peer),
                                td_device_key_get_public_key (td_rendezvous_client_get_device_key (host_client))));

  /* TURN credentials for both, valid for coturn */
  check_turn (f, viewer_peer);
  check_turn (f, host_peer);
  g_assert_cmpstr (td_signaling_peer_get_turn_username (viewer_peer), !=,
                   td_signaling_peer_get_turn_username (host_peer));

  inbox_init (&at_host, host_peer);
  inbox_init (&at_viewer, viewer_peer);

  /* Offer, answer and trickled candidates, both ways */
  g_assert_true (td_signaling_peer_send (viewer_peer, TD_SIGNAL_KIND_OFFER, ice_payload ("vwr1", "viewer-password-123456"), &error));
  g_assert_no_error (error);
  g_assert_true (wait_inbox (&at_host, 1));
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (at_host.kinds, 0)), ==, TD_SIGNAL_KIND_OFFER);
  g_assert_true (g_variant_lookup (g_ptr_array_index (at_host.payloads, 0), "ufrag", "&s", &ufrag));
  g_assert_cmpstr (ufrag, ==, "vwr1");

  g_assert_true (td_signaling_peer_send (host_peer, TD_SIGNAL_KIND_ANSWER, ice_payload ("hst1", "host-password-1234567"), &error));
  g_assert_true (td_signaling_peer_send (host_peer, TD_SIGNAL_KIND_CANDIDATE,
                                         g_variant_new_parsed ("{'candidate': <'a=candidate:2 1 UDP 1677721855 198.51.100.7 40001 typ srflx'>}"),
                                         &error));
  g_assert_true (td_signaling_peer_send (host_peer, TD_SIGNAL_KIND_END_OF_CANDIDATES,
                                         g_variant_new_parsed ("@a{sv} {}"), &error));
  g_assert_no_error (error);
  g_assert_true (wait_inbox (&at_viewer, 3));
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (at_viewer.kinds, 0)), ==, TD_SIGNAL_KIND_ANSWER);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (at_viewer.kinds, 1)), ==, TD_SIGNAL_KIND_CANDIDATE);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (at_viewer.kinds, 2)), ==, TD_SIGNAL_KIND_END_OF_CANDIDATES);

  g_assert_true (td_signaling_peer_send (viewer_peer, TD_SIGNAL_KIND_CANDIDATE,
                                         g_variant_new_parsed ("{'candidate': <'a=candidate:3 1 UDP 1 203.0.113.9 3478 typ relay'>}"),
                                         &error));
  g_assert_true (wait_inbox (&at_host, 2));
  g_assert_cmpuint (td_rendezvous_server_get_n_sessions (f->server), ==, 1);

  /* Hanging up reaches the other side and frees the server's state. */
  td_signaling_peer_close (viewer_peer, "done");
  g_assert_true (td_signaling_peer_is_closed (viewer_peer));
  g_assert_true (th_wait_for (&at_host.closed, 5000));
  g_assert_error (at_host.close_error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_CLOSED);
  g_assert_cmpuint (td_rendezvous_server_get_n_sessions (f->server), ==, 0);

  /* Sending on a closed peer fails cleanly. */
  g_assert_false (td_signaling_peer_send (viewer_peer, TD_SIGNAL_KIND_CANDIDATE, g_variant_new_parsed ("@a{sv} {}"), &error));
  g_assert_error (error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_CLOSED);

  inbox_clear (&at_host);
  inbox_clear (&at_viewer);
  g_ptr_array_unref (host.peers);
}

static void
test_connect_unregistered_viewer (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRendezvousClient) host_client = NULL;
  g_autoptr(TdRendezvousClient) viewer_client = NULL;
  g_autoptr(TdSignalingPeer) viewer_peer = NULL;
  Host host = { g_ptr_array_new_with_free_func (g_object_unref), TRUE };
  Inbox at_viewer = { 0 };
  TdSignalingPeer *host_peer;
  guint32 host_id;

  start (f);
  host_client = new_client (f, "host");
  g_signal_connect (host_client, "incoming", G_CALLBACK (incoming_cb), &host);
  host_id = th_register (host_client, &error);
  g_assert_no_error (error);

  /* A viewer need not register: it only opens a connection. */
  viewer_client = new_client (f, "guest");
  viewer_peer = th_connect (viewer_client, host_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (td_rendezvous_client_get_state (viewer_client), ==, TD_RENDEZVOUS_STATE_CONNECTED);
  host_peer = g_ptr_array_index (host.peers, 0);
  g_assert_false (td_signaling_peer_get_partner_verified (host_peer));
  g_assert_cmpuint (td_signaling_peer_get_partner_id (host_peer), ==, 0);

  /* If the host goes away, the viewer's peer closes. */
  inbox_init (&at_viewer, viewer_peer);
  td_rendezvous_client_stop (host_client);
  g_assert_true (th_wait_for (&at_viewer.closed, 5000));
  g_assert_true (td_signaling_peer_is_closed (host_peer));
  inbox_clear (&at_viewer);
  g_ptr_array_unref (host.peers);
}

static void
expect_connect_error (TdRendezvousClient *viewer,
                      guint32             id,
                      TdRendezvousError   code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdSignalingPeer) peer = th_connect (viewer, id, &error);

  g_assert_null (peer);
  g_assert_error (error, TD_RENDEZVOUS_ERROR, code);
  /* Every error reads as plain words. */
  g_assert_cmpstr (error->message, ==, td_rendezvous_error_describe (code));
}

static void
test_connect_errors (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRendezvousClient) host_client = NULL;
  g_autoptr(TdRendezvousClient) viewer = NULL;
  Host host = { g_ptr_array_new_with_free_func (g_object_unref) };
  guint32 host_id, viewer_id;

  f->config.connect_timeout_ms = 600;
  start (f);

  host_client = new_client (f, "host");
  g_signal_connect (host_client, "incoming", G_CALLBACK (incoming_cb), &host);
  host_id = th_register (host_client, &error);
  g_assert_no_error (error);
  viewer = new_client (f, "viewer");
  viewer_id = th_register (viewer, &error);
  g_assert_no_error (error);

  /* An ID with a wrong check digit never leaves the client */
  expect_connect_error (viewer, host_id % 10 == 9 ? host_id - 1 : host_id + 1, TD_RENDEZVOUS_ERROR_UNKNOWN_ID);
  /* An ID nobody has */
  expect_connect_error (viewer, td_id_from_payload (11111111), TD_RENDEZVOUS_ERROR_UNKNOWN_ID);
  /* Its own */
  expect_connect_error (viewer, viewer_id, TD_RENDEZVOUS_ERROR_SELF);

  /* Declined: no handler took it */
  expect_connect_error (viewer, host_id, TD_RENDEZVOUS_ERROR_DECLINED);
  /* Declined and busy, by the host */
  host.reject_declined = TRUE;
  expect_connect_error (viewer, host_id, TD_RENDEZVOUS_ERROR_DECLINED);
  host.reject_declined = FALSE;
  host.reject_busy = TRUE;
  expect_connect_error (viewer, host_id, TD_RENDEZVOUS_ERROR_BUSY);
  host.reject_busy = FALSE;

  /* No answer in time */
  host.ignore = TRUE;
  expect_connect_error (viewer, host_id, TD_RENDEZVOUS_ERROR_TIMEOUT);
  {
    /* ... and the host's side of it is closed as timed out */
    TdSignalingPeer *last = g_ptr_array_index (host.peers, host.peers->len - 1);

    th_sleep (100);
    g_assert_true (td_signaling_peer_is_closed (last));
  }

  /* Offline: known but gone */
  td_rendezvous_client_stop (host_client);
  th_sleep (100);
  expect_connect_error (viewer, host_id, TD_RENDEZVOUS_ERROR_OFFLINE);

  g_ptr_array_unref (host.peers);
}

static void
test_connect_rate_limited (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(TdRendezvousClient) viewer = NULL;
  guint32 nobody = td_id_from_payload (22222222);

  f->config.connect_burst = 3;
  f->config.connect_per_minute = 1;
  start (f);

  viewer = new_client (f, "viewer");
  for (guint i = 0; i < 3; i++)
    expect_connect_error (viewer, nobody, TD_RENDEZVOUS_ERROR_UNKNOWN_ID);
  expect_connect_error (viewer, nobody, TD_RENDEZVOUS_ERROR_RATE_LIMITED);
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Result;

static void
connect_result_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Result *r = user_data;
  g_autoptr(TdSignalingPeer) peer = td_rendezvous_client_connect_finish (TD_RENDEZVOUS_CLIENT (object), result, &r->error);

  r->done = TRUE;
}

static void
test_connect_busy (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRendezvousClient) host_client = NULL;
  g_autoptr(TdRendezvousClient) a = NULL;
  g_autoptr(TdRendezvousClient) b = NULL;
  g_autoptr(TdRendezvousClient) c = NULL;
  Host host = { g_ptr_array_new_with_free_func (g_object_unref) };
  Result ra = { 0 }, rb = { 0 };
  guint32 host_id;

  f->config.max_pending_per_id = 2;
  start (f);

  host.ignore = TRUE;
  host_client = new_client (f, "host");
  g_signal_connect (host_client, "incoming", G_CALLBACK (incoming_cb), &host);
  host_id = th_register (host_client, &error);
  g_assert_no_error (error);

  /* Two connects wait for a host that does not answer... */
  a = new_client (f, "a");
  b = new_client (f, "b");
  td_rendezvous_client_connect_async (a, host_id, NULL, connect_result_cb, &ra);
  td_rendezvous_client_connect_async (b, host_id, NULL, connect_result_cb, &rb);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (host.peers->len < 2 && g_get_monotonic_time () < deadline)
      th_sleep (10);
    g_assert_cmpuint (host.peers->len, ==, 2);
  }

  /* ... so a third finds it busy. */
  c = new_client (f, "c");
  expect_connect_error (c, host_id, TD_RENDEZVOUS_ERROR_BUSY);

  /* The host leaves: the waiting viewers learn it is offline. */
  td_rendezvous_client_stop (host_client);
  g_assert_true (th_wait_for (&ra.done, 5000));
  g_assert_true (th_wait_for (&rb.done, 5000));
  g_assert_error (ra.error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_OFFLINE);
  g_assert_error (rb.error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_OFFLINE);
  g_clear_error (&ra.error);
  g_clear_error (&rb.error);
  g_ptr_array_unref (host.peers);
}

static void
test_connect_cancel (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRendezvousClient) host_client = NULL;
  g_autoptr(TdRendezvousClient) viewer = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Host host = { g_ptr_array_new_with_free_func (g_object_unref) };
  guint32 host_id;

  start (f);
  host.ignore = TRUE;
  host_client = new_client (f, "host");
  g_signal_connect (host_client, "incoming", G_CALLBACK (incoming_cb), &host);
  host_id = th_register (host_client, &error);
  g_assert_no_error (error);

  viewer = new_client (f, "viewer");
  {
    Result r = { 0 };

    td_rendezvous_client_connect_async (viewer, host_id, cancellable, connect_result_cb, &r);
    g_assert_true (th_wait_for (&host.got, 5000));
    g_cancellable_cancel (cancellable);
    g_assert_true (th_wait_for (&r.done, 5000));
    g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&r.error);
  }

  /* The host accepts too late: the viewer hangs up on it. */
  {
    TdSignalingPeer *peer = g_ptr_array_index (host.peers, 0);
    Inbox inbox = { 0 };

    inbox_init (&inbox, peer);
    g_assert_true (td_signaling_peer_accept (peer, &error));
    g_assert_true (th_wait_for (&inbox.closed, 5000));
    inbox_clear (&inbox);
  }

  g_ptr_array_unref (host.peers);
}

/* What the server sees of presence */

static void
test_presence_timeout (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key = new_key ();
  g_autoptr(TdRendezvousClient) viewer = NULL;
  g_autoptr(ThRaw) raw = NULL;
  guint32 id;

  f->config.idle_timeout_ms = 2500;
  f->config.keepalive_s = 1;
  start (f);

  /* A real client keeps itself online by pinging... */
  viewer = new_client (f, "viewer");
  th_register (viewer, &error);
  g_assert_no_error (error);

  /* ... a host that registers and then says nothing more does not. */
  raw = th_raw_connect (f->uri);
  id = th_raw_register (raw, key, 0);
  g_assert_cmpuint (td_rendezvous_server_get_n_hosts (f->server), ==, 2);

  g_assert_true (th_raw_wait_closed (raw, 10000));
  th_raw_expect_error (raw, TD_SIGNAL_CODE_TIMEOUT, 100);
  th_sleep (100);
  g_assert_cmpuint (td_rendezvous_server_get_n_hosts (f->server), ==, 1);
  expect_connect_error (viewer, id, TD_RENDEZVOUS_ERROR_OFFLINE);

  th_sleep (1500);
  g_assert_cmpint (td_rendezvous_client_get_state (viewer), ==, TD_RENDEZVOUS_STATE_REGISTERED);
}

/* The client against servers that misbehave */

static void
version_server_cb (SoupServer              *server,
                   SoupServerMessage       *msg,
                   const char              *path,
                   SoupWebsocketConnection *ws,
                   gpointer                 user_data)
{
  SoupWebsocketConnection **out = user_data;

  *out = g_object_ref (ws);
  soup_websocket_connection_send_text (ws, "{\"v\":2,\"type\":\"welcome\",\"server\":\"future\",\"keepalive_s\":5,\"max_size\":9999}");
}

static gboolean
fake_incoming_cb (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source,
                  gpointer           user_data)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);

  soup_server_accept_iostream (user_data, G_IO_STREAM (connection), local, remote, NULL);
  return TRUE;
}

static void
test_version_mismatch_client (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(TdRendezvousClient) client = NULL;
  g_autoptr(TdDeviceKey) key = new_key ();
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  g_autofree char *uri = NULL;
  guint16 port;

  /* A server from the future */
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  soup_server_add_websocket_handler (server, NULL, NULL, NULL, version_server_cb, &ws, NULL);
  g_signal_connect (service, "incoming", G_CALLBACK (fake_incoming_cb), server);

  client = td_rendezvous_client_new (uri, key);
  g_assert_cmpuint (th_register (client, &error), ==, 0);
  g_assert_error (error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_VERSION_MISMATCH);
  /* Retrying cannot help: the client stops. */
  g_assert_cmpint (td_rendezvous_client_get_state (client), ==, TD_RENDEZVOUS_STATE_DISCONNECTED);

  g_assert_nonnull (ws);
  while (soup_websocket_connection_get_state (ws) != SOUP_WEBSOCKET_STATE_CLOSED)
    g_main_context_iteration (NULL, TRUE);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  soup_server_disconnect (server);
}

static void
test_error_words (void)
{
  for (TdRendezvousError code = TD_RENDEZVOUS_ERROR_FAILED; code <= TD_RENDEZVOUS_ERROR_SERVER; code++)
    {
      const char *words = td_rendezvous_error_describe (code);

      g_assert_nonnull (words);
      g_assert_cmpuint (strlen (words), >, 10);
      if (code != TD_RENDEZVOUS_ERROR_FAILED)
        g_assert_cmpstr (words, !=, td_rendezvous_error_describe (TD_RENDEZVOUS_ERROR_FAILED));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/rendezvous/register", test_register);
  ADD ("/rendezvous/register-after-restart", test_register_after_restart);
  ADD ("/rendezvous/register-unreachable", test_register_unreachable);
  ADD ("/rendezvous/id-taken", test_id_taken);
  ADD ("/rendezvous/replaced", test_replaced);
  ADD ("/rendezvous/connect-relay", test_connect_relay);
  ADD ("/rendezvous/connect-unregistered-viewer", test_connect_unregistered_viewer);
  ADD ("/rendezvous/connect-errors", test_connect_errors);
  ADD ("/rendezvous/connect-busy", test_connect_busy);
  ADD ("/rendezvous/connect-rate-limited", test_connect_rate_limited);
  ADD ("/rendezvous/connect-cancel", test_connect_cancel);
  ADD ("/rendezvous/presence-timeout", test_presence_timeout);
  ADD ("/rendezvous/version-mismatch-client", test_version_mismatch_client);
#undef ADD
  g_test_add_func ("/rendezvous/error-words", test_error_words);

  return g_test_run ();
}
