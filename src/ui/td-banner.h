/* td-banner.h: the host's window for the whole of a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "td-permissions.h"

G_BEGIN_DECLS

#define TD_BANNER_NOTIFICATION_ID "tandem-session"

#define TD_TYPE_BANNER (td_banner_get_type ())

G_DECLARE_FINAL_TYPE (TdBanner, td_banner, TD, BANNER, AdwWindow)

TdBanner      *td_banner_new                      (GtkApplication *application,
                                                   const char     *partner_name,
                                                   guint           partner_id,
                                                   TdPermissions   permissions);
const char    *td_banner_get_partner_name         (TdBanner       *self);
void           td_banner_set_partner_name         (TdBanner       *self,
                                                   const char     *partner_name);
guint          td_banner_get_partner_id           (TdBanner       *self);
void           td_banner_set_partner_id           (TdBanner       *self,
                                                   guint           partner_id);
TdPermissions  td_banner_get_permissions          (TdBanner       *self);
void           td_banner_set_permissions          (TdBanner       *self,
                                                   TdPermissions   permissions);
gboolean       td_banner_get_input_paused         (TdBanner       *self);
void           td_banner_set_input_paused         (TdBanner       *self,
                                                   gboolean        input_paused);
gboolean       td_banner_get_recording            (TdBanner       *self);
void           td_banner_set_recording            (TdBanner       *self,
                                                   gboolean        recording);
void           td_banner_show_permission_request  (TdBanner       *self,
                                                   TdPermissions   asked);
TdPermissions  td_banner_get_pending_request      (TdBanner       *self);

G_END_DECLS
