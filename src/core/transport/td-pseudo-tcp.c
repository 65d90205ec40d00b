/* td-pseudo-tcp.c: a reliable byte stream over a datagram link
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libnice's PseudoTcpSocket (pseudotcp.h) is a TCP state machine without
 * I/O: it is given packets and clock ticks, and it calls back to send a
 * packet or to say the stream is open, readable, writable or closed. This
 * class gives it a datagram link for packets and a GSource for its clock,
 * and turns its callbacks into signals emitted only after PseudoTcpSocket
 * has returned: a handler may then send, receive, close or drop its
 * reference without re-entering the state machine. Signals are emitted
 * only from the main loop (a packet, a clock tick, or a deferred event
 * after a call), never from inside td_pseudo_tcp_send() and friends, so a
 * caller is never re-entered through its own call either.
 *
 * Only part of pseudotcp.h is exported by libnice 0.1.21 (no
 * get_available_send_space, can_send, get_available_bytes, set_time):
 * this file uses the exported calls only.
 */
#define G_LOG_DOMAIN "td-pseudotcp"

#include <errno.h>
#include <gio/gio.h>
#include <nice/pseudotcp.h>

#include "td-pseudo-tcp.h"

/* The receive buffer is the window. PseudoTCP does not pace: it sends
 * what the window allows in one burst, and recovers from a burst of
 * losses by backing its retransmission timer off. Through coturn in the
 * lab, windows of 128-256 KiB overflowed the relay's socket and
 * collapsed to 0.2-3 MB/s in one run out of two; 64 KiB (what libnice's
 * own reliable agent uses) never did and gives 13-46 MB/s there. It caps
 * a transfer at 64 KiB per round trip (about 3 MB/s at 20 ms). */
#define DEFAULT_BUFFER_SIZE (64 * 1024)

enum
{
  PENDING_OPENED   = 1 << 0,
  PENDING_READABLE = 1 << 1,
  PENDING_WRITABLE = 1 << 2,
  PENDING_CLOSED   = 1 << 3,
};

struct _TdPseudoTcp
{
  GObject          parent_instance;

  TdDatagramLink  *link;
  PseudoTcpSocket *socket;
  GSource         *clock;
  GSource         *events;
  gint64           last_receive_time;
  guint            mtu;
  guint            buffer_size;

  guint            pending;
  int              closed_errno;
  guint            dispatching : 1;
  guint            open : 1;
  guint            closing : 1;
  guint            finished : 1;
};

enum
{
  PROP_0,
  PROP_LINK,
  PROP_MTU,
  PROP_BUFFER_SIZE,
  N_PROPS
};

enum
{
  OPENED,
  READABLE,
  WRITABLE,
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdPseudoTcp, td_pseudo_tcp, G_TYPE_OBJECT)

static GError *
error_from_errno (int err)
{
  switch (err)
    {
    case ECONNRESET:
      return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                  "The partner reset the connection");
    case ETIMEDOUT:
    case ECONNABORTED:
      return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                  "The partner stopped acknowledging data");
    default:
      return g_error_new (G_IO_ERROR, g_io_error_from_errno (err),
                          "The connection failed: %s", g_strerror (err));
    }
}

static void
schedule_clock (TdPseudoTcp *self)
{
  guint64 timeout = 0;

  if (self->clock == NULL || self->finished)
    return;

  if (pseudo_tcp_socket_get_next_clock (self->socket, &timeout))
    {
      g_source_set_ready_time (self->clock, (gint64) timeout * 1000);
    }
  else
    {
      /* Closed and done with: nothing to tick any more. */
      g_source_set_ready_time (self->clock, -1);
      self->pending |= PENDING_CLOSED;
    }
}

static void
dispatch_pending (TdPseudoTcp *self)
{
  g_autoptr(TdPseudoTcp) hold = NULL;

  if (self->dispatching)
    return;

  hold = g_object_ref (self);
  self->dispatching = TRUE;

  while (self->pending != 0 && !self->finished)
    {
      if (self->pending & PENDING_OPENED)
        {
          self->pending &= ~PENDING_OPENED;
          self->open = TRUE;
          g_debug ("PseudoTCP open");
          g_signal_emit (self, signals[OPENED], 0);
        }
      else if (self->pending & PENDING_READABLE)
        {
          self->pending &= ~PENDING_READABLE;
          g_signal_emit (self, signals[READABLE], 0);
        }
      else if (self->pending & PENDING_WRITABLE)
        {
          self->pending &= ~PENDING_WRITABLE;
          g_signal_emit (self, signals[WRITABLE], 0);
        }
      else if (self->pending & PENDING_CLOSED)
        {
          g_autoptr(GError) error = NULL;

          self->pending = 0;
          self->finished = TRUE;
          self->open = FALSE;
          if (self->clock != NULL)
            g_source_set_ready_time (self->clock, -1);
          if (self->closed_errno != 0)
            error = error_from_errno (self->closed_errno);
          g_debug ("PseudoTCP closed: %s", error ? error->message : "cleanly");
          g_signal_emit (self, signals[CLOSED], 0, error);
        }
    }

  self->dispatching = FALSE;
}

