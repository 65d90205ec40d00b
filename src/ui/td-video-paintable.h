/* td-video-paintable.h: decoded frames of the shared screen as a GdkPaintable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "td-frame.h"

G_BEGIN_DECLS

#define TD_TYPE_VIDEO_PAINTABLE (td_video_paintable_get_type ())

G_DECLARE_FINAL_TYPE (TdVideoPaintable, td_video_paintable, TD, VIDEO_PAINTABLE, GObject)

TdVideoPaintable *td_video_paintable_new                (void);
void              td_video_paintable_push_frame         (TdVideoPaintable *self,
                                                         TdFrame          *frame);
void              td_video_paintable_clear              (TdVideoPaintable *self);
GdkTexture       *td_video_paintable_get_texture        (TdVideoPaintable *self);
TdFrame          *td_video_paintable_get_frame          (TdVideoPaintable *self);
guint64           td_video_paintable_get_n_frames       (TdVideoPaintable *self);
guint64           td_video_paintable_get_n_snapshots    (TdVideoPaintable *self);
double            td_video_paintable_get_mean_upload_us (TdVideoPaintable *self);

G_END_DECLS
