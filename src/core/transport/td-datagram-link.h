/* td-datagram-link.h: something that carries datagrams to one partner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The control channel runs PseudoTCP over this: in the app it is ICE
 * component 1 (TdIceTransport), in tests an in-process TdDatagramPipe.
 * Delivery is best effort, like UDP: datagrams may be lost or reordered.
 * Datagrams are received on the thread-default main context of whoever
 * made the link.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TD_TYPE_DATAGRAM_LINK (td_datagram_link_get_type ())

G_DECLARE_INTERFACE (TdDatagramLink, td_datagram_link, TD, DATAGRAM_LINK, GObject)

/**
 * TdDatagramReceiveFunc:
 * @data: the datagram
 * @length: its size
 * @user_data: what was given to td_datagram_link_set_receive_func()
 *
 * Called for each datagram received. @data is only valid during the call.
 */
typedef void (*TdDatagramReceiveFunc) (const guint8 *data,
                                       gsize         length,
                                       gpointer      user_data);

struct _TdDatagramLinkInterface
{
  GTypeInterface parent_iface;

  gboolean (*send)             (TdDatagramLink        *self,
                                const guint8          *data,
                                gsize                  length);
  void     (*set_receive_func) (TdDatagramLink        *self,
                                TdDatagramReceiveFunc  func,
                                gpointer               user_data,
                                GDestroyNotify         notify);
};

gboolean td_datagram_link_send             (TdDatagramLink        *self,
                                            const guint8          *data,
                                            gsize                  length);
void     td_datagram_link_set_receive_func (TdDatagramLink        *self,
                                            TdDatagramReceiveFunc  func,
                                            gpointer               user_data,
                                            GDestroyNotify         notify);

G_END_DECLS
