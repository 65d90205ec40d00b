/* td-control-channel.c: the session's control channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layers, bottom up: a datagram link (ICE component 1, or an in-process
 * pipe in tests) -> PseudoTCP (TdPseudoTcp) -> TLS 1.3 (GnuTLS, both sides
 * presenting their device certificate, no CA) -> frames (td-wire).
 *
 * GnuTLS runs non-blocking on the caller's main context. Its push function
 * never fails: ciphertext is collected in tls_out and handed to PseudoTCP
 * as its send buffer frees up. Back-pressure is applied above TLS instead:
 * queued frames are only encrypted while tls_out is below HIGH_WATER. Its
 * pull function reads what PseudoTCP delivered into tls_in and says
 * EAGAIN when that is empty.
 *
 * Everything is driven from main-loop callbacks (PseudoTCP events, timers);
 * signals this object emits may be answered by sending or closing, and
 * every loop here re-checks the state after it emitted something.
 */
#define G_LOG_DOMAIN "td-channel"

#include <errno.h>
#include <string.h>
#include <gnutls/gnutls.h>

#include "td-control-channel.h"
#include "td-gnutls-util.h"
#include "td-pseudo-tcp.h"
#include "td-wire.h"

/* TLS 1.3 only; X25519 first (then P-256) for the key exchange. */
#define TLS_PRIORITY                 "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1"
#define DEFAULT_HANDSHAKE_TIMEOUT_MS 10000
#define DEFAULT_IDLE_TIMEOUT_MS      20000
#define CLOSE_LINGER_MS              3000
#define HIGH_WATER                   (256 * 1024)
#define LOW_WATER                    (64 * 1024)
#define READ_CHUNK                   (64 * 1024)
#define BULK_CHUNK                   (32 * 1024)

struct _TdControlChannel
{
  GObject                           parent_instance;

  TdDatagramLink                   *link;
  TdDeviceKey                      *key;
  TdControlRole                     role;
  TdControlState                    state;
  guint                             handshake_timeout_ms;
  guint                             idle_timeout_ms;
  guint                             max_frame_size;

  TdPseudoTcp                      *tcp;
  gnutls_certificate_credentials_t  credentials;
  gnutls_session_t                  session;
  GError                           *verify_error;

  GByteArray                       *tls_in;
  gsize                             tls_in_offset;
  gboolean                          tls_in_eof;
  GByteArray                       *tls_out;
  gsize                             tls_out_offset;

  GQueue                            send_queue;
  gsize                             send_queue_bytes;
  gsize                             send_head_offset;
  gboolean                          above_high_water;
  gboolean                          pumping;
  gboolean                          pump_again;
  gboolean                          bye_sent;

  TdWireDecoder                    *decoder;

  GTask                            *handshake_task;
  GSource                          *handshake_cancel_source;
  GSource                          *handshake_timer;
  GTask                            *close_task;
  GSource                          *close_timer;
  GSource                          *keepalive_timer;
  gint64                            last_received;
  guint64                           ping_id;

  GBytes                           *peer_public_key;
  GBytes                           *peer_fingerprint;
  char                             *peer_fingerprint_hex;

  GTask                            *bulk_task;
  GSource                          *bulk_cancel_source;
  guint64                           bulk_total;
  guint64                           bulk_queued;
  gint64                            bulk_start;
  guint64                           bulk_received;
};

enum
{
  PROP_0,
  PROP_LINK,
  PROP_DEVICE_KEY,
  PROP_ROLE,
  PROP_STATE,
  PROP_HANDSHAKE_TIMEOUT,
  PROP_IDLE_TIMEOUT,
  PROP_MAX_FRAME_SIZE,
  PROP_PEER_FINGERPRINT,
  N_PROPS
};

