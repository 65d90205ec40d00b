/* td-viewer-pipeline.c: SRTP packets from the host as frames
 *
 *   appsrc(SRTP)  ─ srtpdec ─ rtpbin(AVPF, jitter buffer 30 ms, do-lost,
 *   appsrc(SRTCP) ─┘            NACK + rtprtxreceive)
 *     ─ rtph264depay(request-keyframe) ─ h264parse ─ decoder
 *     ─ videoconvert ─ BGRA ─ appsink(1 buffer, drop) → main thread → ::frame
 *   rtpbin send_rtcp (RR, NACK, PLI) ─ srtpenc ─ appsink → send func
 *
 * The decoder is a hardware one if the registry has it, else avdec_h264
 * with one thread (frame threading adds a frame of latency per thread),
 * else openh264dec. Lost packets make the depayloader ask for a keyframe;
 * rtpbin sends that as a PLI in the viewer's SRTCP. Decoder errors do the
 * same. ::keyframe-requested tells the session, which may also ask over the
 * control channel.
 *
 * Frames leave the streaming thread through g_main_context_invoke_full()
 * holding a reference on the pipeline object; only the newest pending
 * frame is kept, so a slow main thread skips frames instead of queueing.
 */
#define G_LOG_DOMAIN "td-media"

#include <stdio.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include "td-media-error.h"
#include "td-viewer-pipeline.h"

#define PAYLOAD_TYPE       96
#define RTX_PAYLOAD_TYPE   97
#define KEYFRAME_MIN_US    (300 * 1000)

static const char * const decoders[] = {
  "vah264dec", "vaapih264dec", "nvh264dec", "avdec_h264", "openh264dec", NULL,
};

struct _TdViewerPipeline
{
  GObject         parent_instance;

  GMainContext   *context;
  TdKeys         *keys;
  char           *decoder_name;
  guint           latency;

  GstElement     *pipeline;
  GstElement     *rtp_src;
  GstElement     *rtcp_src;
  GstElement     *rtpbin;
  GstElement     *depay;
  guint           bus_watch;
  gboolean        playing;

  int             width;
  int             height;

  GMutex          send_lock;
  TdDatagramFunc  send_func;
  gpointer        send_data;
  GDestroyNotify  send_destroy;

  GMutex          frame_lock;
  GstSample      *pending;
  gint64          pending_time;
  gboolean        hop_queued;

  gint64          last_keyframe_request;

  guint64         bytes_received;
  guint64         packets_received;
  guint64         frames_decoded;
  guint64         frames_delivered;
  guint64         keyframes_requested;
};

enum {
  PROP_0,
  PROP_KEYS,
  PROP_DECODER_NAME,
  PROP_LATENCY,
  PROP_WIDTH,
  PROP_HEIGHT,
  N_PROPS
};

enum {
  FRAME,
  KEYFRAME_REQUESTED,
  ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdViewerPipeline, td_viewer_pipeline, G_TYPE_OBJECT)

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

static GstCaps *
rtp_caps (guint payload_type)
{
  if (payload_type == RTX_PAYLOAD_TYPE)
    return gst_caps_new_simple ("application/x-rtp",
                                "media", G_TYPE_STRING, "video",
                                "clock-rate", G_TYPE_INT, 90000,
                                "encoding-name", G_TYPE_STRING, "RTX",
                                "payload", G_TYPE_INT, RTX_PAYLOAD_TYPE,
                                "apt", G_TYPE_INT, PAYLOAD_TYPE,
                                NULL);

  return gst_caps_new_simple ("application/x-rtp",
                              "media", G_TYPE_STRING, "video",
                              "clock-rate", G_TYPE_INT, 90000,
                              "encoding-name", G_TYPE_STRING, "H264",
                              "payload", G_TYPE_INT, PAYLOAD_TYPE,
                              "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                              "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE,
                              NULL);
}

/* Streaming thread */
static GstCaps *
on_request_pt_map (GstElement *rtpbin,
                   guint       session,
                   guint       pt,
                   gpointer    user_data)
{
  if (pt != PAYLOAD_TYPE && pt != RTX_PAYLOAD_TYPE)
    return NULL;
  return rtp_caps (pt);
}

