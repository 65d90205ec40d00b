/* td-turn.h: coturn REST API credentials (use-auth-secret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void td_turn_make_credentials (const char  *secret,
                               const char  *tag,
                               guint        ttl_s,
                               gint64       now_s,
                               char       **out_username,
                               char       **out_password);

G_END_DECLS
