/* test-permissions.c: permission flags
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "td-permissions.h"

static void
test_sanitize (void)
{
  g_assert_cmpuint (td_permissions_sanitize (0), ==, TD_PERMISSION_NONE);
  g_assert_cmpuint (td_permissions_sanitize (G_MAXUINT64), ==, TD_PERMISSIONS_ALL);
  g_assert_cmpuint (td_permissions_sanitize (TD_PERMISSION_CONTROL), ==, TD_PERMISSION_NONE);
  g_assert_cmpuint (td_permissions_sanitize (TD_PERMISSION_CONTROL | TD_PERMISSION_VIEW), ==,
                    TD_PERMISSION_CONTROL | TD_PERMISSION_VIEW);
  g_assert_cmpuint (td_permissions_sanitize (1u << 20 | TD_PERMISSION_FILES), ==, TD_PERMISSION_FILES);
}

static void
test_describe (void)
{
  g_autofree char *none = td_permissions_describe (TD_PERMISSION_NONE);
  g_autofree char *two = td_permissions_describe (TD_PERMISSION_VIEW | TD_PERMISSION_AUDIO);
  g_autofree char *flags = g_flags_to_string (TD_TYPE_PERMISSIONS, TD_PERMISSION_VIEW | TD_PERMISSION_FILES);

  g_assert_cmpstr (none, ==, "Nothing");
  g_assert_cmpstr (two, ==, "See your screen, Talk with you");
  g_assert_cmpstr (flags, ==, "TD_PERMISSION_VIEW | TD_PERMISSION_FILES");

  for (guint bit = 1; bit <= TD_PERMISSION_RESTART; bit <<= 1)
    g_assert_cmpstr (td_permission_get_label ((TdPermissions) bit), !=, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/permissions/sanitize", test_sanitize);
  g_test_add_func ("/permissions/describe", test_describe);

  return g_test_run ();
}
