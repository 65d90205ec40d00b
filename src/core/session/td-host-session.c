/* td-host-session.c: the side of a session that is being helped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Accepted signaling peer -> trickle ICE -> TLS 1.3 (TLS server) -> the
 * viewer's hello -> throttle check -> CPace with the one-time (or
 * permanent) password -> consent -> session start. A wrong password ends
 * both sides at once: the viewer sends its failure notice, or the host its
 * BYE; each attempt is counted by the throttler and written to the audit
 * log, never the password.
 */
#define G_LOG_DOMAIN "td-session"

#include <string.h>
#include <glib/gi18n.h>

#include "td-auth-error.h"
#include "td-host-session.h"
#include "td-password-auth.h"
#include "td-session-protocol.h"
#include "td-session-transport.h"
#include "td-util.h"
#include "td-wire.h"

#define CONSENT_TIMEOUT_S 30

struct _TdHostSession
{
  TdSession           parent_instance;

  TdSignalingPeer    *peer;
  TdDeviceKey        *key;
  char               *display_name;
  char               *password;
  TdThrottler        *throttler;
  TdAuditLog         *audit_log;
  TdConsentPrompt    *prompt;

  TdSessionTransport *transport;
  TdControlChannel   *channel;
  TdPasswordAuth     *auth;
  TdKeys             *keys;
  GCancellable       *cancellable;
  guint               timeout_id;

  char               *source;
  TdPermissions       requested;
  TdPermissions       permissions;
  gboolean            hello_received;
};

G_DEFINE_FINAL_TYPE (TdHostSession, td_host_session, TD_TYPE_SESSION)

static void
td_host_session_finalize (GObject *object)
{
  TdHostSession *self = (TdHostSession *) object;

  if (self->password != NULL)
    td_memzero (self->password, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->source, g_free);

  G_OBJECT_CLASS (td_host_session_parent_class)->finalize (object);
}

static void
td_host_session_dispose (GObject *object)
{
  TdHostSession *self = (TdHostSession *) object;

  if (!td_session_is_ended (TD_SESSION (self)) &&
      td_session_get_state (TD_SESSION (self)) != TD_SESSION_STATE_IDLE)
    td_session_end (TD_SESSION (self), TD_END_REASON_LOCAL, NULL);

  g_clear_object (&self->transport);
  g_clear_object (&self->channel);
  g_clear_object (&self->auth);
  g_clear_object (&self->keys);
  g_clear_object (&self->peer);
  g_clear_object (&self->key);
  g_clear_object (&self->throttler);
  g_clear_object (&self->audit_log);
  g_clear_object (&self->prompt);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (td_host_session_parent_class)->dispose (object);
}

static void
audit (TdHostSession *self,
       const char    *event,
       GVariantDict  *extra)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) base = NULL;
  GVariantDict dict;

  if (self->audit_log == NULL)
    return;

  if (extra != NULL)
    base = g_variant_ref_sink (g_variant_dict_end (extra));
  g_variant_dict_init (&dict, base);

  g_variant_dict_insert (&dict, "role", "s", "host");
  if (td_session_get_peer_id (TD_SESSION (self)) != 0)
    g_variant_dict_insert (&dict, "partner-id", "u", td_session_get_peer_id (TD_SESSION (self)));
  if (td_session_get_peer_name (TD_SESSION (self)) != NULL)
    g_variant_dict_insert (&dict, "partner-name", "s", td_session_get_peer_name (TD_SESSION (self)));
  if (td_session_get_peer_fingerprint (TD_SESSION (self)) != NULL)
    g_variant_dict_insert (&dict, "partner-device", "s",
                           td_session_get_peer_fingerprint (TD_SESSION (self)));
  if (self->source != NULL)
    g_variant_dict_insert (&dict, "source", "s", self->source);
  if (td_session_get_path (TD_SESSION (self)) != TD_PATH_UNKNOWN)
    g_variant_dict_insert (&dict, "path", "s",
                           td_session_get_path (TD_SESSION (self)) == TD_PATH_RELAYED
                             ? "relayed" : "direct");

  if (!td_audit_log_append (self->audit_log, event, g_variant_dict_end (&dict), &error))
    g_warning ("Could not write the session log: %s", error->message);
}

