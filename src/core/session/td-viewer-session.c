/* td-viewer-session.c: the helper's side of a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ID + password -> rendezvous connect -> trickle ICE -> TLS 1.3 -> CPace
 * bound to the TLS exporter -> the host's go-ahead. Every step moves the
 * TdSession state; every failure ends the session with a reason a person
 * can read and frees everything (TdSession::shutdown).
 */
#define G_LOG_DOMAIN "td-session"

#include <string.h>
#include <glib/gi18n.h>

#include "td-auth-error.h"
#include "td-password.h"
#include "td-password-auth.h"
#include "td-session-protocol.h"
#include "td-session-transport.h"
#include "td-util.h"
#include "td-viewer-session.h"
#include "td-wire.h"

struct _TdViewerSession
{
  TdSession           parent_instance;

  TdRendezvousClient *client;
  TdDeviceKey        *key;
  char               *display_name;
  char               *password;
  guint32             target_id;

  GTask              *task;
  GCancellable       *cancellable;
  GCancellable       *user_cancellable;
  gulong              user_cancel_id;
  guint               timeout_id;

  TdSessionTransport *transport;
  TdControlChannel   *channel;
  TdPasswordAuth     *auth;
  TdKeys             *keys;

  gint64              start_us;
  gint64              connected_us;
};

G_DEFINE_FINAL_TYPE (TdViewerSession, td_viewer_session, TD_TYPE_SESSION)

static void
td_viewer_session_finalize (GObject *object)
{
  TdViewerSession *self = (TdViewerSession *) object;

  if (self->password != NULL)
    td_memzero (self->password, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
  g_clear_pointer (&self->display_name, g_free);

  G_OBJECT_CLASS (td_viewer_session_parent_class)->finalize (object);
}

static void
td_viewer_session_dispose (GObject *object)
{
  TdViewerSession *self = (TdViewerSession *) object;

  if (!td_session_is_ended (TD_SESSION (self)) &&
      td_session_get_state (TD_SESSION (self)) != TD_SESSION_STATE_IDLE)
    td_session_end (TD_SESSION (self), TD_END_REASON_LOCAL, NULL);

  g_clear_object (&self->transport);
  g_clear_object (&self->channel);
  g_clear_object (&self->auth);
  g_clear_object (&self->keys);
  g_clear_object (&self->client);
  g_clear_object (&self->key);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->task);

  G_OBJECT_CLASS (td_viewer_session_parent_class)->dispose (object);
}

static void
send_bye (TdControlChannel *channel,
          const char       *reason,
          const char       *message)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  if (channel == NULL || td_control_channel_get_state (channel) != TD_CONTROL_STATE_OPEN)
    return;

  g_variant_dict_insert (&dict, "reason", "s", reason);
  if (message != NULL)
    g_variant_dict_insert (&dict, "message", "s", message);
  td_control_channel_send_message (channel, TD_WIRE_TYPE_BYE, g_variant_dict_end (&dict), NULL);
}

static void
td_viewer_session_shutdown (TdSession   *session,
                            TdEndReason  reason)
{
  TdViewerSession *self = TD_VIEWER_SESSION (session);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->user_cancellable != NULL)
    {
      g_cancellable_disconnect (self->user_cancellable, self->user_cancel_id);
      self->user_cancel_id = 0;
      g_clear_object (&self->user_cancellable);
    }
  g_cancellable_cancel (self->cancellable);

  if (reason == TD_END_REASON_LOCAL)
    send_bye (self->channel, TD_BYE_USER, NULL);

  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_data (self->channel, self);
  if (self->transport != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->transport, self);
      td_session_transport_close (self->transport);
    }

  if (self->password != NULL)
    td_memzero (self->password, strlen (self->password));
}

