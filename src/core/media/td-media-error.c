/* td-media-error.c: errors of screen capture, encoding and streaming
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "td-media"

#include "td-media-error.h"

G_DEFINE_QUARK (td-media-error-quark, td_media_error)

/* Where each element we use comes from on Debian, for the error message. */
static const struct {
  const char *factory;
  const char *package;
} element_packages[] = {
  { "x264enc", "gstreamer1.0-plugins-ugly" },
  { "openh264enc", "gstreamer1.0-plugins-bad" },
  { "openh264dec", "gstreamer1.0-plugins-bad" },
  { "avdec_h264", "gstreamer1.0-libav" },
  { "srtpenc", "gstreamer1.0-plugins-bad" },
  { "srtpdec", "gstreamer1.0-plugins-bad" },
  { "h264parse", "gstreamer1.0-plugins-bad" },
  { "vah264enc", "gstreamer1.0-plugins-bad" },
  { "vaapih264enc", "gstreamer1.0-vaapi" },
  { "nvh264enc", "gstreamer1.0-plugins-bad" },
  { "ximagesrc", "gstreamer1.0-plugins-good" },
  { "pipewiresrc", "gstreamer1.0-pipewire" },
  { "rtpbin", "gstreamer1.0-plugins-good" },
  { "rtph264pay", "gstreamer1.0-plugins-good" },
  { "rtph264depay", "gstreamer1.0-plugins-good" },
  { "rtprtxsend", "gstreamer1.0-plugins-good" },
  { "rtprtxreceive", "gstreamer1.0-plugins-good" },
  { "videotestsrc", "gstreamer1.0-plugins-base" },
  { "videoconvert", "gstreamer1.0-plugins-base" },
  { "appsrc", "gstreamer1.0-plugins-base" },
  { "appsink", "gstreamer1.0-plugins-base" },
};

/**
 * td_media_ensure_init:
 * @error: return location for a #GError
 *
 * Initializes GStreamer once. Safe to call from any thread, many times.
 *
 * Returns: %TRUE if GStreamer can be used
 */
gboolean
td_media_ensure_init (GError **error)
{
  static gsize initialized = 0;
  static gboolean ok = FALSE;
  static GError *init_error = NULL;

  if (g_once_init_enter (&initialized))
    {
      ok = gst_init_check (NULL, NULL, &init_error);
      g_once_init_leave (&initialized, 1);
    }

  if (!ok)
    {
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_FAILED,
                   "GStreamer could not be initialized: %s",
                   init_error != NULL ? init_error->message : "unknown reason");
      return FALSE;
    }

  return TRUE;
}

/**
 * td_media_has_element:
 * @factory: an element factory name
 *
 * Returns: %TRUE if the registry has @factory
 */
gboolean
td_media_has_element (const char *factory)
{
  g_autoptr(GstElementFactory) f = NULL;

  g_return_val_if_fail (factory != NULL, FALSE);

  if (!td_media_ensure_init (NULL))
    return FALSE;

  f = gst_element_factory_find (factory);
  return f != NULL;
}

/**
 * td_media_check_element:
 * @factory: an element factory name
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the registry has @factory, else %FALSE with
 *   %TD_MEDIA_ERROR_MISSING_ELEMENT
 */
gboolean
td_media_check_element (const char  *factory,
                        GError     **error)
{
  GstElement *element;

  if (td_media_has_element (factory))
    return TRUE;

  element = td_media_make_element (factory, NULL, error);
  if (element != NULL)
    {
      gst_object_unref (gst_object_ref_sink (element));
      return TRUE;
    }
  return FALSE;
}

/**
 * td_media_make_element:
 * @factory: an element factory name
 * @name: (nullable): the element's name
 * @error: return location for a #GError
 *
 * Creates an element, or fails with %TD_MEDIA_ERROR_MISSING_ELEMENT and a
 * message naming the package to install.
 *
 * Returns: (transfer floating) (nullable): the element
 */
GstElement *
td_media_make_element (const char  *factory,
                       const char  *name,
                       GError     **error)
{
  GstElement *element;
  const char *package = NULL;

  g_return_val_if_fail (factory != NULL, NULL);

  if (!td_media_ensure_init (error))
    return NULL;

  element = gst_element_factory_make (factory, name);
  if (element != NULL)
    return element;

  for (guint i = 0; i < G_N_ELEMENTS (element_packages); i++)
    if (g_str_equal (element_packages[i].factory, factory))
      package = element_packages[i].package;

  if (package != NULL)
    g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_MISSING_ELEMENT,
                 "The GStreamer element “%s” is missing. Install the package %s.",
                 factory, package);
  else
    g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_MISSING_ELEMENT,
                 "The GStreamer element “%s” is missing. Install the GStreamer plugin that provides it.",
                 factory);
  return NULL;
}
