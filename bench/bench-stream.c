/* bench-stream.c: screen sharing on a private Xvfb, measured end to end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For 1280x720 and 1920x1080, on a private Xvfb:
 *   floor   the bare local pipeline with the same capture, encoder settings
 *           and decoder, but no RTP/SRTP/jitter buffer/main-thread hop and
 *           no change detection: ximagesrc ! convert ! x264enc ! avdec_h264
 *           ! convert ! BGRA appsink, all in one thread after the capture
 *   moving  the whole screen scrolls at 62.5 fps (a window being dragged,
 *           a video) through TdHostPipeline → in-process carrier →
 *           TdViewerPipeline → ::frame on the main thread
 *   typing  one character appears about every 108 ms (9-10 chars/s)
 *   idle    nothing changes
 *
 * A scene thread draws with its own X connection. Every change also
 * redraws a 16-bit counter strip (16 blocks and their complements) in the
 * top-left corner in the same X request batch, and notes the time after
 * XSync. The counter is read back from each decoded frame: latency is, for
 * every counter value drawn, the time until the first decoded frame showing
 * it or a later one (as media-lab/latency-probe.c; it includes waiting for
 * the next capture tick). "decoded" is when the frame left the viewer's
 * appsink; "shown" is when ::frame ran on the main thread.
 *
 * CPU is from /proc/self/task/<tid>/stat, split by thread name: the
 * capture thread and the encoder's (x264 threads inherit the name of the
 * thread that started them) are the host; the appsrc, jitter buffer/decoder
 * threads and the main thread are the viewer; the X server is its own
 * process. 100 % = one core.
 *
 * usage: bench-stream [--json FILE] [--seconds N] [--only 720p|1080p]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <X11/Xlib.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "td-capture-x11.h"
#include "td-host-pipeline.h"
#include "td-media-error.h"
#include "td-test-xvfb.h"
#include "td-viewer-pipeline.h"

#define NB        16      /* counter bits */
#define BS        16      /* block size in pixels */
#define N_VALUES  65536

typedef enum
{
  SCENE_IDLE,
  SCENE_MOVING,
  SCENE_TYPING,
} SceneKind;

static const char *scene_names[] = { "idle", "moving", "typing" };

/* ---- the scene thread ---- */

typedef struct
{
  const char *display_name;
  int         width;
  int         height;
  SceneKind   kind;
  gboolean    stop;
  GThread    *thread;
} Scene;

static GMutex   lock;
static gint64   t_draw[N_VALUES];
static gint64   t_decoded[N_VALUES];
static gint64   t_shown[N_VALUES];
static int      value_first = -1;
static int      value_last = -1;
static gboolean measuring;
static guint    unreadable;

static void
draw_counter (Display *display,
              Window   window,
              Pixmap   pixmap,
              GC       white,
              GC       black,
              guint16  value)
{
  for (int b = 0; b < NB; b++)
    {
      int bit = (value >> b) & 1;

      XFillRectangle (display, pixmap, bit ? white : black, b * BS, 0, BS, BS);
      XFillRectangle (display, pixmap, bit ? black : white, (NB + b) * BS, 0, BS, BS);
    }
  XCopyArea (display, pixmap, window, white, 0, 0, 2 * NB * BS, BS, 0, 0);
}

