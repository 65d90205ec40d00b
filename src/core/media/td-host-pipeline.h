/* td-host-pipeline.h: the host's screen as SRTP packets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

#include "td-capture.h"
#include "td-encoder.h"
#include "td-keys.h"
#include "td-srtp.h"

G_BEGIN_DECLS

/**
 * TdHostStats:
 * @bytes_sent: SRTP and SRTCP bytes handed to the carrier
 * @packets_sent: packets handed to the carrier
 * @rtcp_received: SRTCP packets received from the viewer
 * @frames_captured: frames the capture produced
 * @frames_unchanged: frames dropped because nothing changed
 * @frames_encoded: frames that left the encoder
 * @keyframes_requested: keyframe requests (PLI, FIR or local)
 * @bitrate_kbps: the encoder's current target
 * @fraction_lost: the viewer's last reported loss, 0..1
 * @rtt_ms: the last round-trip time from RTCP, 0 if unknown
 */
typedef struct
{
  guint64 bytes_sent;
  guint64 packets_sent;
  guint64 rtcp_received;
  guint64 frames_captured;
  guint64 frames_unchanged;
  guint64 frames_encoded;
  guint64 keyframes_requested;
  guint   bitrate_kbps;
  double  fraction_lost;
  double  rtt_ms;
} TdHostStats;

#define TD_TYPE_HOST_PIPELINE (td_host_pipeline_get_type ())

G_DECLARE_FINAL_TYPE (TdHostPipeline, td_host_pipeline, TD, HOST_PIPELINE, GObject)

TdHostPipeline *td_host_pipeline_new              (TdCapture       *capture,
                                                   TdEncoder       *encoder,
                                                   TdKeys          *keys,
                                                   GError         **error);
void            td_host_pipeline_set_send_func    (TdHostPipeline  *self,
                                                   TdDatagramFunc   func,
                                                   gpointer         user_data,
                                                   GDestroyNotify   destroy);
gboolean        td_host_pipeline_start            (TdHostPipeline  *self,
                                                   GError         **error);
void            td_host_pipeline_stop             (TdHostPipeline  *self);
void            td_host_pipeline_receive          (TdHostPipeline  *self,
                                                   const guint8    *data,
                                                   gsize            length);
void            td_host_pipeline_request_keyframe (TdHostPipeline  *self);
guint           td_host_pipeline_get_bitrate      (TdHostPipeline  *self);
void            td_host_pipeline_set_bitrate      (TdHostPipeline  *self,
                                                   guint            kbps);
guint           td_host_pipeline_get_framerate    (TdHostPipeline  *self);
void            td_host_pipeline_set_framerate    (TdHostPipeline  *self,
                                                   guint            fps);
gboolean        td_host_pipeline_get_adaptive     (TdHostPipeline  *self);
void            td_host_pipeline_set_adaptive     (TdHostPipeline  *self,
                                                   gboolean         adaptive);
TdCapture      *td_host_pipeline_get_capture      (TdHostPipeline  *self);
TdEncoder      *td_host_pipeline_get_encoder      (TdHostPipeline  *self);
GstElement     *td_host_pipeline_get_pipeline     (TdHostPipeline  *self);
void            td_host_pipeline_get_stats        (TdHostPipeline  *self,
                                                   TdHostStats     *stats);

G_END_DECLS
