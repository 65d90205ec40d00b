/* test-connect.c: two peers in one process, through a real tandem-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The host registers with a tandem-server started on loopback (the
 * embedded default), the viewer asks for its ID; ICE, TLS 1.3 and CPace
 * run for real. Covers the good password, a wrong one (both sides end at
 * once, the host stays ready), unknown and offline IDs, and ending.
 */
#include <signal.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>

#include "td-auth-error.h"
#include "td-embedded-server.h"
#include "td-host-service.h"
#include "td-id.h"
#include "td-viewer-session.h"

typedef struct {
  char               *dir;
  TdEmbeddedServer   *server;
  TdDeviceKey        *host_key;
  TdDeviceKey        *viewer_key;
  TdRendezvousClient *host_client;
  TdRendezvousClient *viewer_client;
  TdAuditLog         *audit_log;
  TdHostService      *service;
  guint32             host_id;
} Fixture;

static gboolean
timeout_cb (gpointer data)
{
  g_error ("test timed out: %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

#define WAIT_UNTIL(cond, what) \
  G_STMT_START { \
    guint _t = g_timeout_add_seconds (25, timeout_cb, (gpointer) what); \
    while (!(cond)) \
      g_main_context_iteration (NULL, TRUE); \
    g_source_remove (_t); \
  } G_STMT_END

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *db = NULL;
  g_autofree char *log_path = NULL;

  f->dir = g_dir_make_tmp ("td-connect-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (f->dir, "server.db", NULL);
  log_path = g_build_filename (f->dir, "audit.jsonl", NULL);

  f->server = td_embedded_server_new (db, f->dir);
  td_embedded_server_start_async (f->server, NULL, store_result, &result);
  WAIT_UNTIL (result != NULL, "embedded server");
  g_assert_true (td_embedded_server_start_finish (f->server, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  f->host_key = td_device_key_new_ephemeral (&error);
  g_assert_no_error (error);
  f->viewer_key = td_device_key_new_ephemeral (&error);
  g_assert_no_error (error);

  f->host_client = td_rendezvous_client_new (td_embedded_server_get_uri (f->server), f->host_key);
  td_rendezvous_client_set_display_name (f->host_client, "Oma’s laptop");
  f->audit_log = td_audit_log_new (log_path);
  f->service = td_host_service_new (f->host_client, f->host_key, f->audit_log);
  td_host_service_set_display_name (f->service, "Oma’s laptop");

  td_rendezvous_client_register_async (f->host_client, NULL, store_result, &result);
  WAIT_UNTIL (result != NULL, "register");
  f->host_id = td_rendezvous_client_register_finish (f->host_client, result, &error);
  g_assert_no_error (error);
  g_assert_true (td_id_is_valid (f->host_id));

  f->viewer_client = td_rendezvous_client_new (td_embedded_server_get_uri (f->server), f->viewer_key);
  td_rendezvous_client_set_display_name (f->viewer_client, "Paul");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->service);
  td_rendezvous_client_stop (f->host_client);
  td_rendezvous_client_stop (f->viewer_client);
  g_clear_object (&f->host_client);
  g_clear_object (&f->viewer_client);
  g_clear_object (&f->audit_log);
  g_clear_object (&f->host_key);
  g_clear_object (&f->viewer_key);
  td_embedded_server_stop (f->server);
  g_clear_object (&f->server);

  /* Let closes and relay releases finish before the next test. */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);

  {
    g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (f->dir, name, NULL);
        g_unlink (path);
      }
  }
  g_rmdir (f->dir);
  g_free (f->dir);
}

typedef struct {
  TdViewerSession *session;
  GAsyncResult    *result;
  gint64           started;
} Attempt;

static void
attempt_start (Fixture    *f,
               Attempt    *a,
               guint32     id,
               const char *password)
{
  a->session = td_viewer_session_new (f->viewer_client, f->viewer_key, "Paul");
  a->result = NULL;
  a->started = g_get_monotonic_time ();
  td_viewer_session_connect_async (a->session, id, password, NULL, store_result, &a->result);
}

static gboolean
attempt_finish (Attempt  *a,
                GError  **error)
{
  gboolean ok;

  WAIT_UNTIL (a->result != NULL, "viewer connect");
  ok = td_viewer_session_connect_finish (a->session, a->result, error);
  g_clear_object (&a->result);
  return ok;
}

static guint
count_events (Fixture    *f,
              const char *event)
{
  g_autoptr(GPtrArray) entries = td_audit_log_read (f->audit_log, 0, NULL);
  guint n = 0;

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    if (g_strcmp0 (json_object_get_string_member (g_ptr_array_index (entries, i), "event"), event) == 0)
      n++;
  return n;
}

static void
test_success (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *typed = g_ascii_strup (td_host_service_get_password (f->service), -1);
  TdHostSession *host;
  Attempt a;
  double ms;

  /* typed in capitals with the group space, as people do */
  {
    g_autofree char *spaced = g_strdup_printf ("%.4s %s", typed, typed + 4);

    attempt_start (f, &a, f->host_id, spaced);
  }
  g_assert_true (attempt_finish (&a, &error));
  g_assert_no_error (error);
  ms = (g_get_monotonic_time () - a.started) / 1000.0;
  g_test_message ("connected in %.1f ms", ms);

  host = td_host_service_get_session (f->service);
  g_assert_nonnull (host);
  WAIT_UNTIL (td_session_get_state (TD_SESSION (host)) == TD_SESSION_STATE_CONNECTED, "host connected");

  g_assert_cmpint (td_session_get_state (TD_SESSION (a.session)), ==, TD_SESSION_STATE_CONNECTED);
  g_assert_cmpint (td_session_get_path (TD_SESSION (a.session)), ==, TD_PATH_DIRECT);
  g_assert_cmpuint (td_session_get_peer_id (TD_SESSION (a.session)), ==, f->host_id);
  g_assert_cmpstr (td_session_get_peer_name (TD_SESSION (a.session)), ==, "Oma’s laptop");
  g_assert_cmpstr (td_session_get_peer_name (TD_SESSION (host)), ==, "Paul");

  /* each side knows the other's device, and both derived the same keys */
  g_assert_cmpstr (td_session_get_peer_fingerprint (TD_SESSION (a.session)), ==,
                   td_device_key_get_fingerprint_hex (f->host_key));
  g_assert_cmpstr (td_session_get_peer_fingerprint (TD_SESSION (host)), ==,
                   td_device_key_get_fingerprint_hex (f->viewer_key));
  g_assert_cmpmem (td_keys_get_srtp_key_and_salt (td_viewer_session_get_keys (a.session), TD_KEYS_HOST_TO_VIEWER), 30,
                   td_keys_get_srtp_key_and_salt (td_host_session_get_keys (host), TD_KEYS_HOST_TO_VIEWER), 30);
  g_assert_cmpmem (td_keys_get_srtp_key_and_salt (td_viewer_session_get_keys (a.session), TD_KEYS_VIEWER_TO_HOST), 30,
                   td_keys_get_srtp_key_and_salt (td_host_session_get_keys (host), TD_KEYS_VIEWER_TO_HOST), 30);
  g_assert_cmpuint (td_host_session_get_permissions (host), !=, TD_PERMISSION_NONE);

  /* ended by the viewer: the host hears it as "ended by partner" */
  {
    g_autoptr(TdHostSession) held = g_object_ref (host);
    g_autofree char *old_password = g_strdup (td_host_service_get_password (f->service));

    td_session_end (TD_SESSION (a.session), TD_END_REASON_LOCAL, NULL);
    WAIT_UNTIL (td_session_is_ended (TD_SESSION (held)), "host ended");
    g_assert_cmpint (td_session_get_end_reason (TD_SESSION (held)), ==, TD_END_REASON_PEER);
    g_assert_null (td_host_service_get_session (f->service));
    /* the one-time password was used: it is replaced */
    g_assert_cmpstr (td_host_service_get_password (f->service), !=, old_password);
  }

  g_assert_cmpuint (count_events (f, "session-started"), ==, 1);
  g_assert_cmpuint (count_events (f, "session-ended"), ==, 1);
  g_clear_object (&a.session);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdHostSession) host = NULL;
  g_autofree char *password = g_strdup (td_host_service_get_password (f->service));
  g_autofree char *contents = NULL;
  g_autofree char *log_path = g_build_filename (f->dir, "audit.jsonl", NULL);
  Attempt a;
  double ms;

  attempt_start (f, &a, f->host_id, "Zebra-Quux-77");
  g_assert_false (attempt_finish (&a, &error));
  ms = (g_get_monotonic_time () - a.started) / 1000.0;
  g_test_message ("refused in %.1f ms: %s", ms, error->message);
  g_assert_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD);
  g_assert_cmpint (td_session_get_end_reason (TD_SESSION (a.session)), ==, TD_END_REASON_AUTH_FAILED);
  g_assert_cmpfloat (ms, <, 1000.0);
  g_clear_object (&a.session);

  /* the host saw it too, at once, and is ready for the next attempt */
  WAIT_UNTIL (td_host_service_get_session (f->service) == NULL, "host ready again");
  g_assert_cmpuint (count_events (f, "auth-failed"), ==, 1);
  g_assert_true (g_file_get_contents (log_path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "Zebra-Quux-77"));
  g_assert_null (strstr (contents, password));
  /* one failure does not replace the password */
  g_assert_cmpstr (td_host_service_get_password (f->service), ==, password);

  g_clear_error (&error);
  attempt_start (f, &a, f->host_id, password);
  g_assert_true (attempt_finish (&a, &error));
  g_assert_no_error (error);
  g_clear_object (&a.session);
}