enum
{
  MESSAGE_RECEIVED,
  CLOSED,
  DRAINED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdControlChannel, td_control_channel, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (TdControlRole, td_control_role,
                    G_DEFINE_ENUM_VALUE (TD_CONTROL_ROLE_CLIENT, "client"),
                    G_DEFINE_ENUM_VALUE (TD_CONTROL_ROLE_SERVER, "server"))
G_DEFINE_ENUM_TYPE (TdControlState, td_control_state,
                    G_DEFINE_ENUM_VALUE (TD_CONTROL_STATE_NEW, "new"),
                    G_DEFINE_ENUM_VALUE (TD_CONTROL_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (TD_CONTROL_STATE_HANDSHAKING, "handshaking"),
                    G_DEFINE_ENUM_VALUE (TD_CONTROL_STATE_OPEN, "open"),
                    G_DEFINE_ENUM_VALUE (TD_CONTROL_STATE_CLOSING, "closing"),
                    G_DEFINE_ENUM_VALUE (TD_CONTROL_STATE_CLOSED, "closed"))
G_DEFINE_QUARK (td-channel-error-quark, td_channel_error)

static void pump_send       (TdControlChannel *self);
static void close_with_error (TdControlChannel *self,
                              GError           *error);

static inline guint8
bulk_byte (guint64 offset)
{
  return (guint8) (offset + (offset >> 8) * 7 + (offset >> 16) * 13);
}

static const char *
state_name (TdControlState state)
{
  static const char * const names[] = {
    "new", "connecting", "handshaking", "open", "closing", "closed"
  };

  return state < G_N_ELEMENTS (names) ? names[state] : "?";
}

static void
set_state (TdControlChannel *self,
           TdControlState    state)
{
  if (self->state == state)
    return;

  g_debug ("%s: %s -> %s", self->role == TD_CONTROL_ROLE_CLIENT ? "client" : "server",
           state_name (self->state), state_name (state));
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static GSource *
add_timeout (TdControlChannel *self,
             guint             ms,
             GSourceFunc       func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static gsize
tls_out_pending (TdControlChannel *self)
{
  return self->tls_out->len - self->tls_out_offset;
}

/* GnuTLS transport functions */

static ssize_t
tls_push (gnutls_transport_ptr_t  ptr,
          const void             *data,
          size_t                  length)
{
  TdControlChannel *self = ptr;

  g_byte_array_append (self->tls_out, data, length);
  return length;
}

static ssize_t
tls_pull (gnutls_transport_ptr_t  ptr,
          void                   *data,
          size_t                  length)
{
  TdControlChannel *self = ptr;
  gsize available = self->tls_in->len - self->tls_in_offset;

  if (available == 0)
    {
      if (self->tls_in_eof)
        return 0;
      gnutls_transport_set_errno (self->session, EAGAIN);
      return -1;
    }

  length = MIN (length, available);
  memcpy (data, self->tls_in->data + self->tls_in_offset, length);
  self->tls_in_offset += length;
  if (self->tls_in_offset == self->tls_in->len)
    {
      g_byte_array_set_size (self->tls_in, 0);
      self->tls_in_offset = 0;
    }

  return length;
}

static int
tls_pull_timeout (gnutls_transport_ptr_t ptr,
                  unsigned int           ms)
{
  TdControlChannel *self = ptr;

  return (self->tls_in->len > self->tls_in_offset || self->tls_in_eof) ? 1 : 0;
}

/* Any self-signed Ed25519 device certificate will do: who the partner is
 * gets settled by CPace over the exporter, and the fingerprint is kept
 * for the consent dialog and the audit log. */
static int
verify_peer (gnutls_session_t session)
{
  TdControlChannel *self = gnutls_session_get_ptr (session);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) public_key = NULL;
  const gnutls_datum_t *certificates;
  unsigned int n_certificates = 0;

  g_assert (TD_IS_CONTROL_CHANNEL (self));

  certificates = gnutls_certificate_get_peers (session, &n_certificates);
  if (gnutls_certificate_type_get2 (session, GNUTLS_CTYPE_PEERS) != GNUTLS_CRT_X509 ||
      certificates == NULL || n_certificates != 1)
    {
      g_clear_error (&self->verify_error);
      g_set_error_literal (&self->verify_error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_BAD_CERTIFICATE,
                           "The partner did not present exactly one device certificate");
      return GNUTLS_E_CERTIFICATE_ERROR;
    }

  public_key = td_device_key_public_key_of_certificate (&certificates[0], &error);
  if (public_key == NULL)
    {
      g_clear_error (&self->verify_error);
      self->verify_error = g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_BAD_CERTIFICATE,
                                        "The partner is not a Tandem device: %s", error->message);
      return GNUTLS_E_CERTIFICATE_ERROR;
    }

  g_clear_pointer (&self->peer_public_key, g_bytes_unref);
  g_clear_pointer (&self->peer_fingerprint, g_bytes_unref);
  g_clear_pointer (&self->peer_fingerprint_hex, g_free);
  self->peer_fingerprint = td_device_key_fingerprint_of (public_key);
  self->peer_fingerprint_hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, public_key);
  self->peer_public_key = g_steal_pointer (&public_key);

  return 0;
}

static gboolean
setup_tls (TdControlChannel  *self,
           GError           **error)
{
  const char *error_position = NULL;
  unsigned int flags = GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS;
  int ret;

  flags |= self->role == TD_CONTROL_ROLE_CLIENT ? GNUTLS_CLIENT : GNUTLS_SERVER;

  if ((ret = gnutls_certificate_allocate_credentials (&self->credentials)) < 0)
    goto failed;
  if (!td_device_key_add_to_credentials (self->key, self->credentials, error))
    return FALSE;
  gnutls_certificate_set_verify_function (self->credentials, verify_peer);

  if ((ret = gnutls_init (&self->session, flags)) < 0 ||
      (ret = gnutls_priority_set_direct (self->session, TLS_PRIORITY, &error_position)) < 0 ||
      (ret = gnutls_credentials_set (self->session, GNUTLS_CRD_CERTIFICATE, self->credentials)) < 0)
    goto failed;

  if (self->role == TD_CONTROL_ROLE_SERVER)
    gnutls_certificate_server_set_request (self->session, GNUTLS_CERT_REQUIRE);

  gnutls_session_set_ptr (self->session, self);
  gnutls_transport_set_ptr (self->session, self);
  gnutls_transport_set_push_function (self->session, tls_push);
  gnutls_transport_set_pull_function (self->session, tls_pull);
  gnutls_transport_set_pull_timeout_function (self->session, tls_pull_timeout);
  /* Our own timer bounds the handshake. */
  gnutls_handshake_set_timeout (self->session, GNUTLS_INDEFINITE_TIMEOUT);

  return TRUE;

failed:
  g_set_error (error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_FAILED,
               "Could not set up TLS: %s", gnutls_strerror (ret));
  return FALSE;
}

/* Ciphertext -> PseudoTCP, as much as it takes now. */
static void
flush_output (TdControlChannel *self)
{
  while (tls_out_pending (self) > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      n = td_pseudo_tcp_send (self->tcp, self->tls_out->data + self->tls_out_offset,
                              MIN (tls_out_pending (self), READ_CHUNK), &error);
      if (n <= 0)
        break; /* full: "writable" will call again; closed: "closed" follows */
      self->tls_out_offset += n;
    }

  if (self->tls_out_offset > 0 && tls_out_pending (self) == 0)
    {
      g_byte_array_set_size (self->tls_out, 0);
      self->tls_out_offset = 0;
    }
  else if (self->tls_out_offset >= HIGH_WATER)
    {
      g_byte_array_remove_range (self->tls_out, 0, self->tls_out_offset);
      self->tls_out_offset = 0;
    }
}

/* Handshake */

static void
complete_handshake (TdControlChannel *self,
                    GError           *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->handshake_task);

  clear_source (&self->handshake_timer);
  clear_source (&self->handshake_cancel_source);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
fail_handshake (TdControlChannel *self,
                GError           *error)
{
  g_debug ("Handshake failed: %s", error->message);

  set_state (self, TD_CONTROL_STATE_CLOSED);
  /* Let what was said (an alert, say) go out, then end the stream. */
  if (self->tcp != NULL)
    td_pseudo_tcp_close (self->tcp, FALSE);
  complete_handshake (self, error);
}

static gboolean
keepalive_tick (gpointer user_data)
{
  TdControlChannel *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 last = MAX (self->last_received, td_pseudo_tcp_get_last_receive_time (self->tcp));
  gint64 idle_ms = (now - last) / 1000;

  if (idle_ms >= self->idle_timeout_ms)
    {
      g_autoptr(TdControlChannel) hold = g_object_ref (self);

      clear_source (&self->keepalive_timer);
      close_with_error (self, g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_TIMED_OUT,
                                           "The partner has not answered for %.1f s; "
                                           "the connection is lost",
                                           self->idle_timeout_ms / 1000.0));
      return G_SOURCE_REMOVE;
    }

  if (idle_ms >= self->idle_timeout_ms / 4)
    {
      g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

      g_variant_dict_insert (&dict, "id", "t", ++self->ping_id);
      g_variant_dict_insert (&dict, "reply", "b", FALSE);
      td_control_channel_send_message (self, TD_WIRE_TYPE_PING, g_variant_dict_end (&dict), NULL);
    }

  return G_SOURCE_CONTINUE;
}