static gpointer
scene_thread (gpointer data)
{
  Scene *scene = data;
  XSetWindowAttributes attributes = { .override_redirect = True, .background_pixel = 0xffffff };
  Display *display = XOpenDisplay (scene->display_name);
  Window content, strip;
  Pixmap wide, strip_pixmap;
  GC white, black, ink;
  guint16 value = 0;
  gint64 next;
  gint64 period;
  int offset = 0;
  int chars = 0;

  content = XCreateWindow (display, DefaultRootWindow (display), 0, 0, scene->width, scene->height,
                           0, CopyFromParent, InputOutput, CopyFromParent,
                           CWOverrideRedirect | CWBackPixel, &attributes);
  strip = XCreateWindow (display, DefaultRootWindow (display), 0, 0, 2 * NB * BS, BS, 0,
                         CopyFromParent, InputOutput, CopyFromParent, CWOverrideRedirect,
                         &attributes);
  XMapRaised (display, content);
  XMapRaised (display, strip);

  white = XCreateGC (display, content, 0, NULL);
  XSetForeground (display, white, 0xffffff);
  black = XCreateGC (display, content, 0, NULL);
  XSetForeground (display, black, 0x000000);
  ink = XCreateGC (display, content, 0, NULL);

  strip_pixmap = XCreatePixmap (display, strip, 2 * NB * BS, BS,
                                DefaultDepth (display, DefaultScreen (display)));

  /* Twice as wide as the screen: bands of colour with "text" lines */
  wide = XCreatePixmap (display, content, 2 * scene->width, scene->height,
                        DefaultDepth (display, DefaultScreen (display)));
  for (int x = 0; x < 2 * scene->width; x += 64)
    {
      XSetForeground (display, ink, ((x * 2654435761u) >> 8) & 0xffffff);
      XFillRectangle (display, wide, ink, x, 0, 64, scene->height);
    }
  for (int y = 40; y < scene->height; y += 24)
    for (int x = (y * 7) % 50; x < 2 * scene->width; x += 90)
      XFillRectangle (display, wide, black, x, y, 60, 10);

  XClearWindow (display, content);
  XSync (display, False);

  /* Drawing in step with the 60 Hz capture would measure one fixed phase
   * between the two clocks (anything from 0 to 16.7 ms, differing from run
   * to run): the moving scene runs at 62.5 Hz so the phase sweeps through
   * all values, and each keystroke comes 100 ms plus a random part of a
   * capture period after the last. */
  period = scene->kind == SCENE_TYPING ? 100000 : 16000;
  next = g_get_monotonic_time () + period;

  while (!g_atomic_int_get (&scene->stop))
    {
      gint64 now;

      g_usleep (MAX (0, next - g_get_monotonic_time ()));
      next += period;
      if (scene->kind == SCENE_TYPING)
        next += g_random_int_range (0, 16667);

      if (scene->kind == SCENE_IDLE)
        continue;

      value++;
      if (scene->kind == SCENE_MOVING)
        {
          offset = (offset + 8) % scene->width;
          XCopyArea (display, wide, content, white, offset, 0, scene->width, scene->height, 0, 0);
        }
      else
        {
          /* A "glyph" of 8x14 pixels made of three strokes */
          int cols = (scene->width - 40) / 10;
          int x = 20 + (chars % cols) * 10;
          int y = 40 + ((chars / cols) * 20) % (scene->height - 60);

          XFillRectangle (display, content, black, x, y, 2, 14);
          XFillRectangle (display, content, black, x, y + (chars % 3) * 6, 8, 2);
          XFillRectangle (display, content, black, x + 6, y + 4, 2, 10 - (chars % 4));
          chars++;
        }
      draw_counter (display, strip, strip_pixmap, white, black, value);
      XSync (display, False);
      now = g_get_monotonic_time ();

      g_mutex_lock (&lock);
      t_draw[value] = now;
      t_decoded[value] = t_shown[value] = 0;
      g_mutex_unlock (&lock);
    }

  XCloseDisplay (display);
  return NULL;
}

static Scene *
scene_start (const char *display_name,
             int         width,
             int         height,
             SceneKind   kind)
{
  Scene *scene = g_new0 (Scene, 1);

  scene->display_name = display_name;
  scene->width = width;
  scene->height = height;
  scene->kind = kind;
  scene->thread = g_thread_new ("scene", scene_thread, scene);
  return scene;
}

static void
scene_stop (Scene *scene)
{
  g_atomic_int_set (&scene->stop, TRUE);
  g_thread_join (scene->thread);
  g_free (scene);
}

/* ---- reading the counter back ---- */

static int
read_counter (const guint8 *data,
              gsize         stride)
{
  int value = 0;

  for (int b = 0; b < NB; b++)
    {
      const guint8 *p1 = data + (BS / 2) * stride + (b * BS + BS / 2) * 4;
      const guint8 *p2 = data + (BS / 2) * stride + ((NB + b) * BS + BS / 2) * 4;
      int l1 = (p1[0] + p1[1] + p1[2]) / 3;
      int l2 = (p2[0] + p2[1] + p2[2]) / 3;
      int bit = l1 > 128, cbit = l2 > 128;

      if (bit == cbit || abs (l1 - l2) < 100)
        return -1;
      value |= bit << b;
    }

  return value;
}

