/* test-redis.c: two tandem-server nodes sharing presence through Redis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts a real redis-server on a free loopback port (no persistence) and
 * two tandem-server processes on one registry file, as two nodes behind a
 * load balancer would run. A host on node A is reached by a viewer on
 * node B; then Redis restarts and the nodes say again who is online.
 */
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "td-id.h"
#include "test-helpers.h"

static char *test_dir;

typedef struct
{
  GSubprocess *process;
  guint16      port;
  char        *uri;
} Process;

static void
process_free (Process *p)
{
  if (p->process != NULL)
    {
      g_subprocess_send_signal (p->process, SIGTERM);
      g_subprocess_wait (p->process, NULL, NULL);
    }
  g_clear_object (&p->process);
  g_free (p->uri);
  g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Process, process_free)

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
port_open (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

  return connection != NULL;
}

static Process *
redis_start (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *log = g_build_filename (test_dir, "redis.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  const char *argv[] = { "redis-server", "--port", port_text, "--bind", "127.0.0.1", "--save", "",
                         "--appendonly", "no", "--daemonize", "no", "--logfile", log, NULL };
  Process *p = g_new0 (Process, 1);

  g_subprocess_launcher_set_cwd (launcher, test_dir);
  p->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  p->port = port;

  for (guint i = 0; i < 200 && !port_open (port); i++)
    th_sleep (25);
  g_assert_true (port_open (port));
  return p;
}

typedef struct
{
  gboolean  done;
  char     *line;
} LineRead;

static void
line_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, NULL);
  read->done = TRUE;
}

static Process *
node_start (const char *node_id,
            const char *redis_url,
            const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autofree char *log = g_strdup_printf ("%s/%s.log", test_dir, node_id);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  const char *argv[] = { TD_TEST_SERVER_BINARY, "--port", "0", "--print-port", "--db", db,
                         "--redis", redis_url, "--node-id", node_id, "--keepalive", "1",
                         "--idle-timeout", "10", "--log-level", "debug", NULL };
  Process *p = g_new0 (Process, 1);
  LineRead read = { 0 };

  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  p->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->process));
  g_data_input_stream_read_line_async (output, G_PRIORITY_DEFAULT, NULL, line_cb, &read);
  g_assert_true (th_wait_for (&read.done, 10000));
  g_assert_nonnull (read.line);
  g_assert_true (g_str_has_prefix (read.line, "PORT "));
  p->port = (guint16) g_ascii_strtoull (read.line + 5, NULL, 10);
  p->uri = g_strdup_printf ("ws://127.0.0.1:%u", p->port);
  g_free (read.line);
  return p;
}

typedef struct
{
  gboolean  done;
  GBytes   *body;
} Http;

static void
http_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Http *http = user_data;

  http->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, NULL);
  http->done = TRUE;
}

static char *
health (guint16 port)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/healthz", port);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  Http http = { 0 };
  char *text;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, http_cb, &http);
  g_assert_true (th_wait_for (&http.done, 5000));
  if (http.body == NULL)
    return g_strdup ("");
  text = g_strndup (g_bytes_get_data (http.body, NULL), g_bytes_get_size (http.body));
  g_bytes_unref (http.body);
  return text;
}

static gboolean
wait_redis_state (Process    *node,
                  const char *state,
                  guint       timeout_ms)
{
  g_autofree char *needle = g_strdup_printf ("\"redis\":\"%s\"", state);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *text = health (node->port);

      if (strstr (text, needle) != NULL)
        return TRUE;
      th_sleep (100);
    }

  return FALSE;
}

static TdRendezvousClient *
new_client (const char *uri,
            TdDeviceKey *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) fresh = NULL;

  if (key == NULL)
    {
      fresh = td_device_key_new_ephemeral (&error);
      g_assert_no_error (error);
      key = fresh;
    }
  return td_rendezvous_client_new (uri, key);
}

typedef struct
{
  TdSignalingPeer *peer;
  guint            received;
  gboolean         closed;
} Host;

