/* td-encoder.h: the H.264 encoder, chosen from what is installed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define TD_TYPE_ENCODER (td_encoder_get_type ())

G_DECLARE_FINAL_TYPE (TdEncoder, td_encoder, TD, ENCODER, GObject)

const char * const *td_encoder_get_candidates        (void);
GStrv               td_encoder_list_available        (void);
TdEncoder          *td_encoder_new                   (const char  *element_name,
                                                      GError     **error);
TdEncoder          *td_encoder_new_auto              (const char  *preference,
                                                      GError     **error);
const char         *td_encoder_get_element_name      (TdEncoder   *self);
gboolean            td_encoder_is_hardware           (TdEncoder   *self);
GstElement         *td_encoder_get_bin               (TdEncoder   *self);
guint               td_encoder_get_bitrate           (TdEncoder   *self);
void                td_encoder_set_bitrate           (TdEncoder   *self,
                                                      guint        kbps);
guint               td_encoder_get_keyframe_interval (TdEncoder   *self);
void                td_encoder_request_keyframe      (TdEncoder   *self);

G_END_DECLS