/* After a call into the PseudoTcpSocket from the main loop. */
static void
after_call (TdPseudoTcp *self)
{
  schedule_clock (self);
  dispatch_pending (self);
}

/* After a call into the PseudoTcpSocket on behalf of our caller: what it
 * caused is announced from the main loop. */
static void
after_user_call (TdPseudoTcp *self)
{
  schedule_clock (self);
  if (self->pending != 0 && self->events != NULL)
    g_source_set_ready_time (self->events, 0);
}

static void
on_opened (PseudoTcpSocket *socket,
           gpointer         user_data)
{
  TdPseudoTcp *self = user_data;

  self->pending |= PENDING_OPENED;
}

static void
on_readable (PseudoTcpSocket *socket,
             gpointer         user_data)
{
  TdPseudoTcp *self = user_data;

  self->pending |= PENDING_READABLE;
}

static void
on_writable (PseudoTcpSocket *socket,
             gpointer         user_data)
{
  TdPseudoTcp *self = user_data;

  self->pending |= PENDING_WRITABLE;
}

static void
on_closed (PseudoTcpSocket *socket,
           guint32          err,
           gpointer         user_data)
{
  TdPseudoTcp *self = user_data;

  self->closed_errno = (int) err;
  self->pending |= PENDING_CLOSED;
}

static PseudoTcpWriteResult
on_write_packet (PseudoTcpSocket *socket,
                 const gchar     *buffer,
                 guint32          length,
                 gpointer         user_data)
{
  TdPseudoTcp *self = user_data;

  /* A datagram the link could not send is a lost packet: PseudoTCP will
   * send it again. WR_FAIL would make it abort the whole connection. */
  td_datagram_link_send (self->link, (const guint8 *) buffer, length);
  return WR_SUCCESS;
}

static void
on_datagram (const guint8 *data,
             gsize         length,
             gpointer      user_data)
{
  TdPseudoTcp *self = user_data;

  if (self->finished || length > G_MAXUINT32)
    return;

  self->last_receive_time = g_get_monotonic_time ();
  pseudo_tcp_socket_notify_packet (self->socket, (const gchar *) data, (guint32) length);
  after_call (self);
}