static void
on_ended (TdSession   *session,
          TdEndReason  reason,
          GError      *error,
          gpointer     user_data)
{
  TdViewerSession *self = TD_VIEWER_SESSION (session);
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    return;

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else if (reason == TD_END_REASON_LOCAL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  else
    {
      g_autofree char *text = td_session_describe_end (session);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", text);
    }
}

static void
td_viewer_session_class_init (TdViewerSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_viewer_session_dispose;
  object_class->finalize = td_viewer_session_finalize;
  TD_SESSION_CLASS (klass)->shutdown = td_viewer_session_shutdown;
}

static void
td_viewer_session_init (TdViewerSession *self)
{
  self->cancellable = g_cancellable_new ();
  g_signal_connect (self, "ended", G_CALLBACK (on_ended), NULL);
}

/**
 * td_viewer_session_new:
 * @client: the rendezvous client (registered or merely connected)
 * @key: this device's key
 * @display_name: the name the host's person sees
 *
 * Returns: (transfer full): a new session, not started
 */
TdViewerSession *
td_viewer_session_new (TdRendezvousClient *client,
                       TdDeviceKey        *key,
                       const char         *display_name)
{
  TdViewerSession *self;

  g_return_val_if_fail (TD_IS_RENDEZVOUS_CLIENT (client), NULL);
  g_return_val_if_fail (TD_IS_DEVICE_KEY (key), NULL);

  self = g_object_new (TD_TYPE_VIEWER_SESSION, NULL);
  self->client = g_object_ref (client);
  self->key = g_object_ref (key);
  self->display_name = g_strdup (display_name != NULL ? display_name : "");

  return self;
}

static void
end_with_error (TdViewerSession *self,
                TdEndReason      reason,
                const GError    *error)
{
  td_session_end (TD_SESSION (self), reason, error);
}

static TdEndReason
reason_for_error (const GError *error)
{
  if (error->domain == TD_AUTH_ERROR && error->code == TD_AUTH_ERROR_WRONG_PASSWORD)
    return TD_END_REASON_AUTH_FAILED;
  if (error->domain == TD_AUTH_ERROR && error->code == TD_AUTH_ERROR_THROTTLED)
    return TD_END_REASON_REFUSED;
  if (error->domain == TD_RENDEZVOUS_ERROR && error->code == TD_RENDEZVOUS_ERROR_DECLINED)
    return TD_END_REASON_REFUSED;
  if ((error->domain == TD_RENDEZVOUS_ERROR && error->code == TD_RENDEZVOUS_ERROR_TIMEOUT) ||
      (error->domain == TD_ICE_ERROR && error->code == TD_ICE_ERROR_TIMED_OUT) ||
      (error->domain == TD_CHANNEL_ERROR && error->code == TD_CHANNEL_ERROR_TIMED_OUT))
    return TD_END_REASON_TIMEOUT;

  return TD_END_REASON_ERROR;
}

static void
fail_protocol (TdViewerSession *self,
               const GError    *cause)
{
  g_autoptr(GError) error = g_error_new (TD_AUTH_ERROR, TD_AUTH_ERROR_PROTOCOL,
                                         _("Your partner’s computer did not follow the "
                                           "Tandem protocol (%s)."), cause->message);

  send_bye (self->channel, TD_BYE_PROTOCOL_ERROR, cause->message);
  end_with_error (self, TD_END_REASON_ERROR, error);
}

static gboolean
send_message (TdViewerSession *self,
              guint16          type,
              GVariant        *fields)
{
  g_autoptr(GError) error = NULL;

  if (!td_control_channel_send_message (self->channel, type, fields, &error))
    {
      end_with_error (self, TD_END_REASON_CONNECTION_LOST, error);
      return FALSE;
    }

  return TRUE;
}

static void
send_hello (TdViewerSession *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert (&dict, "version", "u", TD_SESSION_PROTOCOL_VERSION);
  g_variant_dict_insert (&dict, "name", "s", self->display_name);
  send_message (self, TD_WIRE_TYPE_HELLO, g_variant_dict_end (&dict));
}

static GVariant *
bytes_field (GBytes *data)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert_value (&dict, "data",
                               g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, data, TRUE));
  return g_variant_dict_end (&dict);
}

