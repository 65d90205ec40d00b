/* td-encoder.c: the H.264 encoder, chosen from what is installed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Candidates in order: the VA-API encoders (vah264enc, then the older
 * vaapih264enc), NVENC (nvh264enc), x264enc, openh264enc. Each is wrapped in
 * a bin "sink" -> [I420 caps] -> encoder -> [H.264 caps] -> "src" that
 * produces byte-stream access units:
 *
 * - x264enc: tune=zerolatency speed-preset=ultrafast, I420 in and
 *   constrained-baseline out (else it picks High 4:4:4 for BGRx input,
 *   which few decoders take), bitrate in kbit/s. Periodic intra refresh
 *   (no keyframe bursts) is the "intra-refresh" property, off by default:
 *   with it x264enc answers a forced keyframe with a refresh wave instead of
 *   an IDR frame, and a viewer that lost its reference (rtph264depay
 *   wait-for-keyframe) would wait for an IDR that never comes;
 * - openh264enc: an explicit bitrate in bit/s (it has none otherwise),
 *   screen-content mode, low complexity;
 * - hardware encoders: constant bitrate, low-latency settings where the
 *   element has them.
 *
 * Bitrate can change while playing. A keyframe is requested with an
 * upstream force-key-unit event, the same one rtpbin sends on a PLI.
 */
#define G_LOG_DOMAIN "td-media"

#include <gst/video/video.h>

#include "td-encoder.h"
#include "td-media-error.h"

typedef enum
{
  KIND_VA,
  KIND_VAAPI,
  KIND_NVENC,
  KIND_X264,
  KIND_OPENH264,
} EncoderKind;

static const struct {
  const char  *name;
  EncoderKind  kind;
  gboolean     hardware;
} candidates[] = {
  { "vah264enc", KIND_VA, TRUE },
  { "vaapih264enc", KIND_VAAPI, TRUE },
  { "nvh264enc", KIND_NVENC, TRUE },
  { "x264enc", KIND_X264, FALSE },
  { "openh264enc", KIND_OPENH264, FALSE },
};

struct _TdEncoder
{
  GObject      parent_instance;

  char        *element_name;
  EncoderKind  kind;
  gboolean     hardware;
  guint        bitrate;
  guint        keyframe_interval;
  gboolean     intra_refresh;

  GstElement  *bin;
  GstElement  *encoder;
};

enum {
  PROP_0,
  PROP_ELEMENT_NAME,
  PROP_BITRATE,
  PROP_KEYFRAME_INTERVAL,
  PROP_INTRA_REFRESH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (TdEncoder, td_encoder, G_TYPE_OBJECT)

static void
set_arg (GstElement *element,
         const char *property,
         const char *value)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (element), property) != NULL)
    gst_util_set_object_arg (G_OBJECT (element), property, value);
}

static void
apply_bitrate (TdEncoder *self)
{
  if (self->encoder == NULL)
    return;

  if (self->kind == KIND_OPENH264)
    g_object_set (self->encoder, "bitrate", self->bitrate * 1000, NULL);
  else
    g_object_set (self->encoder, "bitrate", self->bitrate, NULL);
}

static void
configure (TdEncoder *self)
{
  g_autofree char *interval = g_strdup_printf ("%u", self->keyframe_interval);
  GstElement *e = self->encoder;

  g_assert (TD_IS_ENCODER (self));

  switch (self->kind)
    {
    case KIND_X264:
      set_arg (e, "tune", "zerolatency");
      set_arg (e, "speed-preset", "ultrafast");
      set_arg (e, "intra-refresh", self->intra_refresh ? "true" : "false");
      set_arg (e, "key-int-max", interval);
      set_arg (e, "bframes", "0");
      set_arg (e, "byte-stream", "true");
      set_arg (e, "vbv-buf-capacity", "300");
      break;

    case KIND_OPENH264:
      set_arg (e, "usage-type", "screen");
      set_arg (e, "complexity", "low");
      set_arg (e, "rate-control", "bitrate");
      set_arg (e, "gop-size", interval);
      set_arg (e, "multi-thread", "2");
      break;

    case KIND_VA:
      set_arg (e, "rate-control", "cbr");
      set_arg (e, "key-int-max", interval);
      set_arg (e, "b-frames", "0");
      set_arg (e, "target-usage", "7");
      break;

    case KIND_VAAPI:
      set_arg (e, "rate-control", "cbr");
      set_arg (e, "keyframe-period", interval);
      set_arg (e, "max-bframes", "0");
      set_arg (e, "tune", "low-power");
      break;

    case KIND_NVENC:
      set_arg (e, "rc-mode", "cbr");
      set_arg (e, "gop-size", interval);
      set_arg (e, "bframes", "0");
      set_arg (e, "preset", "low-latency-hp");
      set_arg (e, "zerolatency", "true");
      break;

    default:
      break;
    }

  apply_bitrate (self);
}

