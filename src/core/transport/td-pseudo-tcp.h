/* td-pseudo-tcp.h: a reliable byte stream over a datagram link
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-datagram-link.h"

G_BEGIN_DECLS

#define TD_TYPE_PSEUDO_TCP (td_pseudo_tcp_get_type ())

/* Fits a TURN-relayed UDP datagram into a 1280-byte IPv6 path. */
#define TD_PSEUDO_TCP_DEFAULT_MTU 1200

G_DECLARE_FINAL_TYPE (TdPseudoTcp, td_pseudo_tcp, TD, PSEUDO_TCP, GObject)

TdPseudoTcp    *td_pseudo_tcp_new                (TdDatagramLink *link);
void            td_pseudo_tcp_connect            (TdPseudoTcp    *self);
gboolean        td_pseudo_tcp_is_open            (TdPseudoTcp    *self);
gssize          td_pseudo_tcp_send               (TdPseudoTcp    *self,
                                                  const guint8   *data,
                                                  gsize           length,
                                                  GError        **error);
gssize          td_pseudo_tcp_recv               (TdPseudoTcp    *self,
                                                  guint8         *buffer,
                                                  gsize           length,
                                                  GError        **error);
void            td_pseudo_tcp_close              (TdPseudoTcp    *self,
                                                  gboolean        force);
void            td_pseudo_tcp_shutdown_write     (TdPseudoTcp    *self);
gint64          td_pseudo_tcp_get_last_receive_time (TdPseudoTcp *self);

G_END_DECLS