static void
handle_host_hello (TdViewerSession *self,
                   GVariant        *fields)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) salt = NULL;
  g_autofree char *name = NULL;
  guint8 sid[TD_PASSWORD_AUTH_SID_SIZE];
  guint8 permanent_prs[TD_PASSWORD_AUTH_PERMANENT_PRS_SIZE];
  TdPasswordKind kind = TD_PASSWORD_KIND_ONE_TIME;
  const guint8 *prs = (const guint8 *) self->password;
  gsize prs_len = strlen (self->password);
  guint64 version = 0;

  if (self->auth != NULL)
    {
      error = g_error_new_literal (TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD, "a second hello");
      fail_protocol (self, error);
      return;
    }

  if (!td_wire_lookup_uint (fields, "version", G_MAXUINT32, &version, &error) ||
      !td_wire_lookup_string (fields, "name", 256, &name, &error))
    {
      fail_protocol (self, error);
      return;
    }

  if (version != TD_SESSION_PROTOCOL_VERSION)
    {
      error = g_error_new (TD_AUTH_ERROR, TD_AUTH_ERROR_VERSION,
                           _("Your partner uses a version of Tandem that cannot work with this "
                             "one. Both of you need an up-to-date Tandem."));
      send_bye (self->channel, TD_BYE_VERSION, NULL);
      end_with_error (self, TD_END_REASON_ERROR, error);
      return;
    }

  if (name[0] != '\0')
    td_session_set_peer (TD_SESSION (self), td_session_get_peer_id (TD_SESSION (self)),
                         name, td_session_get_peer_fingerprint (TD_SESSION (self)));

  /* A password that is not a one-time password can only be the host's
   * permanent one, which enters CPace stretched with the host's salt. */
  if (!td_password_is_one_time_format (self->password) && td_wire_has_field (fields, "salt"))
    {
      if (!td_wire_lookup_bytes (fields, "salt", 64, &salt, &error))
        {
          fail_protocol (self, error);
          return;
        }
      if (!td_password_auth_derive_permanent_prs (self->password,
                                                  g_bytes_get_data (salt, NULL),
                                                  g_bytes_get_size (salt),
                                                  permanent_prs, &error))
        {
          end_with_error (self, TD_END_REASON_ERROR, error);
          return;
        }
      kind = TD_PASSWORD_KIND_PERMANENT;
      prs = permanent_prs;
      prs_len = sizeof permanent_prs;
    }

  if (!td_control_channel_export (self->channel, TD_PASSWORD_AUTH_SID_EXPORTER_LABEL, NULL,
                                  sizeof sid, sid, &error))
    {
      td_memzero (permanent_prs, sizeof permanent_prs);
      end_with_error (self, TD_END_REASON_ERROR, error);
      return;
    }

  self->auth = td_password_auth_new_viewer (kind, prs, prs_len,
                                            td_control_channel_get_peer_fingerprint (self->channel),
                                            td_device_key_get_fingerprint (self->key),
                                            sid, sizeof sid);
  td_memzero (permanent_prs, sizeof permanent_prs);

  {
    g_autoptr(GBytes) msg1 = td_password_auth_start (self->auth);

    send_message (self, TD_WIRE_TYPE_CPACE, bytes_field (msg1));
  }
}

static void
handle_cpace_reply (TdViewerSession *self,
                    GVariant        *fields)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) reply = NULL;
  gboolean ok;

  if (self->auth == NULL)
    {
      error = g_error_new_literal (TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD, "CPace before hello");
      fail_protocol (self, error);
      return;
    }

  if (!td_wire_lookup_bytes (fields, "data", 4096, &data, &error))
    {
      fail_protocol (self, error);
      return;
    }

  ok = td_password_auth_receive (self->auth, g_bytes_get_data (data, NULL),
                                 g_bytes_get_size (data), &reply, &error);

  /* On a wrong password the reply is the failure notice: the host learns
   * it at once instead of waiting for a time-out. */
  if (reply != NULL)
    td_control_channel_send_message (self->channel, TD_WIRE_TYPE_CPACE_CONFIRM,
                                     bytes_field (reply), NULL);

  if (ok && td_password_auth_get_state (self->auth) == TD_PASSWORD_AUTH_STATE_SUCCEEDED)
    td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_AWAITING_CONSENT);

  if (!ok)
    {
      if (g_error_matches (error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD))
        end_with_error (self, TD_END_REASON_AUTH_FAILED, error);
      else
        fail_protocol (self, error);
    }
}

