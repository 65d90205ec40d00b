/* td-cpace.h: the CPace PAKE, suite CPACE-RISTR255-SHA512
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "td-auth-error.h"

G_BEGIN_DECLS

#define TD_TYPE_CPACE (td_cpace_get_type ())

/* Sizes of the suite's values, in bytes. */
#define TD_CPACE_POINT_SIZE   32
#define TD_CPACE_SCALAR_SIZE  32
#define TD_CPACE_ISK_SIZE     64
/* The longest associated data accepted from a partner. */
#define TD_CPACE_MAX_AD_SIZE  1024
/* The longest message: lv_cat (Y, AD) with the largest AD. */
#define TD_CPACE_MAX_MESSAGE_SIZE (1 + TD_CPACE_POINT_SIZE + 2 + TD_CPACE_MAX_AD_SIZE)

/**
 * TdCpaceRole:
 * @TD_CPACE_ROLE_INITIATOR: party A; its message comes first in the transcript
 * @TD_CPACE_ROLE_RESPONDER: party B; its message comes second
 * @TD_CPACE_ROLE_SYMMETRIC: either party in the draft's symmetric setting,
 *   where the transcript is the ordered concatenation of both messages
 */
typedef enum
{
  TD_CPACE_ROLE_INITIATOR,
  TD_CPACE_ROLE_RESPONDER,
  TD_CPACE_ROLE_SYMMETRIC,
} TdCpaceRole;

G_DECLARE_FINAL_TYPE (TdCpace, td_cpace, TD, CPACE, GObject)

TdCpace      *td_cpace_new              (TdCpaceRole    role,
                                         const guint8  *prs,
                                         gsize          prs_len,
                                         const guint8  *ci,
                                         gsize          ci_len,
                                         const guint8  *sid,
                                         gsize          sid_len,
                                         const guint8  *ad,
                                         gsize          ad_len);
TdCpaceRole   td_cpace_get_role         (TdCpace       *self);
GBytes       *td_cpace_get_message      (TdCpace       *self);
gboolean      td_cpace_set_peer_message (TdCpace       *self,
                                         const guint8  *message,
                                         gsize          length,
                                         GError       **error);
GBytes       *td_cpace_get_peer_ad      (TdCpace       *self);
GBytes       *td_cpace_get_transcript   (TdCpace       *self);
const guint8 *td_cpace_get_isk          (TdCpace       *self);

gboolean      td_cpace_parse_message    (const guint8  *message,
                                         gsize          length,
                                         const guint8 **point,
                                         const guint8 **ad,
                                         gsize         *ad_len,
                                         GError       **error);

G_END_DECLS
