/* td-rendezvous-client.c: this device's link to the rendezvous server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One WebSocket to the server at a time. As a host (after
 * td_rendezvous_client_register_async()) the client proves its device key,
 * gets its ID, pings so the server knows it is there, and whenever the
 * connection drops (network change, server restart) opens a new one after
 * an exponential back-off with jitter, asking for the same ID again. As a
 * viewer, td_rendezvous_client_connect_async() opens the socket if needed
 * and yields a #TdSignalingPeer once the host accepted.
 *
 *   DISCONNECTED ─▶ CONNECTING ─welcome─▶ CONNECTED (viewer only)
 *                        │                   └─▶ REGISTERING ─▶ REGISTERED
 *                        └─ drop ─▶ RETRYING ─ back-off ─▶ CONNECTING
 */
#define G_LOG_DOMAIN "td-rendezvous"

#include <string.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "td-id.h"
#include "td-rendezvous-client-private.h"
#include "td-util.h"

#define CONNECT_TIMEOUT_MS   10000
#define BACKOFF_BASE_MS      500
#define BACKOFF_MAX_MS       30000
#define DEAD_AFTER_PINGS     2.5

typedef enum
{
  PENDING_REGISTER,
  PENDING_CONNECT,
} PendingKind;

typedef struct
{
  TdRendezvousClient *client;   /* unowned: pendings live in its table */
  PendingKind         kind;
  gint64              serial;   /* also the connect request number */
  GTask              *task;
  GCancellable       *cancellable;
  gulong              cancel_id;
  guint32             id;
  gboolean            sent;
} Pending;

struct _TdRendezvousClient
{
  GObject                  parent_instance;

  char                    *server_uri;
  TdDeviceKey             *device_key;
  char                    *display_name;
  TdRendezvousState        state;
  guint32                  id;
  guint32                  preferred_id;
  GError                  *last_error;

  SoupSession             *session;
  SoupWebsocketConnection *ws;
  GCancellable            *connect_cancellable;
  guint                    connect_timeout;
  gboolean                 welcomed;
  guint                    keepalive_s;
  guint                    max_size;
  gint64                   last_received_us;
  guint                    keepalive_source;

  gboolean                 want_registered;
  guint                    retry_source;
  guint                    attempt;
  guint                    retry_after_ms;
  gboolean                 retry_now;
  GError                  *drop_error;   /* why the server is about to close */
  gboolean                 drop_fatal;

  GHashTable              *pending;      /* &serial → Pending */
  gint64                   next_serial;
  GHashTable              *peers;        /* session → TdSignalingPeer */
};

