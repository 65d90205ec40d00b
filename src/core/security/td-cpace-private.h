/* td-cpace-private.h: test hooks of TdCpace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the tests include this header. A fixed scalar makes CPace
 * deterministic so the draft's test vectors can be checked; the
 * generator and K are secrets the application must never see.
 */
#pragma once

#include "td-cpace.h"

G_BEGIN_DECLS

TdCpace      *td_cpace_new_with_scalar  (TdCpaceRole    role,
                                         const guint8  *prs,
                                         gsize          prs_len,
                                         const guint8  *ci,
                                         gsize          ci_len,
                                         const guint8  *sid,
                                         gsize          sid_len,
                                         const guint8  *ad,
                                         gsize          ad_len,
                                         const guint8  *scalar);
const guint8 *td_cpace_get_generator    (TdCpace       *self);
const guint8 *td_cpace_get_k            (TdCpace       *self);
gboolean      td_cpace_scalar_mult_vfy  (const guint8  *scalar,
                                         const guint8  *point,
                                         guint8        *out);

G_END_DECLS
