/* td-media-error.h: errors of screen capture, encoding and streaming
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define TD_MEDIA_ERROR (td_media_error_quark ())

/**
 * TdMediaError:
 * @TD_MEDIA_ERROR_FAILED: something else went wrong
 * @TD_MEDIA_ERROR_MISSING_ELEMENT: a GStreamer element is not installed;
 *   the message names the element and the package that provides it
 * @TD_MEDIA_ERROR_NO_DISPLAY: the display to capture or control cannot be
 *   opened
 * @TD_MEDIA_ERROR_UNSUPPORTED: this backend cannot work here (no X server
 *   extension, no portal)
 * @TD_MEDIA_ERROR_PIPELINE: the running pipeline stopped with an error
 */
typedef enum
{
  TD_MEDIA_ERROR_FAILED,
  TD_MEDIA_ERROR_MISSING_ELEMENT,
  TD_MEDIA_ERROR_NO_DISPLAY,
  TD_MEDIA_ERROR_UNSUPPORTED,
  TD_MEDIA_ERROR_PIPELINE,
} TdMediaError;

GQuark      td_media_error_quark    (void);
gboolean    td_media_ensure_init    (GError      **error);
gboolean    td_media_has_element    (const char   *factory);
gboolean    td_media_check_element  (const char   *factory,
                                     GError      **error);
GstElement *td_media_make_element   (const char   *factory,
                                     const char   *name,
                                     GError      **error);

G_END_DECLS