static gboolean
build_bin (TdEncoder  *self,
           GError    **error)
{
  g_autoptr(GstCaps) out_caps = NULL;
  g_autoptr(GstPad) sink = NULL;
  g_autoptr(GstPad) src = NULL;
  GstElement *in_filter;
  GstElement *out_filter;
  GstElement *encoder;

  g_assert (TD_IS_ENCODER (self));

  if ((encoder = td_media_make_element (self->element_name, "encoder", error)) == NULL)
    return FALSE;

  self->bin = gst_object_ref_sink (gst_bin_new ("encoder-bin"));
  self->encoder = encoder;
  in_filter = gst_element_factory_make ("capsfilter", "encoder-in");
  out_filter = gst_element_factory_make ("capsfilter", "encoder-out");
  gst_bin_add_many (GST_BIN (self->bin), in_filter, encoder, out_filter, NULL);

  if (!self->hardware)
    {
      g_autoptr(GstCaps) in_caps = gst_caps_from_string ("video/x-raw,format=I420");

      g_object_set (in_filter, "caps", in_caps, NULL);
      out_caps = gst_caps_from_string ("video/x-h264,profile=constrained-baseline,"
                                       "stream-format=byte-stream,alignment=au");
    }
  else
    {
      out_caps = gst_caps_from_string ("video/x-h264,stream-format=byte-stream,alignment=au");
    }
  g_object_set (out_filter, "caps", out_caps, NULL);

  if (!gst_element_link_many (in_filter, encoder, out_filter, NULL))
    {
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_FAILED,
                   "The encoder “%s” does not take raw video or make H.264 byte-stream.",
                   self->element_name);
      return FALSE;
    }

  sink = gst_element_get_static_pad (in_filter, "sink");
  src = gst_element_get_static_pad (out_filter, "src");
  gst_element_add_pad (self->bin, gst_ghost_pad_new ("sink", sink));
  gst_element_add_pad (self->bin, gst_ghost_pad_new ("src", src));

  configure (self);
  return TRUE;
}

static void
td_encoder_finalize (GObject *object)
{
  TdEncoder *self = TD_ENCODER (object);

  g_clear_object (&self->bin);
  g_clear_pointer (&self->element_name, g_free);

  G_OBJECT_CLASS (td_encoder_parent_class)->finalize (object);
}

