/* td-session-transport.h: from a signaling peer to an open control channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "td-control-channel.h"
#include "td-device-key.h"
#include "td-ice-transport.h"
#include "td-signaling-peer.h"

G_BEGIN_DECLS

#define TD_TYPE_SESSION_TRANSPORT (td_session_transport_get_type ())

G_DECLARE_FINAL_TYPE (TdSessionTransport, td_session_transport, TD, SESSION_TRANSPORT, GObject)

TdSessionTransport *td_session_transport_new          (TdSignalingPeer     *peer,
                                                       TdDeviceKey         *key,
                                                       gboolean             viewer);
void                td_session_transport_start        (TdSessionTransport  *self);
void                td_session_transport_close        (TdSessionTransport  *self);
TdIceTransport     *td_session_transport_get_ice      (TdSessionTransport  *self);
TdControlChannel   *td_session_transport_get_channel  (TdSessionTransport  *self);
TdSignalingPeer    *td_session_transport_get_peer     (TdSessionTransport  *self);
gboolean            td_session_transport_get_relayed  (TdSessionTransport  *self);

G_END_DECLS