G_DEFINE_FINAL_TYPE (TdRendezvousClient, td_rendezvous_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (td-rendezvous-error-quark, td_rendezvous_error)

G_DEFINE_ENUM_TYPE (TdRendezvousState, td_rendezvous_state,
                    G_DEFINE_ENUM_VALUE (TD_RENDEZVOUS_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (TD_RENDEZVOUS_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (TD_RENDEZVOUS_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (TD_RENDEZVOUS_STATE_REGISTERING, "registering"),
                    G_DEFINE_ENUM_VALUE (TD_RENDEZVOUS_STATE_REGISTERED, "registered"),
                    G_DEFINE_ENUM_VALUE (TD_RENDEZVOUS_STATE_RETRYING, "retrying"))

enum {
  PROP_0,
  PROP_SERVER_URI,
  PROP_DEVICE_KEY,
  PROP_STATE,
  PROP_ID,
  PROP_DISPLAY_NAME,
  N_PROPS
};

enum {
  SIGNAL_INCOMING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void open_socket      (TdRendezvousClient *self);
static void connection_lost  (TdRendezvousClient *self,
                              GError             *error,
                              gboolean            fatal);

/**
 * td_rendezvous_error_describe:
 * @code: a #TdRendezvousError
 *
 * Returns: plain, translated words for @code that a person can act on
 */
const char *
td_rendezvous_error_describe (TdRendezvousError code)
{
  switch (code)
    {
    case TD_RENDEZVOUS_ERROR_UNREACHABLE:
      return _("Cannot reach the connection server. Check your internet connection; Tandem keeps trying.");
    case TD_RENDEZVOUS_ERROR_CLOSED:
      return _("The connection ended.");
    case TD_RENDEZVOUS_ERROR_UNKNOWN_ID:
      return _("There is no computer with this ID. Check the number and try again.");
    case TD_RENDEZVOUS_ERROR_OFFLINE:
      return _("Your partner’s computer is not online. Ask them to open Tandem.");
    case TD_RENDEZVOUS_ERROR_BUSY:
      return _("Your partner’s computer is busy with another connection. Try again in a moment.");
    case TD_RENDEZVOUS_ERROR_DECLINED:
      return _("Your partner’s computer turned the connection down.");
    case TD_RENDEZVOUS_ERROR_TIMEOUT:
      return _("Your partner’s computer did not answer in time. Try again.");
    case TD_RENDEZVOUS_ERROR_SELF:
      return _("This is your own ID. Enter your partner’s ID instead.");
    case TD_RENDEZVOUS_ERROR_RATE_LIMITED:
      return _("Too many attempts in a short time. Wait a minute, then try again.");
    case TD_RENDEZVOUS_ERROR_VERSION_MISMATCH:
      return _("This version of Tandem cannot talk to the connection server. Update Tandem.");
    case TD_RENDEZVOUS_ERROR_BAD_SIGNATURE:
      return _("The connection server could not confirm this computer’s identity.");
    case TD_RENDEZVOUS_ERROR_ID_TAKEN:
      return _("This ID belongs to another computer.");
    case TD_RENDEZVOUS_ERROR_REPLACED:
      return _("This computer is signed in to the connection server from another Tandem window or network.");
    case TD_RENDEZVOUS_ERROR_SHUTTING_DOWN:
      return _("The connection server is restarting. Tandem reconnects by itself.");
    case TD_RENDEZVOUS_ERROR_PROTOCOL:
      return _("The connection server sent something Tandem does not understand. Update Tandem.");
    case TD_RENDEZVOUS_ERROR_SERVER:
      return _("The connection server has a problem. Try again later.");
    case TD_RENDEZVOUS_ERROR_FAILED:
    default:
      return _("Something went wrong with the connection server.");
    }
}

GError *
_td_rendezvous_error_new (TdRendezvousError code)
{
  return g_error_new_literal (TD_RENDEZVOUS_ERROR, code, td_rendezvous_error_describe (code));
}

static TdRendezvousError
error_from_code (TdSignalCode code)
{
  switch (code)
    {
    case TD_SIGNAL_CODE_VERSION_MISMATCH: return TD_RENDEZVOUS_ERROR_VERSION_MISMATCH;
    case TD_SIGNAL_CODE_RATE_LIMITED: return TD_RENDEZVOUS_ERROR_RATE_LIMITED;
    case TD_SIGNAL_CODE_TOO_MANY_CONNECTIONS: return TD_RENDEZVOUS_ERROR_RATE_LIMITED;
    case TD_SIGNAL_CODE_TIMEOUT: return TD_RENDEZVOUS_ERROR_TIMEOUT;
    case TD_SIGNAL_CODE_BAD_SIGNATURE: return TD_RENDEZVOUS_ERROR_BAD_SIGNATURE;
    case TD_SIGNAL_CODE_ID_TAKEN: return TD_RENDEZVOUS_ERROR_ID_TAKEN;
    case TD_SIGNAL_CODE_REPLACED: return TD_RENDEZVOUS_ERROR_REPLACED;
    case TD_SIGNAL_CODE_UNKNOWN_ID: return TD_RENDEZVOUS_ERROR_UNKNOWN_ID;
    case TD_SIGNAL_CODE_OFFLINE: return TD_RENDEZVOUS_ERROR_OFFLINE;
    case TD_SIGNAL_CODE_BUSY: return TD_RENDEZVOUS_ERROR_BUSY;
    case TD_SIGNAL_CODE_DECLINED: return TD_RENDEZVOUS_ERROR_DECLINED;
    case TD_SIGNAL_CODE_SELF: return TD_RENDEZVOUS_ERROR_SELF;
    case TD_SIGNAL_CODE_UNKNOWN_SESSION: return TD_RENDEZVOUS_ERROR_CLOSED;
    case TD_SIGNAL_CODE_SHUTTING_DOWN: return TD_RENDEZVOUS_ERROR_SHUTTING_DOWN;
    case TD_SIGNAL_CODE_INTERNAL: return TD_RENDEZVOUS_ERROR_SERVER;
    case TD_SIGNAL_CODE_BAD_MESSAGE:
    case TD_SIGNAL_CODE_UNSUPPORTED:
    case TD_SIGNAL_CODE_TOO_LARGE:
    case TD_SIGNAL_CODE_NOT_REGISTERED:
    default:
      return TD_RENDEZVOUS_ERROR_PROTOCOL;
    }
}

/* State */

static void
set_state (TdRendezvousClient *self,
           TdRendezvousState   state)
{
  if (self->state == state)
    return;

  g_debug ("State %d → %d", self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_id (TdRendezvousClient *self,
        guint32             id)
{
  if (self->id == id)
    return;

  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

static void
set_last_error (TdRendezvousClient *self,
                const GError       *error)
{
  g_clear_error (&self->last_error);
  if (error != NULL)
    self->last_error = g_error_copy (error);
}

/* Pending operations */

static void
pending_free (Pending *pending)
{
  if (pending->cancel_id != 0)
    g_cancellable_disconnect (pending->cancellable, pending->cancel_id);
  g_clear_object (&pending->cancellable);
  g_clear_object (&pending->task);
  g_free (pending);
}

static Pending *
pending_steal (TdRendezvousClient *self,
               gint64              serial)
{
  Pending *pending = g_hash_table_lookup (self->pending, &serial);

  if (pending != NULL)
    g_hash_table_steal (self->pending, &serial);
  return pending;
}

static void
pending_return_error (Pending *pending,
                      GError  *error)
{
  g_task_return_error (pending->task, error);
  pending_free (pending);
}

typedef struct
{
  TdRendezvousClient *self;
  gint64              serial;
} CancelData;

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  CancelData *data = user_data;
  Pending *pending = pending_steal (data->self, data->serial);

  if (pending != NULL)
    {
      g_autoptr(TdRendezvousClient) hold = g_object_ref (data->self);

      pending_return_error (pending, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          "The operation was cancelled"));
    }

  g_object_unref (data->self);
  g_free (data);
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Pending *pending = user_data;
  CancelData *data = g_new0 (CancelData, 1);

  /* Not from inside the handler: g_cancellable_disconnect() would wait. */
  data->self = g_object_ref (pending->client);
  data->serial = pending->serial;
  g_idle_add (cancelled_idle_cb, data);
}

static Pending *
pending_new (TdRendezvousClient *self,
             PendingKind         kind,
             GTask              *task)
{
  Pending *pending = g_new0 (Pending, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  pending->client = self;
  pending->kind = kind;
  pending->serial = ++self->next_serial;
  pending->task = g_object_ref (task);
  g_hash_table_insert (self->pending, &pending->serial, pending);

  if (cancellable != NULL)
    {
      pending->cancellable = g_object_ref (cancellable);
      pending->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), pending, NULL);
    }

  return pending;
}

/* Fails every pending operation of @kind with @error. */
static void
fail_pending (TdRendezvousClient *self,
              PendingKind         kind,
              const GError       *error)
{
  g_autoptr(GList) serials = NULL;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Pending *) value)->kind == kind)
      serials = g_list_prepend (serials, &((Pending *) value)->serial);

  for (GList *l = serials; l != NULL; l = l->next)
    {
      Pending *pending = pending_steal (self, *(gint64 *) l->data);

      if (pending != NULL)
        pending_return_error (pending, g_error_copy (error));
    }
}

/* Sending */

static gboolean
send_message (TdRendezvousClient  *self,
              TdSignalMessage     *message,
              GError             **error)
{
  g_autofree char *text = NULL;

  if (self->ws == NULL || !self->welcomed ||
      soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_propagate_error (error, _td_rendezvous_error_new (TD_RENDEZVOUS_ERROR_CLOSED));
      return FALSE;
    }

  text = td_signal_serialize (message, error);
  if (text == NULL)
    return FALSE;

  soup_websocket_connection_send_text (self->ws, text);
  return TRUE;
}

gboolean
_td_rendezvous_client_peer_send (TdRendezvousClient  *self,
                                 TdSignalMessage     *message,
                                 GError             **error)
{
  g_assert (TD_IS_RENDEZVOUS_CLIENT (self));

  return send_message (self, message, error);
}

void
_td_rendezvous_client_peer_gone (TdRendezvousClient *self,
                                 const char         *session)
{
  g_assert (TD_IS_RENDEZVOUS_CLIENT (self));

  g_hash_table_remove (self->peers, session);
}

static void
send_register (TdRendezvousClient *self)
{
  g_autoptr(TdSignalMessage) message = td_signal_message_new (TD_SIGNAL_TYPE_REGISTER);

  message->public_key = g_bytes_ref (td_device_key_get_public_key (self->device_key));
  message->id = self->preferred_id;
  if (send_message (self, message, NULL))
    set_state (self, TD_RENDEZVOUS_STATE_REGISTERING);
}

static void
send_connect (TdRendezvousClient *self,
              Pending            *pending)
{
  g_autoptr(TdSignalMessage) message = td_signal_message_new (TD_SIGNAL_TYPE_CONNECT);

  message->req = pending->serial;
  message->id = pending->id;
  message->name = g_strdup (self->display_name);
  message->public_key = g_bytes_ref (td_device_key_get_public_key (self->device_key));
  pending->sent = send_message (self, message, NULL);
}

static void
send_unsent_connects (TdRendezvousClient *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Pending *pending = value;

      if (pending->kind == PENDING_CONNECT && !pending->sent)
        send_connect (self, pending);
    }
}

/* Keepalive */

static gboolean
keepalive_cb (gpointer user_data)
{
  TdRendezvousClient *self = user_data;
  g_autoptr(TdSignalMessage) ping = NULL;
  gint64 silence_us = g_get_monotonic_time () - self->last_received_us;

  if (silence_us > (gint64) (self->keepalive_s * DEAD_AFTER_PINGS * G_USEC_PER_SEC))
    {
      g_autoptr(TdRendezvousClient) hold = g_object_ref (self);

      self->keepalive_source = 0;
      g_debug ("The server stopped answering");
      connection_lost (self, g_error_new_literal (TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_UNREACHABLE,
                                                  td_rendezvous_error_describe (TD_RENDEZVOUS_ERROR_UNREACHABLE)),
                       FALSE);
      return G_SOURCE_REMOVE;
    }

  ping = td_signal_message_new (TD_SIGNAL_TYPE_PING);
  send_message (self, ping, NULL);
  return G_SOURCE_CONTINUE;
}

/* Incoming messages */

static void
handle_welcome (TdRendezvousClient *self,
                TdSignalMessage    *message)
{
  if (self->welcomed)
    return;

  self->welcomed = TRUE;
  self->keepalive_s = message->keepalive_s;
  self->max_size = message->max_size;
  g_clear_handle_id (&self->connect_timeout, g_source_remove);
  self->keepalive_source = g_timeout_add_seconds (self->keepalive_s, keepalive_cb, self);
  g_debug ("Connected to %s (%s)", self->server_uri, message->server);

  if (self->want_registered)
    send_register (self);
  else
    set_state (self, TD_RENDEZVOUS_STATE_CONNECTED);

  send_unsent_connects (self);
}

static void
handle_challenge (TdRendezvousClient *self,
                  TdSignalMessage    *message)
{
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TdSignalMessage) prove = NULL;

  if (self->state != TD_RENDEZVOUS_STATE_REGISTERING)
    return;

  data = td_signal_registration_data (message->nonce);
  signature = td_device_key_sign (self->device_key, g_bytes_get_data (data, NULL),
                                  g_bytes_get_size (data), &error);
  if (signature == NULL)
    {
      g_warning ("Could not sign the server’s challenge: %s", error->message);
      connection_lost (self, g_error_new (TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_FAILED,
                                          "%s", error->message), TRUE);
      return;
    }

  prove = td_signal_message_new (TD_SIGNAL_TYPE_PROVE);
  prove->signature = g_steal_pointer (&signature);
  send_message (self, prove, NULL);
}

