/* test-server-process.c: the tandem-server program, started and stopped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts the real binary on 127.0.0.1 port 0 (reading "PORT n" from
 * --print-port), talks to it with TdRendezvousClient, and stops it by PID:
 * SIGTERM (graceful), SIGKILL (a crash) and restarts on the same registry.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "td-embedded-server.h"
#include "td-id.h"
#include "test-helpers.h"

typedef struct
{
  GSubprocess *process;
  guint16      port;
  char        *uri;
  char        *stderr_path;
} Server;

static char *test_dir;

static char *
test_path (const char *name)
{
  return g_build_filename (test_dir, name, NULL);
}

static void
server_free (Server *server)
{
  if (server->process != NULL)
    {
      g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
    }
  g_clear_object (&server->process);
  g_free (server->uri);
  g_free (server->stderr_path);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

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

static void
low_fd_limit (gpointer user_data)
{
  struct rlimit limit = { 120, 120 };

  setrlimit (RLIMIT_NOFILE, &limit);
}

/* Starts tandem-server with @args (NULL-terminated) plus --print-port. */
static Server *
server_spawn_full (const char * const *args,
                   gboolean            low_fds)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  Server *server = g_new0 (Server, 1);
  LineRead read = { 0 };
  static guint counter;

  server->stderr_path = g_strdup_printf ("%s/server-%u.log", test_dir, ++counter);
  g_subprocess_launcher_set_stderr_file_path (launcher, server->stderr_path);
  if (low_fds)
    g_subprocess_launcher_set_child_setup (launcher, low_fd_limit, NULL, NULL);

  g_ptr_array_add (argv, (char *) TD_TEST_SERVER_BINARY);
  g_ptr_array_add (argv, (char *) "--print-port");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  g_data_input_stream_read_line_async (output, G_PRIORITY_DEFAULT, NULL, line_cb, &read);
  g_assert_true (th_wait_for (&read.done, 10000));
  if (read.line == NULL || !g_str_has_prefix (read.line, "PORT "))
    {
      g_autofree char *log = NULL;

      g_file_get_contents (server->stderr_path, &log, NULL, NULL);
      g_error ("tandem-server did not start: %s", log != NULL ? log : "(no output)");
    }

  server->port = (guint16) g_ascii_strtoull (read.line + 5, NULL, 10);
  server->uri = g_strdup_printf ("ws://127.0.0.1:%u", server->port);
  g_free (read.line);
  return server;
}

static Server *
server_spawn (const char * const *args)
{
  return server_spawn_full (args, FALSE);
}

typedef struct
{
  gboolean done;
  int      status;
} Exit;

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Exit *exit = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  exit->status = g_subprocess_get_status (G_SUBPROCESS (object));
  exit->done = TRUE;
}

/* Sends @signum and waits; returns the wait status. */
static int
server_signal_and_wait (Server *server,
                        int     signum)
{
  Exit exit = { 0 };

  g_subprocess_send_signal (server->process, signum);
  g_subprocess_wait_async (server->process, NULL, exited_cb, &exit);
  g_assert_true (th_wait_for (&exit.done, 10000));
  g_clear_object (&server->process);
  return exit.status;
}

static TdRendezvousClient *
new_client (const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key = td_device_key_new_ephemeral (&error);

  g_assert_no_error (error);
  return td_rendezvous_client_new (uri, key);
}

static int
run_sync (const char * const  *argv,
          char               **out_stdout,
          char               **out_stderr)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out_stdout, out_stderr, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

