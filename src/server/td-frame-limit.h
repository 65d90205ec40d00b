/* td-frame-limit.h: a byte-stream guard on WebSocket message sizes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_TYPE_FRAME_LIMIT (td_frame_limit_get_type ())

G_DECLARE_FINAL_TYPE (TdFrameLimit, td_frame_limit, TD, FRAME_LIMIT, GObject)

TdFrameLimit *td_frame_limit_new          (gsize         max_message,
                                           gsize         max_header);
GIOStream    *td_frame_limit_wrap         (GIOStream    *base,
                                           gsize         max_message,
                                           gsize         max_header);
gboolean      td_frame_limit_get_tripped  (TdFrameLimit *self);

G_END_DECLS
