/* test-stream.c: host → viewer over an in-process carrier, test pattern
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-capture-test.h"
#include "td-host-pipeline.h"
#include "td-media-error.h"
#include "td-viewer-pipeline.h"

typedef struct
{
  TdHostPipeline   *host;
  TdViewerPipeline *viewer;
  guint             frames;
  int               width;
  int               height;
  guint             keyframe_requests;
  GError           *error;
} Fixture;

static TdKeys *
make_keys (guint8 seed)
{
  guint8 isk[64], exporter[32];

  memset (isk, seed, sizeof isk);
  memset (exporter, seed + 1, sizeof exporter);
  return td_keys_new_from_isk (isk, sizeof isk, exporter, sizeof exporter, NULL);
}

/* The carrier: straight into the other pipeline (streaming thread). */
static void
host_to_viewer (const guint8 *data,
                gsize         length,
                gpointer      user_data)
{
  td_viewer_pipeline_receive (user_data, data, length);
}

/* Drops every tenth RTP packet (not RTCP, not retransmissions). */
static guint lossy_count;

static void
host_to_viewer_lossy (const guint8 *data,
                      gsize         length,
                      gpointer      user_data)
{
  if (!td_srtp_is_rtcp (data, length) && (data[1] & 0x7f) == 96 &&
      g_atomic_int_add (&lossy_count, 1) % 10 == 9)
    return;
  td_viewer_pipeline_receive (user_data, data, length);
}

static void
viewer_to_host (const guint8 *data,
                gsize         length,
                gpointer      user_data)
{
  td_host_pipeline_receive (user_data, data, length);
}

static void
on_frame (TdViewerPipeline *viewer,
          TdFrame          *frame,
          Fixture          *fixture)
{
  fixture->frames++;
  fixture->width = td_frame_get_width (frame);
  fixture->height = td_frame_get_height (frame);
  g_assert_cmpuint (td_frame_get_stride (frame), >=, (gsize) fixture->width * 4);
}

static void
on_keyframe_requested (TdViewerPipeline *viewer,
                       Fixture          *fixture)
{
  fixture->keyframe_requests++;
}

static void
on_error (GObject *pipeline,
          GError  *error,
          Fixture *fixture)
{
  if (fixture->error == NULL)
    fixture->error = g_error_copy (error);
}

static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
}

static void
setup (Fixture  *fixture,
       TdKeys   *host_keys,
       TdKeys   *viewer_keys,
       gboolean  moving)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdCaptureTest) capture = td_capture_test_new (320, 240, moving);

  fixture->host = td_host_pipeline_new (TD_CAPTURE (capture), NULL, host_keys, &error);
  g_assert_no_error (error);
  fixture->viewer = td_viewer_pipeline_new (viewer_keys, NULL, &error);
  g_assert_no_error (error);

  td_host_pipeline_set_framerate (fixture->host, 30);
  td_host_pipeline_set_send_func (fixture->host, host_to_viewer,
                                  g_object_ref (fixture->viewer), g_object_unref);
  td_viewer_pipeline_set_send_func (fixture->viewer, viewer_to_host,
                                    g_object_ref (fixture->host), g_object_unref);

  g_signal_connect (fixture->viewer, "frame", G_CALLBACK (on_frame), fixture);
  g_signal_connect (fixture->viewer, "keyframe-requested", G_CALLBACK (on_keyframe_requested), fixture);
  g_signal_connect (fixture->viewer, "error", G_CALLBACK (on_error), fixture);
  g_signal_connect (fixture->host, "error", G_CALLBACK (on_error), fixture);

  td_viewer_pipeline_start (fixture->viewer, &error);
  g_assert_no_error (error);
  td_host_pipeline_start (fixture->host, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture)
{
  /* Break the carrier's reference cycle before dropping the pipelines. */
  td_host_pipeline_stop (fixture->host);
  td_viewer_pipeline_stop (fixture->viewer);
  td_host_pipeline_set_send_func (fixture->host, NULL, NULL, NULL);
  td_viewer_pipeline_set_send_func (fixture->viewer, NULL, NULL, NULL);
  g_clear_object (&fixture->host);
  g_clear_object (&fixture->viewer);
  g_clear_error (&fixture->error);
}

static void
test_end_to_end (void)
{
  g_autoptr(TdKeys) keys = make_keys (7);
  Fixture fixture = { 0 };
  TdHostStats host_stats;
  TdViewerStats viewer_stats;

  setup (&fixture, keys, keys, TRUE);
  run_for (2000);

  td_host_pipeline_get_stats (fixture.host, &host_stats);
  td_viewer_pipeline_get_stats (fixture.viewer, &viewer_stats);
  g_test_message ("host: %" G_GUINT64_FORMAT " frames captured, %" G_GUINT64_FORMAT
                  " encoded, %" G_GUINT64_FORMAT " bytes, %" G_GUINT64_FORMAT " RTCP in; "
                  "viewer: %" G_GUINT64_FORMAT " decoded, %u delivered",
                  host_stats.frames_captured, host_stats.frames_encoded,
                  host_stats.bytes_sent, host_stats.rtcp_received,
                  viewer_stats.frames_decoded, fixture.frames);

  g_assert_no_error (fixture.error);
  g_assert_cmpuint (fixture.frames, >=, 20);
  g_assert_cmpint (fixture.width, ==, 320);
  g_assert_cmpint (fixture.height, ==, 240);
  g_assert_cmpint (td_viewer_pipeline_get_width (fixture.viewer), ==, 320);
  g_assert_cmpuint (host_stats.bytes_sent, >, 0);
  /* RTCP flows back: receiver reports from the viewer */
  g_assert_cmpuint (host_stats.rtcp_received, >, 0);

  /* A keyframe request on the viewer reaches the host as a PLI. */
  td_viewer_pipeline_request_keyframe (fixture.viewer);
  run_for (300);
  td_host_pipeline_get_stats (fixture.host, &host_stats);
  g_assert_cmpuint (host_stats.keyframes_requested, >=, 1);

  teardown (&fixture);
}

