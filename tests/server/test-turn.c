/* test-turn.c: the TURN credentials the server hands out work with coturn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts a real coturn (use-auth-secret) on a free loopback port, gets
 * credentials for both peers of a connect from an in-process server with
 * the same secret, and has coturn's own client allocate a relay with them.
 */
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "test-helpers.h"

#define SECRET "coturn-shared-secret-for-the-test"

static char *test_dir;

static guint16
free_udp_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static GSubprocess *
coturn_start (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_build_filename (test_dir, "turnserver.conf", NULL);
  g_autofree char *log = g_build_filename (test_dir, "turnserver.log", NULL);
  g_autofree char *contents = g_strdup_printf ("use-auth-secret\n"
                                               "static-auth-secret=" SECRET "\n"
                                               "realm=tandem.test\n"
                                               "listening-ip=127.0.0.1\n"
                                               "relay-ip=127.0.0.1\n"
                                               "listening-port=%u\n"
                                               "no-tls\nno-dtls\nno-cli\n"
                                               "allow-loopback-peers\n"
                                               "min-port=%u\nmax-port=%u\n"
                                               "log-file=%s\nsimple-log\n",
                                               port, port + 1, port + 200, log);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  const char *argv[] = { "turnserver", "-c", config, NULL };
  GSubprocess *process;

  g_assert_true (g_file_set_contents (config, contents, -1, NULL));
  g_subprocess_launcher_set_cwd (launcher, test_dir);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  th_sleep (700);
  return process;
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* coturn's client allocates a relay and sends through it. */
static gboolean
allocate (guint16     port,
          const char *username,
          const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  const char *argv[] = { "turnutils_uclient", "-p", port_text, "-u", username, "-w", password,
                         "-n", "2", "-m", "1", "-y", "-c", "127.0.0.1", NULL };
  gboolean done = FALSE;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);

  /* Waiting while serving the main loop: the server under test is here. */
  g_subprocess_wait_async (process, NULL, exited_cb, &done);
  if (!th_wait_for (&done, 10000))
    {
      g_subprocess_force_exit (process);
      th_wait_for (&done, 5000);
      return FALSE;
    }

  return g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
}

static gboolean
incoming_cb (TdRendezvousClient *client,
             TdSignalingPeer    *peer,
             gpointer            user_data)
{
  g_set_object ((TdSignalingPeer **) user_data, peer);
  g_assert_true (td_signaling_peer_accept (peer, NULL));
  return TRUE;
}

static void
test_coturn_accepts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) coturn = NULL;
  g_autoptr(TdRendezvousServer) server = NULL;
  g_autoptr(TdRendezvousClient) host = NULL;
  g_autoptr(TdRendezvousClient) viewer = NULL;
  g_autoptr(TdSignalingPeer) viewer_peer = NULL;
  g_autoptr(TdSignalingPeer) host_peer = NULL;
  g_autoptr(TdDeviceKey) host_key = td_device_key_new_ephemeral (NULL);
  g_autoptr(TdDeviceKey) viewer_key = td_device_key_new_ephemeral (NULL);
  g_autofree char *uri = NULL;
  g_autofree char *wrong = NULL;
  TdServerConfig config;
  guint16 port = free_udp_port ();
  guint32 id;

  coturn = coturn_start (port);

  th_config_init (&config);
  config.db_path = g_strdup (":memory:");
  config.turn_secret = g_strdup (SECRET);
  config.turn_uris = g_new0 (char *, 2);
  config.turn_uris[0] = g_strdup_printf ("turn:127.0.0.1:%u?transport=udp", port);
  config.turn_ttl_s = 120;
  server = th_server_start (&config, 0);
  td_server_config_clear (&config);
  uri = th_server_uri (server);

  host = td_rendezvous_client_new (uri, host_key);
  g_signal_connect (host, "incoming", G_CALLBACK (incoming_cb), &host_peer);
  id = th_register (host, &error);
  g_assert_no_error (error);
  viewer = td_rendezvous_client_new (uri, viewer_key);
  viewer_peer = th_connect (viewer, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (host_peer);

  /* Both peers' credentials allocate relays on coturn. */
  g_assert_true (allocate (port, td_signaling_peer_get_turn_username (viewer_peer),
                           td_signaling_peer_get_turn_password (viewer_peer)));
  g_assert_true (allocate (port, td_signaling_peer_get_turn_username (host_peer),
                           td_signaling_peer_get_turn_password (host_peer)));

  /* A password that does not match is refused. */
  wrong = g_strdup (td_signaling_peer_get_turn_password (viewer_peer));
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  g_assert_false (allocate (port, td_signaling_peer_get_turn_username (viewer_peer), wrong));

  td_rendezvous_client_stop (host);
  td_rendezvous_client_stop (viewer);
  g_subprocess_send_signal (coturn, SIGTERM);
  g_subprocess_wait (coturn, NULL, NULL);
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
  g_autofree char *turnserver = g_find_program_in_path ("turnserver");
  g_autofree char *uclient = g_find_program_in_path ("turnutils_uclient");
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (turnserver == NULL || uclient == NULL)
    {
      g_print ("1..0 # SKIP coturn (turnserver, turnutils_uclient) is not installed\n");
      return 77;
    }

  test_dir = g_dir_make_tmp ("td-turn-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/turn/coturn-accepts", test_coturn_accepts);

  ret = g_test_run ();
  remove_tree (test_dir);
  g_free (test_dir);
  return ret;
}
