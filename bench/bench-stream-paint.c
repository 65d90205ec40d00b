/* bench-stream-paint.c: the viewer's GTK paint path, measured
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A 1920x1080 moving test pattern goes through TdHostPipeline → in-process
 * carrier → TdViewerPipeline → TdVideoPaintable in a GtkPicture filling a
 * 1920x1080 window on a private Xvfb (GTK 4.8 on a CPU-only machine: the
 * GL renderer runs on llvmpipe, or cairo). Measured over a few seconds:
 * frames the viewer delivered, frames GTK painted with new content, the
 * cost of wrapping a frame in a texture, the frame clock's paint phase
 * (snapshot + render), and the process's CPU.
 *
 * GTK without a session bus starts dbus, portals and at-spi that outlive
 * it, so the program re-runs itself under dbus-run-session.
 *
 * usage: bench-stream-paint [--json FILE] [--seconds N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <gtk/gtk.h>

#include "td-capture-test.h"
#include "td-host-pipeline.h"
#include "td-media-error.h"
#include "td-test-xvfb.h"
#include "td-video-paintable.h"
#include "td-viewer-pipeline.h"

#define WIDTH  1920
#define HEIGHT 1080

static TdVideoPaintable *paintable;
static guint64 frames_at_last_paint;
static guint64 paints_with_new_frame;
static gint64 paint_start;
static gint64 paint_total_us;
static guint64 frames_received;

static void
on_frame (TdViewerPipeline *viewer,
          TdFrame          *frame,
          gpointer          user_data)
{
  frames_received++;
  td_video_paintable_push_frame (paintable, frame);
}

static void
before_paint (GdkFrameClock *clock,
              gpointer       user_data)
{
  paint_start = g_get_monotonic_time ();
}

static void
after_paint (GdkFrameClock *clock,
             gpointer       user_data)
{
  guint64 n = td_video_paintable_get_n_frames (paintable);

  if (n != frames_at_last_paint)
    {
      paints_with_new_frame++;
      paint_total_us += g_get_monotonic_time () - paint_start;
      frames_at_last_paint = n;
    }
}

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
run_main_loop (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* A flat JSON object, two decimals, no locale */
static void
add (GString    *json,
     const char *key,
     double      value)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (json, "%s\n  \"%s\": %s", json->len > 1 ? "," : "", key,
                          g_ascii_formatd (number, sizeof number, "%.2f", value));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdTestXvfb) xvfb = NULL;
  g_autoptr(TdKeys) keys = NULL;
  g_autoptr(TdCaptureTest) capture = NULL;
  g_autoptr(TdHostPipeline) host = NULL;
  g_autoptr(TdViewerPipeline) viewer = NULL;
  g_autoptr(GString) json = g_string_new ("{");
  g_autofree char *json_path = NULL;
  double seconds = 5;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "Write the results to FILE", "FILE" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds to measure", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- GTK paint path benchmark");
  GtkWidget *window, *picture;
  GdkFrameClock *clock;
  guint8 isk[64] = { 1 }, exporter[32] = { 2 };
  guint64 received_before, painted_before;
  gint64 paint_us_before, wall_before;
  double cpu_before, received_fps, painted_fps, paint_ms, cpu;
  const char *renderer;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL && g_getenv ("TD_BENCH_REEXEC") == NULL)
    {
      g_autofree char *dbus_run_session = g_find_program_in_path ("dbus-run-session");

      if (dbus_run_session != NULL)
        {
          g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
          g_auto(GStrv) new_argv = NULL;

          g_setenv ("TD_BENCH_REEXEC", "1", TRUE);
          g_strv_builder_add_many (args, dbus_run_session, "--", NULL);
          for (int i = 0; i < argc; i++)
            g_strv_builder_add (args, argv[i]);
          new_argv = g_strv_builder_end (args);
          execv (dbus_run_session, new_argv);
          g_printerr ("bench-stream-paint: cannot run dbus-run-session, going on without\n");
        }
    }

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !td_media_ensure_init (&error))
    {
      g_printerr ("bench-stream-paint: %s\n", error->message);
      return 1;
    }

  xvfb = td_test_xvfb_start (WIDTH, HEIGHT, &error);
  if (xvfb == NULL)
    {
      g_printerr ("bench-stream-paint: %s\n", error->message);
      return 77;
    }
  g_setenv ("DISPLAY", xvfb->display, TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_init ();

  keys = td_keys_new_from_isk (isk, sizeof isk, exporter, sizeof exporter, NULL);
  capture = td_capture_test_new (WIDTH, HEIGHT, TRUE);
  host = td_host_pipeline_new (TD_CAPTURE (capture), NULL, keys, &error);
  if (host == NULL || (viewer = td_viewer_pipeline_new (keys, NULL, &error)) == NULL)
    {
      g_printerr ("bench-stream-paint: %s\n", error->message);
      return 1;
    }
  td_host_pipeline_set_framerate (host, 60);
  td_host_pipeline_set_send_func (host, host_to_viewer, viewer, NULL);
  td_viewer_pipeline_set_send_func (viewer, viewer_to_host, host, NULL);

  paintable = td_video_paintable_new ();
  g_signal_connect (viewer, "frame", G_CALLBACK (on_frame), NULL);

  window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (paintable));
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_window_set_child (GTK_WINDOW (window), picture);
  gtk_window_present (GTK_WINDOW (window));
  run_main_loop (300);

  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint), NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), NULL);

  if (!td_viewer_pipeline_start (viewer, &error) || !td_host_pipeline_start (host, &error))
    {
      g_printerr ("bench-stream-paint: %s\n", error->message);
      return 1;
    }

  run_main_loop (2000);

  received_before = frames_received;
  painted_before = paints_with_new_frame;
  paint_us_before = paint_total_us;
  wall_before = g_get_monotonic_time ();
  cpu_before = cpu_seconds ();

  run_main_loop ((guint) (seconds * 1000));

  seconds = (g_get_monotonic_time () - wall_before) / 1e6;
  received_fps = (frames_received - received_before) / seconds;
  painted_fps = (paints_with_new_frame - painted_before) / seconds;
  paint_ms = paints_with_new_frame > painted_before
             ? (paint_total_us - paint_us_before) / 1000.0 / (paints_with_new_frame - painted_before)
             : 0;
  cpu = (cpu_seconds () - cpu_before) / seconds * 100;
  renderer = G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window)));

  printf ("1920x1080 moving test pattern, host + viewer + GTK in one process, renderer %s\n",
          renderer);
  printf ("%-28s %8.1f\n", "frames delivered /s", received_fps);
  printf ("%-28s %8.1f\n", "frames painted /s", painted_fps);
  printf ("%-28s %8.1f\n", "texture from frame (us)", td_video_paintable_get_mean_upload_us (paintable));
  printf ("%-28s %8.2f\n", "paint phase (ms)", paint_ms);
  printf ("%-28s %8.0f\n", "process CPU (% of one core)", cpu);

  add (json, "paint_1080p_delivered_fps", received_fps);
  add (json, "paint_1080p_painted_fps", painted_fps);
  add (json, "paint_1080p_texture_us", td_video_paintable_get_mean_upload_us (paintable));
  add (json, "paint_1080p_paint_phase_ms", paint_ms);
  add (json, "paint_1080p_process_cpu_percent", cpu);
  add (json, "paint_renderer_is_gl_bool", strstr (renderer, "GL") != NULL);
  g_string_append (json, "\n}\n");

  td_host_pipeline_stop (host);
  td_viewer_pipeline_stop (viewer);
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&paintable);

  if (json_path != NULL)
    {
      if (!g_file_set_contents (json_path, json->str, json->len, &error))
        {
          g_printerr ("bench-stream-paint: %s\n", error->message);
          return 1;
        }
      printf ("wrote %s\n", json_path);
    }

  return 0;
}