static void
test_wrong_key (void)
{
  g_autoptr(TdKeys) host_keys = make_keys (7);
  g_autoptr(TdKeys) viewer_keys = make_keys (9);
  Fixture fixture = { 0 };
  TdHostStats host_stats;

  setup (&fixture, host_keys, viewer_keys, TRUE);
  run_for (1500);

  td_host_pipeline_get_stats (fixture.host, &host_stats);
  g_assert_cmpuint (host_stats.bytes_sent, >, 0);
  g_assert_cmpuint (fixture.frames, ==, 0);
  /* The viewer's RTCP does not authenticate at the host either. */
  g_assert_cmpuint (host_stats.frames_encoded, >, 0);

  teardown (&fixture);
}

static void
test_idle_sends_nothing (void)
{
  g_autoptr(TdKeys) keys = make_keys (7);
  Fixture fixture = { 0 };
  TdHostStats before, after;
  guint frames;

  setup (&fixture, keys, keys, FALSE);
  run_for (700);
  g_assert_cmpuint (fixture.frames, >=, 1);

  td_host_pipeline_get_stats (fixture.host, &before);
  run_for (1500);
  td_host_pipeline_get_stats (fixture.host, &after);
  g_test_message ("idle: %" G_GUINT64_FORMAT " frames encoded, %" G_GUINT64_FORMAT
                  " bytes in 1.5 s, %" G_GUINT64_FORMAT " unchanged dropped, %" G_GUINT64_FORMAT
                  " keyframe requests",
                  after.frames_encoded - before.frames_encoded,
                  after.bytes_sent - before.bytes_sent,
                  after.frames_unchanged - before.frames_unchanged,
                  after.keyframes_requested - before.keyframes_requested);
  /* At most the one-a-second keepalive frames */
  g_assert_cmpuint (after.frames_encoded - before.frames_encoded, <=, 2);
  g_assert_cmpuint (after.frames_unchanged - before.frames_unchanged, >=, 30);

  /* A keyframe request gets a frame through even when idle. */
  frames = fixture.frames;
  td_host_pipeline_request_keyframe (fixture.host);
  run_for (400);
  g_assert_cmpuint (fixture.frames, >, frames);

  teardown (&fixture);
}

static void
test_loss (void)
{
  g_autoptr(TdKeys) keys = make_keys (7);
  Fixture fixture = { 0 };
  TdHostStats host_stats;
  TdViewerStats viewer_stats;

  setup (&fixture, keys, keys, TRUE);
  td_host_pipeline_set_send_func (fixture.host, host_to_viewer_lossy,
                                  g_object_ref (fixture.viewer), g_object_unref);
  run_for (3500);

  td_host_pipeline_get_stats (fixture.host, &host_stats);
  td_viewer_pipeline_get_stats (fixture.viewer, &viewer_stats);
  g_test_message ("10 %% loss: %u frames shown, %" G_GUINT64_FORMAT " packets lost before "
                  "retransmission, %" G_GUINT64_FORMAT " keyframe requests, host saw %.1f %% "
                  "loss, bitrate now %u kbit/s",
                  fixture.frames, viewer_stats.packets_lost,
                  viewer_stats.keyframes_requested, host_stats.fraction_lost * 100,
                  host_stats.bitrate_kbps);

  /* Retransmissions and keyframes keep the picture going... */
  g_assert_cmpuint (fixture.frames, >=, 50);
  /* ...and the host hears about the loss and lowers its bitrate. */
  g_assert_cmpfloat (host_stats.fraction_lost, >, 0.02);
  g_assert_cmpuint (host_stats.bitrate_kbps, <, 4000);

  teardown (&fixture);
}

static void
test_runtime_settings (void)
{
  g_autoptr(TdKeys) keys = make_keys (7);
  Fixture fixture = { 0 };

  setup (&fixture, keys, keys, TRUE);
  td_host_pipeline_set_adaptive (fixture.host, FALSE);
  run_for (500);

  td_host_pipeline_set_bitrate (fixture.host, 800);
  g_assert_cmpuint (td_host_pipeline_get_bitrate (fixture.host), ==, 800);
  td_host_pipeline_set_framerate (fixture.host, 15);
  g_assert_cmpuint (td_host_pipeline_get_framerate (fixture.host), ==, 15);
  fixture.frames = 0;
  run_for (1000);
  g_assert_no_error (fixture.error);
  g_assert_cmpuint (fixture.frames, >=, 8);
  g_assert_cmpuint (fixture.frames, <=, 20);

  teardown (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!td_media_ensure_init (NULL))
    return 77;

  g_test_add_func ("/media/stream/end-to-end", test_end_to_end);
  g_test_add_func ("/media/stream/wrong-key", test_wrong_key);
  g_test_add_func ("/media/stream/idle", test_idle_sends_nothing);
  g_test_add_func ("/media/stream/loss", test_loss);
  g_test_add_func ("/media/stream/runtime-settings", test_runtime_settings);

  return g_test_run ();
}
