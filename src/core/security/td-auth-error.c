/* td-auth-error.c: errors of password authentication
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "td-auth"

#include "td-auth-error.h"

G_DEFINE_QUARK (td-auth-error-quark, td_auth_error)
