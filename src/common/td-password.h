/* td-password.h: one-time passwords people can read out loud
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TD_PASSWORD_LENGTH   8
#define TD_PASSWORD_ALPHABET "23456789abcdefghijkmnpqrstuvwxyz"

char     *td_password_new_one_time       (void);
char     *td_password_format             (const char *password);
char     *td_password_normalize          (const char *typed);
gboolean  td_password_is_one_time_format (const char *password);
gboolean  td_password_is_acceptable      (const char *typed);

G_END_DECLS