static void
handle_session_start (TdViewerSession *self,
                      GVariant        *fields)
{
  g_autoptr(GError) error = NULL;
  guint8 exporter[TD_EXPORTER_SRTP_SIZE];

  if (self->auth == NULL ||
      td_password_auth_get_state (self->auth) != TD_PASSWORD_AUTH_STATE_SUCCEEDED)
    {
      error = g_error_new_literal (TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD,
                                   "a session start before the password was checked");
      fail_protocol (self, error);
      return;
    }

  if (!td_control_channel_export (self->channel, TD_EXPORTER_SRTP, NULL,
                                  sizeof exporter, exporter, &error) ||
      !(self->keys = td_password_auth_derive_keys (self->auth, exporter, sizeof exporter, &error)))
    {
      td_memzero (exporter, sizeof exporter);
      end_with_error (self, TD_END_REASON_ERROR, error);
      return;
    }
  td_memzero (exporter, sizeof exporter);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->connected_us = g_get_monotonic_time ();
  g_debug ("Connected in %.1f ms", (self->connected_us - self->start_us) / 1000.0);
  td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_CONNECTED);

  if (self->task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->task);

      g_task_return_boolean (task, TRUE);
    }
}

static void
handle_bye (TdViewerSession *self,
            GVariant        *fields)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *message = NULL;

  td_wire_lookup_string (fields, "reason", 64, &reason, NULL);
  td_wire_lookup_string (fields, "message", 1024, &message, NULL);

  if (g_strcmp0 (reason, TD_BYE_USER) == 0)
    {
      td_session_end (TD_SESSION (self), TD_END_REASON_PEER, NULL);
      return;
    }

  if (g_strcmp0 (reason, TD_BYE_AUTH_FAILED) == 0)
    {
      error = g_error_new_literal (TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD,
                                   _("The password is not right. Ask your partner to read "
                                     "it out again."));
      end_with_error (self, TD_END_REASON_AUTH_FAILED, error);
    }
  else if (g_strcmp0 (reason, TD_BYE_THROTTLED) == 0 && message != NULL)
    {
      error = g_error_new_literal (TD_AUTH_ERROR, TD_AUTH_ERROR_THROTTLED, message);
      end_with_error (self, TD_END_REASON_REFUSED, error);
    }
  else if (g_strcmp0 (reason, TD_BYE_DENIED) == 0)
    {
      error = g_error_new_literal (TD_AUTH_ERROR, TD_AUTH_ERROR_FAILED,
                                   _("Your partner did not allow the session."));
      end_with_error (self, TD_END_REASON_REFUSED, error);
    }
  else
    {
      error = g_error_new (TD_AUTH_ERROR, TD_AUTH_ERROR_FAILED,
                           _("Your partner’s computer ended the connection (%s)."),
                           message != NULL ? message : reason != NULL ? reason : "?");
      end_with_error (self, TD_END_REASON_ERROR, error);
    }
}

static void
on_message_received (TdControlChannel *channel,
                     guint             type,
                     GVariant         *fields,
                     TdViewerSession  *self)
{
  g_autoptr(TdViewerSession) hold = g_object_ref (self);

  if (td_session_is_ended (TD_SESSION (self)))
    return;

  switch (type)
    {
    case TD_WIRE_TYPE_HELLO:
      handle_host_hello (self, fields);
      break;

    case TD_WIRE_TYPE_CPACE:
      handle_cpace_reply (self, fields);
      break;

    case TD_WIRE_TYPE_SESSION_START:
      handle_session_start (self, fields);
      break;

    case TD_WIRE_TYPE_BYE:
      handle_bye (self, fields);
      break;

    default:
      /* Later messages (media, input, chat, ...) go to whoever handles
       * them; none may arrive before the session started. */
      if (td_session_get_state (TD_SESSION (self)) != TD_SESSION_STATE_CONNECTED)
        {
          g_autoptr(GError) error = g_error_new (TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD,
                                                 "%s before the session started",
                                                 td_wire_type_to_string (type));
          fail_protocol (self, error);
        }
      break;
    }
}