static void
record (int    value,
        gint64 decoded,
        gint64 shown)
{
  g_mutex_lock (&lock);
  if (value < 0)
    unreadable++;
  else if (measuring && t_draw[value] != 0 && t_decoded[value] == 0)
    {
      t_decoded[value] = decoded;
      t_shown[value] = shown;
      if (value_first < 0)
        value_first = value;
      value_last = value;
    }
  g_mutex_unlock (&lock);
}

static void
reset_measurement (void)
{
  g_mutex_lock (&lock);
  memset (t_decoded, 0, sizeof t_decoded);
  memset (t_shown, 0, sizeof t_shown);
  value_first = value_last = -1;
  unreadable = 0;
  g_mutex_unlock (&lock);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Latency from each drawn value to the first frame showing it or later */
static void
latencies (gint64 *times,
           double *p50,
           double *p95,
           guint  *n)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

  g_mutex_lock (&lock);
  for (int c = value_first; value_first >= 0 && c != value_last; c = (c + 1) & 0xffff)
    {
      int m = c;

      while (m != value_last && times[m] == 0)
        m = (m + 1) & 0xffff;
      if (times[m] != 0 && t_draw[c] != 0 && times[m] >= t_draw[c])
        {
          double ms = (times[m] - t_draw[c]) / 1000.0;
          g_array_append_val (values, ms);
        }
    }
  g_mutex_unlock (&lock);

  *n = values->len;
  if (values->len == 0)
    {
      *p50 = *p95 = NAN;
      return;
    }
  g_array_sort (values, compare_doubles);
  *p50 = g_array_index (values, double, values->len / 2);
  *p95 = g_array_index (values, double, MIN (values->len - 1, (guint) (values->len * 0.95)));
}

/* ---- CPU by thread ---- */

typedef struct
{
  double host;
  double viewer;
  double other;
  double xserver;
} Cpu;

static double
stat_seconds (const char *path,
              char       *comm,
              gsize       comm_size)
{
  g_autofree char *contents = NULL;
  const char *open_paren, *close_paren;
  unsigned long utime = 0, stime = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  open_paren = strchr (contents, '(');
  close_paren = strrchr (contents, ')');
  if (open_paren == NULL || close_paren == NULL)
    return 0;

  if (comm != NULL)
    g_strlcpy (comm, open_paren + 1, MIN (comm_size, (gsize) (close_paren - open_paren)));

  /* fields after the name: state ppid pgrp session tty tpgid flags minflt
   * cminflt majflt cmajflt utime stime */
  if (sscanf (close_paren + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
              &utime, &stime) != 2)
    return 0;

  return (double) (utime + stime) / sysconf (_SC_CLK_TCK);
}

static gboolean
is_host_thread (const char *comm)
{
  return g_str_has_prefix (comm, "x11-src") || g_str_has_prefix (comm, "capture-queue") ||
         g_str_has_prefix (comm, "host-") || g_str_has_prefix (comm, "floor-");
}

static gboolean
is_viewer_thread (const char *comm)
{
  return g_str_has_prefix (comm, "viewer-") || g_str_has_prefix (comm, "rtpjitterbuffer") ||
         g_str_has_prefix (comm, "bench-stream");
}

static void
cpu_sample (GPid  xserver,
            Cpu  *cpu)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  g_autofree char *xpath = g_strdup_printf ("/proc/%d/stat", xserver);
  const char *tid;

  memset (cpu, 0, sizeof *cpu);
  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/stat", tid);
      char comm[64] = "";
      double seconds = stat_seconds (path, comm, sizeof comm);

      if (is_host_thread (comm))
        cpu->host += seconds;
      else if (is_viewer_thread (comm))
        cpu->viewer += seconds;
      else
        cpu->other += seconds;

      if (g_getenv ("BENCH_THREADS") != NULL)
        g_printerr ("  thread %-16s %.2f s\n", comm, seconds);
    }
  cpu->xserver = stat_seconds (xpath, NULL, 0);
}

/* ---- runs ---- */

typedef struct
{
  double latency_p50_ms;
  double latency_p95_ms;
  double shown_p50_ms;
  double shown_p95_ms;
  guint  samples;
  double fps;
  double bytes_per_s;
  double host_cpu;
  double viewer_cpu;
  double other_cpu;
  double xserver_cpu;
} Result;