static void
handshake_done (TdControlChannel *self)
{
  if (self->peer_public_key == NULL)
    {
      fail_handshake (self, g_error_new_literal (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_BAD_CERTIFICATE,
                                                 "The partner did not present a device certificate"));
      return;
    }

  if (gnutls_protocol_get_version (self->session) != GNUTLS_TLS1_3)
    {
      fail_handshake (self, g_error_new_literal (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_HANDSHAKE,
                                                 "The partner does not speak TLS 1.3"));
      return;
    }

  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) == FALSE)
    {
      g_autofree char *description = td_control_channel_dup_tls_description (self);

      g_debug ("%s: TLS open (%s), partner %s",
               self->role == TD_CONTROL_ROLE_CLIENT ? "client" : "server",
               description, self->peer_fingerprint_hex);
    }

  self->last_received = g_get_monotonic_time ();
  if (self->idle_timeout_ms > 0)
    self->keepalive_timer = add_timeout (self, MAX (self->idle_timeout_ms / 4, 100), keepalive_tick);

  set_state (self, TD_CONTROL_STATE_OPEN);
  complete_handshake (self, NULL);
}

static GError *
handshake_error (TdControlChannel *self,
                 int               ret)
{
  if (self->verify_error != NULL)
    return g_steal_pointer (&self->verify_error);

  switch (ret)
    {
    case GNUTLS_E_FATAL_ALERT_RECEIVED:
      {
        gnutls_alert_description_t alert = gnutls_alert_get (self->session);

        if (alert == GNUTLS_A_BAD_CERTIFICATE || alert == GNUTLS_A_UNSUPPORTED_CERTIFICATE ||
            alert == GNUTLS_A_CERTIFICATE_REQUIRED)
          return g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_BAD_CERTIFICATE,
                              "The partner did not accept this device’s certificate (%s)",
                              gnutls_alert_get_name (alert));
        return g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_HANDSHAKE,
                            "The partner refused the secure connection (%s)",
                            gnutls_alert_get_name (alert));
      }

    case GNUTLS_E_PREMATURE_TERMINATION:
    case GNUTLS_E_PULL_ERROR:
      return g_error_new_literal (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_CLOSED,
                                  "The partner closed the connection during the secure handshake");

    case GNUTLS_E_CERTIFICATE_REQUIRED:
      return g_error_new_literal (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_BAD_CERTIFICATE,
                                  "The partner did not present a device certificate");

    case GNUTLS_E_NO_CERTIFICATE_FOUND:
    case GNUTLS_E_CERTIFICATE_ERROR:
      return g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_BAD_CERTIFICATE,
                          "The partner did not present a usable device certificate (%s)",
                          gnutls_strerror (ret));

    default:
      return g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_HANDSHAKE,
                          "The secure connection with the partner failed: %s",
                          gnutls_strerror (ret));
    }
}

static void
run_handshake (TdControlChannel *self)
{
  int ret;

  do
    ret = gnutls_handshake (self->session);
  while (ret < 0 && ret != GNUTLS_E_AGAIN && !gnutls_error_is_fatal (ret));

  if (ret == GNUTLS_E_AGAIN)
    {
      flush_output (self);
      return;
    }

  if (ret < 0)
    {
      GError *error = handshake_error (self, ret);

      /* Tell the partner at once, or it waits for its own timeout. */
      if (ret != GNUTLS_E_FATAL_ALERT_RECEIVED)
        gnutls_alert_send_appropriate (self->session, ret);
      flush_output (self);
      fail_handshake (self, error);
      return;
    }

  flush_output (self);
  handshake_done (self);
}

static gboolean
handshake_timed_out (gpointer user_data)
{
  TdControlChannel *self = user_data;
  guint seconds = (self->handshake_timeout_ms + 999) / 1000;
  GError *error;

  g_clear_pointer (&self->handshake_timer, g_source_unref);

  if (self->state == TD_CONTROL_STATE_CONNECTING)
    error = g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_TIMED_OUT,
                         "The partner did not answer within %u s; it may have gone offline", seconds);
  else
    error = g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_TIMED_OUT,
                         "The secure handshake with the partner did not finish within %u s; "
                         "the partner may have gone offline", seconds);

  fail_handshake (self, error);
  return G_SOURCE_REMOVE;
}

static gboolean
handshake_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  TdControlChannel *self = user_data;
  GError *error = NULL;

  g_clear_pointer (&self->handshake_cancel_source, g_source_unref);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  fail_handshake (self, error);

  return G_SOURCE_REMOVE;
}

/* Receiving */

static void
send_internal (TdControlChannel *self,
               guint16           type,
               GVariant         *fields)
{
  g_autoptr(GError) error = NULL;

  if (!td_control_channel_send_message (self, type, fields, &error))
    g_debug ("Could not send a %s message: %s", td_wire_type_to_string (type), error->message);
}

static void
complete_bulk (TdControlChannel *self,
               GError           *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->bulk_task);

  clear_source (&self->bulk_cancel_source);
  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    {
      g_task_return_error (task, error);
    }
  else
    {
      double *seconds = g_new (double, 1);

      *seconds = (g_get_monotonic_time () - self->bulk_start) / (double) G_USEC_PER_SEC;
      g_task_return_pointer (task, seconds, g_free);
    }
}

/* Messages the channel answers itself. Returns TRUE if it took @type. */
static gboolean
handle_internal (TdControlChannel  *self,
                 guint16            type,
                 GVariant          *fields,
                 GError           **error)
{
  switch (type)
    {
    case TD_WIRE_TYPE_PING:
      {
        gboolean reply = TRUE;
        guint64 id = 0;

        td_wire_lookup_boolean (fields, "reply", &reply, NULL);
        td_wire_lookup_uint (fields, "id", G_MAXUINT64, &id, NULL);
        if (!reply)
          {
            g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

            g_variant_dict_insert (&dict, "id", "t", id);
            g_variant_dict_insert (&dict, "reply", "b", TRUE);
            send_internal (self, TD_WIRE_TYPE_PING, g_variant_dict_end (&dict));
          }
        return TRUE;
      }

    case TD_WIRE_TYPE_BULK:
      {
        g_autoptr(GBytes) data = NULL;
        gboolean last = FALSE;
        const guint8 *p;
        gsize size;

        if (!td_wire_lookup_bytes (fields, "data", 0, &data, error))
          return TRUE;
        td_wire_lookup_boolean (fields, "last", &last, NULL);

        p = g_bytes_get_data (data, &size);
        for (gsize i = 0; i < size; i++)
          {
            if (p[i] != bulk_byte (self->bulk_received + i))
              {
                g_set_error (error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_PROTOCOL,
                             "Throughput data from the partner was corrupted at byte %" G_GUINT64_FORMAT,
                             self->bulk_received + i);
                return TRUE;
              }
          }
        self->bulk_received += size;

        if (last)
          {
            g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

            g_variant_dict_insert (&dict, "bytes", "t", self->bulk_received);
            send_internal (self, TD_WIRE_TYPE_BULK_ACK, g_variant_dict_end (&dict));
            self->bulk_received = 0;
          }
        return TRUE;
      }

    case TD_WIRE_TYPE_BULK_ACK:
      {
        guint64 bytes = 0;

        if (self->bulk_task == NULL || self->bulk_queued < self->bulk_total)
          return TRUE; /* not asked for, or for a measurement that was cancelled */

        if (!td_wire_lookup_uint (fields, "bytes", G_MAXUINT64, &bytes, error))
          return TRUE;

        if (bytes != self->bulk_total)
          complete_bulk (self, g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_PROTOCOL,
                                            "The partner received %" G_GUINT64_FORMAT " of %"
                                            G_GUINT64_FORMAT " bytes",
                                            bytes, self->bulk_total));
        else
          complete_bulk (self, NULL);
        return TRUE;
      }

    default:
      return FALSE;
    }
}

