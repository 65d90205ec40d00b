/* td-datagram-pipe.h: two datagram links joined in one process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-datagram-link.h"

G_BEGIN_DECLS

#define TD_TYPE_DATAGRAM_PIPE (td_datagram_pipe_get_type ())

G_DECLARE_FINAL_TYPE (TdDatagramPipe, td_datagram_pipe, TD, DATAGRAM_PIPE, GObject)

void     td_datagram_pipe_new_pair       (TdDatagramPipe **out_a,
                                          TdDatagramPipe **out_b);
void     td_datagram_pipe_set_loss       (TdDatagramPipe  *self,
                                          double           fraction,
                                          guint32          seed);
void     td_datagram_pipe_set_blocked    (TdDatagramPipe  *self,
                                          gboolean         blocked);
void     td_datagram_pipe_inject         (TdDatagramPipe  *self,
                                          const guint8    *data,
                                          gsize            length);
guint64  td_datagram_pipe_get_n_sent     (TdDatagramPipe  *self);
guint64  td_datagram_pipe_get_n_dropped  (TdDatagramPipe  *self);

G_END_DECLS