static void
run_main_loop (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
}

static void
on_frame (TdViewerPipeline *viewer,
          TdFrame          *frame,
          gpointer          user_data)
{
  record (read_counter (td_frame_get_data (frame, NULL), td_frame_get_stride (frame)),
          td_frame_get_decoded_time (frame), g_get_monotonic_time ());
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

static TdKeys *
make_keys (void)
{
  guint8 isk[64], exporter[32];

  memset (isk, 5, sizeof isk);
  memset (exporter, 6, sizeof exporter);
  return td_keys_new_from_isk (isk, sizeof isk, exporter, sizeof exporter, NULL);
}

static void
finish_result (Result    *result,
               const Cpu *before,
               const Cpu *after,
               double     seconds)
{
  latencies (t_decoded, &result->latency_p50_ms, &result->latency_p95_ms, &result->samples);
  {
    guint n;

    latencies (t_shown, &result->shown_p50_ms, &result->shown_p95_ms, &n);
  }
  result->host_cpu = (after->host - before->host) / seconds * 100;
  result->viewer_cpu = (after->viewer - before->viewer) / seconds * 100;
  result->other_cpu = (after->other - before->other) / seconds * 100;
  result->xserver_cpu = (after->xserver - before->xserver) / seconds * 100;
}

static gboolean
run_stream (TdTestXvfb *xvfb,
            int         width,
            int         height,
            SceneKind   kind,
            double      seconds,
            Result     *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdKeys) keys = make_keys ();
  g_autoptr(TdCaptureX11) capture = NULL;
  g_autoptr(TdHostPipeline) host = NULL;
  g_autoptr(TdViewerPipeline) viewer = NULL;
  TdHostStats host_before, host_after;
  TdViewerStats viewer_before, viewer_after;
  Cpu cpu_before, cpu_after;
  Scene *scene;

  memset (result, 0, sizeof *result);
  scene = scene_start (xvfb->display, width, height, kind);
  g_usleep (200 * 1000);

  capture = td_capture_x11_new (xvfb->display, -1, &error);
  if (capture == NULL)
    goto fail;
  host = td_host_pipeline_new (TD_CAPTURE (capture), NULL, keys, &error);
  if (host == NULL)
    goto fail;
  viewer = td_viewer_pipeline_new (keys, NULL, &error);
  if (viewer == NULL)
    goto fail;

  td_host_pipeline_set_framerate (host, 60);
  g_object_set (host, "max-bitrate", 8000, NULL);
  td_host_pipeline_set_bitrate (host, 6000);
  td_host_pipeline_set_send_func (host, host_to_viewer, viewer, NULL);
  td_viewer_pipeline_set_send_func (viewer, viewer_to_host, host, NULL);
  g_signal_connect (viewer, "frame", G_CALLBACK (on_frame), NULL);

  if (!td_viewer_pipeline_start (viewer, &error) || !td_host_pipeline_start (host, &error))
    goto fail;

  run_main_loop (1500);

  reset_measurement ();
  g_mutex_lock (&lock);
  measuring = TRUE;
  g_mutex_unlock (&lock);
  td_host_pipeline_get_stats (host, &host_before);
  td_viewer_pipeline_get_stats (viewer, &viewer_before);
  cpu_sample (xvfb->pid, &cpu_before);

  run_main_loop ((guint) (seconds * 1000));

  cpu_sample (xvfb->pid, &cpu_after);
  td_host_pipeline_get_stats (host, &host_after);
  td_viewer_pipeline_get_stats (viewer, &viewer_after);
  g_mutex_lock (&lock);
  measuring = FALSE;
  g_mutex_unlock (&lock);

  result->fps = (viewer_after.frames_decoded - viewer_before.frames_decoded) / seconds;
  result->bytes_per_s = (host_after.bytes_sent - host_before.bytes_sent) / seconds;
  finish_result (result, &cpu_before, &cpu_after, seconds);

  td_host_pipeline_stop (host);
  td_viewer_pipeline_stop (viewer);
  scene_stop (scene);
  return TRUE;

fail:
  g_printerr ("bench-stream: %s\n", error->message);
  scene_stop (scene);
  return FALSE;
}

