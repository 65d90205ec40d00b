/* td-signaling-peer.h: one connect's signaling channel to the partner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "td-signal.h"

G_BEGIN_DECLS

#define TD_TYPE_SIGNALING_PEER (td_signaling_peer_get_type ())
#define TD_TYPE_SIGNALING_ROLE (td_signaling_role_get_type ())
#define TD_TYPE_SIGNAL_KIND (td_signal_kind_get_type ())

typedef enum
{
  TD_SIGNALING_ROLE_HOST,    /* this device is reached: its partner is the viewer */
  TD_SIGNALING_ROLE_VIEWER,  /* this device reaches out: its partner is the host */
} TdSignalingRole;

GType td_signaling_role_get_type (void);
GType td_signal_kind_get_type    (void);

G_DECLARE_FINAL_TYPE (TdSignalingPeer, td_signaling_peer, TD, SIGNALING_PEER, GObject)

const char          *td_signaling_peer_get_session             (TdSignalingPeer  *self);
TdSignalingRole      td_signaling_peer_get_role                (TdSignalingPeer  *self);
guint32              td_signaling_peer_get_partner_id          (TdSignalingPeer  *self);
const char          *td_signaling_peer_get_partner_name        (TdSignalingPeer  *self);
GBytes              *td_signaling_peer_get_partner_public_key  (TdSignalingPeer  *self);
const char          *td_signaling_peer_get_partner_fingerprint (TdSignalingPeer  *self);
gboolean             td_signaling_peer_get_partner_verified    (TdSignalingPeer  *self);
const char * const  *td_signaling_peer_get_turn_uris           (TdSignalingPeer  *self);
const char          *td_signaling_peer_get_turn_username       (TdSignalingPeer  *self);
const char          *td_signaling_peer_get_turn_password       (TdSignalingPeer  *self);
guint                td_signaling_peer_get_turn_ttl            (TdSignalingPeer  *self);
gboolean             td_signaling_peer_is_accepted             (TdSignalingPeer  *self);
gboolean             td_signaling_peer_is_closed               (TdSignalingPeer  *self);

gboolean             td_signaling_peer_accept                  (TdSignalingPeer  *self,
                                                                GError          **error);
gboolean             td_signaling_peer_reject                  (TdSignalingPeer  *self,
                                                                gboolean          busy,
                                                                GError          **error);
gboolean             td_signaling_peer_send                    (TdSignalingPeer  *self,
                                                                TdSignalKind      kind,
                                                                GVariant         *payload,
                                                                GError          **error);
void                 td_signaling_peer_close                   (TdSignalingPeer  *self,
                                                                const char       *reason);

G_END_DECLS
