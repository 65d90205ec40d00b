/* td-verify.h: Ed25519 signature checks for the server, with GnuTLS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean td_verify_ed25519 (GBytes *public_key,
                            GBytes *data,
                            GBytes *signature);

G_END_DECLS