static void
handle_registered (TdRendezvousClient *self,
                   TdSignalMessage    *message)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GList) serials = NULL;

  self->attempt = 0;
  self->retry_after_ms = 0;
  self->preferred_id = message->id;
  set_last_error (self, NULL);
  set_id (self, message->id);
  set_state (self, TD_RENDEZVOUS_STATE_REGISTERED);

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Pending *) value)->kind == PENDING_REGISTER)
      serials = g_list_prepend (serials, &((Pending *) value)->serial);

  for (GList *l = serials; l != NULL; l = l->next)
    {
      Pending *pending = pending_steal (self, *(gint64 *) l->data);

      g_task_return_int (pending->task, message->id);
      pending_free (pending);
    }
}

static void
handle_error (TdRendezvousClient *self,
              TdSignalMessage    *message)
{
  TdRendezvousError code = error_from_code (message->code);

  if (message->req != 0)
    {
      Pending *pending = pending_steal (self, message->req);

      g_debug ("Connect %" G_GINT64_FORMAT " failed: %s (%s)", message->req,
               td_signal_code_to_string (message->code), message->message ? message->message : "");
      if (pending != NULL)
        pending_return_error (pending, _td_rendezvous_error_new (code));
      return;
    }

  if (message->session != NULL)
    {
      TdSignalingPeer *peer = g_hash_table_lookup (self->peers, message->session);

      if (peer != NULL)
        {
          g_autoptr(TdSignalingPeer) hold = g_object_ref (peer);
          g_autoptr(GError) error = _td_rendezvous_error_new (code);

          g_hash_table_remove (self->peers, message->session);
          _td_signaling_peer_closed (hold, error);
        }
      return;
    }

  /* About the connection itself: the server closes it next. */
  g_debug ("Server error: %s (%s)", td_signal_code_to_string (message->code),
           message->message ? message->message : "");
  g_clear_error (&self->drop_error);
  self->drop_error = _td_rendezvous_error_new (code);
  self->drop_fatal = FALSE;

  switch (message->code)
    {
    case TD_SIGNAL_CODE_ID_TAKEN:
      /* The ID this device remembered went to someone else: take a new one. */
      self->preferred_id = 0;
      self->retry_now = TRUE;
      g_clear_error (&self->drop_error);
      break;
    case TD_SIGNAL_CODE_BAD_SIGNATURE:
    case TD_SIGNAL_CODE_VERSION_MISMATCH:
    case TD_SIGNAL_CODE_REPLACED:
      self->drop_fatal = TRUE;
      break;
    case TD_SIGNAL_CODE_RATE_LIMITED:
    case TD_SIGNAL_CODE_TOO_MANY_CONNECTIONS:
      self->retry_after_ms = message->retry_after_ms;
      break;
    case TD_SIGNAL_CODE_SHUTTING_DOWN:
      self->attempt = 0;
      break;
    case TD_SIGNAL_CODE_INTERNAL:
    case TD_SIGNAL_CODE_BAD_MESSAGE:
    case TD_SIGNAL_CODE_UNSUPPORTED:
    case TD_SIGNAL_CODE_TOO_LARGE:
    case TD_SIGNAL_CODE_TIMEOUT:
    case TD_SIGNAL_CODE_NOT_REGISTERED:
    case TD_SIGNAL_CODE_UNKNOWN_ID:
    case TD_SIGNAL_CODE_OFFLINE:
    case TD_SIGNAL_CODE_BUSY:
    case TD_SIGNAL_CODE_DECLINED:
    case TD_SIGNAL_CODE_SELF:
    case TD_SIGNAL_CODE_UNKNOWN_SESSION:
    default:
      break;
    }
}