static void
send_bye (TdHostSession *self,
          const char    *reason,
          const char    *message)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  if (self->channel == NULL || td_control_channel_get_state (self->channel) != TD_CONTROL_STATE_OPEN)
    return;

  g_variant_dict_insert (&dict, "reason", "s", reason);
  if (message != NULL)
    g_variant_dict_insert (&dict, "message", "s", message);
  td_control_channel_send_message (self->channel, TD_WIRE_TYPE_BYE, g_variant_dict_end (&dict), NULL);
}

static void
td_host_session_shutdown (TdSession   *session,
                          TdEndReason  reason)
{
  TdHostSession *self = TD_HOST_SESSION (session);
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const GError *error = td_session_get_error (session);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);

  if (reason == TD_END_REASON_LOCAL)
    send_bye (self, TD_BYE_USER, NULL);

  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_data (self->channel, self);
  if (self->transport != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->transport, self);
      td_session_transport_close (self->transport);
    }
  else if (self->peer != NULL && !td_signaling_peer_is_closed (self->peer))
    td_signaling_peer_close (self->peer, "ended");

  if (self->password != NULL)
    td_memzero (self->password, strlen (self->password));

  g_variant_dict_insert (&dict, "reason", "s", td_session_enum_nick (TD_TYPE_END_REASON, reason));
  if (error != NULL)
    g_variant_dict_insert (&dict, "error", "s", error->message);
  audit (self, "session-ended", &dict);
}

static void
td_host_session_class_init (TdHostSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_host_session_dispose;
  object_class->finalize = td_host_session_finalize;
  TD_SESSION_CLASS (klass)->shutdown = td_host_session_shutdown;
}

