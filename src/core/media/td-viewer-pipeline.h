/* td-viewer-pipeline.h: SRTP packets from the host as frames
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

#include "td-frame.h"
#include "td-keys.h"
#include "td-srtp.h"

G_BEGIN_DECLS

/**
 * TdViewerStats:
 * @bytes_received: bytes fed by the carrier
 * @packets_received: packets fed by the carrier
 * @frames_decoded: frames out of the decoder path (streaming thread)
 * @frames_delivered: frames emitted with #TdViewerPipeline::frame; fewer
 *   when the main thread was slower than the decoder
 * @packets_lost: RTP packets that did not arrive in time, as counted for
 *   receiver reports (before retransmission)
 * @keyframes_requested: keyframe requests sent (PLI) for loss or errors
 */
typedef struct
{
  guint64 bytes_received;
  guint64 packets_received;
  guint64 frames_decoded;
  guint64 frames_delivered;
  guint64 packets_lost;
  guint64 keyframes_requested;
} TdViewerStats;

#define TD_TYPE_VIEWER_PIPELINE (td_viewer_pipeline_get_type ())

G_DECLARE_FINAL_TYPE (TdViewerPipeline, td_viewer_pipeline, TD, VIEWER_PIPELINE, GObject)

const char * const *td_viewer_pipeline_get_decoder_candidates (void);
TdViewerPipeline   *td_viewer_pipeline_new                    (TdKeys            *keys,
                                                               const char        *decoder,
                                                               GError           **error);
void                td_viewer_pipeline_set_send_func          (TdViewerPipeline  *self,
                                                               TdDatagramFunc     func,
                                                               gpointer           user_data,
                                                               GDestroyNotify     destroy);
gboolean            td_viewer_pipeline_start                  (TdViewerPipeline  *self,
                                                               GError           **error);
void                td_viewer_pipeline_stop                   (TdViewerPipeline  *self);
void                td_viewer_pipeline_receive                (TdViewerPipeline  *self,
                                                               const guint8      *data,
                                                               gsize              length);
void                td_viewer_pipeline_request_keyframe       (TdViewerPipeline  *self);
const char         *td_viewer_pipeline_get_decoder_name       (TdViewerPipeline  *self);
int                 td_viewer_pipeline_get_width              (TdViewerPipeline  *self);
int                 td_viewer_pipeline_get_height             (TdViewerPipeline  *self);
GstElement         *td_viewer_pipeline_get_pipeline           (TdViewerPipeline  *self);
void                td_viewer_pipeline_get_stats              (TdViewerPipeline  *self,
                                                               TdViewerStats     *stats);

G_END_DECLS