static void
handle_incoming (TdRendezvousClient *self,
                 TdSignalMessage    *message)
{
  g_autoptr(TdSignalingPeer) peer = NULL;
  gboolean handled = FALSE;

  if (g_hash_table_contains (self->peers, message->session))
    return;

  peer = _td_signaling_peer_new (self, TD_SIGNALING_ROLE_HOST, message->session, message->id,
                                 message->name, message->public_key, message->verified, message->turn);
  g_hash_table_insert (self->peers, g_strdup (message->session), g_object_ref (peer));

  g_signal_emit (self, signals[SIGNAL_INCOMING], 0, peer, &handled);

  if (!handled && !td_signaling_peer_is_accepted (peer) && !td_signaling_peer_is_closed (peer))
    td_signaling_peer_reject (peer, FALSE, NULL);
}

static void
handle_accepted (TdRendezvousClient *self,
                 TdSignalMessage    *message)
{
  Pending *pending = pending_steal (self, message->req);
  TdSignalingPeer *peer;

  if (pending == NULL)
    {
      /* Cancelled meanwhile: hang up on the host. */
      g_autoptr(TdSignalMessage) bye = td_signal_message_new (TD_SIGNAL_TYPE_BYE);

      bye->session = g_strdup (message->session);
      bye->reason = g_strdup ("cancelled");
      send_message (self, bye, NULL);
      return;
    }

  peer = _td_signaling_peer_new (self, TD_SIGNALING_ROLE_VIEWER, message->session, message->id,
                                 NULL, message->public_key, TRUE, message->turn);
  g_hash_table_insert (self->peers, g_strdup (message->session), g_object_ref (peer));
  g_task_return_pointer (pending->task, peer, g_object_unref);
  pending_free (pending);
}

