/* test-video-paintable.c: frames to GdkMemoryTextures without copying
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <gst/video/video.h>

#include "td-video-paintable.h"

#define WIDTH  61
#define HEIGHT 33
#define STRIDE 256  /* padded rows, as decoders make them */

static GstSample *
make_sample (guint8 seed)
{
  g_autoptr(GstCaps) caps = NULL;
  GstVideoInfo info;
  GstBuffer *buffer;
  GstSample *sample;
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
  int stride[GST_VIDEO_MAX_PLANES] = { STRIDE };
  GstMapInfo map;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_BGRA, WIDTH, HEIGHT);
  caps = gst_video_info_to_caps (&info);

  buffer = gst_buffer_new_allocate (NULL, STRIDE * HEIGHT, NULL);
  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < STRIDE; x++)
      map.data[y * STRIDE + x] = x < WIDTH * 4 ? (guint8) (seed + y * 7 + x) : 0xee;
  /* opaque alpha */
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++)
      map.data[y * STRIDE + x * 4 + 3] = 0xff;
  gst_buffer_unmap (buffer, &map);
  gst_buffer_add_video_meta_full (buffer, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_BGRA,
                                  WIDTH, HEIGHT, 1, offset, stride);

  sample = gst_sample_new (buffer, caps, NULL, NULL);
  gst_buffer_unref (buffer);
  return sample;
}

static void
count_signal (guint *counter)
{
  (*counter)++;
}

static void
test_push (void)
{
  g_autoptr(TdVideoPaintable) paintable = td_video_paintable_new ();
  g_autoptr(GstSample) sample = make_sample (3);
  g_autoptr(GstSample) sample2 = make_sample (9);
  g_autofree guint8 *pixels = g_malloc (WIDTH * 4 * HEIGHT);
  TdFrame *frame = td_frame_new_from_sample (sample, 1234);
  TdFrame *frame2 = td_frame_new_from_sample (sample2, 5678);
  const guint8 *source;
  GdkTexture *texture;
  guint size_changes = 0;

  g_assert_nonnull (frame);
  g_assert_cmpint (td_frame_get_width (frame), ==, WIDTH);
  g_assert_cmpint (td_frame_get_height (frame), ==, HEIGHT);
  g_assert_cmpuint (td_frame_get_stride (frame), ==, STRIDE);
  g_assert_cmpint (td_frame_get_decoded_time (frame), ==, 1234);

  g_signal_connect_swapped (paintable, "invalidate-size", G_CALLBACK (count_signal), &size_changes);

  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 0);
  td_video_paintable_push_frame (paintable, frame);
  /* The paintable keeps the frame: ours can go. */
  source = td_frame_get_data (frame, NULL);
  td_frame_unref (frame);

  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, WIDTH);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (paintable)), ==, HEIGHT);

  texture = td_video_paintable_get_texture (paintable);
  gdk_texture_download (texture, pixels, WIDTH * 4);
  for (int y = 0; y < HEIGHT; y++)
    g_assert_cmpmem (pixels + y * WIDTH * 4, WIDTH * 4, source + y * STRIDE, WIDTH * 4);

  td_video_paintable_push_frame (paintable, frame2);
  td_frame_unref (frame2);
  /* Same size: only the contents changed */
  g_assert_cmpuint (size_changes, ==, 1);
  g_assert_cmpuint (td_video_paintable_get_n_frames (paintable), ==, 2);
  g_assert_true (td_video_paintable_get_frame (paintable) != NULL);
  g_assert_cmpfloat (td_video_paintable_get_mean_upload_us (paintable), >=, 0);

  td_video_paintable_clear (paintable);
  g_assert_null (td_video_paintable_get_texture (paintable));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/media/video-paintable/push", test_push);

  return g_test_run ();
}
