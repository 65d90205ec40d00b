/* td-capture-test.c: a test pattern as the shared screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videotestsrc's SMPTE 100 %% bars (the plain SMPTE pattern has a noise patch), scrolling sideways when "moving" is set. A
 * still pattern repeats the same frame, which the host pipeline drops.
 */
#define G_LOG_DOMAIN "td-media"

#include "td-capture-test.h"
#include "td-media-error.h"

struct _TdCaptureTest
{
  GObject  parent_instance;

  int      width;
  int      height;
  gboolean moving;
};

enum {
  PROP_0,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_MOVING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void capture_iface_init (TdCaptureInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdCaptureTest, td_capture_test, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TD_TYPE_CAPTURE, capture_iface_init))

static TdCaptureKind
td_capture_test_get_kind (TdCapture *capture)
{
  return TD_CAPTURE_KIND_TEST;
}

static GstElement *
td_capture_test_create_source (TdCapture  *capture,
                               GError    **error)
{
  TdCaptureTest *self = TD_CAPTURE_TEST (capture);
  g_autoptr(GstCaps) caps = NULL;
  GstElement *bin;
  g_autoptr(GstPad) pad = NULL;
  GstElement *src;
  GstElement *filter;

  if ((src = td_media_make_element ("videotestsrc", "test-src", error)) == NULL)
    return NULL;

  bin = gst_bin_new ("capture-test");
  filter = gst_element_factory_make ("capsfilter", NULL);
  gst_bin_add_many (GST_BIN (bin), src, filter, NULL);

  g_object_set (src, "is-live", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (src), "pattern", "smpte100");
  if (self->moving)
    g_object_set (src, "horizontal-speed", 4, NULL);

  caps = gst_caps_new_simple ("video/x-raw",
                              "width", G_TYPE_INT, self->width,
                              "height", G_TYPE_INT, self->height,
                              NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_element_link (src, filter);

  pad = gst_element_get_static_pad (filter, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));

  return bin;
}

static GArray *
td_capture_test_get_monitors (TdCapture *capture)
{
  TdCaptureTest *self = TD_CAPTURE_TEST (capture);
  GArray *monitors = g_array_new (FALSE, TRUE, sizeof (TdCaptureMonitor));
  TdCaptureMonitor monitor = { 0, 0, self->width, self->height, TRUE };

  g_array_append_val (monitors, monitor);
  return monitors;
}

static void
capture_iface_init (TdCaptureInterface *iface)
{
  iface->get_kind = td_capture_test_get_kind;
  iface->create_source = td_capture_test_create_source;
  iface->get_monitors = td_capture_test_get_monitors;
}

static void
td_capture_test_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TdCaptureTest *self = TD_CAPTURE_TEST (object);

  switch (prop_id)
    {
    case PROP_WIDTH:
      g_value_set_int (value, self->width);
      break;

    case PROP_HEIGHT:
      g_value_set_int (value, self->height);
      break;

    case PROP_MOVING:
      g_value_set_boolean (value, self->moving);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_capture_test_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TdCaptureTest *self = TD_CAPTURE_TEST (object);

  switch (prop_id)
    {
    case PROP_WIDTH:
      self->width = g_value_get_int (value);
      break;

    case PROP_HEIGHT:
      self->height = g_value_get_int (value);
      break;

    case PROP_MOVING:
      self->moving = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_capture_test_class_init (TdCaptureTestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = td_capture_test_get_property;
  object_class->set_property = td_capture_test_set_property;

  properties[PROP_WIDTH] =
    g_param_spec_int ("width", NULL, NULL, 16, 8192, 1280,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEIGHT] =
    g_param_spec_int ("height", NULL, NULL, 16, 8192, 720,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MOVING] =
    g_param_spec_boolean ("moving", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
td_capture_test_init (TdCaptureTest *self)
{
}

/**
 * td_capture_test_new:
 * @width: picture width
 * @height: picture height
 * @moving: whether the pattern scrolls
 *
 * Returns: (transfer full): a test pattern backend
 */
TdCaptureTest *
td_capture_test_new (int      width,
                     int      height,
                     gboolean moving)
{
  return g_object_new (TD_TYPE_CAPTURE_TEST,
                       "width", width,
                       "height", height,
                       "moving", moving,
                       NULL);
}

int
td_capture_test_get_width (TdCaptureTest *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE_TEST (self), 0);

  return self->width;
}

int
td_capture_test_get_height (TdCaptureTest *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE_TEST (self), 0);

  return self->height;
}

gboolean
td_capture_test_get_moving (TdCaptureTest *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE_TEST (self), FALSE);

  return self->moving;
}
