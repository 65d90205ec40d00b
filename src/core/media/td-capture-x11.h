/* td-capture-x11.h: an X11 screen as the shared screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-capture.h"

G_BEGIN_DECLS

#define TD_TYPE_CAPTURE_X11 (td_capture_x11_get_type ())

G_DECLARE_FINAL_TYPE (TdCaptureX11, td_capture_x11, TD, CAPTURE_X11, GObject)

TdCaptureX11 *td_capture_x11_new               (const char    *display_name,
                                                int            monitor,
                                                GError       **error);
const char   *td_capture_x11_get_display_name  (TdCaptureX11  *self);
int           td_capture_x11_get_monitor       (TdCaptureX11  *self);
GArray       *td_capture_x11_list_monitors     (const char    *display_name,
                                                GError       **error);

G_END_DECLS