static void
td_host_session_init (TdHostSession *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * td_host_session_new:
 * @peer: an accepted signaling peer
 * @key: this device's key
 * @display_name: this computer's name, as the viewer will see it
 * @one_time_password: the current one-time password (normalized)
 * @throttler: (nullable): counts failed attempts
 * @audit_log: (nullable): where attempts and sessions are recorded
 *
 * Returns: (transfer full): a new session; call td_host_session_start()
 */
TdHostSession *
td_host_session_new (TdSignalingPeer *peer,
                     TdDeviceKey     *key,
                     const char      *display_name,
                     const char      *one_time_password,
                     TdThrottler     *throttler,
                     TdAuditLog      *audit_log)
{
  TdHostSession *self;

  g_return_val_if_fail (TD_IS_SIGNALING_PEER (peer), NULL);
  g_return_val_if_fail (TD_IS_DEVICE_KEY (key), NULL);
  g_return_val_if_fail (one_time_password != NULL, NULL);

  self = g_object_new (TD_TYPE_HOST_SESSION, NULL);
  self->peer = g_object_ref (peer);
  self->key = g_object_ref (key);
  self->display_name = g_strdup (display_name != NULL ? display_name : "");
  self->password = g_strdup (one_time_password);
  self->throttler = throttler != NULL ? g_object_ref (throttler) : NULL;
  self->audit_log = audit_log != NULL ? g_object_ref (audit_log) : NULL;

  return self;
}

/**
 * td_host_session_set_consent_prompt:
 * @self: a #TdHostSession
 * @prompt: (nullable): who asks the person before anything is shared;
 *   %NULL grants what the viewer asks for (tests, unattended access)
 */
void
td_host_session_set_consent_prompt (TdHostSession   *self,
                                    TdConsentPrompt *prompt)
{
  g_return_if_fail (TD_IS_HOST_SESSION (self));

  g_set_object (&self->prompt, prompt);
}

static gboolean
send_message (TdHostSession *self,
              guint16        type,
              GVariant      *fields)
{
  g_autoptr(GError) error = NULL;

  if (!td_control_channel_send_message (self->channel, type, fields, &error))
    {
      td_session_end (TD_SESSION (self), TD_END_REASON_CONNECTION_LOST, error);
      return FALSE;
    }

  return TRUE;
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
fail_protocol (TdHostSession *self,
               const GError  *cause)
{
  g_autoptr(GError) error = g_error_new (TD_AUTH_ERROR, TD_AUTH_ERROR_PROTOCOL,
                                         _("The helper’s computer did not follow the Tandem "
                                           "protocol (%s)."), cause->message);

  send_bye (self, TD_BYE_PROTOCOL_ERROR, cause->message);
  td_session_end (TD_SESSION (self), TD_END_REASON_ERROR, error);
}

static const char *
device_name (TdHostSession *self)
{
  return td_session_get_peer_fingerprint (TD_SESSION (self));
}

static void
handle_viewer_hello (TdHostSession *self,
                     GVariant      *fields)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  guint64 version = 0, requested = TD_PERMISSIONS_DEFAULT;
  gint64 retry_after_ms = 0;

  if (self->hello_received)
    {
      error = g_error_new_literal (TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD, "a second hello");
      fail_protocol (self, error);
      return;
    }
  self->hello_received = TRUE;

  if (!td_wire_lookup_uint (fields, "version", G_MAXUINT32, &version, &error) ||
      !td_wire_lookup_string (fields, "name", 256, &name, &error) ||
      (td_wire_has_field (fields, "permissions") &&
       !td_wire_lookup_uint (fields, "permissions", G_MAXUINT64, &requested, &error)))
    {
      fail_protocol (self, error);
      return;
    }

  if (version != TD_SESSION_PROTOCOL_VERSION)
    {
      error = g_error_new (TD_AUTH_ERROR, TD_AUTH_ERROR_VERSION,
                           _("The helper uses a version of Tandem that cannot work with this "
                             "one. Both of you need an up-to-date Tandem."));
      send_bye (self, TD_BYE_VERSION, NULL);
      td_session_end (TD_SESSION (self), TD_END_REASON_ERROR, error);
      return;
    }

  self->requested = td_permissions_sanitize (requested);
  if (name[0] != '\0')
    td_session_set_peer (TD_SESSION (self), td_session_get_peer_id (TD_SESSION (self)),
                         name, td_session_get_peer_fingerprint (TD_SESSION (self)));

  if (self->throttler != NULL &&
      !td_throttler_check (self->throttler, self->source, device_name (self), &retry_after_ms))
    {
      td_auth_error_set_throttled (&error, retry_after_ms);
      send_bye (self, TD_BYE_THROTTLED, error->message);
      td_session_end (TD_SESSION (self), TD_END_REASON_REFUSED, error);
      return;
    }

  g_variant_dict_insert (&dict, "version", "u", TD_SESSION_PROTOCOL_VERSION);
  g_variant_dict_insert (&dict, "name", "s", self->display_name);
  send_message (self, TD_WIRE_TYPE_HELLO, g_variant_dict_end (&dict));
}

static void
handle_cpace (TdHostSession *self,
              GVariant      *fields)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint8 sid[TD_PASSWORD_AUTH_SID_SIZE];

  if (!self->hello_received || self->auth != NULL)
    {
      error = g_error_new_literal (TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD, "CPace out of turn");
      fail_protocol (self, error);
      return;
    }

  if (!td_wire_lookup_bytes (fields, "data", 4096, &data, &error))
    {
      fail_protocol (self, error);
      return;
    }

  if (!td_control_channel_export (self->channel, TD_PASSWORD_AUTH_SID_EXPORTER_LABEL, NULL,
                                  sizeof sid, sid, &error))
    {
      td_session_end (TD_SESSION (self), TD_END_REASON_ERROR, error);
      return;
    }

  self->auth = td_password_auth_new_host ((const guint8 *) self->password, strlen (self->password),
                                          NULL, 0,
                                          td_device_key_get_fingerprint (self->key),
                                          td_control_channel_get_peer_fingerprint (self->channel),
                                          sid, sizeof sid);

  if (!td_password_auth_receive (self->auth, g_bytes_get_data (data, NULL),
                                 g_bytes_get_size (data), &reply, &error))
    {
      if (self->throttler != NULL)
        td_throttler_record_failure (self->throttler, self->source, device_name (self));
      fail_protocol (self, error);
      return;
    }

  send_message (self, TD_WIRE_TYPE_CPACE, bytes_field (reply));
}

