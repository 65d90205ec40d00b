/* td-window.h: the main window, with "Get help" and "Help someone"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "td-application.h"
#include "td-connect-page.h"
#include "td-host-page.h"
#include "td-session-view.h"

#include "td-app-services.h"

G_BEGIN_DECLS

#define TD_WINDOW_PAGE_GET_HELP     "get-help"
#define TD_WINDOW_PAGE_HELP_SOMEONE "help-someone"

#define TD_TYPE_WINDOW (td_window_get_type ())

G_DECLARE_FINAL_TYPE (TdWindow, td_window, TD, WINDOW, AdwApplicationWindow)

TdWindow      *td_window_new              (TdApplication *application);
TdHostPage    *td_window_get_host_page    (TdWindow      *self);
TdConnectPage *td_window_get_connect_page (TdWindow      *self);
const char    *td_window_get_page         (TdWindow      *self);
void           td_window_set_page         (TdWindow      *self,
                                           const char    *page);
TdSessionView *td_window_get_session_view (TdWindow      *self);
GCancellable  *td_window_get_cancellable  (TdWindow      *self);
TdSession     *td_window_get_session      (TdWindow      *self);
void           td_window_show_session     (TdWindow      *self,
                                           TdSession     *session);
void           td_window_set_services     (TdWindow      *self,
                                           TdAppServices *services);

G_END_DECLS
