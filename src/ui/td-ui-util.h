/* td-ui-util.h: small helpers shared by the session windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "td-permissions.h"

G_BEGIN_DECLS

/* The permissions every session window lists, in the order they are shown. */
#define TD_PERMISSIONS_SHOWN (TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL | \
                              TD_PERMISSION_CLIPBOARD | TD_PERMISSION_FILES | \
                              TD_PERMISSION_AUDIO)

const char *td_permission_get_icon_name (TdPermissions  permission);
char       *td_ui_format_partner_id     (guint          partner_id);
void        td_window_keep_above        (GtkWindow     *window);

G_END_DECLS
