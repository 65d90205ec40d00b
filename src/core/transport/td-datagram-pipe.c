/* td-datagram-pipe.c: two datagram links joined in one process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What one end sends, the other receives from its main context, never
 * from inside the send call: PseudoTCP must not be re-entered from its own
 * write callback. Tests use it to run the control channel without ICE,
 * with optional loss and a switch that cuts the partner off.
 */
#define G_LOG_DOMAIN "td-link"

#include "td-datagram-pipe.h"

/* How many datagrams one dispatch hands over before timers get a turn. */
#define MAX_BATCH 64

/* Datagrams kept for a receiver that is not there yet. */
#define MAX_EARLY 64

struct _TdDatagramPipe
{
  GObject                parent_instance;

  TdDatagramPipe        *peer;   /* not owned: each end clears the other's */
  GQueue                 inbox;
  GSource               *source;

  TdDatagramReceiveFunc  func;
  gpointer               user_data;
  GDestroyNotify         notify;

  double                 loss;
  GRand                 *rand;
  gboolean               blocked;
  guint64                n_sent;
  guint64                n_dropped;
};

static void td_datagram_pipe_link_init (TdDatagramLinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdDatagramPipe, td_datagram_pipe, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TD_TYPE_DATAGRAM_LINK,
                                                      td_datagram_pipe_link_init))