static void
test_help_and_bad_options (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  {
    const char *argv[] = { TD_TEST_SERVER_BINARY, "--help", NULL };

    g_assert_cmpint (run_sync (argv, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "--listen"));
    g_assert_nonnull (strstr (out, "--turn-secret-file"));
    g_assert_nonnull (strstr (out, "--redis"));
    g_assert_nonnull (strstr (out, "--print-port"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  {
    const char *argv[] = { TD_TEST_SERVER_BINARY, "--version", NULL };

    g_assert_cmpint (run_sync (argv, &out, &err), ==, 0);
    g_assert_true (g_str_has_prefix (out, "tandem-server "));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  {
    const char *argv[] = { TD_TEST_SERVER_BINARY, "--no-such-option", NULL };

    g_assert_cmpint (run_sync (argv, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--no-such-option"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Plain WebSocket on a public address: refused with a way out */
  {
    g_autofree char *db = test_path ("refused.db");
    const char *argv[] = { TD_TEST_SERVER_BINARY, "--listen", "0.0.0.0:0", "--db", db, NULL };

    g_assert_cmpint (run_sync (argv, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "--tls-cert"));
    g_assert_nonnull (strstr (err, "--insecure-plain"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Settings that make no sense */
  {
    g_autofree char *db = test_path ("nonsense.db");
    const char *argv[] = { TD_TEST_SERVER_BINARY, "--port", "0", "--db", db, "--turn-uri", "http://nope", NULL };

    g_assert_cmpint (run_sync (argv, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "TURN"));
  }
}

static void
test_restart_keeps_ids (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = test_path ("restart.db");
  g_autofree char *listen = NULL;
  g_autoptr(Server) server = NULL;
  g_autoptr(TdRendezvousClient) client = NULL;
  const char *args[] = { "--port", "0", "--db", db, "--keepalive", "1", "--idle-timeout", "5", NULL };
  guint32 id;
  guint16 port;

  server = server_spawn (args);
  port = server->port;
  client = new_client (server->uri);
  id = th_register (client, &error);
  g_assert_no_error (error);
  g_assert_true (td_id_is_valid (id));

  /* SIGTERM: graceful, exit status 0, the client retries by itself */
  g_assert_true (g_spawn_check_wait_status (server_signal_and_wait (server, SIGTERM), NULL));
  g_assert_true (th_wait_state (client, TD_RENDEZVOUS_STATE_RETRYING, 5000));

  listen = g_strdup_printf ("127.0.0.1:%u", port);
  {
    const char *again[] = { "--listen", listen, "--db", db, "--keepalive", "1", "--idle-timeout", "5", NULL };
    g_autoptr(Server) second = server_spawn (again);

    g_assert_true (th_wait_state (client, TD_RENDEZVOUS_STATE_REGISTERED, 15000));
    g_assert_cmpuint (td_rendezvous_client_get_id (client), ==, id);

    /* SIGKILL: a crash loses no binding either. */
    server_signal_and_wait (second, SIGKILL);
    g_assert_true (th_wait_state (client, TD_RENDEZVOUS_STATE_RETRYING, 15000));
  }

  {
    const char *third_args[] = { "--listen", listen, "--db", db, "--keepalive", "1", "--idle-timeout", "5", NULL };
    g_autoptr(Server) third = server_spawn (third_args);

    g_assert_true (th_wait_state (client, TD_RENDEZVOUS_STATE_REGISTERED, 15000));
    g_assert_cmpuint (td_rendezvous_client_get_id (client), ==, id);
    td_rendezvous_client_stop (client);
  }
}

static gboolean
incoming_accept_cb (TdRendezvousClient *client,
                    TdSignalingPeer    *peer,
                    gpointer            user_data)
{
  g_assert_true (td_signaling_peer_accept (peer, NULL));
  return TRUE;
}

static void
test_config_file_and_json_logs (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = test_path ("config.db");
  g_autofree char *config = test_path ("tandem-server.conf");
  g_autofree char *secret = test_path ("turn-secret");
  g_autofree char *contents = NULL;
  g_autofree char *log = NULL;
  g_autoptr(Server) server = NULL;
  g_autoptr(TdRendezvousClient) host = NULL;
  g_autoptr(TdRendezvousClient) viewer = NULL;
  g_autoptr(TdSignalingPeer) peer = NULL;
  g_auto(GStrv) lines = NULL;
  const char *args[] = { "--config", config, NULL };
  guint32 id;
  guint events = 0;

  g_assert_true (g_file_set_contents (secret, "  s3cret-never-logged\n", -1, NULL));
  contents = g_strdup_printf ("[server]\n"
                              "listen=127.0.0.1:0\n"
                              "db=%s\n"
                              "turn-secret-file=%s\n"
                              "turn-uri=turn:turn.example.org:3478?transport=udp;turns:turn.example.org:443?transport=tcp;\n"
                              "turn-ttl=120\n"
                              "keepalive=2\n"
                              "log-format=json\n"
                              "log-level=debug\n", db, secret);
  g_assert_true (g_file_set_contents (config, contents, -1, NULL));

  server = server_spawn (args);
  host = new_client (server->uri);
  g_signal_connect (host, "incoming", G_CALLBACK (incoming_accept_cb), NULL);
  id = th_register (host, &error);
  g_assert_no_error (error);
  viewer = new_client (server->uri);
  peer = th_connect (viewer, id, &error);
  g_assert_no_error (error);

  /* TURN from the config file */
  g_assert_cmpuint (g_strv_length ((char **) td_signaling_peer_get_turn_uris (peer)), ==, 2);
  g_assert_cmpuint (td_signaling_peer_get_turn_ttl (peer), ==, 120);
  {
    g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) "s3cret-never-logged", strlen ("s3cret-never-logged"));
    guint8 digest[20];
    gsize digest_len = sizeof digest;
    g_autofree char *expected = NULL;

    g_hmac_update (hmac, (const guchar *) td_signaling_peer_get_turn_username (peer), -1);
    g_hmac_get_digest (hmac, digest, &digest_len);
    expected = g_base64_encode (digest, digest_len);
    g_assert_cmpstr (td_signaling_peer_get_turn_password (peer), ==, expected);
  }

  td_rendezvous_client_stop (host);
  td_rendezvous_client_stop (viewer);
  g_assert_true (g_spawn_check_wait_status (server_signal_and_wait (server, SIGTERM), NULL));

  /* One JSON object per line, with events; no secret anywhere */
  g_assert_true (g_file_get_contents (server->stderr_path, &log, NULL, NULL));
  g_assert_null (strstr (log, "s3cret-never-logged"));
  g_assert_null (strstr (log, td_signaling_peer_get_turn_password (peer)));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      if (*lines[i] == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, NULL))
        g_error ("Not a JSON log line: %s", lines[i]);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_true (json_object_has_member (object, "ts"));
      g_assert_true (json_object_has_member (object, "level"));
      g_assert_true (json_object_has_member (object, "msg"));
      if (json_object_has_member (object, "event"))
        events++;
    }
  g_assert_cmpuint (events, >=, 3);
  g_assert_nonnull (strstr (log, "\"event\":\"registered\""));
  g_assert_nonnull (strstr (log, "\"event\":\"connect\""));
}

/* A self-signed certificate for localhost and 127.0.0.1 */
static void
make_certificate (const char *cert_path,
                  const char *key_path)
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
  gnutls_datum_t pem = { NULL, 0 };
  guint8 serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  guint8 loopback[4] = { 127, 0, 0, 1 };
  time_t now = time (NULL);

  g_assert_cmpint (gnutls_x509_privkey_init (&key), >=, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), >=, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), >=, 0);
  gnutls_x509_crt_set_version (crt, 3);
  gnutls_x509_crt_set_serial (crt, serial, sizeof serial);
  gnutls_x509_crt_set_activation_time (crt, now - 3600);
  gnutls_x509_crt_set_expiration_time (crt, now + 24 * 3600);
  gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost", strlen ("localhost"));
  gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, "localhost", strlen ("localhost"), GNUTLS_FSAN_APPEND);
  gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, loopback, sizeof loopback, GNUTLS_FSAN_APPEND);
  gnutls_x509_crt_set_basic_constraints (crt, 0, -1);
  gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
  gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
  gnutls_x509_crt_set_key (crt, key);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), >=, 0);

  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &pem), >=, 0);
  g_assert_true (g_file_set_contents (cert_path, (const char *) pem.data, pem.size, NULL));
  gnutls_free (pem.data);
  g_assert_cmpint (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &pem), >=, 0);
  g_assert_true (g_file_set_contents (key_path, (const char *) pem.data, pem.size, NULL));
  gnutls_free (pem.data);

  gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);
}

