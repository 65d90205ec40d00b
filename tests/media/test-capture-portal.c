/* test-capture-portal.c: the ScreenCast portal of a headless mutter,
 * captured, encoded, sent over SRTP and decoded
 *
 * Run by run-portal-test.sh, which starts PipeWire, WirePlumber and
 * mutter --headless inside a private D-Bus session and seeds a restore
 * token so the portal shares the virtual monitor without a dialog.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-capture-portal.h"
#include "td-host-pipeline.h"
#include "td-media-error.h"
#include "td-viewer-pipeline.h"

typedef struct
{
  TdCapturePortal *capture;
  GError          *error;
  gboolean         done;
  guint            frames;
  int              width;
  int              height;
} Fixture;

static void
host_to_viewer (const guint8 *data,
                gsize         length,
                gpointer      user_data)
{
  td_viewer_pipeline_receive (user_data, data, length);
}

static void
on_frame (TdViewerPipeline *viewer,
          TdFrame          *frame,
          Fixture          *fixture)
{
  fixture->frames++;
  fixture->width = td_frame_get_width (frame);
  fixture->height = td_frame_get_height (frame);
}

static void
created (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->capture = td_capture_portal_new_finish (result, &fixture->error);
  fixture->done = TRUE;
}

static void
run_until (gboolean *flag,
           guint     ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while ((flag == NULL || !*flag) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
test_screencast (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdKeys) keys = NULL;
  g_autoptr(TdHostPipeline) host = NULL;
  g_autoptr(TdViewerPipeline) viewer = NULL;
  g_autoptr(GArray) monitors = NULL;
  guint8 isk[64] = { 9 }, exporter[32] = { 8 };
  Fixture fixture = { 0 };

  td_capture_portal_new_async (FALSE, g_getenv ("TD_TEST_RESTORE_TOKEN"), NULL, created, &fixture);
  run_until (&fixture.done, 15000);
  g_assert_true (fixture.done);
  g_assert_no_error (fixture.error);

  g_assert_cmpint (td_capture_get_kind (TD_CAPTURE (fixture.capture)), ==, TD_CAPTURE_KIND_PORTAL);
  g_assert_cmpuint (td_capture_portal_get_node_id (fixture.capture), >, 0);
  monitors = td_capture_get_monitors (TD_CAPTURE (fixture.capture));
  g_assert_cmpint (g_array_index (monitors, TdCaptureMonitor, 0).width, ==, 1280);

  keys = td_keys_new_from_isk (isk, sizeof isk, exporter, sizeof exporter, NULL);
  host = td_host_pipeline_new (TD_CAPTURE (fixture.capture), NULL, keys, &error);
  g_assert_no_error (error);
  viewer = td_viewer_pipeline_new (keys, NULL, &error);
  g_assert_no_error (error);
  td_host_pipeline_set_send_func (host, host_to_viewer, viewer, NULL);
  g_signal_connect (viewer, "frame", G_CALLBACK (on_frame), &fixture);

  td_viewer_pipeline_start (viewer, &error);
  g_assert_no_error (error);
  td_host_pipeline_start (host, &error);
  g_assert_no_error (error);

  run_until (NULL, 3000);
  g_test_message ("%u frames from the portal", fixture.frames);
  g_assert_cmpuint (fixture.frames, >=, 1);
  g_assert_cmpint (fixture.width, ==, 1280);
  g_assert_cmpint (fixture.height, ==, 720);

  td_host_pipeline_stop (host);
  td_viewer_pipeline_stop (viewer);
  g_clear_object (&fixture.capture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("TD_TEST_RESTORE_TOKEN") == NULL || !td_media_ensure_init (NULL))
    {
      g_printerr ("SKIP: run through run-portal-test.sh\n");
      return 77;
    }

  g_test_add_func ("/media/portal/screencast", test_screencast);
  return g_test_run ();
}