static void
test_throttled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Attempt a;

  /* the throttler lets three failures go by free, then makes the next wait */
  for (guint i = 0; i < 4; i++)
    {
      attempt_start (f, &a, f->host_id, "Zebra-Quux-77");
      g_assert_false (attempt_finish (&a, &error));
      g_assert_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD);
      g_clear_error (&error);
      g_clear_object (&a.session);
      WAIT_UNTIL (td_host_service_get_session (f->service) == NULL, "host ready again");
    }

  attempt_start (f, &a, f->host_id, td_host_service_get_password (f->service));
  g_assert_false (attempt_finish (&a, &error));
  g_test_message ("throttled: %s", error->message);
  g_assert_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_THROTTLED);
  g_assert_cmpint (td_session_get_end_reason (TD_SESSION (a.session)), ==, TD_END_REASON_REFUSED);
  g_clear_object (&a.session);
}

static void
test_unknown_id (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint32 id = td_id_from_payload (12345678);
  Attempt a;

  if (id == f->host_id)
    id = td_id_from_payload (12345679);

  attempt_start (f, &a, id, "abcd2345");
  g_assert_false (attempt_finish (&a, &error));
  g_assert_error (error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_UNKNOWN_ID);
  g_assert_cmpint (td_session_get_state (TD_SESSION (a.session)), ==, TD_SESSION_STATE_ENDED);
  g_clear_object (&a.session);
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Attempt a;

  td_rendezvous_client_stop (f->host_client);
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_usleep (100000);

  attempt_start (f, &a, f->host_id, "abcd2345");
  g_assert_false (attempt_finish (&a, &error));
  g_assert_error (error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_OFFLINE);
  g_clear_object (&a.session);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TdViewerSession *session = td_viewer_session_new (f->viewer_client, f->viewer_key, "Paul");
  GAsyncResult *result = NULL;

  td_viewer_session_connect_async (session, f->host_id, "Zebra-Quux-77", cancellable,
                                   store_result, &result);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (result != NULL, "cancel");
  g_assert_false (td_viewer_session_connect_finish (session, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (td_session_get_end_reason (TD_SESSION (session)), ==, TD_END_REASON_LOCAL);
  g_object_unref (result);
  g_object_unref (session);
  WAIT_UNTIL (td_host_service_get_session (f->service) == NULL ||
              td_session_is_ended (TD_SESSION (td_host_service_get_session (f->service))),
              "host notices");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);

  g_test_add ("/connect/success", Fixture, NULL, fixture_set_up, test_success, fixture_tear_down);
  g_test_add ("/connect/wrong-password", Fixture, NULL, fixture_set_up, test_wrong_password, fixture_tear_down);
  g_test_add ("/connect/throttled", Fixture, NULL, fixture_set_up, test_throttled, fixture_tear_down);
  g_test_add ("/connect/unknown-id", Fixture, NULL, fixture_set_up, test_unknown_id, fixture_tear_down);
  g_test_add ("/connect/offline", Fixture, NULL, fixture_set_up, test_offline, fixture_tear_down);
  g_test_add ("/connect/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);

  return g_test_run ();
}
