/* td-permissions.h: what a helper may do on the host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * TdPermissions:
 * @TD_PERMISSION_NONE: nothing
 * @TD_PERMISSION_VIEW: see the screen
 * @TD_PERMISSION_CONTROL: move the mouse and type
 * @TD_PERMISSION_CLIPBOARD: exchange clipboard contents
 * @TD_PERMISSION_FILES: send and receive files
 * @TD_PERMISSION_AUDIO: talk (voice both ways)
 * @TD_PERMISSION_TERMINAL: open a terminal on the host
 * @TD_PERMISSION_SYSINFO: read the host's system information
 * @TD_PERMISSION_RESTART: restart the host and reconnect
 *
 * Flags chosen in the consent dialog, changeable by the host at any time,
 * and enforced on the host.
 */
typedef enum /*< flags >*/
{
  TD_PERMISSION_NONE      = 0,
  TD_PERMISSION_VIEW      = 1 << 0,
  TD_PERMISSION_CONTROL   = 1 << 1,
  TD_PERMISSION_CLIPBOARD = 1 << 2,
  TD_PERMISSION_FILES     = 1 << 3,
  TD_PERMISSION_AUDIO     = 1 << 4,
  TD_PERMISSION_TERMINAL  = 1 << 5,
  TD_PERMISSION_SYSINFO   = 1 << 6,
  TD_PERMISSION_RESTART   = 1 << 7,
} TdPermissions;

#define TD_PERMISSIONS_ALL     ((TdPermissions) 0xff)
#define TD_PERMISSIONS_DEFAULT (TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL | TD_PERMISSION_AUDIO)

#define TD_TYPE_PERMISSIONS (td_permissions_get_type ())

GType          td_permissions_get_type     (void) G_GNUC_CONST;
TdPermissions  td_permissions_sanitize     (guint64        wire_value);
const char    *td_permission_get_label     (TdPermissions  permission);
char          *td_permissions_describe     (TdPermissions  permissions);

G_END_DECLS