static void
start_session (TdHostSession *self,
               TdPermissions  granted)
{
  g_autoptr(GError) error = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_auto(GVariantDict) log = G_VARIANT_DICT_INIT (NULL);
  g_autofree char *flags = NULL;
  guint8 exporter[TD_EXPORTER_SRTP_SIZE];

  self->permissions = granted & self->requested;
  if (self->permissions == TD_PERMISSION_NONE)
    {
      error = g_error_new_literal (TD_AUTH_ERROR, TD_AUTH_ERROR_FAILED,
                                   _("You did not allow the session."));
      send_bye (self, TD_BYE_DENIED, NULL);
      audit (self, "consent-denied", NULL);
      td_session_end (TD_SESSION (self), TD_END_REASON_REFUSED, error);
      return;
    }

  if (!td_control_channel_export (self->channel, TD_EXPORTER_SRTP, NULL,
                                  sizeof exporter, exporter, &error) ||
      !(self->keys = td_password_auth_derive_keys (self->auth, exporter, sizeof exporter, &error)))
    {
      td_memzero (exporter, sizeof exporter);
      td_session_end (TD_SESSION (self), TD_END_REASON_ERROR, error);
      return;
    }
  td_memzero (exporter, sizeof exporter);

  g_variant_dict_insert (&dict, "permissions", "t", (guint64) self->permissions);
  if (!send_message (self, TD_WIRE_TYPE_SESSION_START, g_variant_dict_end (&dict)))
    return;

  flags = g_flags_to_string (TD_TYPE_PERMISSIONS, self->permissions);
  g_variant_dict_insert (&log, "permissions", "s", flags);
  audit (self, "session-started", &log);
  td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_CONNECTED);
}

static void
on_consent_answered (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TdHostSession) self = user_data;
  g_autoptr(GError) error = NULL;
  TdPermissions granted;

  granted = td_consent_prompt_ask_finish (TD_CONSENT_PROMPT (object), result, &error);
  g_clear_handle_id (&self->timeout_id, g_source_remove);

  if (td_session_is_ended (TD_SESSION (self)))
    return;

  if (error != NULL)
    granted = TD_PERMISSION_NONE;

  start_session (self, granted);
}

static gboolean
on_consent_timeout (gpointer user_data)
{
  TdHostSession *self = user_data;

  /* The prompt counts down by itself; this is the core's own guarantee
   * that an unanswered request is denied. */
  self->timeout_id = 0;
  g_cancellable_cancel (self->cancellable);

  return G_SOURCE_REMOVE;
}

static void
handle_cpace_confirm (TdHostSession *self,
                      GVariant      *fields)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;

  if (self->auth == NULL ||
      td_password_auth_get_state (self->auth) != TD_PASSWORD_AUTH_STATE_WAIT_CONFIRM)
    {
      error = g_error_new_literal (TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD,
                                   "a confirmation out of turn");
      fail_protocol (self, error);
      return;
    }

  if (!td_wire_lookup_bytes (fields, "data", 4096, &data, &error))
    {
      fail_protocol (self, error);
      return;
    }

  if (!td_password_auth_receive (self->auth, g_bytes_get_data (data, NULL),
                                 g_bytes_get_size (data), NULL, &error))
    {
      if (self->throttler != NULL)
        td_throttler_record_failure (self->throttler, self->source, device_name (self));

      if (g_error_matches (error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD))
        {
          g_autoptr(GError) shown =
            g_error_new_literal (TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD,
                                 _("Someone tried to connect with a wrong password."));

          audit (self, "auth-failed", NULL);
          send_bye (self, TD_BYE_AUTH_FAILED, NULL);
          td_session_end (TD_SESSION (self), TD_END_REASON_AUTH_FAILED, shown);
        }
      else
        fail_protocol (self, error);
      return;
    }

  if (self->throttler != NULL)
    td_throttler_record_success (self->throttler, self->source, device_name (self));
  audit (self, "auth-succeeded", NULL);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_AWAITING_CONSENT);

  if (self->prompt == NULL)
    {
      start_session (self, self->requested);
      return;
    }

  {
    g_autoptr(TdConsentRequest) request =
      td_consent_request_new (td_session_get_peer_name (TD_SESSION (self)),
                              td_session_get_peer_id (TD_SESSION (self)),
                              td_session_get_peer_fingerprint (TD_SESSION (self)),
                              self->requested, CONSENT_TIMEOUT_S);

    self->timeout_id = g_timeout_add_seconds (CONSENT_TIMEOUT_S + 1, on_consent_timeout, self);
    td_consent_prompt_ask_async (self->prompt, request, self->cancellable,
                                 on_consent_answered, g_object_ref (self));
  }
}

