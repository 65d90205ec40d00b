/* td-host-pipeline.c: the host's screen as SRTP packets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   capture ─[gate]─ capsfilter(framerate) ─ queue(leaky, 1) ─ videoconvert
 *     ─ encoder bin ─ rtph264pay(config-interval=1, mtu=1200)
 *     ─ rtpbin(AVPF, rtprtxsend aux) ─ srtpenc ─┐
 *                      rtpbin send_rtcp ─ srtpenc ─┴ funnel ─ appsink → send func
 *   appsrc(SRTCP from the viewer) ─ srtpdec ─ rtpbin recv_rtcp
 *
 * The gate drops frames that did not change (the capture's XDamage answer,
 * or a pixel comparison), so an idle screen sends nothing but one frame a
 * second (which lets the viewer notice a lost last frame and NACK it) and
 * RTCP. A keyframe request (local, or a PLI/FIR that rtpbin turns into an
 * upstream force-key-unit event) also opens the gate for one frame, else
 * an idle screen would never send the keyframe.
 *
 * The viewer's RTCP comes back over the same carrier: receiver reports,
 * generic NACKs (answered by rtprtxsend from its 1 s history, payload type
 * 97 on its own SSRC) and PLIs. When "adaptive" is set, once a second the
 * loss (from the cumulative counters of the receiver reports, which come
 * five times a second) and the round-trip time steer the bitrate, AIMD
 * style:
 *   loss > 10 %            bitrate × 0.70
 *   loss > 2 %             bitrate × 0.85
 *   RTT > 1.5 × min + 30 ms (queues are growing)   bitrate × 0.90
 *   otherwise              bitrate + 5 % of max-bitrate
 * clamped to [min-bitrate, max-bitrate].
 *
 * The send function runs on the streaming thread; everything else on the
 * main context the pipeline was created in.
 */
#define G_LOG_DOMAIN "td-media"

#include <string.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/rtp/gstrtcpbuffer.h>
#include <gst/video/video.h>

#include "td-host-pipeline.h"
#include "td-media-error.h"

#define PAYLOAD_TYPE     96
#define RTX_PAYLOAD_TYPE 97
#define KEEPALIVE_US     G_USEC_PER_SEC

struct _TdHostPipeline
{
  GObject         parent_instance;

  GMainContext   *context;
  TdCapture      *capture;
  TdEncoder      *encoder;
  TdKeys         *keys;

  GstElement     *pipeline;
  GstElement     *rate_filter;
  GstElement     *rtpbin;
  GstElement     *rtcp_src;
  guint           bus_watch;
  guint           adapt_source;
  gboolean        playing;

  guint           framerate;
  gboolean        adaptive;
  guint           min_bitrate;
  guint           max_bitrate;
  guint32         min_rtt;
  guint32         media_ssrc;

  GMutex          report_lock;
  struct {
    gint32        lost;
    guint32       highest;
    guint32       round_trip;
    guint         count;
  } report;
  gboolean        have_report;
  int             last_packets_lost;
  guint           last_highest_seq;

  /* Streaming thread */
  gboolean        detects_changes;
  GstBuffer      *last_frame;
  gint64          last_pass;
  int             force_frame;

  GMutex          send_lock;
  TdDatagramFunc  send_func;
  gpointer        send_data;
  GDestroyNotify  send_destroy;

  /* Atomic counters */
  guint64         bytes_sent;
  guint64         packets_sent;
  guint64         rtcp_received;
  guint64         frames_captured;
  guint64         frames_unchanged;
  guint64         frames_encoded;
  guint64         keyframes_requested;
  double          fraction_lost;
  double          rtt_ms;
};

enum {
  PROP_0,
  PROP_CAPTURE,
  PROP_ENCODER,
  PROP_KEYS,
  PROP_BITRATE,
  PROP_FRAMERATE,
  PROP_ADAPTIVE,
  PROP_MIN_BITRATE,
  PROP_MAX_BITRATE,
  N_PROPS
};

enum {
  ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdHostPipeline, td_host_pipeline, G_TYPE_OBJECT)

static inline void
counter_add (guint64 *counter,
             guint64  amount)
{
  __atomic_add_fetch (counter, amount, __ATOMIC_RELAXED);
}

static inline guint64
counter_get (guint64 *counter)
{
  return __atomic_load_n (counter, __ATOMIC_RELAXED);
}