static void
protocol_error (TdControlChannel *self,
                GError           *error)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_debug ("Ending the channel: %s", error->message);

  /* Say why before going: the partner's user sees a reason, not a drop. */
  g_variant_dict_insert (&dict, "reason", "s", "protocol-error");
  g_variant_dict_insert (&dict, "message", "s", error->message);
  send_internal (self, TD_WIRE_TYPE_BYE, g_variant_dict_end (&dict));

  close_with_error (self, error);
}

static void
dispatch_messages (TdControlChannel *self)
{
  while (self->state == TD_CONTROL_STATE_OPEN)
    {
      g_autoptr(GVariant) fields = NULL;
      GError *error = NULL;
      const char *name;
      guint16 type;

      if (!td_wire_decoder_pop (self->decoder, &type, &fields, &error))
        {
          if (error != NULL)
            protocol_error (self, error);
          return;
        }

      if (handle_internal (self, type, fields, &error))
        {
          if (error != NULL)
            {
              protocol_error (self, error);
              return;
            }
          continue;
        }

      name = td_wire_type_to_string (type);
      g_signal_emit (self, signals[MESSAGE_RECEIVED],
                     name != NULL ? g_quark_from_static_string (name) : 0,
                     (guint) type, fields);
    }
}

static void
read_records (TdControlChannel *self)
{
  guint8 buffer[READ_CHUNK];

  while (self->state == TD_CONTROL_STATE_OPEN || self->state == TD_CONTROL_STATE_CLOSING)
    {
      ssize_t ret = gnutls_record_recv (self->session, buffer, sizeof buffer);

      if (ret > 0)
        {
          GError *error = NULL;

          self->last_received = g_get_monotonic_time ();
          if (self->state != TD_CONTROL_STATE_OPEN)
            continue; /* closing: drain, ignore */

          if (!td_wire_decoder_feed (self->decoder, buffer, ret, &error))
            {
              protocol_error (self, error);
              break;
            }
          dispatch_messages (self);
          continue;
        }

      if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
        break;

      if (self->state == TD_CONTROL_STATE_CLOSING && (ret == 0 || gnutls_error_is_fatal (ret)))
        {
          /* The end we asked for, answered or not. */
          close_with_error (self, NULL);
          break;
        }

      if (ret == 0)
        {
          /* close_notify: the partner ended the channel properly. */
          g_debug ("The partner closed the channel");
          close_with_error (self, NULL);
          break;
        }

      if (!gnutls_error_is_fatal (ret))
        continue;

      if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED)
        close_with_error (self, g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_CLOSED,
                                             "The partner ended the secure connection (%s)",
                                             gnutls_alert_get_name (gnutls_alert_get (self->session))));
      else if (ret == GNUTLS_E_PREMATURE_TERMINATION)
        close_with_error (self, g_error_new_literal (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_CLOSED,
                                                     "The connection to the partner was cut off"));
      else
        close_with_error (self, g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_CLOSED,
                                             "The secure connection to the partner failed: %s",
                                             gnutls_strerror (ret)));
      break;
    }

  if (self->tcp != NULL)
    flush_output (self);
}

static void
on_tcp_readable (TdPseudoTcp      *tcp,
                 TdControlChannel *self)
{
  g_autoptr(TdControlChannel) hold = g_object_ref (self);
  guint8 buffer[READ_CHUNK];

  for (;;)
    {
      gssize n = td_pseudo_tcp_recv (tcp, buffer, sizeof buffer, NULL);

      if (n < 0)
        break;
      if (n == 0)
        {
          self->tls_in_eof = TRUE;
          break;
        }
      g_byte_array_append (self->tls_in, buffer, n);
    }

  if (self->state == TD_CONTROL_STATE_HANDSHAKING)
    run_handshake (self);

  if (self->state == TD_CONTROL_STATE_OPEN || self->state == TD_CONTROL_STATE_CLOSING)
    read_records (self);

  pump_send (self);
}

static void
on_tcp_opened (TdPseudoTcp      *tcp,
               TdControlChannel *self)
{
  g_autoptr(TdControlChannel) hold = g_object_ref (self);
  g_autoptr(GError) error = NULL;

  if (self->state != TD_CONTROL_STATE_CONNECTING)
    return;

  set_state (self, TD_CONTROL_STATE_HANDSHAKING);
  if (!setup_tls (self, &error))
    {
      fail_handshake (self, g_steal_pointer (&error));
      return;
    }

  run_handshake (self);
}

static void
on_tcp_writable (TdPseudoTcp      *tcp,
                 TdControlChannel *self)
{
  g_autoptr(TdControlChannel) hold = g_object_ref (self);

  flush_output (self);
  pump_send (self);
}

static void
on_tcp_closed (TdPseudoTcp      *tcp,
               const GError     *tcp_error,
               TdControlChannel *self)
{
  g_autoptr(TdControlChannel) hold = g_object_ref (self);

  switch (self->state)
    {
    case TD_CONTROL_STATE_CONNECTING:
    case TD_CONTROL_STATE_HANDSHAKING:
      fail_handshake (self, g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_CLOSED,
                                         "The connection to the partner was lost during the "
                                         "secure handshake: %s",
                                         tcp_error ? tcp_error->message : "closed"));
      break;

    case TD_CONTROL_STATE_OPEN:
      close_with_error (self, g_error_new (TD_CHANNEL_ERROR,
                                           g_error_matches (tcp_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
                                             ? TD_CHANNEL_ERROR_TIMED_OUT : TD_CHANNEL_ERROR_CLOSED,
                                           "The connection to the partner was lost: %s",
                                           tcp_error ? tcp_error->message : "closed"));
      break;

    case TD_CONTROL_STATE_CLOSING:
      close_with_error (self, NULL);
      break;

    case TD_CONTROL_STATE_NEW:
    case TD_CONTROL_STATE_CLOSED:
    default:
      break;
    }
}

