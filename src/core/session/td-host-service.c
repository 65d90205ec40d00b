/* td-host-service.c: this computer, ready to be helped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Holds what outlives a single session on the host: the one-time
 * password, the throttler that counts wrong guesses, the audit log. It
 * answers the rendezvous client's incoming connects (one session at a
 * time, others are told "busy") and replaces the one-time password when a
 * session ends or too many guesses failed.
 */
#define G_LOG_DOMAIN "td-session"

#include <string.h>

#include "td-host-service.h"
#include "td-password.h"
#include "td-util.h"

struct _TdHostService
{
  GObject             parent_instance;
  TdRendezvousClient *client;
  TdDeviceKey        *key;
  TdAuditLog         *audit_log;
  TdThrottler        *throttler;
  TdConsentPrompt    *prompt;
  TdHostSession      *session;
  char               *password;
  char               *display_name;
};

G_DEFINE_FINAL_TYPE (TdHostService, td_host_service, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PASSWORD,
  PROP_SESSION,
  PROP_DISPLAY_NAME,
  N_PROPS
};

enum {
  SESSION_STARTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
clear_password (TdHostService *self)
{
  if (self->password != NULL)
    td_memzero (self->password, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
}

static void
td_host_service_dispose (GObject *object)
{
  TdHostService *self = (TdHostService *) object;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  if (self->throttler != NULL)
    g_signal_handlers_disconnect_by_data (self->throttler, self);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      td_session_end (TD_SESSION (self->session), TD_END_REASON_LOCAL, NULL);
    }

  g_clear_object (&self->session);
  g_clear_object (&self->client);
  g_clear_object (&self->key);
  g_clear_object (&self->audit_log);
  g_clear_object (&self->throttler);
  g_clear_object (&self->prompt);

  G_OBJECT_CLASS (td_host_service_parent_class)->dispose (object);
}

static void
td_host_service_finalize (GObject *object)
{
  TdHostService *self = (TdHostService *) object;

  clear_password (self);
  g_clear_pointer (&self->display_name, g_free);

  G_OBJECT_CLASS (td_host_service_parent_class)->finalize (object);
}

static void
td_host_service_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TdHostService *self = TD_HOST_SERVICE (object);

