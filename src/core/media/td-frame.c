/* td-frame.c: one decoded picture, without GTK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A TdFrame holds a GstSample from the viewer's appsink and keeps its
 * buffer mapped, so the UI can wrap the pixels in a GdkMemoryTexture
 * without copying (td_frame_get_bytes() keeps the frame alive): that costs
 * some 50 us per 1080p frame where a copy costs about 1 ms.
 *
 * The pixels are BGRA with opaque alpha (GDK_MEMORY_B8G8R8A8_PREMULTIPLIED),
 * rows td_frame_get_stride() bytes apart.
 */
#define G_LOG_DOMAIN "td-media"

#include <gst/video/video.h>

#include "td-frame.h"

struct _TdFrame
{
  gatomicrefcount  ref_count;
  GstSample       *sample;
  GstBuffer       *buffer;
  GstMapInfo       map;
  int              width;
  int              height;
  gsize            stride;
  gint64           decoded_us;
};

G_DEFINE_BOXED_TYPE (TdFrame, td_frame, td_frame_ref, td_frame_unref)

/**
 * td_frame_new_from_sample:
 * @sample: a sample of BGRA video
 * @decoded_us: when it was decoded, g_get_monotonic_time()
 *
 * Returns: (transfer full) (nullable): the frame, %NULL if @sample has no
 *   readable video buffer
 */
TdFrame *
td_frame_new_from_sample (GstSample *sample,
                          gint64     decoded_us)
{
  TdFrame *self;
  GstVideoInfo info;
  GstVideoMeta *meta;
  GstCaps *caps;
  GstBuffer *buffer;

  g_return_val_if_fail (GST_IS_SAMPLE (sample), NULL);

  caps = gst_sample_get_caps (sample);
  buffer = gst_sample_get_buffer (sample);
  if (caps == NULL || buffer == NULL || !gst_video_info_from_caps (&info, caps))
    return NULL;

  self = g_new0 (TdFrame, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->sample = gst_sample_ref (sample);
  self->buffer = buffer;
  self->width = GST_VIDEO_INFO_WIDTH (&info);
  self->height = GST_VIDEO_INFO_HEIGHT (&info);
  meta = gst_buffer_get_video_meta (buffer);
  self->stride = meta != NULL ? (gsize) meta->stride[0] : (gsize) GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
  self->decoded_us = decoded_us;

  if (!gst_buffer_map (buffer, &self->map, GST_MAP_READ))
    {
      gst_sample_unref (self->sample);
      g_free (self);
      return NULL;
    }

  return self;
}

TdFrame *
td_frame_ref (TdFrame *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
td_frame_unref (TdFrame *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  gst_buffer_unmap (self->buffer, &self->map);
  gst_sample_unref (self->sample);
  g_free (self);
}

int
td_frame_get_width (const TdFrame *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->width;
}

int
td_frame_get_height (const TdFrame *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->height;
}

/**
 * td_frame_get_stride:
 * @self: a #TdFrame
 *
 * Returns: bytes from one row to the next
 */
gsize
td_frame_get_stride (const TdFrame *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->stride;
}

/**
 * td_frame_get_data:
 * @self: a #TdFrame
 * @size: (out) (optional): the number of bytes
 *
 * Returns: (transfer none): the BGRA pixels, valid while @self lives
 */
const guint8 *
td_frame_get_data (const TdFrame *self,
                   gsize         *size)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (size != NULL)
    *size = self->map.size;
  return self->map.data;
}

/**
 * td_frame_get_bytes:
 * @self: a #TdFrame
 *
 * Wraps the pixels without copying; the bytes hold a reference on @self.
 *
 * Returns: (transfer full): the BGRA pixels
 */
GBytes *
td_frame_get_bytes (TdFrame *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_bytes_new_with_free_func (self->map.data, self->map.size,
                                     (GDestroyNotify) td_frame_unref, td_frame_ref (self));
}

/**
 * td_frame_get_sample:
 * @self: a #TdFrame
 *
 * Returns: (transfer none): the sample
 */
GstSample *
td_frame_get_sample (const TdFrame *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->sample;
}

GstClockTime
td_frame_get_pts (const TdFrame *self)
{
  g_return_val_if_fail (self != NULL, GST_CLOCK_TIME_NONE);

  return GST_BUFFER_PTS (self->buffer);
}

/**
 * td_frame_get_decoded_time:
 * @self: a #TdFrame
 *
 * Returns: when the frame left the decoder path, in g_get_monotonic_time()
 *   microseconds
 */
gint64
td_frame_get_decoded_time (const TdFrame *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->decoded_us;
}