/* Streaming thread */
static gboolean
same_pixels (GstBuffer *a,
             GstBuffer *b)
{
  GstMapInfo ma, mb;
  gboolean same = FALSE;

  if (a == NULL || b == NULL)
    return FALSE;
  if (a == b)
    return TRUE;
  if (gst_buffer_get_size (a) != gst_buffer_get_size (b))
    return FALSE;

  if (gst_buffer_map (a, &ma, GST_MAP_READ))
    {
      if (gst_buffer_map (b, &mb, GST_MAP_READ))
        {
          same = memcmp (ma.data, mb.data, ma.size) == 0;
          gst_buffer_unmap (b, &mb);
        }
      gst_buffer_unmap (a, &ma);
    }

  return same;
}

/* Streaming thread: the gate on the capture's src pad */
static GstPadProbeReturn
gate_probe (GstPad          *pad,
            GstPadProbeInfo *info,
            gpointer         user_data)
{
  TdHostPipeline *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  gint64 now = g_get_monotonic_time ();
  gboolean changed;
  gboolean forced;

  counter_add (&self->frames_captured, 1);

  if (self->detects_changes)
    changed = td_capture_frame_changed (self->capture, buffer);
  else
    changed = !same_pixels (self->last_frame, buffer);

  forced = g_atomic_int_exchange (&self->force_frame, 0);

  if (!changed && !forced && now - self->last_pass < KEEPALIVE_US)
    {
      counter_add (&self->frames_unchanged, 1);
      return GST_PAD_PROBE_DROP;
    }

  self->last_pass = now;
  if (!self->detects_changes)
    gst_buffer_replace (&self->last_frame, buffer);

  return GST_PAD_PROBE_OK;
}

/* Streaming thread: keyframe requests arriving at the encoder */
static GstPadProbeReturn
keyframe_probe (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         user_data)
{
  TdHostPipeline *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (gst_video_event_is_force_key_unit (event))
    {
      counter_add (&self->keyframes_requested, 1);
      g_atomic_int_set (&self->force_frame, 1);
    }

  return GST_PAD_PROBE_OK;
}

/* Streaming thread */
static GstPadProbeReturn
count_probe (GstPad          *pad,
             GstPadProbeInfo *info,
             gpointer         user_data)
{
  TdHostPipeline *self = user_data;

  counter_add (&self->frames_encoded, 1);
  return GST_PAD_PROBE_OK;
}

/* Streaming thread */
static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer    user_data)
{
  TdHostPipeline *self = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer;
  GstMapInfo map;

  if (sample == NULL)
    return GST_FLOW_EOS;

  buffer = gst_sample_get_buffer (sample);
  if (buffer == NULL || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;

  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->send_lock);

    if (self->send_func != NULL)
      self->send_func (map.data, map.size, self->send_data);
  }

  counter_add (&self->bytes_sent, map.size);
  counter_add (&self->packets_sent, 1);
  gst_buffer_unmap (buffer, &map);

  return GST_FLOW_OK;
}

/* Streaming thread */
static GstCaps *
on_request_key (GstElement *srtpdec,
                guint       ssrc,
                gpointer    user_data)
{
  TdHostPipeline *self = user_data;

  return td_srtp_caps_new ("application/x-srtp", self->keys, TD_KEYS_VIEWER_TO_HOST);
}

static GstElement *
on_request_aux_sender (GstElement *rtpbin,
                       guint       session,
                       gpointer    user_data)
{
  g_autoptr(GstStructure) map = NULL;
  g_autoptr(GstPad) sink = NULL;
  g_autoptr(GstPad) src = NULL;
  g_autofree char *sink_name = g_strdup_printf ("sink_%u", session);
  g_autofree char *src_name = g_strdup_printf ("src_%u", session);
  GstElement *bin;
  GstElement *rtx;

  rtx = gst_element_factory_make ("rtprtxsend", NULL);
  if (rtx == NULL)
    return NULL;

  map = gst_structure_new ("application/x-rtp-pt-map",
                           G_STRINGIFY (PAYLOAD_TYPE), G_TYPE_UINT, RTX_PAYLOAD_TYPE,
                           NULL);
  g_object_set (rtx,
                "payload-type-map", map,
                "max-size-time", 1000,
                "max-size-packets", 0,
                NULL);

  bin = gst_bin_new (NULL);
  gst_bin_add (GST_BIN (bin), rtx);
  sink = gst_element_get_static_pad (rtx, "sink");
  src = gst_element_get_static_pad (rtx, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new (sink_name, sink));
  gst_element_add_pad (bin, gst_ghost_pad_new (src_name, src));

  return bin;
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  TdHostPipeline *self = user_data;

  g_assert (TD_IS_HOST_PIPELINE (self));

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) gst_error = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &gst_error, &debug);
      g_debug ("Host pipeline error from %s: %s (%s)",
               GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), gst_error->message,
               debug != NULL ? debug : "");
      error = g_error_new (TD_MEDIA_ERROR, TD_MEDIA_ERROR_PIPELINE,
                           "Screen sharing stopped: %s", gst_error->message);
      g_signal_emit (self, signals[ERROR], 0, error);
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_WARNING)
    {
      g_autoptr(GError) warning = NULL;

      gst_message_parse_warning (message, &warning, NULL);
      g_debug ("Host pipeline warning from %s: %s",
               GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), warning->message);
    }

  return G_SOURCE_CONTINUE;
}