static void
handle_signal (TdRendezvousClient *self,
               TdSignalMessage    *message)
{
  TdSignalingPeer *peer = g_hash_table_lookup (self->peers, message->session);
  g_autoptr(GVariant) payload = NULL;

  if (peer == NULL)
    return;

  payload = g_variant_ref_sink (td_signal_payload_to_variant (message->payload));
  _td_signaling_peer_receive (peer, message->kind, payload);
}

static void
handle_bye (TdRendezvousClient *self,
            TdSignalMessage    *message)
{
  TdSignalingPeer *peer = g_hash_table_lookup (self->peers, message->session);
  g_autoptr(TdSignalingPeer) hold = NULL;
  g_autoptr(GError) error = NULL;
  TdRendezvousError code = TD_RENDEZVOUS_ERROR_CLOSED;

  if (peer == NULL)
    return;

  if (g_strcmp0 (message->reason, "timeout") == 0)
    code = TD_RENDEZVOUS_ERROR_TIMEOUT;

  hold = g_object_ref (peer);
  g_hash_table_remove (self->peers, message->session);
  error = _td_rendezvous_error_new (code);
  _td_signaling_peer_closed (hold, error);
}

static void
ws_message_cb (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *bytes,
               gpointer                 user_data)
{
  TdRendezvousClient *self = user_data;
  g_autoptr(TdRendezvousClient) hold = g_object_ref (self);
  g_autoptr(TdSignalMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);

  self->last_received_us = g_get_monotonic_time ();

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;

  message = td_signal_parse (text, len, MAX (self->max_size, TD_SIGNAL_MAX_SIZE_DEFAULT) * 2, &error);
  if (message == NULL)
    {
      if (g_error_matches (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_VERSION_MISMATCH))
        {
          g_message ("The server at %s speaks another protocol version: %s", self->server_uri, error->message);
          connection_lost (self, _td_rendezvous_error_new (TD_RENDEZVOUS_ERROR_VERSION_MISMATCH), TRUE);
        }
      else
        g_debug ("Ignoring a message from the server: %s", error->message);
      return;
    }

  switch (message->type)
    {
    case TD_SIGNAL_TYPE_WELCOME:
      handle_welcome (self, message);
      break;
    case TD_SIGNAL_TYPE_CHALLENGE:
      handle_challenge (self, message);
      break;
    case TD_SIGNAL_TYPE_REGISTERED:
      handle_registered (self, message);
      break;
    case TD_SIGNAL_TYPE_ERROR:
      handle_error (self, message);
      break;
    case TD_SIGNAL_TYPE_INCOMING:
      handle_incoming (self, message);
      break;
    case TD_SIGNAL_TYPE_ACCEPTED:
      handle_accepted (self, message);
      break;
    case TD_SIGNAL_TYPE_SIGNAL:
      handle_signal (self, message);
      break;
    case TD_SIGNAL_TYPE_BYE:
      handle_bye (self, message);
      break;
    case TD_SIGNAL_TYPE_PONG:
      break;
    case TD_SIGNAL_TYPE_INVALID:
    case TD_SIGNAL_TYPE_REGISTER:
    case TD_SIGNAL_TYPE_PROVE:
    case TD_SIGNAL_TYPE_PING:
    case TD_SIGNAL_TYPE_CONNECT:
    case TD_SIGNAL_TYPE_ACCEPT:
    case TD_SIGNAL_TYPE_REJECT:
    default:
      g_debug ("Ignoring a “%s” message from the server", td_signal_type_to_string (message->type));
      break;
    }
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  TdRendezvousClient *self = user_data;
  g_autoptr(TdRendezvousClient) hold = g_object_ref (self);
  GError *error = g_steal_pointer (&self->drop_error);

  g_debug ("The server closed the connection (%u)", soup_websocket_connection_get_close_code (ws));

  if (error == NULL)
    {
      TdRendezvousError code = TD_RENDEZVOUS_ERROR_UNREACHABLE;

      if (soup_websocket_connection_get_close_code (ws) == SOUP_WEBSOCKET_CLOSE_GOING_AWAY)
        code = TD_RENDEZVOUS_ERROR_SHUTTING_DOWN;
      error = _td_rendezvous_error_new (code);
    }

  connection_lost (self, error, self->drop_fatal);
}

/* Connecting and reconnecting */

static void
detach_socket (TdRendezvousClient *self)
{
  g_clear_handle_id (&self->keepalive_source, g_source_remove);
  g_clear_handle_id (&self->connect_timeout, g_source_remove);
  if (self->connect_cancellable != NULL)
    {
      g_cancellable_cancel (self->connect_cancellable);
      g_clear_object (&self->connect_cancellable);
    }

  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }

  self->welcomed = FALSE;
}

static void
close_peers (TdRendezvousClient *self,
             const GError       *error)
{
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (peers, g_object_ref (value));
  g_hash_table_remove_all (self->peers);

  for (guint i = 0; i < peers->len; i++)
    _td_signaling_peer_closed (g_ptr_array_index (peers, i), error);
}