static guint floor_frames;

static GstFlowReturn
floor_sample (GstAppSink *sink,
              gpointer    user_data)
{
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  gint64 now = g_get_monotonic_time ();
  GstVideoInfo info;
  GstMapInfo map;
  GstBuffer *buffer = gst_sample_get_buffer (sample);

  gst_video_info_from_caps (&info, gst_sample_get_caps (sample));
  if (gst_buffer_map (buffer, &map, GST_MAP_READ))
    {
      record (read_counter (map.data, GST_VIDEO_INFO_PLANE_STRIDE (&info, 0)), now, now);
      gst_buffer_unmap (buffer, &map);
    }
  g_atomic_int_inc (&floor_frames);
  return GST_FLOW_OK;
}

static gboolean
run_floor (TdTestXvfb *xvfb,
           int         width,
           int         height,
           double      seconds,
           Result     *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autofree char *description = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = floor_sample };
  Cpu cpu_before, cpu_after;
  guint frames_before;
  Scene *scene;

  memset (result, 0, sizeof *result);
  description = g_strdup_printf (
    "ximagesrc name=x11-src display-name=%s use-damage=false show-pointer=false "
    "! video/x-raw,framerate=60/1 ! queue name=capture-queue max-size-buffers=1 leaky=downstream "
    "! videoconvert n-threads=2 ! video/x-raw,format=I420 "
    "! x264enc tune=zerolatency speed-preset=ultrafast bitrate=6000 key-int-max=600 "
    "bframes=0 vbv-buf-capacity=300 "
    "! video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au "
    "! h264parse ! avdec_h264 max-threads=1 ! videoconvert n-threads=2 ! video/x-raw,format=BGRA "
    "! appsink name=sink sync=false max-buffers=1 drop=true",
    xvfb->display);

  pipeline = gst_parse_launch (description, &error);
  if (pipeline == NULL)
    {
      g_printerr ("bench-stream: floor pipeline: %s\n", error->message);
      return FALSE;
    }
  gst_object_ref_sink (pipeline);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, NULL, NULL);

  scene = scene_start (xvfb->display, width, height, SCENE_MOVING);
  g_usleep (200 * 1000);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  run_main_loop (1500);

  reset_measurement ();
  g_mutex_lock (&lock);
  measuring = TRUE;
  g_mutex_unlock (&lock);
  frames_before = g_atomic_int_get (&floor_frames);
  cpu_sample (xvfb->pid, &cpu_before);

  run_main_loop ((guint) (seconds * 1000));

  cpu_sample (xvfb->pid, &cpu_after);
  g_mutex_lock (&lock);
  measuring = FALSE;
  g_mutex_unlock (&lock);

  result->fps = (g_atomic_int_get (&floor_frames) - frames_before) / seconds;
  finish_result (result, &cpu_before, &cpu_after, seconds);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  scene_stop (scene);
  return TRUE;
}

/* ---- output ---- */

/* A flat JSON object, two decimals, no locale */
static void
add (GString    *json,
     const char *prefix,
     const char *name,
     double      value)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (json, "%s\n  \"%s_%s\": %s", json->len > 1 ? "," : "", prefix, name,
                          isnan (value) ? "null" : g_ascii_formatd (number, sizeof number, "%.2f", value));
}