/* Sending */

static void
pump_bulk (TdControlChannel *self)
{
  while (self->bulk_task != NULL &&
         self->bulk_queued < self->bulk_total &&
         self->send_queue_bytes < HIGH_WATER)
    {
      g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
      gsize n = MIN (BULK_CHUNK, self->bulk_total - self->bulk_queued);
      guint8 *data = g_malloc (n);
      GBytes *bytes;

      for (gsize i = 0; i < n; i++)
        data[i] = bulk_byte (self->bulk_queued + i);
      bytes = g_bytes_new_take (data, n);

      self->bulk_queued += n;
      g_variant_dict_insert_value (&dict, "data",
                                   g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE));
      g_variant_dict_insert (&dict, "last", "b", self->bulk_queued == self->bulk_total);
      g_bytes_unref (bytes);

      if (!td_control_channel_send_message (self, TD_WIRE_TYPE_BULK, g_variant_dict_end (&dict), NULL))
        break;
    }
}

/* Frames -> TLS records, while the ciphertext backlog is small. */
static void
encrypt_queued (TdControlChannel *self)
{
  gboolean corked = FALSE;

  if (g_queue_get_length (&self->send_queue) > 1)
    {
      gnutls_record_cork (self->session);
      corked = TRUE;
    }

  while (!g_queue_is_empty (&self->send_queue) &&
         (tls_out_pending (self) < HIGH_WATER || self->state == TD_CONTROL_STATE_CLOSING))
    {
      GBytes *frame = g_queue_peek_head (&self->send_queue);
      gsize size;
      const guint8 *data = g_bytes_get_data (frame, &size);
      ssize_t ret;

      ret = gnutls_record_send (self->session, data + self->send_head_offset,
                                size - self->send_head_offset);
      if (ret < 0)
        {
          if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
            break;
          if (corked)
            gnutls_record_uncork (self->session, 0);
          close_with_error (self, g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_FAILED,
                                               "Could not encrypt a message: %s",
                                               gnutls_strerror (ret)));
          return;
        }

      self->send_head_offset += ret;
      self->send_queue_bytes -= ret;
      if (self->send_head_offset == size)
        {
          g_bytes_unref (g_queue_pop_head (&self->send_queue));
          self->send_head_offset = 0;
        }
    }

  if (corked)
    gnutls_record_uncork (self->session, GNUTLS_RECORD_WAIT);
}

static gboolean
close_lingered (gpointer user_data)
{
  TdControlChannel *self = user_data;

  g_clear_pointer (&self->close_timer, g_source_unref);
  g_debug ("The partner did not acknowledge the close in time");
  if (self->tcp != NULL)
    td_pseudo_tcp_close (self->tcp, TRUE);
  close_with_error (self, NULL);

  return G_SOURCE_REMOVE;
}

static void
pump_send (TdControlChannel *self)
{
  if (self->pumping)
    {
      self->pump_again = TRUE;
      return;
    }

  self->pumping = TRUE;
  do
    {
      self->pump_again = FALSE;

      if (self->state != TD_CONTROL_STATE_OPEN && self->state != TD_CONTROL_STATE_CLOSING)
        break;

      flush_output (self);
      encrypt_queued (self);
      flush_output (self);

      if (self->state == TD_CONTROL_STATE_OPEN)
        pump_bulk (self);

      if (self->above_high_water &&
          self->send_queue_bytes + tls_out_pending (self) < LOW_WATER &&
          self->state == TD_CONTROL_STATE_OPEN)
        {
          self->above_high_water = FALSE;
          g_signal_emit (self, signals[DRAINED], 0);
        }

      /* A local close: once everything went to PseudoTCP, close_notify
       * and a half-close; the partner answers with its close_notify.
       * (A full PseudoTCP close would stop reading: the answer would be
       * lost and the close would look like a cut.) */
      if (self->state == TD_CONTROL_STATE_CLOSING && !self->bye_sent &&
          g_queue_is_empty (&self->send_queue) && tls_out_pending (self) == 0)
        {
          self->bye_sent = TRUE;
          gnutls_bye (self->session, GNUTLS_SHUT_WR);
          flush_output (self);
          td_pseudo_tcp_shutdown_write (self->tcp);
        }
    }
  while (self->pump_again);
  self->pumping = FALSE;
}

/* Ends an open channel: @error is why (%NULL for a clean close). */
static void
close_with_error (TdControlChannel *self,
                  GError           *error)
{
  g_autoptr(TdControlChannel) hold = g_object_ref (self);
  g_autoptr(GTask) close_task = NULL;

  if (self->state < TD_CONTROL_STATE_OPEN)
    {
      if (error == NULL)
        error = g_error_new_literal (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_CLOSED,
                                     "The channel was closed");
      fail_handshake (self, error);
      return;
    }

  if (self->state == TD_CONTROL_STATE_CLOSED)
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    g_debug ("Channel closed: %s", error->message);

  clear_source (&self->keepalive_timer);
  clear_source (&self->close_timer);

  /* Best effort: tell the partner the stream ends here, then let
   * PseudoTCP deliver that and close. */
  if (!self->bye_sent && self->session != NULL && self->tcp != NULL)
    {
      self->bye_sent = TRUE;
      gnutls_bye (self->session, GNUTLS_SHUT_WR);
      flush_output (self);
    }
  if (self->tcp != NULL)
    td_pseudo_tcp_close (self->tcp, FALSE);

  g_queue_clear_full (&self->send_queue, (GDestroyNotify) g_bytes_unref);
  self->send_queue_bytes = 0;
  self->send_head_offset = 0;

  set_state (self, TD_CONTROL_STATE_CLOSED);

  if (self->bulk_task != NULL)
    complete_bulk (self, error != NULL ? g_error_copy (error)
                                       : g_error_new_literal (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_CLOSED,
                                                              "The channel closed during the measurement"));

  g_signal_emit (self, signals[CLOSED], 0, error);

  close_task = g_steal_pointer (&self->close_task);
  if (close_task != NULL)
    g_task_return_boolean (close_task, TRUE);

  g_clear_error (&error);
}

/* GObject */