static void
on_channel_closed (TdControlChannel *channel,
                   GError           *error,
                   TdViewerSession  *self)
{
  gboolean connected = td_session_get_state (TD_SESSION (self)) == TD_SESSION_STATE_CONNECTED;

  if (error == NULL)
    {
      td_session_end (TD_SESSION (self), TD_END_REASON_PEER, NULL);
    }
  else
    {
      g_autoptr(GError) lost = g_error_new (TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_CLOSED,
                                            "%s", connected
                                              ? _("The connection to your partner was lost.")
                                              : error->message);

      end_with_error (self, TD_END_REASON_CONNECTION_LOST, lost);
    }
}

static void
on_ice_connected (TdSessionTransport *transport,
                  gboolean            relayed,
                  TdViewerSession    *self)
{
  td_session_set_path (TD_SESSION (self), relayed ? TD_PATH_RELAYED : TD_PATH_DIRECT);
  td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_SECURING);
}

static void
on_channel_ready (TdSessionTransport *transport,
                  TdViewerSession    *self)
{
  TdSignalingPeer *peer = td_session_transport_get_peer (transport);
  const char *announced = td_signaling_peer_get_partner_fingerprint (peer);

  self->channel = g_object_ref (td_session_transport_get_channel (transport));
  g_signal_connect_object (self->channel, "message-received",
                           G_CALLBACK (on_message_received), self, 0);
  g_signal_connect_object (self->channel, "closed", G_CALLBACK (on_channel_closed), self, 0);

  /* The rendezvous server told us which device key owns the ID. A
   * different certificate here means someone sits in between; CPace would
   * fail anyway, but this says why without spending a password attempt. */
  if (announced != NULL && announced[0] != '\0' &&
      g_ascii_strcasecmp (announced, td_control_channel_get_peer_fingerprint_hex (self->channel)) != 0)
    {
      g_autoptr(GError) error = g_error_new_literal (TD_AUTH_ERROR, TD_AUTH_ERROR_FAILED,
                                                     _("The computer that answered is not the "
                                                       "one registered under this ID. The "
                                                       "connection was stopped to protect you."));

      end_with_error (self, TD_END_REASON_ERROR, error);
      return;
    }

  td_session_set_peer (TD_SESSION (self), td_session_get_peer_id (TD_SESSION (self)),
                       td_session_get_peer_name (TD_SESSION (self)),
                       td_control_channel_get_peer_fingerprint_hex (self->channel));
  td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_AUTHENTICATING);
  send_hello (self);
}

static void
on_transport_failed (TdSessionTransport *transport,
                     GError             *error,
                     TdViewerSession    *self)
{
  end_with_error (self, reason_for_error (error), error);
}

static void
on_rendezvous_connected (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(TdViewerSession) self = user_data;
  g_autoptr(TdSignalingPeer) peer = NULL;
  g_autoptr(GError) error = NULL;

  peer = td_rendezvous_client_connect_finish (TD_RENDEZVOUS_CLIENT (object), result, &error);

  if (td_session_is_ended (TD_SESSION (self)))
    {
      if (peer != NULL)
        td_signaling_peer_close (peer, "ended");
      return;
    }

  if (peer == NULL)
    {
      end_with_error (self, reason_for_error (error), error);
      return;
    }

  td_session_set_peer (TD_SESSION (self), td_signaling_peer_get_partner_id (peer),
                       td_signaling_peer_get_partner_name (peer),
                       td_signaling_peer_get_partner_fingerprint (peer));

  self->transport = td_session_transport_new (peer, self->key, TRUE);
  g_signal_connect_object (self->transport, "ice-connected", G_CALLBACK (on_ice_connected), self, 0);
  g_signal_connect_object (self->transport, "channel-ready", G_CALLBACK (on_channel_ready), self, 0);
  g_signal_connect_object (self->transport, "failed", G_CALLBACK (on_transport_failed), self, 0);

  td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_CONNECTING);
  td_session_transport_start (self->transport);
}

