/* td-session-view.h: the helper's view of a partner's screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "td-permissions.h"
#include "td-session.h"

G_BEGIN_DECLS

#define TD_TYPE_SESSION_VIEW (td_session_view_get_type ())

G_DECLARE_FINAL_TYPE (TdSessionView, td_session_view, TD, SESSION_VIEW, GtkWidget)

GtkWidget     *td_session_view_new             (void);
TdSession     *td_session_view_get_session     (TdSessionView *self);
void           td_session_view_set_session     (TdSessionView *self,
                                                TdSession     *session);
GdkPaintable  *td_session_view_get_paintable   (TdSessionView *self);
void           td_session_view_set_paintable   (TdSessionView *self,
                                                GdkPaintable  *paintable);
TdPermissions  td_session_view_get_permissions (TdSessionView *self);
void           td_session_view_set_permissions (TdSessionView *self,
                                                TdPermissions  permissions);
gboolean       td_session_view_get_has_screen  (TdSessionView *self);

G_END_DECLS
