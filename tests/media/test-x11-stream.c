/* test-x11-stream.c: a known picture on a private Xvfb, captured, encoded,
 * sent over SRTP, decoded and compared
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <X11/Xlib.h>

#include "td-capture-x11.h"
#include "td-host-pipeline.h"
#include "td-media-error.h"
#include "td-test-xvfb.h"
#include "td-viewer-pipeline.h"

#define WIDTH  640
#define HEIGHT 480

static TdTestXvfb *xvfb;

typedef struct
{
  TdHostPipeline   *host;
  TdViewerPipeline *viewer;
  TdFrame          *last;
  guint             frames;
} Fixture;

static const guint32 quadrant_colors[4] = { 0xff0000, 0x00ff00, 0x0000ff, 0xffffff };

static void
host_to_viewer (const guint8 *data,
                gsize         length,
                gpointer      user_data)
{
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
  g_clear_pointer (&fixture->last, td_frame_unref);
  fixture->last = td_frame_ref (frame);
}

static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
draw_rect (Display *display,
           Window   window,
           guint32  rgb,
           int      x,
           int      y,
           int      width,
           int      height)
{
  GC gc = XCreateGC (display, window, 0, NULL);

  XSetForeground (display, gc, rgb);
  XFillRectangle (display, window, gc, x, y, width, height);
  XFreeGC (display, gc);
  XSync (display, False);
}

/* The colour at (x, y) of the decoded frame, as 0xRRGGBB */
static guint32
frame_pixel (TdFrame *frame,
             int      x,
             int      y)
{
  const guint8 *p = td_frame_get_data (frame, NULL) + y * td_frame_get_stride (frame) + x * 4;

  return (p[2] << 16) | (p[1] << 8) | p[0];
}

static gboolean
close_to (guint32 a,
          guint32 b,
          int     tolerance)
{
  for (int shift = 0; shift < 24; shift += 8)
    if (abs ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > tolerance)
      return FALSE;
  return TRUE;
}

static TdKeys *
make_keys (void)
{
  guint8 isk[64], exporter[32];

  memset (isk, 3, sizeof isk);
  memset (exporter, 4, sizeof exporter);
  return td_keys_new_from_isk (isk, sizeof isk, exporter, sizeof exporter, NULL);
}

static void
test_known_picture (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdKeys) keys = make_keys ();
  g_autoptr(TdCaptureX11) capture = NULL;
  g_autoptr(GArray) monitors = NULL;
  XSetWindowAttributes attributes = { .override_redirect = True };
  Fixture fixture = { 0 };
  TdHostStats before, after;
  Display *display;
  Window window;
  guint frames;
  guint bad = 0;

  display = XOpenDisplay (xvfb->display);
  g_assert_nonnull (display);
  window = XCreateWindow (display, DefaultRootWindow (display), 0, 0, WIDTH, HEIGHT, 0,
                          CopyFromParent, InputOutput, CopyFromParent, CWOverrideRedirect,
                          &attributes);
  XMapRaised (display, window);
  XSync (display, False);
  for (int q = 0; q < 4; q++)
    draw_rect (display, window, quadrant_colors[q],
               (q % 2) * WIDTH / 2, (q / 2) * HEIGHT / 2, WIDTH / 2, HEIGHT / 2);

  capture = td_capture_x11_new (xvfb->display, -1, &error);
  g_assert_no_error (error);
  g_assert_true (td_capture_has_change_detection (TD_CAPTURE (capture)));
  monitors = td_capture_get_monitors (TD_CAPTURE (capture));
  g_assert_cmpuint (monitors->len, >=, 1);
  g_assert_cmpint (g_array_index (monitors, TdCaptureMonitor, 0).width, ==, WIDTH);

  fixture.host = td_host_pipeline_new (TD_CAPTURE (capture), NULL, keys, &error);
  g_assert_no_error (error);
  fixture.viewer = td_viewer_pipeline_new (keys, NULL, &error);
  g_assert_no_error (error);
  td_host_pipeline_set_framerate (fixture.host, 30);
  td_host_pipeline_set_send_func (fixture.host, host_to_viewer, fixture.viewer, NULL);
  td_viewer_pipeline_set_send_func (fixture.viewer, viewer_to_host, fixture.host, NULL);
  g_signal_connect (fixture.viewer, "frame", G_CALLBACK (on_frame), &fixture);
  td_viewer_pipeline_start (fixture.viewer, &error);
  g_assert_no_error (error);
  td_host_pipeline_start (fixture.host, &error);
  g_assert_no_error (error);

  run_for (1000);
  g_assert_nonnull (fixture.last);
  g_assert_cmpint (td_frame_get_width (fixture.last), ==, WIDTH);
  g_assert_cmpint (td_frame_get_height (fixture.last), ==, HEIGHT);

  /* Sample a grid inside each quadrant, away from the edges */
  for (int q = 0; q < 4; q++)
    for (int gy = 1; gy < 8; gy++)
      for (int gx = 1; gx < 8; gx++)
        {
          int x = (q % 2) * WIDTH / 2 + gx * WIDTH / 16;
          int y = (q / 2) * HEIGHT / 2 + gy * HEIGHT / 16;
          guint32 got = frame_pixel (fixture.last, x, y);

          if (!close_to (got, quadrant_colors[q], 12))
            {
              g_test_message ("(%d,%d): got %06x, drew %06x", x, y, got, quadrant_colors[q]);
              bad++;
            }
        }
  g_assert_cmpuint (bad, ==, 0);

  /* Idle: XDamage says nothing changed, nothing but a keepalive is sent */
  td_host_pipeline_get_stats (fixture.host, &before);
  run_for (1000);
  td_host_pipeline_get_stats (fixture.host, &after);
  g_test_message ("idle second: %" G_GUINT64_FORMAT " frames encoded, %" G_GUINT64_FORMAT
                  " bytes", after.frames_encoded - before.frames_encoded,
                  after.bytes_sent - before.bytes_sent);
  g_assert_cmpuint (after.frames_encoded - before.frames_encoded, <=, 2);
  g_assert_cmpuint (after.frames_unchanged - before.frames_unchanged, >=, 25);

  /* A change gets through at once */
  frames = fixture.frames;
  draw_rect (display, window, 0x000000, WIDTH / 2 - 40, HEIGHT / 2 - 40, 80, 80);
  run_for (300);
  g_assert_cmpuint (fixture.frames, >, frames);
  g_assert_true (close_to (frame_pixel (fixture.last, WIDTH / 2, HEIGHT / 2), 0x000000, 12));
  g_assert_true (close_to (frame_pixel (fixture.last, WIDTH / 4, HEIGHT / 4), 0xff0000, 12));

  td_host_pipeline_stop (fixture.host);
  td_viewer_pipeline_stop (fixture.viewer);
  g_clear_object (&fixture.host);
  g_clear_object (&fixture.viewer);
  g_clear_pointer (&fixture.last, td_frame_unref);
  XCloseDisplay (display);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  XInitThreads ();
  g_test_init (&argc, &argv, NULL);

  if (!td_media_ensure_init (&error) || !td_media_has_element ("ximagesrc"))
    {
      g_printerr ("SKIP: GStreamer or ximagesrc missing\n");
      return 77;
    }

  xvfb = td_test_xvfb_start (WIDTH, HEIGHT, &error);
  if (xvfb == NULL)
    {
      g_printerr ("SKIP: No private X server: %s\n", error->message);
      return 77;
    }

  g_test_add_func ("/media/x11/known-picture", test_known_picture);

  ret = g_test_run ();
  td_test_xvfb_stop (xvfb);
  return ret;
}
