/* td-wire-private.h: td-wire internals shared with its tests and fuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-wire.h"

G_BEGIN_DECLS

/* Frames up to this size are checked with g_variant_is_normal_form(). */
#define TD_WIRE_DIRECT_CHECK_MAX (16 * 1024)

gboolean td_wire_is_normal_by_rebuilding (GVariant *message);

G_END_DECLS