  switch (prop_id)
    {
    case PROP_PASSWORD:
      g_value_set_string (value, self->password);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_host_service_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TdHostService *self = TD_HOST_SERVICE (object);

  switch (prop_id)
    {
    case PROP_DISPLAY_NAME:
      td_host_service_set_display_name (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_host_service_class_init (TdHostServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_host_service_dispose;
  object_class->finalize = td_host_service_finalize;
  object_class->get_property = td_host_service_get_property;
  object_class->set_property = td_host_service_set_property;

  properties[PROP_PASSWORD] =
    g_param_spec_string ("password", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, TD_TYPE_HOST_SESSION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdHostService::session-started:
   * @session: the new #TdHostSession, just accepted
   *
   * A helper is connecting. Follow the session's state; the banner
   * belongs on screen once it is connected.
   */
  signals[SESSION_STARTED] =
    g_signal_new ("session-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, TD_TYPE_HOST_SESSION);
}

static void
td_host_service_init (TdHostService *self)
{
  self->throttler = td_throttler_new ();
  self->password = td_password_new_one_time ();
  self->display_name = g_strdup (g_get_host_name ());
}

static void
on_session_ended (TdSession     *session,
                  TdEndReason    reason,
                  GError        *error,
                  TdHostService *self)
{
  gboolean was_connected = td_host_session_get_keys (TD_HOST_SESSION (session)) != NULL;

  g_signal_handlers_disconnect_by_data (session, self);
  if ((TdSession *) self->session == session)
    {
      g_clear_object (&self->session);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
    }

  /* A one-time password is good for one session. */
  if (was_connected)
    td_host_service_new_password (self);
}

static gboolean
on_incoming (TdRendezvousClient *client,
             TdSignalingPeer    *peer,
             TdHostService      *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdHostSession) session = NULL;

  if (self->session != NULL)
    {
      g_debug ("Busy: refusing a second helper");
      td_signaling_peer_reject (peer, TRUE, NULL);
      return TRUE;
    }

  if (!td_signaling_peer_accept (peer, &error))
    {
      g_debug ("Could not accept a connect: %s", error->message);
      return TRUE;
    }

  session = td_host_session_new (peer, self->key, self->display_name, self->password,
                                 self->throttler, self->audit_log);
  td_host_session_set_consent_prompt (session, self->prompt);
  self->session = g_object_ref (session);
  g_signal_connect_object (session, "ended", G_CALLBACK (on_session_ended), self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);

  td_host_session_start (session);
  g_signal_emit (self, signals[SESSION_STARTED], 0, session);

  return TRUE;
}

static void
on_password_should_rotate (TdThrottler   *throttler,
                           guint          failures,
                           TdHostService *self)
{
  g_debug ("Rotating the one-time code after %u failed attempts", failures);
  td_host_service_new_password (self);
}

/**
 * td_host_service_new:
 * @client: the rendezvous client this computer registers with
 * @key: this device's key
 * @audit_log: (nullable): where sessions and attempts are recorded
 *
 * Returns: (transfer full): a new service, answering @client's incoming
 *   connects from now on
 */
TdHostService *
td_host_service_new (TdRendezvousClient *client,
                     TdDeviceKey        *key,
                     TdAuditLog         *audit_log)
{
  TdHostService *self;

  g_return_val_if_fail (TD_IS_RENDEZVOUS_CLIENT (client), NULL);
  g_return_val_if_fail (TD_IS_DEVICE_KEY (key), NULL);

  self = g_object_new (TD_TYPE_HOST_SERVICE, NULL);
  self->client = g_object_ref (client);
  self->key = g_object_ref (key);
  self->audit_log = audit_log != NULL ? g_object_ref (audit_log) : NULL;

  g_signal_connect_object (client, "incoming", G_CALLBACK (on_incoming), self, 0);
  g_signal_connect_object (self->throttler, "password-should-rotate",
                           G_CALLBACK (on_password_should_rotate), self, 0);

  return self;
}

/**
 * td_host_service_get_password:
 *
 * Returns: the current one-time password, without separators
 */
const char *
td_host_service_get_password (TdHostService *self)
{
  g_return_val_if_fail (TD_IS_HOST_SERVICE (self), NULL);
  return self->password;
}

/**
 * td_host_service_new_password:
 *
 * Replaces the one-time password. A session already running keeps going.
 */
void
td_host_service_new_password (TdHostService *self)
{
  g_return_if_fail (TD_IS_HOST_SERVICE (self));

  clear_password (self);
  self->password = td_password_new_one_time ();
  td_throttler_password_rotated (self->throttler);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD]);
}

/**
 * td_host_service_set_password:
 * @self: a #TdHostService
 * @password: a one-time password, as td_password_new_one_time() makes
 *
 * Uses @password (made elsewhere, e.g. shown by the UI) as the one-time
 * password.
 *
 * Returns: %FALSE if @password is not a one-time password
 */
gboolean
td_host_service_set_password (TdHostService *self,
                              const char    *password)
{
  g_return_val_if_fail (TD_IS_HOST_SERVICE (self), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (!td_password_is_one_time_format (password))
    return FALSE;
  if (g_strcmp0 (self->password, password) == 0)
    return TRUE;

  clear_password (self);
  self->password = g_strdup (password);
  td_throttler_password_rotated (self->throttler);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD]);

  return TRUE;
}

const char *
td_host_service_get_display_name (TdHostService *self)
{
  g_return_val_if_fail (TD_IS_HOST_SERVICE (self), NULL);
  return self->display_name;
}

void
td_host_service_set_display_name (TdHostService *self,
                                  const char    *name)
{
  g_return_if_fail (TD_IS_HOST_SERVICE (self));

  if (td_set_str (&self->display_name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

void
td_host_service_set_consent_prompt (TdHostService   *self,
                                    TdConsentPrompt *prompt)
{
  g_return_if_fail (TD_IS_HOST_SERVICE (self));
  g_set_object (&self->prompt, prompt);
}

/**
 * td_host_service_get_session:
 *
 * Returns: (transfer none) (nullable): the session in progress
 */
TdHostSession *
td_host_service_get_session (TdHostService *self)
{
  g_return_val_if_fail (TD_IS_HOST_SERVICE (self), NULL);
  return self->session;
}

/**
 * td_host_service_get_throttler:
 *
 * Returns: (transfer none): the throttler of failed attempts
 */
TdThrottler *
td_host_service_get_throttler (TdHostService *self)
{
  g_return_val_if_fail (TD_IS_HOST_SERVICE (self), NULL);
  return self->throttler;
}