/* Streaming thread */
static GstCaps *
on_request_key (GstElement *srtpdec,
                guint       ssrc,
                gpointer    user_data)
{
  TdViewerPipeline *self = user_data;

  return td_srtp_caps_new ("application/x-srtp", self->keys, TD_KEYS_HOST_TO_VIEWER);
}

static GstElement *
on_request_aux_receiver (GstElement *rtpbin,
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

  rtx = gst_element_factory_make ("rtprtxreceive", NULL);
  if (rtx == NULL)
    return NULL;

  map = gst_structure_new ("application/x-rtp-pt-map",
                           G_STRINGIFY (PAYLOAD_TYPE), G_TYPE_UINT, RTX_PAYLOAD_TYPE,
                           NULL);
  g_object_set (rtx, "payload-type-map", map, NULL);

  bin = gst_bin_new (NULL);
  gst_bin_add (GST_BIN (bin), rtx);
  sink = gst_element_get_static_pad (rtx, "sink");
  src = gst_element_get_static_pad (rtx, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new (sink_name, sink));
  gst_element_add_pad (bin, gst_ghost_pad_new (src_name, src));

  return bin;
}

/* An idle host sends nothing for up to a second: the jitter buffer must
 * not guess when the next packet is due and NACK it, then declare it lost
 * and have the depayloader ask for a keyframe twice a second. */
static void
on_new_jitterbuffer (GstElement *rtpbin,
                     GstElement *jitterbuffer,
                     guint       session,
                     guint       ssrc,
                     gpointer    user_data)
{
  g_object_set (jitterbuffer, "rtx-next-seqnum", FALSE, NULL);
}

/* Streaming thread: a new SSRC appeared; the newest one is shown. */
static void
on_pad_added (GstElement *rtpbin,
              GstPad     *pad,
              gpointer    user_data)
{
  TdViewerPipeline *self = user_data;
  g_autoptr(GstPad) sink = NULL;
  g_autoptr(GstPad) old_peer = NULL;
  guint session, ssrc, pt;

  if (sscanf (GST_PAD_NAME (pad), "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3 ||
      pt != PAYLOAD_TYPE)
    return;

  sink = gst_element_get_static_pad (self->depay, "sink");
  old_peer = gst_pad_get_peer (sink);
  if (old_peer != NULL)
    gst_pad_unlink (old_peer, sink);

  if (GST_PAD_LINK_FAILED (gst_pad_link (pad, sink)))
    g_warning ("Cannot link the video stream %08x to the depayloader", ssrc);
}

/* Main thread */
static gboolean
deliver_frame (gpointer user_data)
{
  TdViewerPipeline *self = user_data;
  g_autoptr(GstSample) sample = NULL;
  g_autoptr(TdFrame) frame = NULL;
  gint64 decoded;

  g_assert (TD_IS_VIEWER_PIPELINE (self));

  g_mutex_lock (&self->frame_lock);
  sample = g_steal_pointer (&self->pending);
  decoded = self->pending_time;
  self->hop_queued = FALSE;
  g_mutex_unlock (&self->frame_lock);

  if (sample == NULL || !self->playing)
    return G_SOURCE_REMOVE;

  frame = td_frame_new_from_sample (sample, decoded);
  if (frame == NULL)
    return G_SOURCE_REMOVE;

  counter_add (&self->frames_delivered, 1);

  if (td_frame_get_width (frame) != self->width)
    {
      self->width = td_frame_get_width (frame);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDTH]);
    }
  if (td_frame_get_height (frame) != self->height)
    {
      self->height = td_frame_get_height (frame);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEIGHT]);
    }

  g_signal_emit (self, signals[FRAME], 0, frame);
  return G_SOURCE_REMOVE;
}