static gboolean
retry_cb (gpointer user_data)
{
  TdRendezvousClient *self = user_data;

  self->retry_source = 0;
  open_socket (self);
  return G_SOURCE_REMOVE;
}

static guint
next_backoff_ms (TdRendezvousClient *self)
{
  guint base = BACKOFF_BASE_MS << MIN (self->attempt, 10u);

  base = MIN (base, BACKOFF_MAX_MS);
  self->attempt++;

  /* Half fixed, half random: a server restart is not met by every host
   * at the same instant. */
  return base / 2 + td_random_uniform (base / 2 + 1);
}

static void
schedule_retry (TdRendezvousClient *self)
{
  guint delay_ms;

  if (self->retry_now)
    {
      self->retry_now = FALSE;
      delay_ms = 0;
    }
  else
    delay_ms = MAX (next_backoff_ms (self), self->retry_after_ms);
  self->retry_after_ms = 0;

  g_debug ("Reconnecting in %u ms", delay_ms);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add (delay_ms, retry_cb, self);
  set_state (self, TD_RENDEZVOUS_STATE_RETRYING);
}

/* Whatever happened to the connection, it is gone: requests waiting on it
 * fail, peers close, and a host tries again unless told never to. */
static void
connection_lost (TdRendezvousClient *self,
                 GError             *error,
                 gboolean            fatal)
{
  g_autoptr(GError) owned = error;
  gboolean was_registered = self->state == TD_RENDEZVOUS_STATE_REGISTERED;

  detach_socket (self);
  g_clear_error (&self->drop_error);
  self->drop_fatal = FALSE;

  if (owned != NULL)
    set_last_error (self, owned);

  fail_pending (self, PENDING_CONNECT, owned);
  {
    g_autoptr(GError) closed = _td_rendezvous_error_new (TD_RENDEZVOUS_ERROR_CLOSED);

    close_peers (self, closed);
  }

  if (fatal)
    self->want_registered = FALSE;

  /* register_async() reports the first outcome; retries go on behind it. */
  if (!self->retry_now || fatal)
    fail_pending (self, PENDING_REGISTER, owned);

  if (self->want_registered)
    {
      if (was_registered)
        g_message ("Lost the rendezvous server (%s); reconnecting", owned->message);
      schedule_retry (self);
    }
  else
    set_state (self, TD_RENDEZVOUS_STATE_DISCONNECTED);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  TdRendezvousClient *self = user_data;
  g_autoptr(TdRendezvousClient) hold = g_object_ref (self);

  self->connect_timeout = 0;
  g_debug ("No answer from %s in time", self->server_uri);
  connection_lost (self, _td_rendezvous_error_new (TD_RENDEZVOUS_ERROR_UNREACHABLE), FALSE);
  return G_SOURCE_REMOVE;
}

static void
ws_connect_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TdRendezvousClient) self = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (ws == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_debug ("Could not connect to %s: %s", self->server_uri, error->message);
      g_clear_object (&self->connect_cancellable);
      connection_lost (self, g_error_new (TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_UNREACHABLE, "%s (%s)",
                                          td_rendezvous_error_describe (TD_RENDEZVOUS_ERROR_UNREACHABLE),
                                          error->message),
                       FALSE);
      return;
    }

  g_clear_object (&self->connect_cancellable);
  self->ws = ws;
  self->last_received_us = g_get_monotonic_time ();
  soup_websocket_connection_set_max_incoming_payload_size (ws, 4 * TD_SIGNAL_MAX_SIZE_DEFAULT);
  g_signal_connect (ws, "message", G_CALLBACK (ws_message_cb), self);
  g_signal_connect (ws, "closed", G_CALLBACK (ws_closed_cb), self);
  /* The connect timeout goes on until the server's welcome. */
}

static void
open_socket (TdRendezvousClient *self)
{
  g_autoptr(SoupMessage) msg = NULL;

  if (self->ws != NULL || self->connect_cancellable != NULL)
    return;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  set_state (self, TD_RENDEZVOUS_STATE_CONNECTING);

  msg = soup_message_new (SOUP_METHOD_GET, self->server_uri);
  if (msg == NULL)
    {
      connection_lost (self, g_error_new (TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_UNREACHABLE,
                                          _("“%s” is not a server address (ws://… or wss://…)"),
                                          self->server_uri),
                       TRUE);
      return;
    }

  self->connect_cancellable = g_cancellable_new ();
  self->connect_timeout = g_timeout_add (CONNECT_TIMEOUT_MS, connect_timeout_cb, self);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->connect_cancellable, ws_connect_cb, g_object_ref (self));
}

/* Object */

static void
td_rendezvous_client_dispose (GObject *object)
{
  TdRendezvousClient *self = (TdRendezvousClient *) object;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  detach_socket (self);

  if (self->peers != NULL)
    {
      g_autoptr(GError) closed = _td_rendezvous_error_new (TD_RENDEZVOUS_ERROR_CLOSED);

      close_peers (self, closed);
    }

  g_clear_object (&self->session);

  G_OBJECT_CLASS (td_rendezvous_client_parent_class)->dispose (object);
}

static void
td_rendezvous_client_finalize (GObject *object)
{
  TdRendezvousClient *self = (TdRendezvousClient *) object;

  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->server_uri, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_object (&self->device_key);
  g_clear_error (&self->last_error);
  g_clear_error (&self->drop_error);

  G_OBJECT_CLASS (td_rendezvous_client_parent_class)->finalize (object);
}