static void
handle_bye (TdHostSession *self,
            GVariant      *fields)
{
  g_autofree char *reason = NULL;
  g_autofree char *message = NULL;

  td_wire_lookup_string (fields, "reason", 64, &reason, NULL);
  td_wire_lookup_string (fields, "message", 1024, &message, NULL);

  if (g_strcmp0 (reason, TD_BYE_USER) == 0)
    td_session_end (TD_SESSION (self), TD_END_REASON_PEER, NULL);
  else
    {
      g_autoptr(GError) error = g_error_new (TD_AUTH_ERROR, TD_AUTH_ERROR_FAILED,
                                             _("The helper’s computer ended the connection (%s)."),
                                             message != NULL ? message : reason != NULL ? reason : "?");

      td_session_end (TD_SESSION (self), TD_END_REASON_ERROR, error);
    }
}

static void
on_message_received (TdControlChannel *channel,
                     guint             type,
                     GVariant         *fields,
                     TdHostSession    *self)
{
  g_autoptr(TdHostSession) hold = g_object_ref (self);

  if (td_session_is_ended (TD_SESSION (self)))
    return;

  switch (type)
    {
    case TD_WIRE_TYPE_HELLO:
      handle_viewer_hello (self, fields);
      break;

    case TD_WIRE_TYPE_CPACE:
      handle_cpace (self, fields);
      break;

    case TD_WIRE_TYPE_CPACE_CONFIRM:
      handle_cpace_confirm (self, fields);
      break;

    case TD_WIRE_TYPE_BYE:
      handle_bye (self, fields);
      break;

    default:
      /* Nothing but the handshake is accepted before the session started:
       * no input, no file, no chat from an unauthenticated partner. */
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
                   TdHostSession    *self)
{
  if (error == NULL)
    td_session_end (TD_SESSION (self), TD_END_REASON_PEER, NULL);
  else
    td_session_end (TD_SESSION (self), TD_END_REASON_CONNECTION_LOST, error);
}

static char *
remote_address_of_pair (const char *pair)
{
  const char *arrow, *start, *end;

  /* "host 1.2.3.4:5 -> srflx 6.7.8.9:10 (udp)" */
  if (pair == NULL || (arrow = strstr (pair, "-> ")) == NULL ||
      (start = strchr (arrow + 3, ' ')) == NULL)
    return NULL;
  start++;
  if ((end = strchr (start, ' ')) == NULL)
    end = start + strlen (start);
  while (end > start && end[-1] != ':')
    end--;
  if (end <= start + 1)
    return NULL;

  return g_strndup (start, end - start - 1);
}

static void
on_ice_connected (TdSessionTransport *transport,
                  gboolean            relayed,
                  TdHostSession      *self)
{
  TdIceTransport *ice = td_session_transport_get_ice (transport);
  g_autofree char *address = remote_address_of_pair (td_ice_transport_get_selected_pair (ice));

  /* The throttler counts per source address, except behind a relay,
   * where the address is the relay's and says nothing of the partner. */
  if (address != NULL && !relayed)
    td_set_str (&self->source, address);

  td_session_set_path (TD_SESSION (self), relayed ? TD_PATH_RELAYED : TD_PATH_DIRECT);
  td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_SECURING);
}