/* Streaming thread */
static GstFlowReturn
on_new_frame (GstAppSink *sink,
              gpointer    user_data)
{
  TdViewerPipeline *self = user_data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  gboolean queue;

  if (sample == NULL)
    return GST_FLOW_EOS;

  counter_add (&self->frames_decoded, 1);

  g_mutex_lock (&self->frame_lock);
  if (self->pending != NULL)
    gst_sample_unref (self->pending);
  self->pending = sample;
  self->pending_time = g_get_monotonic_time ();
  queue = !self->hop_queued;
  self->hop_queued = TRUE;
  g_mutex_unlock (&self->frame_lock);

  if (queue)
    g_main_context_invoke_full (self->context, G_PRIORITY_HIGH, deliver_frame,
                                g_object_ref (self), g_object_unref);

  return GST_FLOW_OK;
}

/* Streaming thread */
static GstFlowReturn
on_new_rtcp (GstAppSink *sink,
             gpointer    user_data)
{
  TdViewerPipeline *self = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  g_autoptr(GMutexLocker) locker = NULL;
  GstBuffer *buffer;
  GstMapInfo map;

  if (sample == NULL)
    return GST_FLOW_EOS;

  buffer = gst_sample_get_buffer (sample);
  if (buffer == NULL || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;

  locker = g_mutex_locker_new (&self->send_lock);
  if (self->send_func != NULL)
    self->send_func (map.data, map.size, self->send_data);
  gst_buffer_unmap (buffer, &map);

  return GST_FLOW_OK;
}

/* Main thread */
static gboolean
emit_keyframe_requested (gpointer user_data)
{
  g_signal_emit (user_data, signals[KEYFRAME_REQUESTED], 0);
  return G_SOURCE_REMOVE;
}

/* Streaming thread: the depayloader or the decoder asks for a keyframe */
static GstPadProbeReturn
keyframe_probe (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         user_data)
{
  TdViewerPipeline *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (gst_video_event_is_force_key_unit (event))
    {
      counter_add (&self->keyframes_requested, 1);
      g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_keyframe_requested,
                                  g_object_ref (self), g_object_unref);
    }

  return GST_PAD_PROBE_OK;
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  TdViewerPipeline *self = user_data;

  g_assert (TD_IS_VIEWER_PIPELINE (self));

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) gst_error = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &gst_error, &debug);
      g_debug ("Viewer pipeline error from %s: %s (%s)",
               GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), gst_error->message,
               debug != NULL ? debug : "");
      error = g_error_new (TD_MEDIA_ERROR, TD_MEDIA_ERROR_PIPELINE,
                           "The shared screen cannot be shown: %s", gst_error->message);
      g_signal_emit (self, signals[ERROR], 0, error);
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_WARNING)
    {
      g_autoptr(GError) warning = NULL;

      gst_message_parse_warning (message, &warning, NULL);
      g_debug ("Viewer pipeline warning from %s: %s",
               GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), warning->message);
      /* Decoding errors come as warnings: ask for a fresh picture. */
      if (warning->domain == GST_STREAM_ERROR)
        td_viewer_pipeline_request_keyframe (self);
    }

  return G_SOURCE_CONTINUE;
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

static const char *
choose_decoder (const char *preference)
{
  if (preference != NULL && *preference != '\0' && !g_str_equal (preference, "auto"))
    {
      if (g_strv_contains (decoders, preference) && td_media_has_element (preference))
        return preference;
      g_info ("Decoder “%s” unavailable, choosing another", preference);
    }

  for (guint i = 0; decoders[i] != NULL; i++)
    if (td_media_has_element (decoders[i]))
      return decoders[i];

  return NULL;
}

static gboolean
build_pipeline (TdViewerPipeline  *self,
                GError           **error)
{
  g_autoptr(GstBuffer) key = NULL;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstCaps) bgra = NULL;
  g_autoptr(GstPad) pad = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *srtpdec, *parse, *decoder, *convert, *filter, *sink, *srtpenc, *rtcp_sink;
  GstAppSinkCallbacks frame_callbacks = { .new_sample = on_new_frame };
  GstAppSinkCallbacks rtcp_callbacks = { .new_sample = on_new_rtcp };
  GstStructure *s;

  g_assert (TD_IS_VIEWER_PIPELINE (self));

  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("td-viewer"));