/* NTP time in the middle 32 bits, the unit of LSR and DLSR */
static guint32
ntp_short_now (void)
{
  gint64 now = g_get_real_time ();
  guint64 seconds = now / G_USEC_PER_SEC + G_GUINT64_CONSTANT (2208988800);
  guint64 fraction = (now % G_USEC_PER_SEC) * 65536 / G_USEC_PER_SEC;

  return (guint32) (((seconds & 0xffff) << 16) | fraction);
}

/* Streaming thread: the viewer's RTCP, after SRTCP. rtpbin's own source
 * statistics keep a single report block per reporter, which may be the
 * one about the retransmission stream, so the blocks about the video SSRC
 * are picked out here. */
static void
on_receiving_rtcp (GObject   *session,
                   GstBuffer *buffer,
                   gpointer   user_data)
{
  TdHostPipeline *self = user_data;
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;
  gboolean more;

  if (!gst_rtcp_buffer_map (buffer, GST_MAP_READ, &rtcp))
    return;

  for (more = gst_rtcp_buffer_get_first_packet (&rtcp, &packet);
       more;
       more = gst_rtcp_packet_move_to_next (&packet))
    {
      GstRTCPType type = gst_rtcp_packet_get_type (&packet);
      guint n;

      if (type != GST_RTCP_TYPE_RR && type != GST_RTCP_TYPE_SR)
        continue;

      n = gst_rtcp_packet_get_rb_count (&packet);
      for (guint i = 0; i < n; i++)
        {
          guint32 ssrc, highest, jitter, lsr, dlsr;
          guint8 fraction;
          gint32 lost;

          gst_rtcp_packet_get_rb (&packet, i, &ssrc, &fraction, &lost, &highest,
                                  &jitter, &lsr, &dlsr);
          if (ssrc != self->media_ssrc)
            continue;

          g_mutex_lock (&self->report_lock);
          self->report.lost = lost;
          self->report.highest = highest;
          if (lsr != 0)
            self->report.round_trip = ntp_short_now () - lsr - dlsr;
          self->report.count++;
          g_mutex_unlock (&self->report_lock);
        }
    }

  gst_rtcp_buffer_unmap (&rtcp);
}

static gboolean
adapt_cb (gpointer user_data)
{
  TdHostPipeline *self = user_data;
  int lost;
  guint highest, round_trip;
  double loss = 0, rtt_ms;
  guint bitrate, target;

  g_assert (TD_IS_HOST_PIPELINE (self));

  g_mutex_lock (&self->report_lock);
  lost = self->report.lost;
  highest = self->report.highest;
  round_trip = self->report.round_trip;
  if (self->report.count == 0)
    {
      g_mutex_unlock (&self->report_lock);
      return G_SOURCE_CONTINUE;
    }
  g_mutex_unlock (&self->report_lock);

  /* Loss over the last second from the cumulative counters: the fraction
   * in a single report covers only the last 200 ms. */
  if (self->have_report && highest > self->last_highest_seq)
    loss = CLAMP ((double) (lost - self->last_packets_lost) /
                  (highest - self->last_highest_seq), 0.0, 1.0);
  else if (self->have_report && highest == self->last_highest_seq)
    loss = self->fraction_lost;
  self->have_report = TRUE;
  self->last_packets_lost = lost;
  self->last_highest_seq = highest;

  rtt_ms = round_trip * 1000.0 / 65536.0;
  self->fraction_lost = loss;
  self->rtt_ms = rtt_ms;

  if (!self->adaptive)
    return G_SOURCE_CONTINUE;

  if (round_trip > 0 && (self->min_rtt == 0 || round_trip < self->min_rtt))
    self->min_rtt = round_trip;

  bitrate = td_encoder_get_bitrate (self->encoder);
  if (loss > 0.10)
    target = bitrate * 0.70;
  else if (loss > 0.02)
    target = bitrate * 0.85;
  else if (self->min_rtt > 0 &&
           rtt_ms > 1.5 * (self->min_rtt * 1000.0 / 65536.0) + 30)
    target = bitrate * 0.90;
  else
    target = bitrate + self->max_bitrate / 20;

  target = CLAMP (target, self->min_bitrate, self->max_bitrate);
  if (target != bitrate)
    {
      g_debug ("Bitrate %u -> %u kbit/s (loss %.1f %%, RTT %.1f ms)",
               bitrate, target, loss * 100, rtt_ms);
      td_host_pipeline_set_bitrate (self, target);
    }

  return G_SOURCE_CONTINUE;
}

