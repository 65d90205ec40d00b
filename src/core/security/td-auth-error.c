/* td-auth-error.c: errors of password authentication
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "td-auth"

#include "td-auth-error.h"

G_DEFINE_QUARK (td-auth-error-quark, td_auth_error)

/**
 * td_auth_error_set_throttled:
 * @error: return location for a #GError
 * @retry_after_ms: how long the partner must wait, from td_throttler_check()
 *
 * Sets %TD_AUTH_ERROR_THROTTLED with a message that says how long to wait,
 * rounded up to whole seconds, minutes or hours.
 */
void
td_auth_error_set_throttled (GError **error,
                             gint64   retry_after_ms)
{
  gint64 seconds = (MAX (retry_after_ms, 1) + 999) / 1000;
  gint64 amount;
  const char *unit;

  if (seconds < 120)
    {
      amount = seconds;
      unit = seconds == 1 ? "second" : "seconds";
    }
  else if (seconds < 120 * 60)
    {
      amount = (seconds + 59) / 60;
      unit = "minutes";
    }
  else
    {
      amount = (seconds + 3599) / 3600;
      unit = "hours";
    }

  g_set_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_THROTTLED,
               "Too many wrong passwords were tried. Try again in %" G_GINT64_FORMAT " %s.",
               amount, unit);
}