static void
td_rendezvous_client_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TdRendezvousClient *self = TD_RENDEZVOUS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URI:
      g_value_set_string (value, self->server_uri);
      break;
    case PROP_DEVICE_KEY:
      g_value_set_object (value, self->device_key);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_rendezvous_client_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TdRendezvousClient *self = TD_RENDEZVOUS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URI:
      self->server_uri = g_value_dup_string (value);
      break;
    case PROP_DEVICE_KEY:
      self->device_key = g_value_dup_object (value);
      break;
    case PROP_DISPLAY_NAME:
      td_rendezvous_client_set_display_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_rendezvous_client_class_init (TdRendezvousClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_rendezvous_client_dispose;
  object_class->finalize = td_rendezvous_client_finalize;
  object_class->get_property = td_rendezvous_client_get_property;
  object_class->set_property = td_rendezvous_client_set_property;

  properties[PROP_SERVER_URI] =
    g_param_spec_string ("server-uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE_KEY] =
    g_param_spec_object ("device-key", NULL, NULL, TD_TYPE_DEVICE_KEY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TD_TYPE_RENDEZVOUS_STATE, TD_RENDEZVOUS_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ID] =
    g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdRendezvousClient::incoming:
   * @self: the client
   * @peer: a #TdSignalingPeer whose #TdSignalingPeer:partner-name,
   *   public key and fingerprint say who asks
   *
   * A viewer asks to connect to this host. Return %TRUE after calling
   * td_signaling_peer_accept() or td_signaling_peer_reject() (now or
   * soon); if no handler returns %TRUE the connect is declined.
   *
   * Returns: %TRUE if handled
   */
  signals[SIGNAL_INCOMING] =
    g_signal_new ("incoming", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, TD_TYPE_SIGNALING_PEER);
}

static void
td_rendezvous_client_init (TdRendezvousClient *self)
{
  self->session = soup_session_new ();
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) pending_free);
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->keepalive_s = 25;
  self->display_name = g_strdup (g_get_host_name ());
}

/**
 * td_rendezvous_client_new:
 * @server_uri: ws://HOST:PORT or wss://HOST[:PORT]
 * @device_key: this device's key, which the server binds the ID to
 *
 * Returns: (transfer full): a client, not connected yet
 */
TdRendezvousClient *
td_rendezvous_client_new (const char  *server_uri,
                          TdDeviceKey *device_key)
{
  g_return_val_if_fail (server_uri != NULL, NULL);
  g_return_val_if_fail (TD_IS_DEVICE_KEY (device_key), NULL);

  return g_object_new (TD_TYPE_RENDEZVOUS_CLIENT,
                       "server-uri", server_uri,
                       "device-key", device_key,
                       NULL);
}

const char *
td_rendezvous_client_get_server_uri (TdRendezvousClient *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_CLIENT (self), NULL);

  return self->server_uri;
}

TdDeviceKey *
td_rendezvous_client_get_device_key (TdRendezvousClient *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_CLIENT (self), NULL);

  return self->device_key;
}

TdRendezvousState
td_rendezvous_client_get_state (TdRendezvousClient *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_CLIENT (self), TD_RENDEZVOUS_STATE_DISCONNECTED);

  return self->state;
}

/**
 * td_rendezvous_client_get_id:
 *
 * Returns: the ID this device registered under, or 0 before the first
 *   registration; it stays while the client reconnects (see
 *   #TdRendezvousClient:state for whether it is online)
 */
guint32
td_rendezvous_client_get_id (TdRendezvousClient *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_CLIENT (self), 0);

  return self->id;
}

/**
 * td_rendezvous_client_set_preferred_id:
 * @self: a #TdRendezvousClient
 * @id: the ID this device had last time, or 0
 *
 * Asks the server for @id at the next registration. The server gives it
 * only if it is free or already this key's (the device key's own ID always
 * wins); so a device keeps its ID even if the server lost its registry.
 */
void
td_rendezvous_client_set_preferred_id (TdRendezvousClient *self,
                                       guint32             id)
{
  g_return_if_fail (TD_IS_RENDEZVOUS_CLIENT (self));

  self->preferred_id = td_id_is_valid (id) ? id : 0;
}

const char *
td_rendezvous_client_get_display_name (TdRendezvousClient *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_CLIENT (self), NULL);

  return self->display_name;
}

/**
 * td_rendezvous_client_set_display_name:
 * @self: a #TdRendezvousClient
 * @name: (nullable): how this device introduces itself when it connects
 *   to a host; shortened to 64 characters, control characters dropped
 */
void
td_rendezvous_client_set_display_name (TdRendezvousClient *self,
                                       const char         *name)
{
  g_autoptr(GString) clean = g_string_new (NULL);
  guint n = 0;

  g_return_if_fail (TD_IS_RENDEZVOUS_CLIENT (self));

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    name = g_get_host_name ();

  for (const char *p = name; *p && n < TD_SIGNAL_NAME_MAX_CHARS; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        continue;
      g_string_append_unichar (clean, c);
      n++;
    }
  if (clean->len == 0)
    g_string_append (clean, "Tandem");

  if (td_set_str (&self->display_name, clean->str))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

/**
 * td_rendezvous_client_set_tls_database:
 * @self: a #TdRendezvousClient
 * @database: (nullable): what wss:// certificates are checked against;
 *   %NULL for the system's
 *
 * For a self-hosted server with a private CA.
 */
void
td_rendezvous_client_set_tls_database (TdRendezvousClient *self,
                                       GTlsDatabase       *database)
{
  g_return_if_fail (TD_IS_RENDEZVOUS_CLIENT (self));

  soup_session_set_tls_database (self->session, database);
}

/**
 * td_rendezvous_client_get_last_error:
 *
 * Returns: (nullable): why the client is not registered, while it is
 *   retrying or after it gave up; %NULL once registered
 */
const GError *
td_rendezvous_client_get_last_error (TdRendezvousClient *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_CLIENT (self), NULL);

  return self->last_error;
}

