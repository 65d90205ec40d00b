/* td-capture-portal.h: the ScreenCast portal as the shared screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libportal/portal.h>

#include "td-capture.h"

G_BEGIN_DECLS

#define TD_TYPE_CAPTURE_PORTAL (td_capture_portal_get_type ())

G_DECLARE_FINAL_TYPE (TdCapturePortal, td_capture_portal, TD, CAPTURE_PORTAL, GObject)

void             td_capture_portal_new_async          (gboolean              remote_desktop,
                                                       const char           *restore_token,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
TdCapturePortal *td_capture_portal_new_finish         (GAsyncResult         *result,
                                                       GError              **error);
XdpSession      *td_capture_portal_get_session        (TdCapturePortal      *self);
guint            td_capture_portal_get_node_id        (TdCapturePortal      *self);
char            *td_capture_portal_get_restore_token  (TdCapturePortal      *self);

G_END_DECLS