#define MAKE(var, factory, name) \
  G_STMT_START { \
    if ((var = td_media_make_element (factory, name, error)) == NULL) \
      return FALSE; \
    gst_bin_add (GST_BIN (self->pipeline), var); \
  } G_STMT_END

  MAKE (self->rtp_src, "appsrc", "viewer-rtp-in");
  MAKE (self->rtcp_src, "appsrc", "viewer-rtcp-in");
  MAKE (srtpdec, "srtpdec", "srtpdec");
  MAKE (self->rtpbin, "rtpbin", "rtpbin");
  MAKE (self->depay, "rtph264depay", "depay");
  MAKE (parse, "h264parse", "parse");
  MAKE (decoder, self->decoder_name, "decoder");
  MAKE (convert, "videoconvert", "convert");
  MAKE (filter, "capsfilter", "bgra");
  MAKE (sink, "appsink", "sink");
  MAKE (srtpenc, "srtpenc", "srtpenc");
  MAKE (rtcp_sink, "appsink", "rtcp-out");
#undef MAKE

  caps = rtp_caps (PAYLOAD_TYPE);
  s = gst_caps_get_structure (caps, 0);
  gst_structure_set_name (s, "application/x-srtp");
  g_object_set (self->rtp_src,
                "caps", caps,
                "is-live", TRUE,
                "format", GST_FORMAT_TIME,
                "do-timestamp", TRUE,
                "max-bytes", (guint64) 8 * 1024 * 1024,
                NULL);
  g_clear_pointer (&caps, gst_caps_unref);

  caps = gst_caps_new_empty_simple ("application/x-srtcp");
  g_object_set (self->rtcp_src,
                "caps", caps,
                "is-live", TRUE,
                "format", GST_FORMAT_TIME,
                "do-timestamp", TRUE,
                NULL);

  g_signal_connect (srtpdec, "request-key", G_CALLBACK (on_request_key), self);

  g_object_set (self->rtpbin,
                "latency", self->latency,
                "do-lost", TRUE,
                NULL);
  gst_util_set_object_arg (G_OBJECT (self->rtpbin), "rtp-profile", "avpf");
  g_signal_connect (self->rtpbin, "request-pt-map", G_CALLBACK (on_request_pt_map), self);
  g_signal_connect (self->rtpbin, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (self->rtpbin, "new-jitterbuffer", G_CALLBACK (on_new_jitterbuffer), self);
  if (td_media_has_element ("rtprtxreceive"))
    {
      g_object_set (self->rtpbin, "do-retransmission", TRUE, NULL);
      g_signal_connect (self->rtpbin, "request-aux-receiver",
                        G_CALLBACK (on_request_aux_receiver), self);
    }

  g_object_set (self->depay, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, NULL);

  if (g_str_equal (self->decoder_name, "avdec_h264"))
    g_object_set (decoder, "max-threads", 1, NULL);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (decoder), "max-errors") != NULL)
    g_object_set (decoder, "max-errors", -1, NULL);

  g_object_set (convert, "n-threads", 2, NULL);
  bgra = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "BGRA", NULL);
  g_object_set (filter, "caps", bgra, NULL);

  g_object_set (sink,
                "sync", FALSE,
                "async", FALSE,
                "max-buffers", 1,
                "drop", TRUE,
                "enable-last-sample", FALSE,
                NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &frame_callbacks, self, NULL);

  key = td_srtp_key_buffer (self->keys, TD_KEYS_VIEWER_TO_HOST);
  g_object_set (srtpenc, "key", key, NULL);
  gst_util_set_object_arg (G_OBJECT (srtpenc), "rtcp-cipher", "aes-128-icm");
  gst_util_set_object_arg (G_OBJECT (srtpenc), "rtcp-auth", "hmac-sha1-80");
  g_object_set (rtcp_sink,
                "sync", FALSE,
                "async", FALSE,
                "enable-last-sample", FALSE,
                NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (rtcp_sink), &rtcp_callbacks, self, NULL);

  if (!link_pads (self->rtp_src, "src", srtpdec, "rtp_sink", error) ||
      !link_pads (self->rtcp_src, "src", srtpdec, "rtcp_sink", error) ||
      !link_pads (srtpdec, "rtp_src", self->rtpbin, "recv_rtp_sink_0", error) ||
      !link_pads (srtpdec, "rtcp_src", self->rtpbin, "recv_rtcp_sink_0", error) ||
      !link_pads (self->rtpbin, "send_rtcp_src_0", srtpenc, "rtcp_sink_0", error) ||
      !link_pads (srtpenc, "rtcp_src_0", rtcp_sink, "sink", error))
    return FALSE;

  if (!gst_element_link_many (self->depay, parse, decoder, convert, filter, sink, NULL))
    {
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_FAILED,
                   "The decoder “%s” cannot be used to show the shared screen.",
                   self->decoder_name);
      return FALSE;
    }

  pad = gst_element_get_static_pad (self->depay, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, keyframe_probe, self, NULL);

  /* Receiver reports five times a second: each regular report re-allows
   * one early feedback packet (RFC 4585), so NACKs and PLIs go out within
   * the jitter buffer's latency instead of waiting for the next report. */
  {
    g_autoptr(GObject) session = NULL;

    g_signal_emit_by_name (self->rtpbin, "get-internal-session", 0, &session);
    if (session != NULL)
      g_object_set (session,
                    "rtcp-min-interval", (guint64) 200 * GST_MSECOND,
                    "bandwidth", 4000000.0,
                    NULL);
  }

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);

  return TRUE;
}