static gboolean
deliver_dispatch (GSource     *source,
                  GSourceFunc  callback,
                  gpointer     user_data)
{
  TdDatagramPipe *self = user_data;
  g_autoptr(TdDatagramPipe) hold = g_object_ref (self);

  for (guint i = 0; i < MAX_BATCH && self->func != NULL; i++)
    {
      g_autoptr(GBytes) datagram = g_queue_pop_head (&self->inbox);
      gsize length;
      const guint8 *data;

      if (datagram == NULL)
        break;

      data = g_bytes_get_data (datagram, &length);
      if (self->func != NULL)
        self->func (data, length, self->user_data);
      if (self->source == NULL)
        return G_SOURCE_REMOVE; /* disposed from the callback */
    }

  /* Without a receiver, datagrams wait for one (see enqueue()). */
  g_source_set_ready_time (source,
                           g_queue_is_empty (&self->inbox) || self->func == NULL ? -1 : 0);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs deliver_funcs = {
  .dispatch = deliver_dispatch,
};

static void
enqueue (TdDatagramPipe *self,
         GBytes         *datagram)
{
  if (self->func == NULL && g_queue_get_length (&self->inbox) >= MAX_EARLY)
    {
      g_bytes_unref (datagram);
      return;
    }

  g_queue_push_tail (&self->inbox, datagram);
  if (self->source != NULL && self->func != NULL)
    g_source_set_ready_time (self->source, 0);
}

static gboolean
td_datagram_pipe_send (TdDatagramLink *link,
                       const guint8   *data,
                       gsize           length)
{
  TdDatagramPipe *self = TD_DATAGRAM_PIPE (link);

  self->n_sent++;

  if (self->peer == NULL || self->blocked ||
      (self->loss > 0 && g_rand_double (self->rand) < self->loss))
    {
      self->n_dropped++;
      return TRUE; /* it left; the "network" lost it */
    }

  enqueue (self->peer, g_bytes_new (data, length));
  return TRUE;
}

static void
td_datagram_pipe_set_receive_func (TdDatagramLink        *link,
                                   TdDatagramReceiveFunc  func,
                                   gpointer               user_data,
                                   GDestroyNotify         notify)
{
  TdDatagramPipe *self = TD_DATAGRAM_PIPE (link);
  GDestroyNotify old_notify = self->notify;
  gpointer old_data = self->user_data;

  self->func = func;
  self->user_data = user_data;
  self->notify = notify;

  if (func != NULL && !g_queue_is_empty (&self->inbox) && self->source != NULL)
    g_source_set_ready_time (self->source, 0);

  if (old_notify != NULL)
    old_notify (old_data);
}

static void
td_datagram_pipe_link_init (TdDatagramLinkInterface *iface)
{
  iface->send = td_datagram_pipe_send;
  iface->set_receive_func = td_datagram_pipe_set_receive_func;
}

static void
td_datagram_pipe_dispose (GObject *object)
{
  TdDatagramPipe *self = (TdDatagramPipe *) object;

  if (self->peer != NULL)
    {
      self->peer->peer = NULL;
      self->peer = NULL;
    }

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  g_queue_clear_full (&self->inbox, (GDestroyNotify) g_bytes_unref);
  td_datagram_pipe_set_receive_func (TD_DATAGRAM_LINK (self), NULL, NULL, NULL);

  G_OBJECT_CLASS (td_datagram_pipe_parent_class)->dispose (object);
}

static void
td_datagram_pipe_finalize (GObject *object)
{
  TdDatagramPipe *self = (TdDatagramPipe *) object;

  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (td_datagram_pipe_parent_class)->finalize (object);
}

static void
td_datagram_pipe_class_init (TdDatagramPipeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_datagram_pipe_dispose;
  object_class->finalize = td_datagram_pipe_finalize;
}

static void
td_datagram_pipe_init (TdDatagramPipe *self)
{
  g_queue_init (&self->inbox);
  self->rand = g_rand_new_with_seed (1);

  self->source = g_source_new (&deliver_funcs, sizeof (GSource));
  g_source_set_name (self->source, "[tandem] datagram pipe");
  g_source_set_callback (self->source, NULL, self, NULL);
  g_source_set_ready_time (self->source, -1);
  g_source_attach (self->source, g_main_context_get_thread_default ());
}

/**
 * td_datagram_pipe_new_pair:
 * @out_a: (out) (transfer full): one end
 * @out_b: (out) (transfer full): the other end
 *
 * Makes two joined ends. Each delivers on the thread-default main context
 * of the caller; both must be used from that thread.
 */
void
td_datagram_pipe_new_pair (TdDatagramPipe **out_a,
                           TdDatagramPipe **out_b)
{
  TdDatagramPipe *a, *b;

  g_return_if_fail (out_a != NULL && out_b != NULL);

  a = g_object_new (TD_TYPE_DATAGRAM_PIPE, NULL);
  b = g_object_new (TD_TYPE_DATAGRAM_PIPE, NULL);
  a->peer = b;
  b->peer = a;

  *out_a = a;
  *out_b = b;
}

/**
 * td_datagram_pipe_set_loss:
 * @self: a #TdDatagramPipe
 * @fraction: the share of datagrams sent from @self to drop, 0 to 1
 * @seed: seed of the (repeatable) random choice
 */
void
td_datagram_pipe_set_loss (TdDatagramPipe *self,
                           double          fraction,
                           guint32         seed)
{
  g_return_if_fail (TD_IS_DATAGRAM_PIPE (self));
  g_return_if_fail (fraction >= 0 && fraction <= 1);

  self->loss = fraction;
  g_rand_set_seed (self->rand, seed);
}

/**
 * td_datagram_pipe_set_blocked:
 * @self: a #TdDatagramPipe
 * @blocked: whether to drop everything @self sends
 *
 * Cuts the way from @self to its partner, as if the partner vanished.
 */
void
td_datagram_pipe_set_blocked (TdDatagramPipe *self,
                              gboolean        blocked)
{
  g_return_if_fail (TD_IS_DATAGRAM_PIPE (self));

  self->blocked = !!blocked;
}

/**
 * td_datagram_pipe_inject:
 * @self: a #TdDatagramPipe
 * @data: a datagram
 * @length: its size
 *
 * Makes @self receive @data as if its partner had sent it.
 */
void
td_datagram_pipe_inject (TdDatagramPipe *self,
                         const guint8   *data,
                         gsize           length)
{
  g_return_if_fail (TD_IS_DATAGRAM_PIPE (self));

  enqueue (self, g_bytes_new (data, length));
}

guint64
td_datagram_pipe_get_n_sent (TdDatagramPipe *self)
{
  g_return_val_if_fail (TD_IS_DATAGRAM_PIPE (self), 0);

  return self->n_sent;
}

guint64
td_datagram_pipe_get_n_dropped (TdDatagramPipe *self)
{
  g_return_val_if_fail (TD_IS_DATAGRAM_PIPE (self), 0);

  return self->n_dropped;
}