static void
test_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = test_path ("tls.db");
  g_autofree char *cert = test_path ("cert.pem");
  g_autofree char *key = test_path ("key.pem");
  g_autofree char *wss = NULL;
  g_autoptr(Server) server = NULL;
  g_autoptr(TdRendezvousClient) client = NULL;
  g_autoptr(TdRendezvousClient) plain = NULL;
  g_autoptr(TdRendezvousClient) untrusting = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  const char *args[] = { "--port", "0", "--db", db, "--tls-cert", cert, "--tls-key", key, NULL };

  make_certificate (cert, key);
  server = server_spawn (args);
  wss = g_strdup_printf ("wss://localhost:%u", server->port);

  database = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  client = new_client (wss);
  td_rendezvous_client_set_tls_database (client, database);
  g_assert_true (td_id_is_valid (th_register (client, &error)));
  g_assert_no_error (error);

  /* Without trusting the certificate, or without TLS, no registration */
  untrusting = new_client (wss);
  g_assert_cmpuint (th_register (untrusting, &error), ==, 0);
  g_assert_error (error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_UNREACHABLE);
  g_clear_error (&error);
  td_rendezvous_client_stop (untrusting);

  plain = new_client (server->uri);
  g_assert_cmpuint (th_register (plain, &error), ==, 0);
  g_assert_error (error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_UNREACHABLE);
  td_rendezvous_client_stop (plain);
  td_rendezvous_client_stop (client);
}