static void
td_viewer_pipeline_dispose (GObject *object)
{
  TdViewerPipeline *self = TD_VIEWER_PIPELINE (object);

  td_viewer_pipeline_stop (self);
  if (self->bus_watch != 0)
    {
      g_autoptr(GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));

      gst_bus_remove_watch (bus);
      self->bus_watch = 0;
    }
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (td_viewer_pipeline_parent_class)->dispose (object);
}

static void
td_viewer_pipeline_finalize (GObject *object)
{
  TdViewerPipeline *self = TD_VIEWER_PIPELINE (object);

  if (self->send_destroy != NULL)
    self->send_destroy (self->send_data);
  g_clear_pointer (&self->pending, gst_sample_unref);
  g_clear_object (&self->keys);
  g_clear_pointer (&self->decoder_name, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->send_lock);
  g_mutex_clear (&self->frame_lock);

  G_OBJECT_CLASS (td_viewer_pipeline_parent_class)->finalize (object);
}

static void
td_viewer_pipeline_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TdViewerPipeline *self = TD_VIEWER_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_KEYS:
      g_value_set_object (value, self->keys);
      break;

    case PROP_DECODER_NAME:
      g_value_set_string (value, self->decoder_name);
      break;

    case PROP_LATENCY:
      g_value_set_uint (value, self->latency);
      break;

    case PROP_WIDTH:
      g_value_set_int (value, self->width);
      break;

    case PROP_HEIGHT:
      g_value_set_int (value, self->height);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_viewer_pipeline_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TdViewerPipeline *self = TD_VIEWER_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_KEYS:
      self->keys = g_value_dup_object (value);
      break;

    case PROP_DECODER_NAME:
      self->decoder_name = g_value_dup_string (value);
      break;

    case PROP_LATENCY:
      self->latency = g_value_get_uint (value);
      if (self->rtpbin != NULL)
        g_object_set (self->rtpbin, "latency", self->latency, NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_viewer_pipeline_class_init (TdViewerPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_viewer_pipeline_dispose;
  object_class->finalize = td_viewer_pipeline_finalize;
  object_class->get_property = td_viewer_pipeline_get_property;
  object_class->set_property = td_viewer_pipeline_set_property;

  properties[PROP_KEYS] =
    g_param_spec_object ("keys", NULL, NULL, TD_TYPE_KEYS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DECODER_NAME] =
    g_param_spec_string ("decoder-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * TdViewerPipeline:latency:
   *
   * How long the jitter buffer waits for a missing packet, in ms.
   */
  properties[PROP_LATENCY] =
    g_param_spec_uint ("latency", NULL, NULL, 0, 2000, 30,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_WIDTH] =
    g_param_spec_int ("width", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEIGHT] =
    g_param_spec_int ("height", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdViewerPipeline::frame:
   * @self: the pipeline
   * @frame: the newest decoded picture
   *
   * Emitted on the main context for each frame it gets to see.
   */
  signals[FRAME] =
    g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, TD_TYPE_FRAME);

  /**
   * TdViewerPipeline::keyframe-requested:
   * @self: the pipeline
   *
   * A keyframe was asked for (loss, decoder error, start); a PLI went out
   * in RTCP already. The session may also ask over the control channel.
   */
  signals[KEYFRAME_REQUESTED] =
    g_signal_new ("keyframe-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * TdViewerPipeline::error:
   * @self: the pipeline
   * @error: what went wrong
   */
  signals[ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
td_viewer_pipeline_init (TdViewerPipeline *self)
{
  g_mutex_init (&self->send_lock);
  g_mutex_init (&self->frame_lock);
  self->context = g_main_context_ref_thread_default ();
}

/**
 * td_viewer_pipeline_get_decoder_candidates:
 *
 * Returns: (transfer none): the decoders Tandem knows, best first
 */
const char * const *
td_viewer_pipeline_get_decoder_candidates (void)
{
  return decoders;
}

/**
 * td_viewer_pipeline_new:
 * @keys: the session keys; the viewer decrypts with HOST_TO_VIEWER
 * @decoder: (nullable): a decoder element to prefer
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the pipeline, not started
 */
TdViewerPipeline *
td_viewer_pipeline_new (TdKeys      *keys,
                        const char  *decoder,
                        GError     **error)
{
  g_autoptr(TdViewerPipeline) self = NULL;
  const char *chosen;

  g_return_val_if_fail (TD_IS_KEYS (keys), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!td_media_ensure_init (error))
    return NULL;

  if ((chosen = choose_decoder (decoder)) == NULL)
    {
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_MISSING_ELEMENT,
                   "No H.264 decoder is installed. Install gstreamer1.0-libav.");
      return NULL;
    }

  self = g_object_new (TD_TYPE_VIEWER_PIPELINE,
                       "keys", keys,
                       "decoder-name", chosen,
                       NULL);

  if (!build_pipeline (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * td_viewer_pipeline_set_send_func:
 * @self: a #TdViewerPipeline
 * @func: (nullable): sends one SRTCP packet to the host
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Plugs in the carrier for RTCP feedback. @func runs on a streaming thread.
 */
void
td_viewer_pipeline_set_send_func (TdViewerPipeline *self,
                                  TdDatagramFunc    func,
                                  gpointer          user_data,
                                  GDestroyNotify    destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (TD_IS_VIEWER_PIPELINE (self));

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

gboolean
td_viewer_pipeline_start (TdViewerPipeline  *self,
                          GError           **error)
{
  g_return_val_if_fail (TD_IS_VIEWER_PIPELINE (self), FALSE);

  if (self->playing)
    return TRUE;

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_PIPELINE,
                   "The shared screen cannot be shown with the decoder “%s”.",
                   self->decoder_name);
      return FALSE;
    }

  self->playing = TRUE;
  return TRUE;
}

/**
 * td_viewer_pipeline_stop:
 * @self: a #TdViewerPipeline
 *
 * Stops; no ::frame is emitted and the send function is not called after
 * this returns.
 */
void
td_viewer_pipeline_stop (TdViewerPipeline *self)
{
  g_return_if_fail (TD_IS_VIEWER_PIPELINE (self));

  self->playing = FALSE;
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);

  g_mutex_lock (&self->frame_lock);
  g_clear_pointer (&self->pending, gst_sample_unref);
  g_mutex_unlock (&self->frame_lock);
}

/**
 * td_viewer_pipeline_receive:
 * @self: a #TdViewerPipeline
 * @data: a packet from the host (SRTP or SRTCP)
 * @length: its length
 *
 * Feeds what the carrier received. Thread-safe.
 */
void
td_viewer_pipeline_receive (TdViewerPipeline *self,
                            const guint8     *data,
                            gsize             length)
{
  GstElement *src;

  g_return_if_fail (TD_IS_VIEWER_PIPELINE (self));

  if (length < 12)
    return;

  counter_add (&self->bytes_received, length);
  counter_add (&self->packets_received, 1);

  src = td_srtp_is_rtcp (data, length) ? self->rtcp_src : self->rtp_src;
  gst_app_src_push_buffer (GST_APP_SRC (src), gst_buffer_new_memdup (data, length));
}

/**
 * td_viewer_pipeline_request_keyframe:
 * @self: a #TdViewerPipeline
 *
 * Asks the host for a keyframe with a PLI, at most every 300 ms.
 * Thread-safe.
 */
void
td_viewer_pipeline_request_keyframe (TdViewerPipeline *self)
{
  g_autoptr(GstPad) pad = NULL;
  gint64 now = g_get_monotonic_time ();
  gint64 last;

  g_return_if_fail (TD_IS_VIEWER_PIPELINE (self));

  last = __atomic_load_n (&self->last_keyframe_request, __ATOMIC_RELAXED);
  if (last != 0 && now - last < KEYFRAME_MIN_US)
    return;
  __atomic_store_n (&self->last_keyframe_request, now, __ATOMIC_RELAXED);

  pad = gst_element_get_static_pad (self->depay, "sink");
  gst_pad_push_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                        TRUE, 0));
}

const char *
td_viewer_pipeline_get_decoder_name (TdViewerPipeline *self)
{
  g_return_val_if_fail (TD_IS_VIEWER_PIPELINE (self), NULL);

  return self->decoder_name;
}

int
td_viewer_pipeline_get_width (TdViewerPipeline *self)
{
  g_return_val_if_fail (TD_IS_VIEWER_PIPELINE (self), 0);

  return self->width;
}

int
td_viewer_pipeline_get_height (TdViewerPipeline *self)
{
  g_return_val_if_fail (TD_IS_VIEWER_PIPELINE (self), 0);

  return self->height;
}

/**
 * td_viewer_pipeline_get_pipeline:
 * @self: a #TdViewerPipeline
 *
 * Returns: (transfer none): the GStreamer pipeline, for tests and benchmarks
 */
GstElement *
td_viewer_pipeline_get_pipeline (TdViewerPipeline *self)
{
  g_return_val_if_fail (TD_IS_VIEWER_PIPELINE (self), NULL);

  return self->pipeline;
}

/* The jitter buffer's count of packets it gave up on. */
static guint64
packets_lost (TdViewerPipeline *self)
{
  g_autoptr(GObject) session = NULL;
  g_autoptr(GstStructure) stats = NULL;
  const GValue *sources;
  guint64 lost = 0;

  if (self->rtpbin == NULL)
    return 0;

  g_signal_emit_by_name (self->rtpbin, "get-internal-session", 0, &session);
  if (session == NULL)
    return 0;

  g_object_get (session, "stats", &stats, NULL);
  sources = stats != NULL ? gst_structure_get_value (stats, "source-stats") : NULL;
  if (sources == NULL)
    return 0;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    GValueArray *array = g_value_get_boxed (sources);

    for (guint i = 0; array != NULL && i < array->n_values; i++)
      {
        const GstStructure *s = g_value_get_boxed (&array->values[i]);
        gboolean internal = TRUE;
        int n = 0;

        gst_structure_get_boolean (s, "internal", &internal);
        if (!internal && gst_structure_get_int (s, "packets-lost", &n) && n > 0)
          lost += n;
      }
  }
  G_GNUC_END_IGNORE_DEPRECATIONS

  return lost;
}

/**
 * td_viewer_pipeline_get_stats:
 * @self: a #TdViewerPipeline
 * @stats: (out caller-allocates): where to store the counters
 */
void
td_viewer_pipeline_get_stats (TdViewerPipeline *self,
                              TdViewerStats    *stats)
{
  g_return_if_fail (TD_IS_VIEWER_PIPELINE (self));
  g_return_if_fail (stats != NULL);

  stats->bytes_received = counter_get (&self->bytes_received);
  stats->packets_received = counter_get (&self->packets_received);
  stats->frames_decoded = counter_get (&self->frames_decoded);
  stats->frames_delivered = counter_get (&self->frames_delivered);
  stats->packets_lost = packets_lost (self);
  stats->keyframes_requested = counter_get (&self->keyframes_requested);
}
