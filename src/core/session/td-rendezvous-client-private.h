/* td-rendezvous-client-private.h: what the client and its peers share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-rendezvous-client.h"
#include "td-signal.h"

G_BEGIN_DECLS

TdSignalingPeer *_td_signaling_peer_new           (TdRendezvousClient *client,
                                                   TdSignalingRole     role,
                                                   const char         *session,
                                                   guint32             partner_id,
                                                   const char         *partner_name,
                                                   GBytes             *partner_public_key,
                                                   gboolean            partner_verified,
                                                   const TdSignalTurn *turn);
void             _td_signaling_peer_set_accepted  (TdSignalingPeer    *self);
void             _td_signaling_peer_receive       (TdSignalingPeer    *self,
                                                   TdSignalKind        kind,
                                                   GVariant           *payload);
void             _td_signaling_peer_closed        (TdSignalingPeer    *self,
                                                   const GError       *error);

gboolean         _td_rendezvous_client_peer_send  (TdRendezvousClient *self,
                                                   TdSignalMessage    *message,
                                                   GError            **error);
void             _td_rendezvous_client_peer_gone  (TdRendezvousClient *self,
                                                   const char         *session);
GError          *_td_rendezvous_error_new         (TdRendezvousError   code);

G_END_DECLS
