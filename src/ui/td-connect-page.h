/* td-connect-page.h: "Help someone", where the helper types a partner's ID and password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "td-session.h"

G_BEGIN_DECLS

#define TD_TYPE_CONNECT_PAGE (td_connect_page_get_type ())

G_DECLARE_FINAL_TYPE (TdConnectPage, td_connect_page, TD, CONNECT_PAGE, GtkWidget)

GtkWidget *td_connect_page_new             (void);
gboolean   td_connect_page_get_can_connect (TdConnectPage *self);
TdSession *td_connect_page_get_session     (TdConnectPage *self);
void       td_connect_page_set_session     (TdConnectPage *self,
                                            TdSession     *session);

G_END_DECLS