/**
 * td_rendezvous_client_register_async:
 * @self: a #TdRendezvousClient
 * @cancellable: (nullable): stops waiting (not registering)
 * @callback: called at the first registration, or the first failure
 * @user_data: for @callback
 *
 * Makes this device reachable under its ID and keeps it so: pings, and
 * after a drop reconnects with back-off, until td_rendezvous_client_stop().
 * @callback reports the first outcome; after a failure that can pass
 * (server unreachable, rate-limited, restarting) the client keeps trying
 * and #TdRendezvousClient:state tells how it goes. It gives up only on
 * errors that retrying cannot fix: a bad signature, another protocol
 * version, or this device registering elsewhere (REPLACED).
 */
void
td_rendezvous_client_register_async (TdRendezvousClient  *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TD_IS_RENDEZVOUS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_rendezvous_client_register_async);

  if (self->state == TD_RENDEZVOUS_STATE_REGISTERED)
    {
      g_task_return_int (task, self->id);
      return;
    }

  pending_new (self, PENDING_REGISTER, task);
  self->want_registered = TRUE;

  switch (self->state)
    {
    case TD_RENDEZVOUS_STATE_CONNECTED:
      send_register (self);
      break;
    case TD_RENDEZVOUS_STATE_DISCONNECTED:
    case TD_RENDEZVOUS_STATE_RETRYING:
      self->attempt = 0;
      open_socket (self);
      break;
    case TD_RENDEZVOUS_STATE_CONNECTING:
    case TD_RENDEZVOUS_STATE_REGISTERING:
    case TD_RENDEZVOUS_STATE_REGISTERED:
    default:
      break;
    }
}

guint32
td_rendezvous_client_register_finish (TdRendezvousClient  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  gssize value;

  g_return_val_if_fail (TD_IS_RENDEZVOUS_CLIENT (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_rendezvous_client_register_async, 0);

  value = g_task_propagate_int (G_TASK (result), error);
  return value < 0 ? 0 : (guint32) value;
}

/**
 * td_rendezvous_client_stop:
 *
 * Goes offline: closes the connection, stops retrying, fails whatever is
 * waiting with %G_IO_ERROR_CANCELLED and closes every signaling peer.
 */
void
td_rendezvous_client_stop (TdRendezvousClient *self)
{
  g_autoptr(GError) cancelled = NULL;
  g_autoptr(GError) closed = NULL;

  g_return_if_fail (TD_IS_RENDEZVOUS_CLIENT (self));

  self->want_registered = FALSE;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  detach_socket (self);

  cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped");
  fail_pending (self, PENDING_REGISTER, cancelled);
  fail_pending (self, PENDING_CONNECT, cancelled);
  closed = _td_rendezvous_error_new (TD_RENDEZVOUS_ERROR_CLOSED);
  close_peers (self, closed);

  set_state (self, TD_RENDEZVOUS_STATE_DISCONNECTED);
}

/**
 * td_rendezvous_client_connect_async:
 * @self: a #TdRendezvousClient
 * @id: the partner's ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the host accepted, or with why not
 * @user_data: for @callback
 *
 * Asks the server to reach @id. The host sees this device's display name
 * and device key. Errors are in %TD_RENDEZVOUS_ERROR (UNKNOWN_ID,
 * OFFLINE, BUSY, DECLINED, TIMEOUT, RATE_LIMITED, SELF, UNREACHABLE, ...);
 * their messages are ready to show.
 */
void
td_rendezvous_client_connect_async (TdRendezvousClient  *self,
                                    guint32              id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Pending *pending;

  g_return_if_fail (TD_IS_RENDEZVOUS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_rendezvous_client_connect_async);

  if (!td_id_is_valid (id))
    {
      g_task_return_error (task, _td_rendezvous_error_new (TD_RENDEZVOUS_ERROR_UNKNOWN_ID));
      return;
    }

  if (id == self->id && self->state == TD_RENDEZVOUS_STATE_REGISTERED)
    {
      g_task_return_error (task, _td_rendezvous_error_new (TD_RENDEZVOUS_ERROR_SELF));
      return;
    }

  pending = pending_new (self, PENDING_CONNECT, task);
  pending->id = id;

  if (self->welcomed)
    send_connect (self, pending);
  else if (self->state == TD_RENDEZVOUS_STATE_DISCONNECTED || self->state == TD_RENDEZVOUS_STATE_RETRYING)
    open_socket (self);
}

/**
 * td_rendezvous_client_connect_finish:
 *
 * Returns: (transfer full): the signaling peer, accepted by the host
 */
TdSignalingPeer *
td_rendezvous_client_connect_finish (TdRendezvousClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_rendezvous_client_connect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