static gboolean
on_timeout (gpointer user_data)
{
  TdViewerSession *self = user_data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                 _("Your partner’s computer could not be "
                                                   "reached in time. Check that both computers "
                                                   "are online and try again."));

  self->timeout_id = 0;
  end_with_error (self, TD_END_REASON_TIMEOUT, error);

  return G_SOURCE_REMOVE;
}

static gboolean
end_local_idle (gpointer user_data)
{
  td_session_end (TD_SESSION (user_data), TD_END_REASON_LOCAL, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_user_cancelled (GCancellable    *cancellable,
                   TdViewerSession *self)
{
  /* Called where g_cancellable_cancel() was: end from an idle instead, so
   * that nothing here runs inside the caller's code. */
  g_idle_add_full (G_PRIORITY_DEFAULT, end_local_idle, g_object_ref (self), g_object_unref);
}

/**
 * td_viewer_session_connect_async:
 * @self: a new #TdViewerSession
 * @id: the partner's ID
 * @password: the password as typed (it is normalized here)
 * @cancellable: (nullable): cancels, which ends the session
 * @callback: called once the session is connected or has ended
 * @user_data: for @callback
 *
 * Connects to the host with ID @id. Follow #TdSession:state for progress.
 */
void
td_viewer_session_connect_async (TdViewerSession     *self,
                                 guint32              id,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TD_IS_VIEWER_SESSION (self));
  g_return_if_fail (password != NULL);
  g_return_if_fail (td_session_get_state (TD_SESSION (self)) == TD_SESSION_STATE_IDLE);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_viewer_session_connect_async);

  self->password = td_password_normalize (password);
  if (self->password == NULL)
    self->password = g_strdup ("");
  self->target_id = id;
  self->start_us = g_get_monotonic_time ();
  self->task = g_steal_pointer (&task);

  if (cancellable != NULL)
    {
      self->user_cancellable = g_object_ref (cancellable);
      self->user_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_user_cancelled),
                                                    self, NULL);
    }

  self->timeout_id = g_timeout_add (TD_SESSION_CONNECT_TIMEOUT_MS, on_timeout, self);
  td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_SIGNALING);
  td_rendezvous_client_connect_async (self->client, id, self->cancellable,
                                      on_rendezvous_connected, g_object_ref (self));
}

/**
 * td_viewer_session_connect_finish:
 *
 * Returns: %TRUE if the session is connected; otherwise it has ended and
 *   @error says why in plain words
 */
gboolean
td_viewer_session_connect_finish (TdViewerSession  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (TD_IS_VIEWER_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_viewer_session_connect_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * td_viewer_session_get_channel:
 *
 * Returns: (transfer none) (nullable): the control channel, once secured
 */
TdControlChannel *
td_viewer_session_get_channel (TdViewerSession *self)
{
  g_return_val_if_fail (TD_IS_VIEWER_SESSION (self), NULL);
  return self->channel;
}

/**
 * td_viewer_session_get_keys:
 *
 * Returns: (transfer none) (nullable): the media keys, once connected
 */
TdKeys *
td_viewer_session_get_keys (TdViewerSession *self)
{
  g_return_val_if_fail (TD_IS_VIEWER_SESSION (self), NULL);
  return self->keys;
}

/**
 * td_viewer_session_get_connect_time_us:
 *
 * Returns: microseconds from connect_async() to connected, or 0
 */
gint64
td_viewer_session_get_connect_time_us (TdViewerSession *self)
{
  g_return_val_if_fail (TD_IS_VIEWER_SESSION (self), 0);
  return self->connected_us > 0 ? self->connected_us - self->start_us : 0;
}
