/* td-permissions.c: what a helper may do on the host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "td-consent"

#include <glib/gi18n.h>

#include "td-permissions.h"

G_DEFINE_FLAGS_TYPE (TdPermissions, td_permissions,
  G_DEFINE_ENUM_VALUE (TD_PERMISSION_NONE, "none"),
  G_DEFINE_ENUM_VALUE (TD_PERMISSION_VIEW, "view"),
  G_DEFINE_ENUM_VALUE (TD_PERMISSION_CONTROL, "control"),
  G_DEFINE_ENUM_VALUE (TD_PERMISSION_CLIPBOARD, "clipboard"),
  G_DEFINE_ENUM_VALUE (TD_PERMISSION_FILES, "files"),
  G_DEFINE_ENUM_VALUE (TD_PERMISSION_AUDIO, "audio"),
  G_DEFINE_ENUM_VALUE (TD_PERMISSION_TERMINAL, "terminal"),
  G_DEFINE_ENUM_VALUE (TD_PERMISSION_SYSINFO, "sysinfo"),
  G_DEFINE_ENUM_VALUE (TD_PERMISSION_RESTART, "restart"))

/**
 * td_permissions_sanitize:
 * @wire_value: permission bits as received from the partner
 *
 * Returns: only the bits Tandem knows; control without view is dropped,
 *   since nobody should act on a screen they cannot see
 */
TdPermissions
td_permissions_sanitize (guint64 wire_value)
{
  TdPermissions p = (TdPermissions) (wire_value & TD_PERMISSIONS_ALL);

  if (!(p & TD_PERMISSION_VIEW))
    p &= ~TD_PERMISSION_CONTROL;

  return p;
}

/**
 * td_permission_get_label:
 * @permission: a single permission
 *
 * Returns: (transfer none): its name in words for the person helped
 */
const char *
td_permission_get_label (TdPermissions permission)
{
  switch ((guint) permission)
    {
    case TD_PERMISSION_VIEW:
      return _("See your screen");
    case TD_PERMISSION_CONTROL:
      return _("Use your mouse and keyboard");
    case TD_PERMISSION_CLIPBOARD:
      return _("Share the clipboard");
    case TD_PERMISSION_FILES:
      return _("Send and receive files");
    case TD_PERMISSION_AUDIO:
      return _("Talk with you");
    case TD_PERMISSION_TERMINAL:
      return _("Open a terminal");
    case TD_PERMISSION_SYSINFO:
      return _("Read system information");
    case TD_PERMISSION_RESTART:
      return _("Restart this computer");
    default:
      return "";
    }
}

/**
 * td_permissions_describe:
 * @permissions: a set of permissions
 *
 * Returns: (transfer full): the permissions as a comma-separated list of
 *   labels, or "Nothing" for none
 */
char *
td_permissions_describe (TdPermissions permissions)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint bit = 1; bit <= TD_PERMISSION_RESTART; bit <<= 1)
    {
      if (!(permissions & bit))
        continue;
      if (out->len > 0)
        g_string_append (out, _(", "));
      g_string_append (out, td_permission_get_label ((TdPermissions) bit));
    }

  if (out->len == 0)
    g_string_append (out, _("Nothing"));

  return g_string_free (g_steal_pointer (&out), FALSE);
}
