/* td-datagram-link.c: something that carries datagrams to one partner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "td-link"

#include "td-datagram-link.h"

G_DEFINE_INTERFACE (TdDatagramLink, td_datagram_link, G_TYPE_OBJECT)

static void
td_datagram_link_default_init (TdDatagramLinkInterface *iface)
{
}

/**
 * td_datagram_link_send:
 * @self: a #TdDatagramLink
 * @data: the datagram
 * @length: its size
 *
 * Sends one datagram, without blocking. A datagram that cannot be sent
 * now is dropped, as the network might have done.
 *
 * Returns: %TRUE if the datagram left, %FALSE if it was dropped
 */
gboolean
td_datagram_link_send (TdDatagramLink *self,
                       const guint8   *data,
                       gsize           length)
{
  g_return_val_if_fail (TD_IS_DATAGRAM_LINK (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  return TD_DATAGRAM_LINK_GET_IFACE (self)->send (self, data, length);
}

/**
 * td_datagram_link_set_receive_func:
 * @self: a #TdDatagramLink
 * @func: (nullable): called for each datagram received, or %NULL to stop
 * @user_data: passed to @func
 * @notify: (nullable): frees @user_data when @func is replaced
 *
 * Sets who receives the datagrams. A few datagrams that arrive while there
 * is no receiver yet are kept and handed to the first one, from the main
 * loop (the partner's first packet may beat the local set-up).
 */
void
td_datagram_link_set_receive_func (TdDatagramLink        *self,
                                   TdDatagramReceiveFunc  func,
                                   gpointer               user_data,
                                   GDestroyNotify         notify)
{
  g_return_if_fail (TD_IS_DATAGRAM_LINK (self));

  TD_DATAGRAM_LINK_GET_IFACE (self)->set_receive_func (self, func, user_data, notify);
}
