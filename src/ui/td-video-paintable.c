/* td-video-paintable.c: decoded frames of the shared screen as a GdkPaintable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 has neither gtk4paintablesink nor dmabuf textures, so each
 * TdFrame (BGRA, mapped) becomes a GdkMemoryTexture over the frame's own
 * memory: td_frame_get_bytes() wraps the pixels without copying and keeps
 * the frame alive as long as GTK holds the texture. That costs some 50 us
 * per 1080p frame where copying costs about 1 ms (media-lab).
 *
 * Frames come from TdViewerPipeline::frame on the main thread; one that
 * arrives before the previous was painted replaces it. The paintable's
 * intrinsic size is the frame's, so a GtkPicture keeps the aspect ratio.
 */
#define G_LOG_DOMAIN "td-video"

#include "td-video-paintable.h"

struct _TdVideoPaintable
{
  GObject     parent_instance;

  TdFrame    *frame;
  GdkTexture *texture;

  guint64     n_frames;
  guint64     n_snapshots;
  gint64      upload_us;
};

static void paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdVideoPaintable, td_video_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, paintable_iface_init))

static void
td_video_paintable_snapshot (GdkPaintable *paintable,
                             GdkSnapshot  *snapshot,
                             double        width,
                             double        height)
{
  TdVideoPaintable *self = TD_VIDEO_PAINTABLE (paintable);

  if (self->texture == NULL)
    return;

  self->n_snapshots++;
  gdk_paintable_snapshot (GDK_PAINTABLE (self->texture), snapshot, width, height);
}

static GdkPaintable *
td_video_paintable_get_current_image (GdkPaintable *paintable)
{
  TdVideoPaintable *self = TD_VIDEO_PAINTABLE (paintable);

  if (self->texture == NULL)
    return gdk_paintable_new_empty (0, 0);

  return GDK_PAINTABLE (g_object_ref (self->texture));
}

static int
td_video_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  TdVideoPaintable *self = TD_VIDEO_PAINTABLE (paintable);

  return self->texture != NULL ? gdk_texture_get_width (self->texture) : 0;
}

static int
td_video_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  TdVideoPaintable *self = TD_VIDEO_PAINTABLE (paintable);

  return self->texture != NULL ? gdk_texture_get_height (self->texture) : 0;
}

static double
td_video_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  TdVideoPaintable *self = TD_VIDEO_PAINTABLE (paintable);

  if (self->texture == NULL)
    return 0;

  return (double) gdk_texture_get_width (self->texture) / gdk_texture_get_height (self->texture);
}

static void
paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = td_video_paintable_snapshot;
  iface->get_current_image = td_video_paintable_get_current_image;
  iface->get_intrinsic_width = td_video_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = td_video_paintable_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = td_video_paintable_get_intrinsic_aspect_ratio;
}

static void
td_video_paintable_dispose (GObject *object)
{
  TdVideoPaintable *self = TD_VIDEO_PAINTABLE (object);

  g_clear_object (&self->texture);
  g_clear_pointer (&self->frame, td_frame_unref);

  G_OBJECT_CLASS (td_video_paintable_parent_class)->dispose (object);
}

static void
td_video_paintable_class_init (TdVideoPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_video_paintable_dispose;
}

static void
td_video_paintable_init (TdVideoPaintable *self)
{
}

TdVideoPaintable *
td_video_paintable_new (void)
{
  return g_object_new (TD_TYPE_VIDEO_PAINTABLE, NULL);
}

/**
 * td_video_paintable_push_frame:
 * @self: a #TdVideoPaintable
 * @frame: a decoded frame
 *
 * Shows @frame from the next paint on. Main thread only.
 */
void
td_video_paintable_push_frame (TdVideoPaintable *self,
                               TdFrame          *frame)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gboolean size_changed;
  gint64 start;

  g_return_if_fail (TD_IS_VIDEO_PAINTABLE (self));
  g_return_if_fail (frame != NULL);

  start = g_get_monotonic_time ();
  bytes = td_frame_get_bytes (frame);
  texture = gdk_memory_texture_new (td_frame_get_width (frame), td_frame_get_height (frame),
                                    GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes,
                                    td_frame_get_stride (frame));
  self->upload_us += g_get_monotonic_time () - start;
  self->n_frames++;

  size_changed = self->texture == NULL ||
                 gdk_texture_get_width (self->texture) != gdk_texture_get_width (texture) ||
                 gdk_texture_get_height (self->texture) != gdk_texture_get_height (texture);

  g_set_object (&self->texture, texture);
  g_clear_pointer (&self->frame, td_frame_unref);
  self->frame = td_frame_ref (frame);

  if (size_changed)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

/**
 * td_video_paintable_clear:
 * @self: a #TdVideoPaintable
 *
 * Drops the picture (the session ended).
 */
void
td_video_paintable_clear (TdVideoPaintable *self)
{
  g_return_if_fail (TD_IS_VIDEO_PAINTABLE (self));

  if (self->texture == NULL)
    return;

  g_clear_object (&self->texture);
  g_clear_pointer (&self->frame, td_frame_unref);
  gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

/**
 * td_video_paintable_get_texture:
 * @self: a #TdVideoPaintable
 *
 * Returns: (transfer none) (nullable): the current picture
 */
GdkTexture *
td_video_paintable_get_texture (TdVideoPaintable *self)
{
  g_return_val_if_fail (TD_IS_VIDEO_PAINTABLE (self), NULL);

  return self->texture;
}

/**
 * td_video_paintable_get_frame:
 * @self: a #TdVideoPaintable
 *
 * Returns: (transfer none) (nullable): the frame behind the current picture
 */
TdFrame *
td_video_paintable_get_frame (TdVideoPaintable *self)
{
  g_return_val_if_fail (TD_IS_VIDEO_PAINTABLE (self), NULL);

  return self->frame;
}

/**
 * td_video_paintable_get_n_frames:
 * @self: a #TdVideoPaintable
 *
 * Returns: frames pushed so far
 */
guint64
td_video_paintable_get_n_frames (TdVideoPaintable *self)
{
  g_return_val_if_fail (TD_IS_VIDEO_PAINTABLE (self), 0);

  return self->n_frames;
}

/**
 * td_video_paintable_get_n_snapshots:
 * @self: a #TdVideoPaintable
 *
 * Returns: how often GTK drew the paintable
 */
guint64
td_video_paintable_get_n_snapshots (TdVideoPaintable *self)
{
  g_return_val_if_fail (TD_IS_VIDEO_PAINTABLE (self), 0);

  return self->n_snapshots;
}

/**
 * td_video_paintable_get_mean_upload_us:
 * @self: a #TdVideoPaintable
 *
 * Returns: the mean time to wrap a frame in a texture, in microseconds
 */
double
td_video_paintable_get_mean_upload_us (TdVideoPaintable *self)
{
  g_return_val_if_fail (TD_IS_VIDEO_PAINTABLE (self), 0);

  return self->n_frames > 0 ? (double) self->upload_us / self->n_frames : 0;
}