static double
cpu_seconds (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (process));
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  fields = g_strsplit (strrchr (contents, ')') + 2, " ", 0);
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
}

typedef struct
{
  gboolean                 done;
  SoupWebsocketConnection *ws;
} Pending;

static void
pending_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pending *pending = user_data;

  pending->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, NULL);
  pending->done = TRUE;
}

static void
test_fd_limit (void)
{
  g_autofree char *db = test_path ("fd-limit.db");
  g_autoptr(Server) server = NULL;
  g_autoptr(GPtrArray) raws = g_ptr_array_new_with_free_func ((GDestroyNotify) th_raw_free);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *log = NULL;
  const char *args[] = { "--port", "0", "--db", db, "--rate-limit-exempt", "127.0.0.0/8", NULL };
  Pending extra[4] = { { 0 } };
  double cpu;

  /* 120 descriptors: room for a few dozen connections */
  server = server_spawn_full (args, TRUE);

  for (guint i = 0; i < 100; i++)
    {
      ThRaw *raw = th_raw_connect_within (server->uri, 1000);

      if (raw->ws == NULL)
        {
          th_raw_free (raw);
          break;
        }
      g_ptr_array_add (raws, raw);
      td_signal_message_free (th_raw_expect (raw, TD_SIGNAL_TYPE_WELCOME, 5000));
    }
  g_assert_cmpuint (raws->len, >, 20);
  g_assert_cmpuint (raws->len, <, 100);

  /* More wait in the kernel's backlog; the server does not spin. */
  for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", server->uri);

      soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                            pending_cb, &extra[i]);
    }
  cpu = cpu_seconds (server->process);
  th_sleep (1000);
  g_assert_cmpfloat (cpu_seconds (server->process) - cpu, <, 0.3);
  for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
    g_assert_false (extra[i].done && extra[i].ws != NULL);

  /* Room again: they are served. */
  g_ptr_array_remove_range (raws, 0, 10);
  for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
    {
      g_assert_true (th_wait_for (&extra[i].done, 10000));
      g_assert_nonnull (extra[i].ws);
      g_clear_object (&extra[i].ws);
    }

  g_ptr_array_set_size (raws, 0);
  g_assert_true (g_spawn_check_wait_status (server_signal_and_wait (server, SIGTERM), NULL));
  g_assert_true (g_file_get_contents (server->stderr_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "file descriptor limit"));
  g_assert_nonnull (strstr (log, "Accepting connections again"));
}

/* The embedded default */

static void
embedded_started_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GError **error = user_data;

  td_embedded_server_start_finish (TD_EMBEDDED_SERVER (object), result, error);
  g_object_set_data (object, "done", GINT_TO_POINTER (1));
}

