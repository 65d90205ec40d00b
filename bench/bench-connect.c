/* bench-connect.c: time from Connect to an authenticated channel, and
 * control-channel throughput, on loopback through a real tandem-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-connect [--json PATH] [--runs N]
 *
 * Each run: a viewer session connects to a registered host by ID and
 * password (rendezvous, ICE, TLS 1.3, CPace, session start) and the time
 * to CONNECTED is recorded; the session is ended and the host is ready
 * again. A wrong-password run measures the time to a refusal. Last, 20 MB
 * go through the authenticated control channel.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "td-embedded-server.h"
#include "td-host-service.h"
#include "td-viewer-session.h"

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values,
            double  p)
{
  guint i;

  g_array_sort (values, cmp_double);
  i = (guint) (p / 100.0 * (values->len - 1) + 0.5);
  return g_array_index (values, double, MIN (i, values->len - 1));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TdEmbeddedServer) server = NULL;
  g_autoptr(TdDeviceKey) host_key = NULL, viewer_key = NULL;
  g_autoptr(TdRendezvousClient) host_client = NULL, viewer_client = NULL;
  g_autoptr(TdHostService) service = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *json_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  double refuse_ms = 0, mbps = 0, seconds = 0;
  const guint64 n_bytes = 20 * 1024 * 1024;
  int runs = 8; /* tandem-server allows about 10 connects a minute per address */
  guint32 id;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "Write the results here", "PATH" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Connects to time", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- time Tandem's connect");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  signal (SIGPIPE, SIG_IGN);

  if (g_getenv ("TD_SERVER_BINARY") == NULL)
    g_setenv ("TD_SERVER_BINARY", TD_BENCH_SERVER_BINARY, TRUE);

  dir = g_dir_make_tmp ("td-bench-connect-XXXXXX", &error);
  db = g_build_filename (dir, "server.db", NULL);
  server = td_embedded_server_new (db, dir);
  td_embedded_server_start_async (server, NULL, store_result, &result);
  wait_for (&result);
  if (!td_embedded_server_start_finish (server, result, &error))
    {
      g_printerr ("Could not start tandem-server: %s\n", error->message);
      return 1;
    }
  g_clear_object (&result);

  host_key = td_device_key_new_ephemeral (NULL);
  viewer_key = td_device_key_new_ephemeral (NULL);
  host_client = td_rendezvous_client_new (td_embedded_server_get_uri (server), host_key);
  service = td_host_service_new (host_client, host_key, NULL);
  td_rendezvous_client_register_async (host_client, NULL, store_result, &result);
  wait_for (&result);
  id = td_rendezvous_client_register_finish (host_client, result, &error);
  g_clear_object (&result);
  if (id == 0)
    {
      g_printerr ("Could not register: %s\n", error->message);
      return 1;
    }
  viewer_client = td_rendezvous_client_new (td_embedded_server_get_uri (server), viewer_key);

  for (int i = 0; i <= runs; i++)
    {
      g_autoptr(TdViewerSession) session = td_viewer_session_new (viewer_client, viewer_key, "bench");
      gint64 start = g_get_monotonic_time ();
      gboolean last = i == runs;

      td_viewer_session_connect_async (session, id,
                                       last ? "not-the-password" : td_host_service_get_password (service),
                                       NULL, store_result, &result);
      wait_for (&result);
      if (td_viewer_session_connect_finish (session, result, &error) == last)
        {
          g_printerr ("Run %d: %s\n", i, error ? error->message : "connected with a wrong password");
          return 1;
        }
      g_clear_error (&error);
      g_clear_object (&result);

      if (last)
        refuse_ms = (g_get_monotonic_time () - start) / 1000.0;
      else if (i > 0) /* the first run warms up caches */
        {
          double ms = (g_get_monotonic_time () - start) / 1000.0;
          g_array_append_val (times, ms);
        }

      if (i == runs - 1)
        {
          td_control_channel_measure_throughput_async (td_viewer_session_get_channel (session),
                                                       n_bytes, NULL, store_result, &result);
          wait_for (&result);
          if (td_control_channel_measure_throughput_finish (td_viewer_session_get_channel (session),
                                                            result, &seconds, &error))
            mbps = n_bytes / seconds / 1e6;
          else
            g_printerr ("Throughput: %s\n", error->message);
          g_clear_error (&error);
          g_clear_object (&result);
        }

      td_session_end (TD_SESSION (session), TD_END_REASON_LOCAL, NULL);
      while (td_host_service_get_session (service) != NULL)
        g_main_context_iteration (NULL, TRUE);
    }

  g_print ("\n%-44s %10s\n", "metric (loopback, one process, real tandem-server)", "value");
  g_print ("%-44s %10.1f\n", "connect to authenticated session, p50 (ms)", percentile (times, 50));
  g_print ("%-44s %10.1f\n", "connect to authenticated session, p95 (ms)", percentile (times, 95));
  g_print ("%-44s %10.1f\n", "wrong password refused after (ms)", refuse_ms);
  g_print ("%-44s %10.1f\n", "control channel throughput (MB/s)", mbps);
  g_print ("%-44s %10u\n", "runs", times->len);

  if (json_path != NULL)
    {
      g_autofree char *json = g_strdup_printf (
        "{\n  \"connect_loopback_ms_p50\": %.2f,\n  \"connect_loopback_ms_p95\": %.2f,\n"
        "  \"wrong_password_refused_ms\": %.2f,\n  \"control_channel_throughput_mb_per_s\": %.2f,\n"
        "  \"runs\": %u\n}\n",
        percentile (times, 50), percentile (times, 95), refuse_ms, mbps, times->len);

      if (!g_file_set_contents (json_path, json, -1, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }

  g_clear_object (&service);
  td_rendezvous_client_stop (host_client);
  td_rendezvous_client_stop (viewer_client);
  td_embedded_server_stop (server);
  g_unlink (db);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);

  return 0;
}