static void
td_control_channel_dispose (GObject *object)
{
  TdControlChannel *self = (TdControlChannel *) object;

  clear_source (&self->handshake_timer);
  clear_source (&self->handshake_cancel_source);
  clear_source (&self->close_timer);
  clear_source (&self->keepalive_timer);
  clear_source (&self->bulk_cancel_source);

  if (self->tcp != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->tcp, self);
      td_pseudo_tcp_close (self->tcp, TRUE);
      g_clear_object (&self->tcp);
    }

  g_queue_clear_full (&self->send_queue, (GDestroyNotify) g_bytes_unref);

  G_OBJECT_CLASS (td_control_channel_parent_class)->dispose (object);
}

static void
td_control_channel_finalize (GObject *object)
{
  TdControlChannel *self = (TdControlChannel *) object;

  g_clear_pointer (&self->session, gnutls_deinit);
  g_clear_pointer (&self->credentials, gnutls_certificate_free_credentials);
  g_clear_error (&self->verify_error);
  g_clear_pointer (&self->tls_in, g_byte_array_unref);
  g_clear_pointer (&self->tls_out, g_byte_array_unref);
  g_clear_pointer (&self->decoder, td_wire_decoder_free);
  g_clear_pointer (&self->peer_public_key, g_bytes_unref);
  g_clear_pointer (&self->peer_fingerprint, g_bytes_unref);
  g_clear_pointer (&self->peer_fingerprint_hex, g_free);
  g_clear_object (&self->link);
  g_clear_object (&self->key);

  G_OBJECT_CLASS (td_control_channel_parent_class)->finalize (object);
}

static void
td_control_channel_constructed (GObject *object)
{
  TdControlChannel *self = (TdControlChannel *) object;

  G_OBJECT_CLASS (td_control_channel_parent_class)->constructed (object);

  self->decoder = td_wire_decoder_new (self->max_frame_size);
}

static void
td_control_channel_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TdControlChannel *self = TD_CONTROL_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_LINK:
      g_value_set_object (value, self->link);
      break;
    case PROP_DEVICE_KEY:
      g_value_set_object (value, self->key);
      break;
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      g_value_set_uint (value, self->handshake_timeout_ms);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout_ms);
      break;
    case PROP_MAX_FRAME_SIZE:
      g_value_set_uint (value, self->max_frame_size);
      break;
    case PROP_PEER_FINGERPRINT:
      g_value_set_string (value, self->peer_fingerprint_hex);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_control_channel_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TdControlChannel *self = TD_CONTROL_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_LINK:
      self->link = g_value_dup_object (value);
      break;
    case PROP_DEVICE_KEY:
      self->key = g_value_dup_object (value);
      break;
    case PROP_ROLE:
      self->role = g_value_get_enum (value);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      if (self->handshake_timeout_ms != g_value_get_uint (value))
        {
          self->handshake_timeout_ms = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_IDLE_TIMEOUT:
      if (self->idle_timeout_ms != g_value_get_uint (value))
        {
          self->idle_timeout_ms = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MAX_FRAME_SIZE:
      self->max_frame_size = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_control_channel_class_init (TdControlChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = td_control_channel_constructed;
  object_class->dispose = td_control_channel_dispose;
  object_class->finalize = td_control_channel_finalize;
  object_class->get_property = td_control_channel_get_property;
  object_class->set_property = td_control_channel_set_property;

  properties[PROP_LINK] =
    g_param_spec_object ("link", NULL, NULL,
                         TD_TYPE_DATAGRAM_LINK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_DEVICE_KEY] =
    g_param_spec_object ("device-key", NULL, NULL,
                         TD_TYPE_DEVICE_KEY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL,
                       TD_TYPE_CONTROL_ROLE, TD_CONTROL_ROLE_CLIENT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       TD_TYPE_CONTROL_STATE, TD_CONTROL_STATE_NEW,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* From the start of the handshake until TLS is up, in ms. */
  properties[PROP_HANDSHAKE_TIMEOUT] =
    g_param_spec_uint ("handshake-timeout", NULL, NULL,
                       100, G_MAXUINT, DEFAULT_HANDSHAKE_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* Silence after which an open channel counts as lost, in ms; 0 turns
   * the keepalive pings and the check off. Set it before the handshake. */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_IDLE_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_MAX_FRAME_SIZE] =
    g_param_spec_uint ("max-frame-size", NULL, NULL,
                       1024, G_MAXINT32, TD_WIRE_DEFAULT_MAX_FRAME_SIZE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_PEER_FINGERPRINT] =
    g_param_spec_string ("peer-fingerprint", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdControlChannel::message-received:
   * @type: a #TdWireType
   * @fields: the `a{sv}` fields
   *
   * A message from the partner. The detail is the type's name, so
   * `message-received::chat` only sees chat messages. PING, BULK and
   * BULK_ACK are answered by the channel and not emitted.
   */
  signals[MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_VARIANT);

  /**
   * TdControlChannel::closed:
   * @error: (nullable): why, or %NULL for a clean close by either side
   *
   * An open channel ended. Emitted once; a failed handshake is reported
   * by td_control_channel_handshake_finish() instead.
   */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * TdControlChannel::drained:
   *
   * The send queue went below 64 KiB after it had been above 256 KiB:
   * time to queue more file data.
   */
  signals[DRAINED] =
    g_signal_new ("drained", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
td_control_channel_init (TdControlChannel *self)
{
  self->handshake_timeout_ms = DEFAULT_HANDSHAKE_TIMEOUT_MS;
  self->idle_timeout_ms = DEFAULT_IDLE_TIMEOUT_MS;
  self->max_frame_size = TD_WIRE_DEFAULT_MAX_FRAME_SIZE;
  self->tls_in = g_byte_array_new ();
  self->tls_out = g_byte_array_new ();
  g_queue_init (&self->send_queue);
}

/**
 * td_control_channel_new:
 * @link: what carries the datagrams: ICE component 1, or a test pipe
 * @key: this device's key; its certificate is presented to the partner
 * @role: %TD_CONTROL_ROLE_CLIENT on the viewer, %TD_CONTROL_ROLE_SERVER on
 *   the host
 *
 * Returns: (transfer full): a channel; start it with
 *   td_control_channel_handshake_async()
 */
TdControlChannel *
td_control_channel_new (TdDatagramLink *link,
                        TdDeviceKey    *key,
                        TdControlRole   role)
{
  g_return_val_if_fail (TD_IS_DATAGRAM_LINK (link), NULL);
  g_return_val_if_fail (TD_IS_DEVICE_KEY (key), NULL);

  return g_object_new (TD_TYPE_CONTROL_CHANNEL,
                       "link", link,
                       "device-key", key,
                       "role", role,
                       NULL);
}

TdControlRole
td_control_channel_get_role (TdControlChannel *self)
{
  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), TD_CONTROL_ROLE_CLIENT);

  return self->role;
}

TdControlState
td_control_channel_get_state (TdControlChannel *self)
{
  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), TD_CONTROL_STATE_CLOSED);

  return self->state;
}

/**
 * td_control_channel_handshake_async:
 * @self: a #TdControlChannel
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the channel is open or has failed
 * @user_data: passed to @callback
 *
 * Opens the PseudoTCP stream (the client connects, the server waits) and
 * runs the TLS 1.3 handshake over it, within #TdControlChannel:handshake-timeout.
 * Both ends present their device certificate; afterwards the partner's
 * key and fingerprint are known and the TLS exporter can be used.
 */
void
td_control_channel_handshake_async (TdControlChannel    *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TD_IS_CONTROL_CHANNEL (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_control_channel_handshake_async);

  if (self->state != TD_CONTROL_STATE_NEW)
    {
      g_task_return_new_error (task, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_FAILED,
                               "The channel has already been started");
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  self->handshake_task = g_steal_pointer (&task);
  set_state (self, TD_CONTROL_STATE_CONNECTING);

  if (cancellable != NULL)
    {
      self->handshake_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->handshake_cancel_source,
                             (GSourceFunc) (void (*) (void)) handshake_cancelled, self, NULL);
      g_source_attach (self->handshake_cancel_source, g_main_context_get_thread_default ());
    }
  self->handshake_timer = add_timeout (self, self->handshake_timeout_ms, handshake_timed_out);

  self->tcp = td_pseudo_tcp_new (self->link);
  g_signal_connect (self->tcp, "opened", G_CALLBACK (on_tcp_opened), self);
  g_signal_connect (self->tcp, "readable", G_CALLBACK (on_tcp_readable), self);
  g_signal_connect (self->tcp, "writable", G_CALLBACK (on_tcp_writable), self);
  g_signal_connect (self->tcp, "closed", G_CALLBACK (on_tcp_closed), self);

  if (self->role == TD_CONTROL_ROLE_CLIENT)
    td_pseudo_tcp_connect (self->tcp);
}

/**
 * td_control_channel_handshake_finish:
 * @self: a #TdControlChannel
 * @result: the #GAsyncResult
 * @error: a #GError: %TD_CHANNEL_ERROR_TIMED_OUT, _HANDSHAKE,
 *   _BAD_CERTIFICATE, _CLOSED, or %G_IO_ERROR_CANCELLED
 *
 * Returns: %TRUE if the channel is open
 */
gboolean
td_control_channel_handshake_finish (TdControlChannel  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_control_channel_handshake_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * td_control_channel_get_peer_public_key:
 *
 * Returns: (transfer none) (nullable): the partner's raw Ed25519 key,
 *   once the handshake has seen its certificate
 */
GBytes *
td_control_channel_get_peer_public_key (TdControlChannel *self)
{
  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), NULL);

  return self->peer_public_key;
}

/**
 * td_control_channel_get_peer_fingerprint:
 *
 * Returns: (transfer none) (nullable): SHA-256 of the partner's key
 */
GBytes *
td_control_channel_get_peer_fingerprint (TdControlChannel *self)
{
  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), NULL);

  return self->peer_fingerprint;
}

