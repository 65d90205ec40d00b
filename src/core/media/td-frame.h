/* td-frame.h: one decoded picture, without GTK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define TD_TYPE_FRAME (td_frame_get_type ())

typedef struct _TdFrame TdFrame;

GType         td_frame_get_type         (void) G_GNUC_CONST;
TdFrame      *td_frame_new_from_sample  (GstSample    *sample,
                                         gint64        decoded_us);
TdFrame      *td_frame_ref              (TdFrame      *self);
void          td_frame_unref            (TdFrame      *self);
int           td_frame_get_width        (const TdFrame *self);
int           td_frame_get_height       (const TdFrame *self);
gsize         td_frame_get_stride       (const TdFrame *self);
const guint8 *td_frame_get_data         (const TdFrame *self,
                                         gsize         *size);
GBytes       *td_frame_get_bytes        (TdFrame      *self);
GstSample    *td_frame_get_sample       (const TdFrame *self);
GstClockTime  td_frame_get_pts          (const TdFrame *self);
gint64        td_frame_get_decoded_time (const TdFrame *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdFrame, td_frame_unref)

G_END_DECLS