static void
received_cb (TdSignalingPeer *peer,
             TdSignalKind     kind,
             GVariant        *payload,
             gpointer         user_data)
{
  Host *host = user_data;
  const char *ufrag = NULL;

  host->received++;
  if (kind == TD_SIGNAL_KIND_OFFER)
    {
      g_assert_true (g_variant_lookup (payload, "ufrag", "&s", &ufrag));
      g_assert_cmpstr (ufrag, ==, "viewer-on-b");
      g_assert_true (td_signaling_peer_send (peer, TD_SIGNAL_KIND_ANSWER,
                                             g_variant_new_parsed ("{'ufrag': <'host-on-a'>}"), NULL));
    }
}

static void
host_closed_cb (TdSignalingPeer *peer,
                const GError    *error,
                gpointer         user_data)
{
  ((Host *) user_data)->closed = TRUE;
}

static gboolean
incoming_cb (TdRendezvousClient *client,
             TdSignalingPeer    *peer,
             gpointer            user_data)
{
  Host *host = user_data;

  g_clear_object (&host->peer);
  host->peer = g_object_ref (peer);
  host->received = 0;
  host->closed = FALSE;
  g_signal_connect (peer, "received", G_CALLBACK (received_cb), host);
  g_signal_connect (peer, "closed", G_CALLBACK (host_closed_cb), host);
  g_assert_true (td_signaling_peer_accept (peer, NULL));
  return TRUE;
}

typedef struct
{
  gboolean answered;
} Viewer;

static void
viewer_received_cb (TdSignalingPeer *peer,
                    TdSignalKind     kind,
                    GVariant        *payload,
                    gpointer         user_data)
{
  const char *ufrag = NULL;

  g_assert_cmpint (kind, ==, TD_SIGNAL_KIND_ANSWER);
  g_assert_true (g_variant_lookup (payload, "ufrag", "&s", &ufrag));
  g_assert_cmpstr (ufrag, ==, "host-on-a");
  ((Viewer *) user_data)->answered = TRUE;
}

/* A viewer on node B signals with a host on node A, and hangs up. */
static void
cross_node_round_trip (TdRendezvousClient *viewer,
                       guint32             host_id,
                       Host               *host)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdSignalingPeer) peer = th_connect (viewer, host_id, &error);
  Viewer v = { FALSE };

  g_assert_no_error (error);
  g_assert_nonnull (peer);
  g_assert_cmpuint (td_signaling_peer_get_partner_id (peer), ==, host_id);
  g_assert_nonnull (host->peer);
  g_assert_cmpstr (td_signaling_peer_get_session (peer), ==, td_signaling_peer_get_session (host->peer));

  g_signal_connect (peer, "received", G_CALLBACK (viewer_received_cb), &v);
  g_assert_true (td_signaling_peer_send (peer, TD_SIGNAL_KIND_OFFER,
                                         g_variant_new_parsed ("{'ufrag': <'viewer-on-b'>}"), &error));
  g_assert_true (th_wait_for (&v.answered, 5000));

  g_assert_true (td_signaling_peer_send (peer, TD_SIGNAL_KIND_CANDIDATE,
                                         g_variant_new_parsed ("{'candidate': <'a=candidate:1 1 UDP 1 192.0.2.1 9 typ host'>}"),
                                         &error));
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (host->received < 2 && g_get_monotonic_time () < deadline)
      th_sleep (10);
    g_assert_cmpuint (host->received, >=, 2);
  }

  td_signaling_peer_close (peer, "done");
  g_assert_true (th_wait_for (&host->closed, 5000));
}