/**
 * td_control_channel_get_peer_fingerprint_hex:
 *
 * Returns: (nullable): the fingerprint in hex, as
 *   td_device_key_get_fingerprint_hex() gives it on the partner's side
 */
const char *
td_control_channel_get_peer_fingerprint_hex (TdControlChannel *self)
{
  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), NULL);

  return self->peer_fingerprint_hex;
}

/**
 * td_control_channel_dup_tls_description:
 *
 * Returns: (transfer full) (nullable): what TLS negotiated, for logs,
 *   such as "(TLS1.3-X.509)-(ECDHE-X25519)-(EdDSA-Ed25519)-(AES-256-GCM)"
 */
char *
td_control_channel_dup_tls_description (TdControlChannel *self)
{
  char *description;
  char *copy;

  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), NULL);

  if (self->session == NULL || (description = gnutls_session_get_desc (self->session)) == NULL)
    return NULL;

  copy = g_strdup (description);
  gnutls_free (description);
  return copy;
}

/**
 * td_control_channel_export:
 * @self: a #TdControlChannel
 * @label: the exporter label, e.g. "EXPORTER-tandem-cpace-sid"
 * @context: (nullable): the context; %NULL and empty are the same in TLS 1.3
 * @length: how many bytes to derive, 1 to %TD_CONTROL_CHANNEL_MAX_EXPORT
 * @out: (array length=length): where to put them
 * @error: a #GError
 *
 * Derives keying material from the TLS session (RFC 8446 section 7.5).
 * Both ends get the same bytes, and a man in the middle, running two
 * sessions, gets different ones on each.
 *
 * Returns: %TRUE on success
 */
gboolean
td_control_channel_export (TdControlChannel  *self,
                           const char        *label,
                           GBytes            *context,
                           gsize              length,
                           guint8            *out,
                           GError           **error)
{
  const guint8 *context_data = NULL;
  gsize context_size = 0;
  int ret;

  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), FALSE);
  g_return_val_if_fail (label != NULL, FALSE);
  g_return_val_if_fail (length > 0 && length <= TD_CONTROL_CHANNEL_MAX_EXPORT, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (self->state != TD_CONTROL_STATE_OPEN || self->session == NULL)
    {
      g_set_error_literal (error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_NOT_OPEN,
                           "The secure channel is not open");
      return FALSE;
    }

  if (context != NULL)
    context_data = g_bytes_get_data (context, &context_size);

  ret = gnutls_prf_rfc5705 (self->session, strlen (label), label,
                            context_size, (const char *) context_data,
                            length, (char *) out);
  if (ret < 0)
    {
      g_set_error (error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_FAILED,
                   "Could not derive a key from the secure channel: %s", gnutls_strerror (ret));
      return FALSE;
    }

  return TRUE;
}

/**
 * td_control_channel_add_known_field:
 * @self: a #TdControlChannel
 * @type: a message type
 * @key: a required field name (starting with '!') the caller understands
 *
 * See td_wire_decoder_add_known_field().
 */
void
td_control_channel_add_known_field (TdControlChannel *self,
                                    guint16           type,
                                    const char       *key)
{
  g_return_if_fail (TD_IS_CONTROL_CHANNEL (self));

  td_wire_decoder_add_known_field (self->decoder, type, key);
}