static void
embedded_start (TdEmbeddedServer *server)
{
  g_autoptr(GError) error = NULL;

  td_embedded_server_start_async (server, NULL, embedded_started_cb, &error);
  while (!g_object_get_data (G_OBJECT (server), "done"))
    g_main_context_iteration (NULL, TRUE);
  g_object_set_data (G_OBJECT (server), "done", NULL);
  g_assert_no_error (error);
}

static void
test_embedded (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *runtime = test_path ("runtime");
  g_autofree char *db = test_path ("embedded.db");
  g_autoptr(TdEmbeddedServer) first = td_embedded_server_new (db, runtime);
  g_autoptr(TdEmbeddedServer) second = td_embedded_server_new (db, runtime);
  g_autoptr(TdRendezvousClient) host = NULL;
  g_autoptr(TdRendezvousClient) viewer = NULL;
  g_autoptr(TdSignalingPeer) peer = NULL;
  g_autofree char *uri = NULL;
  GPid pid;
  guint32 id;

  g_setenv ("TD_SERVER_BINARY", TD_TEST_SERVER_BINARY, TRUE);
  {
    g_autofree char *found = td_embedded_server_find_binary (&error);

    g_assert_no_error (error);
    g_assert_cmpstr (found, ==, TD_TEST_SERVER_BINARY);
  }

  /* The first Tandem starts the server... */
  embedded_start (first);
  g_assert_true (td_embedded_server_get_owned (first));
  g_assert_true (g_str_has_prefix (td_embedded_server_get_uri (first), "ws://127.0.0.1:"));
  pid = td_embedded_server_get_pid (first);
  g_assert_cmpint (pid, >, 0);

  /* ... the second one finds it. */
  embedded_start (second);
  g_assert_false (td_embedded_server_get_owned (second));
  g_assert_cmpstr (td_embedded_server_get_uri (second), ==, td_embedded_server_get_uri (first));
  uri = g_strdup (td_embedded_server_get_uri (second));

  /* Two windows on one machine reach each other with no set-up. */
  host = new_client (td_embedded_server_get_uri (second));
  g_signal_connect (host, "incoming", G_CALLBACK (incoming_accept_cb), NULL);
  id = th_register (host, &error);
  g_assert_no_error (error);
  viewer = new_client (td_embedded_server_get_uri (first));
  peer = th_connect (viewer, id, &error);
  g_assert_no_error (error);
  g_clear_object (&peer);

  /* The first quits: its server goes; the second takes over on the same
   * port, and its host comes back with the same ID by itself. */
  g_clear_object (&first);
  g_assert_true (th_wait_state (host, TD_RENDEZVOUS_STATE_RETRYING, 5000));
  g_assert_true (th_wait_state (host, TD_RENDEZVOUS_STATE_REGISTERED, 15000));
  g_assert_cmpuint (td_rendezvous_client_get_id (host), ==, id);
  g_assert_true (td_embedded_server_get_owned (second));
  g_assert_cmpstr (td_embedded_server_get_uri (second), ==, uri);
  g_assert_cmpint (td_embedded_server_get_pid (second), !=, pid);

  /* Stopping the owner stops the process. */
  pid = td_embedded_server_get_pid (second);
  td_rendezvous_client_stop (host);
  td_rendezvous_client_stop (viewer);
  td_embedded_server_stop (second);
  for (guint i = 0; i < 100 && kill (pid, 0) == 0; i++)
    th_sleep (50);
  g_assert_cmpint (kill (pid, 0), !=, 0);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (!g_file_test (TD_TEST_SERVER_BINARY, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("1..0 # SKIP tandem-server is not built at %s\n", TD_TEST_SERVER_BINARY);
      return 77;
    }

  test_dir = g_dir_make_tmp ("td-server-process-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/server-process/help-and-bad-options", test_help_and_bad_options);
  g_test_add_func ("/server-process/restart-keeps-ids", test_restart_keeps_ids);
  g_test_add_func ("/server-process/config-file-and-json-logs", test_config_file_and_json_logs);
  g_test_add_func ("/server-process/tls", test_tls);
  g_test_add_func ("/server-process/fd-limit", test_fd_limit);
  g_test_add_func ("/server-process/embedded", test_embedded);

  ret = g_test_run ();
  remove_tree (test_dir);
  g_free (test_dir);
  return ret;
}