static void
on_channel_ready (TdSessionTransport *transport,
                  TdHostSession      *self)
{
  self->channel = g_object_ref (td_session_transport_get_channel (transport));
  g_signal_connect_object (self->channel, "message-received",
                           G_CALLBACK (on_message_received), self, 0);
  g_signal_connect_object (self->channel, "closed", G_CALLBACK (on_channel_closed), self, 0);

  td_session_set_peer (TD_SESSION (self), td_session_get_peer_id (TD_SESSION (self)),
                       td_session_get_peer_name (TD_SESSION (self)),
                       td_control_channel_get_peer_fingerprint_hex (self->channel));
  td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_AUTHENTICATING);
}

static void
on_transport_failed (TdSessionTransport *transport,
                     GError             *error,
                     TdHostSession      *self)
{
  TdEndReason reason = TD_END_REASON_CONNECTION_LOST;

  if ((error->domain == TD_ICE_ERROR && error->code == TD_ICE_ERROR_TIMED_OUT) ||
      (error->domain == TD_CHANNEL_ERROR && error->code == TD_CHANNEL_ERROR_TIMED_OUT))
    reason = TD_END_REASON_TIMEOUT;

  td_session_end (TD_SESSION (self), reason, error);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  TdHostSession *self = user_data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                 _("The helper’s computer did not finish "
                                                   "connecting in time."));

  self->timeout_id = 0;
  td_session_end (TD_SESSION (self), TD_END_REASON_TIMEOUT, error);

  return G_SOURCE_REMOVE;
}

/**
 * td_host_session_start:
 * @self: a new #TdHostSession
 *
 * Waits for the viewer's offer and takes the session from there.
 */
void
td_host_session_start (TdHostSession *self)
{
  g_return_if_fail (TD_IS_HOST_SESSION (self));
  g_return_if_fail (td_session_get_state (TD_SESSION (self)) == TD_SESSION_STATE_IDLE);

  td_session_set_peer (TD_SESSION (self), td_signaling_peer_get_partner_id (self->peer),
                       td_signaling_peer_get_partner_name (self->peer),
                       td_signaling_peer_get_partner_fingerprint (self->peer));
  audit (self, "connect-request", NULL);

  self->transport = td_session_transport_new (self->peer, self->key, FALSE);
  g_signal_connect_object (self->transport, "ice-connected", G_CALLBACK (on_ice_connected), self, 0);
  g_signal_connect_object (self->transport, "channel-ready", G_CALLBACK (on_channel_ready), self, 0);
  g_signal_connect_object (self->transport, "failed", G_CALLBACK (on_transport_failed), self, 0);

  self->timeout_id = g_timeout_add (TD_SESSION_CONNECT_TIMEOUT_MS, on_connect_timeout, self);
  td_session_set_state (TD_SESSION (self), TD_SESSION_STATE_CONNECTING);
  td_session_transport_start (self->transport);
}

TdPermissions
td_host_session_get_permissions (TdHostSession *self)
{
  g_return_val_if_fail (TD_IS_HOST_SESSION (self), TD_PERMISSION_NONE);
  return self->permissions;
}

/**
 * td_host_session_get_channel:
 *
 * Returns: (transfer none) (nullable): the control channel, once secured
 */
TdControlChannel *
td_host_session_get_channel (TdHostSession *self)
{
  g_return_val_if_fail (TD_IS_HOST_SESSION (self), NULL);
  return self->channel;
}

/**
 * td_host_session_get_keys:
 *
 * Returns: (transfer none) (nullable): the media keys, once connected
 */
TdKeys *
td_host_session_get_keys (TdHostSession *self)
{
  g_return_val_if_fail (TD_IS_HOST_SESSION (self), NULL);
  return self->keys;
}