/**
 * td_control_channel_send_message:
 * @self: a #TdControlChannel
 * @type: a #TdWireType
 * @fields: (nullable): an `a{sv}`; a floating reference is taken
 * @error: a #GError
 *
 * Queues a message; it never blocks. Messages go out in order. Watch
 * td_control_channel_get_queued_bytes() and #TdControlChannel::drained
 * when sending a lot.
 *
 * Returns: %TRUE if the message was queued
 */
gboolean
td_control_channel_send_message (TdControlChannel  *self,
                                 guint16            type,
                                 GVariant          *fields,
                                 GError           **error)
{
  g_autoptr(GVariant) owned = NULL;
  g_autoptr(GBytes) frame = NULL;
  gsize size;

  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), FALSE);

  if (fields != NULL)
    owned = g_variant_ref_sink (fields);

  if (self->state != TD_CONTROL_STATE_OPEN)
    {
      g_set_error_literal (error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_NOT_OPEN,
                           "The connection to the partner is not open");
      return FALSE;
    }

  frame = td_wire_encode (type, owned);
  size = g_bytes_get_size (frame);
  if (size - TD_WIRE_HEADER_SIZE > self->max_frame_size)
    {
      g_set_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_TOO_LARGE,
                   "A %s message of %" G_GSIZE_FORMAT " bytes is over the limit of %u bytes",
                   td_wire_type_to_string (type) ?: "?", size, self->max_frame_size);
      return FALSE;
    }

  g_queue_push_tail (&self->send_queue, g_steal_pointer (&frame));
  self->send_queue_bytes += size;
  if (self->send_queue_bytes + tls_out_pending (self) > HIGH_WATER)
    self->above_high_water = TRUE;

  pump_send (self);
  return TRUE;
}

/**
 * td_control_channel_get_queued_bytes:
 * @self: a #TdControlChannel
 *
 * Returns: bytes of messages and ciphertext not yet taken by PseudoTCP
 */
gsize
td_control_channel_get_queued_bytes (TdControlChannel *self)
{
  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), 0);

  return self->send_queue_bytes + tls_out_pending (self);
}

/**
 * td_control_channel_close_async:
 * @self: a #TdControlChannel
 * @cancellable: (nullable): a #GCancellable (not used yet)
 * @callback: (nullable): called when the channel is closed
 * @user_data: passed to @callback
 *
 * Sends what is queued, then TLS close_notify, and closes PseudoTCP
 * gracefully. Completes when the partner acknowledged the close, or after
 * a few seconds if it does not. #TdControlChannel::closed is emitted
 * with a %NULL error first. A handshake in progress fails with
 * %G_IO_ERROR_CANCELLED.
 */
void
td_control_channel_close_async (TdControlChannel    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TD_IS_CONTROL_CHANNEL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_control_channel_close_async);

  switch (self->state)
    {
    case TD_CONTROL_STATE_NEW:
      set_state (self, TD_CONTROL_STATE_CLOSED);
      g_task_return_boolean (task, TRUE);
      break;

    case TD_CONTROL_STATE_CONNECTING:
    case TD_CONTROL_STATE_HANDSHAKING:
      fail_handshake (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "The channel was closed during the handshake"));
      g_task_return_boolean (task, TRUE);
      break;

    case TD_CONTROL_STATE_OPEN:
      if (self->close_task != NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                                   "The channel is already closing");
          return;
        }
      self->close_task = g_steal_pointer (&task);
      clear_source (&self->keepalive_timer);
      self->close_timer = add_timeout (self, CLOSE_LINGER_MS, close_lingered);
      set_state (self, TD_CONTROL_STATE_CLOSING);
      pump_send (self);
      break;

    case TD_CONTROL_STATE_CLOSING:
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The channel is already closing");
      break;

    case TD_CONTROL_STATE_CLOSED:
    default:
      g_task_return_boolean (task, TRUE);
      break;
    }
}

gboolean
td_control_channel_close_finish (TdControlChannel  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
bulk_cancelled (GCancellable *cancellable,
                gpointer      user_data)
{
  TdControlChannel *self = user_data;
  GError *error = NULL;

  g_clear_pointer (&self->bulk_cancel_source, g_source_unref);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  self->bulk_total = self->bulk_queued; /* stop queueing */
  complete_bulk (self, error);

  return G_SOURCE_REMOVE;
}

/**
 * td_control_channel_measure_throughput_async:
 * @self: an open #TdControlChannel
 * @n_bytes: how much to send
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the partner confirmed it received everything
 * @user_data: passed to @callback
 *
 * Sends @n_bytes of generated data as BULK messages through the whole
 * stack (framing, TLS, PseudoTCP, the link); the partner's channel checks
 * every byte and answers with the count. Nothing is needed on the
 * partner's side. For benchmarks and tests.
 */
void
td_control_channel_measure_throughput_async (TdControlChannel    *self,
                                             guint64              n_bytes,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TD_IS_CONTROL_CHANNEL (self));
  g_return_if_fail (n_bytes > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_control_channel_measure_throughput_async);

  if (self->state != TD_CONTROL_STATE_OPEN)
    {
      g_task_return_new_error (task, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_NOT_OPEN,
                               "The connection to the partner is not open");
      return;
    }
  if (self->bulk_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A measurement is already running");
      return;
    }

  self->bulk_task = g_steal_pointer (&task);
  self->bulk_total = n_bytes;
  self->bulk_queued = 0;
  self->bulk_start = g_get_monotonic_time ();

  if (cancellable != NULL)
    {
      self->bulk_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->bulk_cancel_source,
                             (GSourceFunc) (void (*) (void)) bulk_cancelled, self, NULL);
      g_source_attach (self->bulk_cancel_source, g_main_context_get_thread_default ());
    }

  pump_send (self);
}

/**
 * td_control_channel_measure_throughput_finish:
 * @self: a #TdControlChannel
 * @result: the #GAsyncResult
 * @out_seconds: (out) (optional): from the first byte queued to the
 *   partner's confirmation
 * @error: a #GError
 *
 * Returns: %TRUE if the partner received every byte intact
 */
gboolean
td_control_channel_measure_throughput_finish (TdControlChannel  *self,
                                              GAsyncResult      *result,
                                              double            *out_seconds,
                                              GError           **error)
{
  g_autofree double *seconds = NULL;

  g_return_val_if_fail (TD_IS_CONTROL_CHANNEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  seconds = g_task_propagate_pointer (G_TASK (result), error);
  if (seconds == NULL)
    return FALSE;

  if (out_seconds != NULL)
    *out_seconds = *seconds;
  return TRUE;
}