static void
td_encoder_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TdEncoder *self = TD_ENCODER (object);

  switch (prop_id)
    {
    case PROP_ELEMENT_NAME:
      g_value_set_string (value, self->element_name);
      break;

    case PROP_BITRATE:
      g_value_set_uint (value, self->bitrate);
      break;

    case PROP_KEYFRAME_INTERVAL:
      g_value_set_uint (value, self->keyframe_interval);
      break;

    case PROP_INTRA_REFRESH:
      g_value_set_boolean (value, self->intra_refresh);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_encoder_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TdEncoder *self = TD_ENCODER (object);

  switch (prop_id)
    {
    case PROP_ELEMENT_NAME:
      self->element_name = g_value_dup_string (value);
      break;

    case PROP_BITRATE:
      td_encoder_set_bitrate (self, g_value_get_uint (value));
      break;

    case PROP_KEYFRAME_INTERVAL:
      self->keyframe_interval = g_value_get_uint (value);
      break;

    case PROP_INTRA_REFRESH:
      self->intra_refresh = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_encoder_class_init (TdEncoderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = td_encoder_finalize;
  object_class->get_property = td_encoder_get_property;
  object_class->set_property = td_encoder_set_property;

  properties[PROP_ELEMENT_NAME] =
    g_param_spec_string ("element-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * TdEncoder:bitrate:
   *
   * The target bitrate in kbit/s; may change while encoding.
   */
  properties[PROP_BITRATE] =
    g_param_spec_uint ("bitrate", NULL, NULL, 50, 100000, 4000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TdEncoder:keyframe-interval:
   *
   * Frames between keyframes (or intra-refresh cycles for x264enc).
   */
  properties[PROP_KEYFRAME_INTERVAL] =
    g_param_spec_uint ("keyframe-interval", NULL, NULL, 1, 100000, 600,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * TdEncoder:intra-refresh:
   *
   * x264enc only: spread intra coding over keyframe-interval frames instead
   * of sending IDR frames. Keyframe requests then start a refresh wave.
   */
  properties[PROP_INTRA_REFRESH] =
    g_param_spec_boolean ("intra-refresh", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
td_encoder_init (TdEncoder *self)
{
}

/**
 * td_encoder_get_candidates:
 *
 * Returns: (transfer none): the encoder elements Tandem knows, best first
 */
const char * const *
td_encoder_get_candidates (void)
{
  static const char *names[G_N_ELEMENTS (candidates) + 1];

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    names[i] = candidates[i].name;
  return names;
}

/**
 * td_encoder_list_available:
 *
 * Returns: (transfer full): the candidates this system has, best first
 */
GStrv
td_encoder_list_available (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (td_media_has_element (candidates[i].name))
      g_strv_builder_add (builder, candidates[i].name);

  return g_strv_builder_end (builder);
}

/**
 * td_encoder_new:
 * @element_name: one of td_encoder_get_candidates()
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the encoder, or %NULL if the element
 *   is unknown to Tandem or not installed
 */
TdEncoder *
td_encoder_new (const char  *element_name,
                GError     **error)
{
  g_autoptr(TdEncoder) self = NULL;
  int found = -1;

  g_return_val_if_fail (element_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_str_equal (candidates[i].name, element_name))
      found = i;

  if (found < 0)
    {
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_UNSUPPORTED,
                   "“%s” is not an H.264 encoder Tandem knows how to use.",
                   element_name);
      return NULL;
    }

  self = g_object_new (TD_TYPE_ENCODER, "element-name", element_name, NULL);
  self->kind = candidates[found].kind;
  self->hardware = candidates[found].hardware;

  if (!build_bin (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * td_encoder_new_auto:
 * @preference: (nullable): an encoder to try first
 * @error: return location for a #GError
 *
 * Tries @preference, then each candidate in order; each failure is logged.
 *
 * Returns: (transfer full) (nullable): the encoder, %NULL when no H.264
 *   encoder is installed
 */
TdEncoder *
td_encoder_new_auto (const char  *preference,
                     GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (preference != NULL && *preference != '\0' && !g_str_equal (preference, "auto"))
    {
      g_autoptr(GError) local_error = NULL;
      TdEncoder *encoder = td_encoder_new (preference, &local_error);

      if (encoder != NULL)
        return encoder;
      g_info ("Encoder “%s” unavailable, choosing another: %s",
              preference, local_error->message);
    }

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autoptr(GError) local_error = NULL;
      TdEncoder *encoder;

      if (!td_media_has_element (candidates[i].name))
        continue;

      encoder = td_encoder_new (candidates[i].name, &local_error);
      if (encoder != NULL)
        return encoder;
      g_info ("Encoder “%s” unusable: %s", candidates[i].name, local_error->message);
    }

  g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_MISSING_ELEMENT,
               "No H.264 encoder is installed. Install gstreamer1.0-plugins-ugly (x264) "
               "or gstreamer1.0-plugins-bad (OpenH264).");
  return NULL;
}

const char *
td_encoder_get_element_name (TdEncoder *self)
{
  g_return_val_if_fail (TD_IS_ENCODER (self), NULL);

  return self->element_name;
}

gboolean
td_encoder_is_hardware (TdEncoder *self)
{
  g_return_val_if_fail (TD_IS_ENCODER (self), FALSE);

  return self->hardware;
}

/**
 * td_encoder_get_bin:
 * @self: a #TdEncoder
 *
 * Returns: (transfer none): the bin with a "sink" pad for raw video and a
 *   "src" pad of H.264 byte-stream access units; it goes into one pipeline
 */
GstElement *
td_encoder_get_bin (TdEncoder *self)
{
  g_return_val_if_fail (TD_IS_ENCODER (self), NULL);

  return self->bin;
}

guint
td_encoder_get_bitrate (TdEncoder *self)
{
  g_return_val_if_fail (TD_IS_ENCODER (self), 0);

  return self->bitrate;
}

/**
 * td_encoder_set_bitrate:
 * @self: a #TdEncoder
 * @kbps: the target bitrate in kbit/s
 *
 * Takes effect while encoding.
 */
void
td_encoder_set_bitrate (TdEncoder *self,
                        guint      kbps)
{
  g_return_if_fail (TD_IS_ENCODER (self));

  kbps = CLAMP (kbps, 50, 100000);
  if (self->bitrate == kbps)
    return;

  self->bitrate = kbps;
  apply_bitrate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BITRATE]);
}

guint
td_encoder_get_keyframe_interval (TdEncoder *self)
{
  g_return_val_if_fail (TD_IS_ENCODER (self), 0);

  return self->keyframe_interval;
}

/**
 * td_encoder_request_keyframe:
 * @self: a #TdEncoder
 *
 * Makes the next encoded frame a keyframe with SPS and PPS. Thread-safe.
 */
void
td_encoder_request_keyframe (TdEncoder *self)
{
  g_autoptr(GstPad) src = NULL;

  g_return_if_fail (TD_IS_ENCODER (self));

  src = gst_element_get_static_pad (self->encoder, "src");
  gst_pad_send_event (src, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                         TRUE, 0));
}