static void
update_rate_caps (TdHostPipeline *self)
{
  g_autoptr(GstCaps) caps = NULL;

  g_assert (TD_IS_HOST_PIPELINE (self));

  /* PipeWire streams have a variable frame rate (0/1): ask for at most
   * the rate, which pipewiresrc passes on to the compositor. */
  if (td_capture_get_kind (self->capture) == TD_CAPTURE_KIND_PORTAL)
    caps = gst_caps_new_simple ("video/x-raw",
                                "framerate", GST_TYPE_FRACTION_RANGE, 0, 1, self->framerate, 1,
                                NULL);
  else
    caps = gst_caps_new_simple ("video/x-raw",
                                "framerate", GST_TYPE_FRACTION, self->framerate, 1,
                                NULL);

  g_object_set (self->rate_filter, "caps", caps, NULL);
}

static gboolean
link_pads (GstElement  *src,
           const char  *src_name,
           GstElement  *sink,
           const char  *sink_name,
           GError     **error)
{
  g_autoptr(GstPad) src_pad = gst_element_get_static_pad (src, src_name);
  g_autoptr(GstPad) sink_pad = NULL;

  if (src_pad == NULL)
    src_pad = gst_element_request_pad_simple (src, src_name);

  sink_pad = gst_element_get_static_pad (sink, sink_name);
  if (sink_pad == NULL)
    sink_pad = gst_element_request_pad_simple (sink, sink_name);

  if (src_pad == NULL || sink_pad == NULL ||
      GST_PAD_LINK_FAILED (gst_pad_link (src_pad, sink_pad)))
    {
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_FAILED,
                   "Cannot link %s:%s to %s:%s",
                   GST_OBJECT_NAME (src), src_name, GST_OBJECT_NAME (sink), sink_name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
build_pipeline (TdHostPipeline  *self,
                GError         **error)
{
  g_autoptr(GstBuffer) key = NULL;
  g_autoptr(GstCaps) rtcp_caps = NULL;
  g_autoptr(GstPad) pad = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *source, *queue, *convert, *encoder, *pay, *srtpenc, *srtpdec, *funnel, *sink;
  GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };

  g_assert (TD_IS_HOST_PIPELINE (self));

  if ((source = td_capture_create_source (self->capture, error)) == NULL)
    return FALSE;

  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("td-host"));
  gst_bin_add (GST_BIN (self->pipeline), source);

#define MAKE(var, factory, name) \
  G_STMT_START { \
    if ((var = td_media_make_element (factory, name, error)) == NULL) \
      return FALSE; \
    gst_bin_add (GST_BIN (self->pipeline), var); \
  } G_STMT_END

  MAKE (self->rate_filter, "capsfilter", "rate");
  MAKE (queue, "queue", "capture-queue");
  MAKE (convert, "videoconvert", "convert");
  MAKE (pay, "rtph264pay", "pay");
  MAKE (self->rtpbin, "rtpbin", "rtpbin");
  MAKE (srtpenc, "srtpenc", "srtpenc");
  MAKE (srtpdec, "srtpdec", "srtpdec");
  MAKE (funnel, "funnel", "funnel");
  MAKE (sink, "appsink", "sink");
  MAKE (self->rtcp_src, "appsrc", "host-rtcp-in");
#undef MAKE

  encoder = td_encoder_get_bin (self->encoder);
  if (GST_OBJECT_PARENT (encoder) != NULL)
    {
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_FAILED,
                   "The encoder is already used by another pipeline.");
      return FALSE;
    }
  gst_bin_add (GST_BIN (self->pipeline), encoder);

  update_rate_caps (self);
  g_object_set (queue,
                "max-size-buffers", 1,
                "max-size-bytes", 0,
                "max-size-time", (guint64) 0,
                "leaky", 2 /* downstream: keep the newest frame */,
                NULL);
  g_object_set (convert, "n-threads", 2, NULL);
  self->media_ssrc = g_random_int ();
  g_object_set (pay,
                "ssrc", self->media_ssrc,
                "config-interval", 1,
                "mtu", 1200,
                "pt", PAYLOAD_TYPE,
                NULL);
  gst_util_set_object_arg (G_OBJECT (pay), "aggregate-mode", "zero-latency");

  gst_util_set_object_arg (G_OBJECT (self->rtpbin), "rtp-profile", "avpf");
  if (td_media_has_element ("rtprtxsend"))
    g_signal_connect (self->rtpbin, "request-aux-sender",
                      G_CALLBACK (on_request_aux_sender), self);

  key = td_srtp_key_buffer (self->keys, TD_KEYS_HOST_TO_VIEWER);
  g_object_set (srtpenc, "key", key, NULL);
  gst_util_set_object_arg (G_OBJECT (srtpenc), "rtp-cipher", "aes-128-icm");
  gst_util_set_object_arg (G_OBJECT (srtpenc), "rtp-auth", "hmac-sha1-80");
  gst_util_set_object_arg (G_OBJECT (srtpenc), "rtcp-cipher", "aes-128-icm");
  gst_util_set_object_arg (G_OBJECT (srtpenc), "rtcp-auth", "hmac-sha1-80");
  g_signal_connect (srtpdec, "request-key", G_CALLBACK (on_request_key), self);

  g_object_set (sink,
                "sync", FALSE,
                "async", FALSE,
                "enable-last-sample", FALSE,
                NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

  rtcp_caps = td_srtp_caps_new ("application/x-srtcp", self->keys, TD_KEYS_VIEWER_TO_HOST);
  g_object_set (self->rtcp_src,
                "caps", rtcp_caps,
                "is-live", TRUE,
                "format", GST_FORMAT_TIME,
                "do-timestamp", TRUE,
                "max-bytes", (guint64) 256 * 1024,
                NULL);

  if (!gst_element_link_many (source, self->rate_filter, queue, convert, encoder, pay, NULL) ||
      !link_pads (pay, "src", self->rtpbin, "send_rtp_sink_0", error) ||
      !link_pads (self->rtpbin, "send_rtp_src_0", srtpenc, "rtp_sink_0", error) ||
      !link_pads (srtpenc, "rtp_src_0", funnel, "sink_%u", error) ||
      !link_pads (self->rtpbin, "send_rtcp_src_0", srtpenc, "rtcp_sink_0", error) ||
      !link_pads (srtpenc, "rtcp_src_0", funnel, "sink_%u", error) ||
      !gst_element_link (funnel, sink) ||
      !link_pads (self->rtcp_src, "src", srtpdec, "rtcp_sink", error) ||
      !link_pads (srtpdec, "rtcp_src", self->rtpbin, "recv_rtcp_sink_0", error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_FAILED,
                     "Cannot build the screen sharing pipeline with the encoder “%s”.",
                     td_encoder_get_element_name (self->encoder));
      return FALSE;
    }

  self->detects_changes = td_capture_has_change_detection (self->capture);

  pad = gst_element_get_static_pad (source, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, gate_probe, self, NULL);
  g_clear_object (&pad);

  pad = gst_element_get_static_pad (encoder, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, keyframe_probe, self, NULL);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_probe, self, NULL);

  {
    g_autoptr(GObject) session = NULL;

    g_signal_emit_by_name (self->rtpbin, "get-internal-session", 0, &session);
    if (session != NULL)
      g_signal_connect_object (session, "on-receiving-rtcp",
                               G_CALLBACK (on_receiving_rtcp), self, 0);
  }

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);

  return TRUE;
}