static gboolean
clock_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  TdPseudoTcp *self = user_data;

  g_source_set_ready_time (source, -1);
  pseudo_tcp_socket_notify_clock (self->socket);
  after_call (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs clock_funcs = {
  .dispatch = clock_dispatch,
};

static gboolean
events_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  TdPseudoTcp *self = user_data;

  g_source_set_ready_time (source, -1);
  dispatch_pending (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs events_funcs = {
  .dispatch = events_dispatch,
};

static void
td_pseudo_tcp_constructed (GObject *object)
{
  TdPseudoTcp *self = (TdPseudoTcp *) object;
  PseudoTcpCallbacks callbacks = {
    .user_data = self,
    .PseudoTcpOpened = on_opened,
    .PseudoTcpReadable = on_readable,
    .PseudoTcpWritable = on_writable,
    .PseudoTcpClosed = on_closed,
    .WritePacket = on_write_packet,
  };

  G_OBJECT_CLASS (td_pseudo_tcp_parent_class)->constructed (object);

  g_assert (self->link != NULL);

  self->socket = pseudo_tcp_socket_new (0, &callbacks);
  /* Input events must not wait for Nagle: every frame goes out at once. */
  g_object_set (self->socket,
                "no-delay", TRUE,
                "rcv-buf", self->buffer_size,
                "snd-buf", self->buffer_size,
                NULL);
  pseudo_tcp_socket_notify_mtu (self->socket, (guint16) self->mtu);

  self->clock = g_source_new (&clock_funcs, sizeof (GSource));
  g_source_set_name (self->clock, "[tandem] PseudoTCP clock");
  g_source_set_callback (self->clock, NULL, self, NULL);
  g_source_set_ready_time (self->clock, -1);
  g_source_attach (self->clock, g_main_context_get_thread_default ());

  self->events = g_source_new (&events_funcs, sizeof (GSource));
  g_source_set_name (self->events, "[tandem] PseudoTCP events");
  g_source_set_callback (self->events, NULL, self, NULL);
  g_source_set_ready_time (self->events, -1);
  g_source_attach (self->events, g_main_context_get_thread_default ());

  td_datagram_link_set_receive_func (self->link, on_datagram, self, NULL);
}

static void
td_pseudo_tcp_dispose (GObject *object)
{
  TdPseudoTcp *self = (TdPseudoTcp *) object;

  if (self->link != NULL)
    td_datagram_link_set_receive_func (self->link, NULL, NULL, NULL);

  if (self->clock != NULL)
    {
      g_source_destroy (self->clock);
      g_clear_pointer (&self->clock, g_source_unref);
    }
  if (self->events != NULL)
    {
      g_source_destroy (self->events);
      g_clear_pointer (&self->events, g_source_unref);
    }

  if (self->socket != NULL && !self->finished)
    pseudo_tcp_socket_close (self->socket, TRUE);
  self->finished = TRUE;

  G_OBJECT_CLASS (td_pseudo_tcp_parent_class)->dispose (object);
}

static void
td_pseudo_tcp_finalize (GObject *object)
{
  TdPseudoTcp *self = (TdPseudoTcp *) object;

  g_clear_object (&self->socket);
  g_clear_object (&self->link);

  G_OBJECT_CLASS (td_pseudo_tcp_parent_class)->finalize (object);
}

static void
td_pseudo_tcp_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TdPseudoTcp *self = TD_PSEUDO_TCP (object);

  switch (prop_id)
    {
    case PROP_LINK:
      g_value_set_object (value, self->link);
      break;
    case PROP_MTU:
      g_value_set_uint (value, self->mtu);
      break;
    case PROP_BUFFER_SIZE:
      g_value_set_uint (value, self->buffer_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_pseudo_tcp_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TdPseudoTcp *self = TD_PSEUDO_TCP (object);

  switch (prop_id)
    {
    case PROP_LINK:
      self->link = g_value_dup_object (value);
      break;
    case PROP_MTU:
      self->mtu = g_value_get_uint (value);
      break;
    case PROP_BUFFER_SIZE:
      self->buffer_size = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_pseudo_tcp_class_init (TdPseudoTcpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = td_pseudo_tcp_constructed;
  object_class->dispose = td_pseudo_tcp_dispose;
  object_class->finalize = td_pseudo_tcp_finalize;
  object_class->get_property = td_pseudo_tcp_get_property;
  object_class->set_property = td_pseudo_tcp_set_property;

  properties[PROP_LINK] =
    g_param_spec_object ("link", NULL, NULL,
                         TD_TYPE_DATAGRAM_LINK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /* The largest datagram to send, PseudoTCP header included. */
  properties[PROP_MTU] =
    g_param_spec_uint ("mtu", NULL, NULL,
                       576, 65535, TD_PSEUDO_TCP_DEFAULT_MTU,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /* Send and receive buffers; the receive buffer is the window. */
  properties[PROP_BUFFER_SIZE] =
    g_param_spec_uint ("buffer-size", NULL, NULL,
                       16 * 1024, 16 * 1024 * 1024, DEFAULT_BUFFER_SIZE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdPseudoTcp::opened:
   *
   * The connection is established; both ends get this.
   */
  signals[OPENED] =
    g_signal_new ("opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * TdPseudoTcp::readable:
   *
   * Data arrived: read with td_pseudo_tcp_recv() until it would block.
   */
  signals[READABLE] =
    g_signal_new ("readable", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * TdPseudoTcp::writable:
   *
   * There is room again after td_pseudo_tcp_send() took less than offered.
   */
  signals[WRITABLE] =
    g_signal_new ("writable", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * TdPseudoTcp::closed:
   * @error: (nullable): why, or %NULL after a clean close
   *
   * The connection is over. Emitted once.
   */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
td_pseudo_tcp_init (TdPseudoTcp *self)
{
  self->mtu = TD_PSEUDO_TCP_DEFAULT_MTU;
  self->buffer_size = DEFAULT_BUFFER_SIZE;
}

/**
 * td_pseudo_tcp_new:
 * @link: what carries the packets
 *
 * Makes a stream endpoint that listens for its partner's connect. The
 * clock and the packets run on the caller's thread-default main context.
 *
 * Returns: (transfer full): a new #TdPseudoTcp
 */
TdPseudoTcp *
td_pseudo_tcp_new (TdDatagramLink *link)
{
  g_return_val_if_fail (TD_IS_DATAGRAM_LINK (link), NULL);

  return g_object_new (TD_TYPE_PSEUDO_TCP, "link", link, NULL);
}

/**
 * td_pseudo_tcp_connect:
 * @self: a #TdPseudoTcp
 *
 * Starts the connection from this end (the other end just waits).
 * #TdPseudoTcp::opened follows, or #TdPseudoTcp::closed if the partner
 * never answers.
 */
void
td_pseudo_tcp_connect (TdPseudoTcp *self)
{
  g_return_if_fail (TD_IS_PSEUDO_TCP (self));
  g_return_if_fail (!self->finished);

  pseudo_tcp_socket_connect (self->socket);
  after_user_call (self);
}

gboolean
td_pseudo_tcp_is_open (TdPseudoTcp *self)
{
  g_return_val_if_fail (TD_IS_PSEUDO_TCP (self), FALSE);

  return self->open && !self->finished;
}

static gssize
would_block_or_error (TdPseudoTcp  *self,
                      GError      **error)
{
  int err = pseudo_tcp_socket_get_error (self->socket);

  if (err == EWOULDBLOCK)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Would block");
  else if (err == ENOTCONN)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                         "The connection is not open");
  else
    g_propagate_error (error, error_from_errno (err));

  return -1;
}

/**
 * td_pseudo_tcp_send:
 * @self: a #TdPseudoTcp
 * @data: bytes to send
 * @length: how many
 * @error: a #GError
 *
 * Queues as much of @data as the send buffer takes. When that is less
 * than @length, #TdPseudoTcp::writable says when to go on.
 *
 * Returns: the number of bytes taken, or -1 (%G_IO_ERROR_WOULD_BLOCK when
 *   the buffer is full)
 */
gssize
td_pseudo_tcp_send (TdPseudoTcp   *self,
                    const guint8  *data,
                    gsize          length,
                    GError       **error)
{
  gint ret;

  g_return_val_if_fail (TD_IS_PSEUDO_TCP (self), -1);

  if (self->finished || self->closing)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The connection is closed");
      return -1;
    }

  ret = pseudo_tcp_socket_send (self->socket, (const char *) data,
                                (guint32) MIN (length, G_MAXINT32));
  after_user_call (self);

  if (ret < 0)
    return would_block_or_error (self, error);

  return ret;
}

/**
 * td_pseudo_tcp_recv:
 * @self: a #TdPseudoTcp
 * @buffer: where to put what arrived
 * @length: its size
 * @error: a #GError
 *
 * Returns: the number of bytes read, 0 at the end of the stream, or -1
 *   (%G_IO_ERROR_WOULD_BLOCK when nothing is waiting)
 */
gssize
td_pseudo_tcp_recv (TdPseudoTcp  *self,
                    guint8       *buffer,
                    gsize         length,
                    GError      **error)
{
  gint ret;

  g_return_val_if_fail (TD_IS_PSEUDO_TCP (self), -1);

  if (self->finished)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The connection is closed");
      return -1;
    }

  ret = pseudo_tcp_socket_recv (self->socket, (char *) buffer, length);
  after_user_call (self);

  if (ret < 0)
    return would_block_or_error (self, error);

  return ret;
}

/**
 * td_pseudo_tcp_close:
 * @self: a #TdPseudoTcp
 * @force: %TRUE to drop unsent data and reset, %FALSE to send it first
 *
 * Ends the connection. #TdPseudoTcp::closed follows once the socket is
 * done (after the partner acknowledged everything, for a graceful close),
 * or at once when @force is %TRUE.
 */
void
td_pseudo_tcp_close (TdPseudoTcp *self,
                     gboolean     force)
{
  g_return_if_fail (TD_IS_PSEUDO_TCP (self));

  if (self->finished)
    return;

  if (force)
    {
      pseudo_tcp_socket_close (self->socket, TRUE);
      self->closed_errno = 0;
      self->pending |= PENDING_CLOSED;
      after_user_call (self);
      return;
    }

  if (self->closing)
    return;

  self->closing = TRUE;
  pseudo_tcp_socket_close (self->socket, FALSE);
  after_user_call (self);
}

/**
 * td_pseudo_tcp_shutdown_write:
 * @self: a #TdPseudoTcp
 *
 * Half-closes the stream: what is queued is still delivered, then the
 * partner reads the end of the stream, and this end can still receive.
 */
void
td_pseudo_tcp_shutdown_write (TdPseudoTcp *self)
{
  g_return_if_fail (TD_IS_PSEUDO_TCP (self));

  if (self->finished || self->closing)
    return;

  pseudo_tcp_socket_shutdown (self->socket, PSEUDO_TCP_SHUTDOWN_WR);
  after_user_call (self);
}

/**
 * td_pseudo_tcp_get_last_receive_time:
 * @self: a #TdPseudoTcp
 *
 * Returns: the monotonic time (µs) the last packet arrived, or 0
 */
gint64
td_pseudo_tcp_get_last_receive_time (TdPseudoTcp *self)
{
  g_return_val_if_fail (TD_IS_PSEUDO_TCP (self), 0);

  return self->last_receive_time;
}