static void
print_row (const char   *resolution,
           const char   *scene,
           const Result *r)
{
  printf ("%-6s %-7s %7.1f %7.1f %7.1f %7.1f %6.1f %10.0f %6.0f %6.0f %6.0f %6.0f %6u\n",
          resolution, scene, r->latency_p50_ms, r->latency_p95_ms, r->shown_p50_ms,
          r->shown_p95_ms, r->fps, r->bytes_per_s, r->host_cpu, r->viewer_cpu,
          r->other_cpu, r->xserver_cpu, r->samples);
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = g_string_new ("{");
  g_autofree char *json_path = NULL;
  g_autofree char *only = NULL;
  double seconds = 5;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "Write the results to FILE", "FILE" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds to measure each scene", "N" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Only 720p or 1080p", "RES" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- screen sharing benchmark");
  static const struct { const char *name; int width, height; } sizes[] = {
    { "720p", 1280, 720 },
    { "1080p", 1920, 1080 },
  };
  gboolean ok = TRUE;

  XInitThreads ();
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !td_media_ensure_init (&error))
    {
      g_printerr ("bench-stream: %s\n", error->message);
      return 1;
    }
  if (!td_media_has_element ("ximagesrc") || !td_media_has_element ("x264enc"))
    {
      g_printerr ("bench-stream: needs ximagesrc and x264enc\n");
      return 77;
    }

  {
    g_autofree char *loadavg = NULL;
    double load = NAN;

    /* Other work on the machine skews every figure: say how busy it was. */
    if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
      load = g_ascii_strtod (loadavg, NULL);
    printf ("load average before the run: %.2f\n", load);
    add (json, "machine", "load_average_1min", load);
    add (json, "machine", "cores", sysconf (_SC_NPROCESSORS_ONLN));
  }
  printf ("screen change -> frame: decoded (streaming thread) and shown (main thread), ms\n");
  printf ("CPU %% of one core (%ld cores here): host = capture+encode threads, viewer = "
          "receive+decode+main, X = the Xvfb process\n", sysconf (_SC_NPROCESSORS_ONLN));
  printf ("%-6s %-7s %7s %7s %7s %7s %6s %10s %6s %6s %6s %6s %6s\n",
          "size", "scene", "dec p50", "dec p95", "shw p50", "shw p95", "fps", "bytes/s",
          "host%", "view%", "other%", "X%", "n");

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(TdTestXvfb) xvfb = NULL;
      Result result;

      if (only != NULL && !g_str_equal (only, sizes[i].name))
        continue;

      xvfb = td_test_xvfb_start (sizes[i].width, sizes[i].height, &error);
      if (xvfb == NULL)
        {
          g_printerr ("bench-stream: %s\n", error->message);
          return 77;
        }

      if (run_floor (xvfb, sizes[i].width, sizes[i].height, seconds, &result))
        {
          g_autofree char *prefix = g_strdup_printf ("%s_floor", sizes[i].name);

          result.shown_p50_ms = result.shown_p95_ms = NAN;
          print_row (sizes[i].name, "floor", &result);
          add (json, prefix, "latency_p50_ms", result.latency_p50_ms);
          add (json, prefix, "latency_p95_ms", result.latency_p95_ms);
          add (json, prefix, "fps", result.fps);
          add (json, prefix, "cpu_percent", result.host_cpu + result.viewer_cpu + result.other_cpu);
          add (json, prefix, "xserver_cpu_percent", result.xserver_cpu);
        }
      else
        ok = FALSE;

      for (SceneKind kind = SCENE_IDLE; kind <= SCENE_TYPING; kind++)
        {
          g_autofree char *prefix = g_strdup_printf ("%s_%s", sizes[i].name, scene_names[kind]);

          if (!run_stream (xvfb, sizes[i].width, sizes[i].height, kind,
                           kind == SCENE_IDLE ? MIN (seconds, 3) : seconds, &result))
            {
              ok = FALSE;
              continue;
            }
          print_row (sizes[i].name, scene_names[kind], &result);
          if (kind != SCENE_IDLE)
            {
              add (json, prefix, "latency_p50_ms", result.latency_p50_ms);
              add (json, prefix, "latency_p95_ms", result.latency_p95_ms);
              add (json, prefix, "shown_latency_p50_ms", result.shown_p50_ms);
              add (json, prefix, "shown_latency_p95_ms", result.shown_p95_ms);
              add (json, prefix, "fps", result.fps);
            }
          add (json, prefix, "bytes_per_s", result.bytes_per_s);
          add (json, prefix, "host_cpu_percent", result.host_cpu);
          add (json, prefix, "viewer_cpu_percent", result.viewer_cpu);
          add (json, prefix, "other_cpu_percent", result.other_cpu);
          add (json, prefix, "xserver_cpu_percent", result.xserver_cpu);
        }
    }

  g_string_append (json, "\n}\n");

  if (json_path != NULL)
    {
      if (!g_file_set_contents (json_path, json->str, json->len, &error))
        {
          g_printerr ("bench-stream: %s\n", error->message);
          return 1;
        }
      printf ("wrote %s\n", json_path);
    }

  return ok ? 0 : 1;
}