static void
test_two_nodes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (test_dir, "shared.db", NULL);
  g_autofree char *redis_url = NULL;
  g_autoptr(Process) redis = NULL;
  g_autoptr(Process) node_a = NULL;
  g_autoptr(Process) node_b = NULL;
  g_autoptr(TdDeviceKey) host_key = td_device_key_new_ephemeral (&error);
  g_autoptr(TdRendezvousClient) host = NULL;
  g_autoptr(TdRendezvousClient) viewer = NULL;
  Host host_state = { 0 };
  guint16 redis_port = free_port ();
  guint32 host_id;

  redis = redis_start (redis_port);
  redis_url = g_strdup_printf ("redis://127.0.0.1:%u/0", redis_port);
  node_a = node_start ("node-a", redis_url, db);
  node_b = node_start ("node-b", redis_url, db);
  g_assert_true (wait_redis_state (node_a, "ready", 10000));
  g_assert_true (wait_redis_state (node_b, "ready", 10000));

  host = new_client (node_a->uri, host_key);
  g_signal_connect (host, "incoming", G_CALLBACK (incoming_cb), &host_state);
  host_id = th_register (host, &error);
  g_assert_no_error (error);

  /* Reachable from the other node */
  viewer = new_client (node_b->uri, NULL);
  cross_node_round_trip (viewer, host_id, &host_state);

  /* Errors cross nodes too */
  {
    g_autoptr(TdSignalingPeer) none = th_connect (viewer, td_id_from_payload (44444444), &error);

    g_assert_error (error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_UNKNOWN_ID);
    g_clear_error (&error);
  }

  /* Redis restarts empty: the nodes reconnect and say again who is here. */
  g_subprocess_send_signal (redis->process, SIGTERM);
  g_subprocess_wait (redis->process, NULL, NULL);
  g_clear_object (&redis->process);
  g_assert_true (wait_redis_state (node_b, "down", 10000));
  {
    g_autoptr(TdSignalingPeer) none = th_connect (viewer, host_id, &error);

    /* While Redis is away a remote host cannot be found. */
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  g_clear_pointer (&redis, process_free);
  redis = redis_start (redis_port);
  g_assert_true (wait_redis_state (node_a, "ready", 15000));
  g_assert_true (wait_redis_state (node_b, "ready", 15000));
  th_sleep (200);
  cross_node_round_trip (viewer, host_id, &host_state);

  /* The same device registering on node B replaces its connection on A. */
  {
    g_autoptr(TdRendezvousClient) moved = new_client (node_b->uri, host_key);
    g_autoptr(TdRendezvousClient) viewer_on_a = new_client (node_a->uri, NULL);
    Host moved_state = { 0 };

    g_signal_connect (moved, "incoming", G_CALLBACK (incoming_cb), &moved_state);
    g_assert_cmpuint (th_register (moved, &error), ==, host_id);
    g_assert_no_error (error);
    g_assert_true (th_wait_state (host, TD_RENDEZVOUS_STATE_DISCONNECTED, 5000));
    g_assert_error (td_rendezvous_client_get_last_error (host), TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_REPLACED);

    /* ... and is reached there from node A now. */
    th_sleep (200);
    {
      g_autoptr(TdSignalingPeer) peer = th_connect (viewer_on_a, host_id, &error);

      g_assert_no_error (error);
      g_assert_nonnull (peer);
      td_signaling_peer_close (peer, NULL);
    }

    /* Gone from every node once it leaves */
    td_rendezvous_client_stop (moved);
    th_sleep (300);
    {
      g_autoptr(TdSignalingPeer) none = th_connect (viewer_on_a, host_id, &error);

      g_assert_error (error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_OFFLINE);
      g_clear_error (&error);
    }
    td_rendezvous_client_stop (viewer_on_a);
    g_clear_object (&moved_state.peer);
  }

  td_rendezvous_client_stop (viewer);
  g_clear_object (&host_state.peer);

  /* SIGTERM: each node leaves Redis cleanly and exits 0. */
  g_subprocess_send_signal (node_a->process, SIGTERM);
  g_assert_true (g_subprocess_wait_check (node_a->process, NULL, NULL));
  g_clear_object (&node_a->process);
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *redis = g_find_program_in_path ("redis-server");
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (redis == NULL)
    {
      g_print ("1..0 # SKIP redis-server is not installed (apt install redis-server)\n");
      return 77;
    }

  test_dir = g_dir_make_tmp ("td-redis-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/redis/two-nodes", test_two_nodes);

  ret = g_test_run ();
  if (g_getenv ("TD_KEEP_TEST_DIR") == NULL)
    remove_tree (test_dir);
  else
    g_printerr ("Logs kept in %s\n", test_dir);
  g_free (test_dir);
  return ret;
}