static void
td_host_pipeline_dispose (GObject *object)
{
  TdHostPipeline *self = TD_HOST_PIPELINE (object);

  td_host_pipeline_stop (self);
  if (self->bus_watch != 0)
    {
      g_autoptr(GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));

      gst_bus_remove_watch (bus);
      self->bus_watch = 0;
    }
  g_clear_object (&self->pipeline);
  g_clear_object (&self->encoder);
  g_clear_object (&self->capture);

  G_OBJECT_CLASS (td_host_pipeline_parent_class)->dispose (object);
}

static void
td_host_pipeline_finalize (GObject *object)
{
  TdHostPipeline *self = TD_HOST_PIPELINE (object);

  if (self->send_destroy != NULL)
    self->send_destroy (self->send_data);
  gst_buffer_replace (&self->last_frame, NULL);
  g_clear_object (&self->keys);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->send_lock);
  g_mutex_clear (&self->report_lock);

  G_OBJECT_CLASS (td_host_pipeline_parent_class)->finalize (object);
}

static void
td_host_pipeline_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TdHostPipeline *self = TD_HOST_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_CAPTURE:
      g_value_set_object (value, self->capture);
      break;

    case PROP_ENCODER:
      g_value_set_object (value, self->encoder);
      break;

    case PROP_KEYS:
      g_value_set_object (value, self->keys);
      break;

    case PROP_BITRATE:
      g_value_set_uint (value, td_host_pipeline_get_bitrate (self));
      break;

    case PROP_FRAMERATE:
      g_value_set_uint (value, self->framerate);
      break;

    case PROP_ADAPTIVE:
      g_value_set_boolean (value, self->adaptive);
      break;

    case PROP_MIN_BITRATE:
      g_value_set_uint (value, self->min_bitrate);
      break;

    case PROP_MAX_BITRATE:
      g_value_set_uint (value, self->max_bitrate);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_host_pipeline_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TdHostPipeline *self = TD_HOST_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_CAPTURE:
      self->capture = g_value_dup_object (value);
      break;

    case PROP_ENCODER:
      self->encoder = g_value_dup_object (value);
      break;

    case PROP_KEYS:
      self->keys = g_value_dup_object (value);
      break;

    case PROP_BITRATE:
      td_host_pipeline_set_bitrate (self, g_value_get_uint (value));
      break;

    case PROP_FRAMERATE:
      td_host_pipeline_set_framerate (self, g_value_get_uint (value));
      break;

    case PROP_ADAPTIVE:
      td_host_pipeline_set_adaptive (self, g_value_get_boolean (value));
      break;

    case PROP_MIN_BITRATE:
      if (self->min_bitrate != g_value_get_uint (value))
        {
          self->min_bitrate = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_MAX_BITRATE:
      if (self->max_bitrate != g_value_get_uint (value))
        {
          self->max_bitrate = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_host_pipeline_class_init (TdHostPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_host_pipeline_dispose;
  object_class->finalize = td_host_pipeline_finalize;
  object_class->get_property = td_host_pipeline_get_property;
  object_class->set_property = td_host_pipeline_set_property;

  properties[PROP_CAPTURE] =
    g_param_spec_object ("capture", NULL, NULL, TD_TYPE_CAPTURE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENCODER] =
    g_param_spec_object ("encoder", NULL, NULL, TD_TYPE_ENCODER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEYS] =
    g_param_spec_object ("keys", NULL, NULL, TD_TYPE_KEYS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * TdHostPipeline:bitrate:
   *
   * The encoder's target in kbit/s. Set by the adaptation when
   * #TdHostPipeline:adaptive is on.
   */
  properties[PROP_BITRATE] =
    g_param_spec_uint ("bitrate", NULL, NULL, 50, 100000, 4000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TdHostPipeline:framerate:
   *
   * Frames per second to capture at most.
   */
  properties[PROP_FRAMERATE] =
    g_param_spec_uint ("framerate", NULL, NULL, 1, 60, 30,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TdHostPipeline:adaptive:
   *
   * Whether RTCP receiver reports steer the bitrate.
   */
  properties[PROP_ADAPTIVE] =
    g_param_spec_boolean ("adaptive", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MIN_BITRATE] =
    g_param_spec_uint ("min-bitrate", NULL, NULL, 50, 100000, 300,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_BITRATE] =
    g_param_spec_uint ("max-bitrate", NULL, NULL, 50, 100000, 8000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdHostPipeline::error:
   * @self: the pipeline
   * @error: what went wrong, for the person sharing
   *
   * The pipeline stopped working (the display went away, an element
   * failed). Emitted on the main context.
   */
  signals[ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
td_host_pipeline_init (TdHostPipeline *self)
{
  g_mutex_init (&self->send_lock);
  g_mutex_init (&self->report_lock);
  self->context = g_main_context_ref_thread_default ();
  self->framerate = 30;
  self->adaptive = TRUE;
  self->min_bitrate = 300;
  self->max_bitrate = 8000;
}

/**
 * td_host_pipeline_new:
 * @capture: where the pictures come from
 * @encoder: (nullable): the encoder, %NULL to choose one
 * @keys: the session keys; the host encrypts with HOST_TO_VIEWER
 * @error: return location for a #GError
 *
 * Builds the pipeline without starting it.
 *
 * Returns: (transfer full) (nullable): the pipeline
 */
TdHostPipeline *
td_host_pipeline_new (TdCapture  *capture,
                      TdEncoder  *encoder,
                      TdKeys     *keys,
                      GError    **error)
{
  g_autoptr(TdHostPipeline) self = NULL;
  g_autoptr(TdEncoder) chosen = NULL;

  g_return_val_if_fail (TD_IS_CAPTURE (capture), NULL);
  g_return_val_if_fail (encoder == NULL || TD_IS_ENCODER (encoder), NULL);
  g_return_val_if_fail (TD_IS_KEYS (keys), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!td_media_ensure_init (error))
    return NULL;

  if (encoder == NULL && (chosen = td_encoder_new_auto (NULL, error)) == NULL)
    return NULL;

  self = g_object_new (TD_TYPE_HOST_PIPELINE,
                       "capture", capture,
                       "encoder", encoder != NULL ? encoder : chosen,
                       "keys", keys,
                       NULL);

  if (!build_pipeline (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * td_host_pipeline_set_send_func:
 * @self: a #TdHostPipeline
 * @func: (nullable): sends one packet to the viewer
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Plugs in the carrier. @func runs on a streaming thread.
 */
void
td_host_pipeline_set_send_func (TdHostPipeline *self,
                                TdDatagramFunc  func,
                                gpointer        user_data,
                                GDestroyNotify  destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (TD_IS_HOST_PIPELINE (self));

  g_mutex_lock (&self->send_lock);
  old_destroy = self->send_destroy;
  old_data = self->send_data;
  self->send_func = func;
  self->send_data = user_data;
  self->send_destroy = destroy;
  g_mutex_unlock (&self->send_lock);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

/**
 * td_host_pipeline_start:
 * @self: a #TdHostPipeline
 * @error: return location for a #GError
 *
 * Starts capturing and sending. Later failures come as #TdHostPipeline::error.
 *
 * Returns: %TRUE if the pipeline started
 */
gboolean
td_host_pipeline_start (TdHostPipeline  *self,
                        GError         **error)
{
  g_autoptr(GSource) source = NULL;

  g_return_val_if_fail (TD_IS_HOST_PIPELINE (self), FALSE);

  if (self->playing)
    return TRUE;

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_PIPELINE,
                   "Screen sharing could not start with the “%s” capture and the “%s” encoder.",
                   td_capture_kind_to_string (td_capture_get_kind (self->capture)),
                   td_encoder_get_element_name (self->encoder));
      return FALSE;
    }

  self->playing = TRUE;
  source = g_timeout_source_new_seconds (1);
  g_source_set_callback (source, adapt_cb, self, NULL);
  g_source_set_static_name (source, "[td] host bitrate adaptation");
  self->adapt_source = g_source_attach (source, self->context);

  return TRUE;
}

/**
 * td_host_pipeline_stop:
 * @self: a #TdHostPipeline
 *
 * Stops the pipeline; the send function is not called after this returns.
 */
void
td_host_pipeline_stop (TdHostPipeline *self)
{
  g_return_if_fail (TD_IS_HOST_PIPELINE (self));

  if (self->adapt_source != 0)
    {
      GSource *source = g_main_context_find_source_by_id (self->context, self->adapt_source);

      if (source != NULL)
        g_source_destroy (source);
      self->adapt_source = 0;
    }

  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  self->playing = FALSE;
}

/**
 * td_host_pipeline_receive:
 * @self: a #TdHostPipeline
 * @data: a packet from the viewer (SRTCP)
 * @length: its length
 *
 * Feeds what the carrier received. Thread-safe; packets that are not RTCP
 * are ignored.
 */
void
td_host_pipeline_receive (TdHostPipeline *self,
                          const guint8   *data,
                          gsize           length)
{
  g_return_if_fail (TD_IS_HOST_PIPELINE (self));

  if (!td_srtp_is_rtcp (data, length))
    return;

  counter_add (&self->rtcp_received, 1);
  gst_app_src_push_buffer (GST_APP_SRC (self->rtcp_src), gst_buffer_new_memdup (data, length));
}

/**
 * td_host_pipeline_request_keyframe:
 * @self: a #TdHostPipeline
 *
 * Sends a keyframe with SPS and PPS as soon as possible, even if the
 * screen is idle (a viewer joined, or it asked over the control channel).
 */
void
td_host_pipeline_request_keyframe (TdHostPipeline *self)
{
  g_return_if_fail (TD_IS_HOST_PIPELINE (self));

  counter_add (&self->keyframes_requested, 1);
  g_atomic_int_set (&self->force_frame, 1);
  td_encoder_request_keyframe (self->encoder);
}

guint
td_host_pipeline_get_bitrate (TdHostPipeline *self)
{
  g_return_val_if_fail (TD_IS_HOST_PIPELINE (self), 0);

  return td_encoder_get_bitrate (self->encoder);
}

/**
 * td_host_pipeline_set_bitrate:
 * @self: a #TdHostPipeline
 * @kbps: the encoder's target in kbit/s
 */
void
td_host_pipeline_set_bitrate (TdHostPipeline *self,
                              guint           kbps)
{
  g_return_if_fail (TD_IS_HOST_PIPELINE (self));

  if (td_encoder_get_bitrate (self->encoder) == kbps)
    return;

  td_encoder_set_bitrate (self->encoder, kbps);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BITRATE]);
}

guint
td_host_pipeline_get_framerate (TdHostPipeline *self)
{
  g_return_val_if_fail (TD_IS_HOST_PIPELINE (self), 0);

  return self->framerate;
}

/**
 * td_host_pipeline_set_framerate:
 * @self: a #TdHostPipeline
 * @fps: frames per second, 1 to 60
 *
 * Renegotiates the capture; the encoder restarts with a keyframe.
 */
void
td_host_pipeline_set_framerate (TdHostPipeline *self,
                                guint           fps)
{
  g_return_if_fail (TD_IS_HOST_PIPELINE (self));

  fps = CLAMP (fps, 1, 60);
  if (self->framerate == fps)
    return;

  self->framerate = fps;
  if (self->rate_filter != NULL)
    update_rate_caps (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAMERATE]);
}

gboolean
td_host_pipeline_get_adaptive (TdHostPipeline *self)
{
  g_return_val_if_fail (TD_IS_HOST_PIPELINE (self), FALSE);

  return self->adaptive;
}

void
td_host_pipeline_set_adaptive (TdHostPipeline *self,
                               gboolean        adaptive)
{
  g_return_if_fail (TD_IS_HOST_PIPELINE (self));

  adaptive = !!adaptive;
  if (self->adaptive == adaptive)
    return;

  self->adaptive = adaptive;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADAPTIVE]);
}

/**
 * td_host_pipeline_get_capture:
 * @self: a #TdHostPipeline
 *
 * Returns: (transfer none): the capture backend
 */
TdCapture *
td_host_pipeline_get_capture (TdHostPipeline *self)
{
  g_return_val_if_fail (TD_IS_HOST_PIPELINE (self), NULL);

  return self->capture;
}

/**
 * td_host_pipeline_get_encoder:
 * @self: a #TdHostPipeline
 *
 * Returns: (transfer none): the encoder
 */
TdEncoder *
td_host_pipeline_get_encoder (TdHostPipeline *self)
{
  g_return_val_if_fail (TD_IS_HOST_PIPELINE (self), NULL);

  return self->encoder;
}

/**
 * td_host_pipeline_get_pipeline:
 * @self: a #TdHostPipeline
 *
 * For tests and benchmarks (pad probes).
 *
 * Returns: (transfer none): the GStreamer pipeline
 */
GstElement *
td_host_pipeline_get_pipeline (TdHostPipeline *self)
{
  g_return_val_if_fail (TD_IS_HOST_PIPELINE (self), NULL);

  return self->pipeline;
}

/**
 * td_host_pipeline_get_stats:
 * @self: a #TdHostPipeline
 * @stats: (out caller-allocates): where to store the counters
 */
void
td_host_pipeline_get_stats (TdHostPipeline *self,
                            TdHostStats    *stats)
{
  g_return_if_fail (TD_IS_HOST_PIPELINE (self));
  g_return_if_fail (stats != NULL);

  stats->bytes_sent = counter_get (&self->bytes_sent);
  stats->packets_sent = counter_get (&self->packets_sent);
  stats->rtcp_received = counter_get (&self->rtcp_received);
  stats->frames_captured = counter_get (&self->frames_captured);
  stats->frames_unchanged = counter_get (&self->frames_unchanged);
  stats->frames_encoded = counter_get (&self->frames_encoded);
  stats->keyframes_requested = counter_get (&self->keyframes_requested);
  stats->bitrate_kbps = td_encoder_get_bitrate (self->encoder);
  stats->fraction_lost = self->fraction_lost;
  stats->rtt_ms = self->rtt_ms;
}
