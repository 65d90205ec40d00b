/* td-session.c: one connection between a helper and the person helped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The base class of TdHostSession and TdViewerSession. It owns the
 * explicit state machine (signaling -> connecting -> securing ->
 * authenticating -> connected -> ended) and the reason a session ended;
 * subclasses move it forward and free their transports in ::shutdown.
 * Every way a session can end goes through td_session_end(), once.
 */
#define G_LOG_DOMAIN "td-session"

#include <glib/gi18n.h>

#include "td-session.h"
#include "td-util.h"

typedef struct
{
  TdSessionState  state;
  TdEndReason     end_reason;
  GError         *error;
  TdPath          path;
  guint           peer_id;
  char           *peer_name;
  char           *peer_fingerprint;
  guint           ending : 1;
} TdSessionPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (TdSession, td_session, G_TYPE_OBJECT)

/* Returns a static nick, unlike g_enum_to_string(). */
const char *
td_session_enum_nick (GType type,
           int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);

  return v != NULL ? v->value_nick : "?";
}

G_DEFINE_ENUM_TYPE (TdSessionState, td_session_state,
  G_DEFINE_ENUM_VALUE (TD_SESSION_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (TD_SESSION_STATE_SIGNALING, "signaling"),
  G_DEFINE_ENUM_VALUE (TD_SESSION_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (TD_SESSION_STATE_SECURING, "securing"),
  G_DEFINE_ENUM_VALUE (TD_SESSION_STATE_AUTHENTICATING, "authenticating"),
  G_DEFINE_ENUM_VALUE (TD_SESSION_STATE_AWAITING_CONSENT, "awaiting-consent"),
  G_DEFINE_ENUM_VALUE (TD_SESSION_STATE_CONNECTED, "connected"),
  G_DEFINE_ENUM_VALUE (TD_SESSION_STATE_ENDED, "ended"))

G_DEFINE_ENUM_TYPE (TdEndReason, td_end_reason,
  G_DEFINE_ENUM_VALUE (TD_END_REASON_NONE, "none"),
  G_DEFINE_ENUM_VALUE (TD_END_REASON_LOCAL, "local"),
  G_DEFINE_ENUM_VALUE (TD_END_REASON_PEER, "peer"),
  G_DEFINE_ENUM_VALUE (TD_END_REASON_CONNECTION_LOST, "connection-lost"),
  G_DEFINE_ENUM_VALUE (TD_END_REASON_TIMEOUT, "timeout"),
  G_DEFINE_ENUM_VALUE (TD_END_REASON_AUTH_FAILED, "auth-failed"),
  G_DEFINE_ENUM_VALUE (TD_END_REASON_REFUSED, "refused"),
  G_DEFINE_ENUM_VALUE (TD_END_REASON_ERROR, "error"))

G_DEFINE_ENUM_TYPE (TdPath, td_path,
  G_DEFINE_ENUM_VALUE (TD_PATH_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (TD_PATH_DIRECT, "direct"),
  G_DEFINE_ENUM_VALUE (TD_PATH_RELAYED, "relayed"))

enum {
  PROP_0,
  PROP_STATE,
  PROP_END_REASON,
  PROP_PATH,
  PROP_PEER_ID,
  PROP_PEER_NAME,
  PROP_PEER_FINGERPRINT,
  N_PROPS
};

enum {
  ENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
td_session_finalize (GObject *object)
{
  TdSession *self = (TdSession *) object;
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_clear_error (&priv->error);
  g_clear_pointer (&priv->peer_name, g_free);
  g_clear_pointer (&priv->peer_fingerprint, g_free);

  G_OBJECT_CLASS (td_session_parent_class)->finalize (object);
}

static void
td_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TdSession *self = TD_SESSION (object);
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, priv->state);
      break;

    case PROP_END_REASON:
      g_value_set_enum (value, priv->end_reason);
      break;

    case PROP_PATH:
      g_value_set_enum (value, priv->path);
      break;

    case PROP_PEER_ID:
      g_value_set_uint (value, priv->peer_id);
      break;

    case PROP_PEER_NAME:
      g_value_set_string (value, priv->peer_name);
      break;

    case PROP_PEER_FINGERPRINT:
      g_value_set_string (value, priv->peer_fingerprint);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_session_class_init (TdSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = td_session_finalize;
  object_class->get_property = td_session_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       TD_TYPE_SESSION_STATE, TD_SESSION_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_END_REASON] =
    g_param_spec_enum ("end-reason", NULL, NULL,
                       TD_TYPE_END_REASON, TD_END_REASON_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATH] =
    g_param_spec_enum ("path", NULL, NULL,
                       TD_TYPE_PATH, TD_PATH_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PEER_ID] =
    g_param_spec_uint ("peer-id", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PEER_NAME] =
    g_param_spec_string ("peer-name", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PEER_FINGERPRINT] =
    g_param_spec_string ("peer-fingerprint", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdSession::ended:
   * @reason: a #TdEndReason
   * @error: (nullable): what went wrong, if anything did
   *
   * Emitted once, after the session has freed its transports.
   */
  signals[ENDED] =
    g_signal_new ("ended",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, TD_TYPE_END_REASON, G_TYPE_ERROR);
}

static void
td_session_init (TdSession *self)
{
}

TdSessionState
td_session_get_state (TdSession *self)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_val_if_fail (TD_IS_SESSION (self), TD_SESSION_STATE_IDLE);

  return priv->state;
}

TdEndReason
td_session_get_end_reason (TdSession *self)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_val_if_fail (TD_IS_SESSION (self), TD_END_REASON_NONE);

  return priv->end_reason;
}

/**
 * td_session_get_error:
 *
 * Returns: (nullable) (transfer none): why the session ended, if it ended
 *   because of an error
 */
const GError *
td_session_get_error (TdSession *self)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_val_if_fail (TD_IS_SESSION (self), NULL);

  return priv->error;
}

TdPath
td_session_get_path (TdSession *self)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_val_if_fail (TD_IS_SESSION (self), TD_PATH_UNKNOWN);

  return priv->path;
}

guint
td_session_get_peer_id (TdSession *self)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_val_if_fail (TD_IS_SESSION (self), 0);

  return priv->peer_id;
}

const char *
td_session_get_peer_name (TdSession *self)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_val_if_fail (TD_IS_SESSION (self), NULL);

  return priv->peer_name;
}

const char *
td_session_get_peer_fingerprint (TdSession *self)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_val_if_fail (TD_IS_SESSION (self), NULL);

  return priv->peer_fingerprint;
}

gboolean
td_session_is_ended (TdSession *self)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_val_if_fail (TD_IS_SESSION (self), TRUE);

  return priv->state == TD_SESSION_STATE_ENDED || priv->ending;
}

void
td_session_set_state (TdSession      *self,
                      TdSessionState  state)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_if_fail (TD_IS_SESSION (self));
  g_return_if_fail (state != TD_SESSION_STATE_ENDED);

  /* Once ending, nothing moves the session forward again. */
  if (priv->state == state || td_session_is_ended (self))
    return;

  g_debug ("%s: %s -> %s", G_OBJECT_TYPE_NAME (self),
           td_session_enum_nick (TD_TYPE_SESSION_STATE, priv->state),
           td_session_enum_nick (TD_TYPE_SESSION_STATE, state));

  priv->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
td_session_set_path (TdSession *self,
                     TdPath     path)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_if_fail (TD_IS_SESSION (self));

  if (priv->path == path)
    return;

  priv->path = path;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
}

void
td_session_set_peer (TdSession  *self,
                     guint       peer_id,
                     const char *peer_name,
                     const char *peer_fingerprint)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_if_fail (TD_IS_SESSION (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (priv->peer_id != peer_id)
    {
      priv->peer_id = peer_id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_ID]);
    }
  if (td_set_str (&priv->peer_name, peer_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_NAME]);
  if (td_set_str (&priv->peer_fingerprint, peer_fingerprint))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_FINGERPRINT]);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * td_session_end:
 * @self: a #TdSession
 * @reason: why
 * @error: (nullable): the error behind it
 *
 * Ends the session: the subclass stops and frees everything it holds,
 * then the state becomes %TD_SESSION_STATE_ENDED and #TdSession::ended is
 * emitted. Only the first call has an effect.
 */
void
td_session_end (TdSession    *self,
                TdEndReason   reason,
                const GError *error)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);
  g_autoptr(TdSession) hold = NULL;

  g_return_if_fail (TD_IS_SESSION (self));
  g_return_if_fail (reason != TD_END_REASON_NONE);

  if (td_session_is_ended (self))
    return;

  hold = g_object_ref (self);
  priv->ending = TRUE;

  g_debug ("%s ends: %s%s%s", G_OBJECT_TYPE_NAME (self),
           td_session_enum_nick (TD_TYPE_END_REASON, reason),
           error ? ": " : "", error ? error->message : "");

  priv->end_reason = reason;
  if (error != NULL)
    priv->error = g_error_copy (error);

  if (TD_SESSION_GET_CLASS (self)->shutdown != NULL)
    TD_SESSION_GET_CLASS (self)->shutdown (self, reason);

  priv->state = TD_SESSION_STATE_ENDED;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_END_REASON]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[ENDED], 0, reason, priv->error);
}

/**
 * td_session_describe_end:
 * @self: an ended #TdSession
 *
 * Returns: (transfer full): why the session ended, in words for the
 *   person in front of the screen
 */
char *
td_session_describe_end (TdSession *self)
{
  TdSessionPrivate *priv = td_session_get_instance_private (self);

  g_return_val_if_fail (TD_IS_SESSION (self), NULL);

  switch (priv->end_reason)
    {
    case TD_END_REASON_LOCAL:
      return g_strdup (_("You ended the session."));

    case TD_END_REASON_PEER:
      return g_strdup (_("Your partner ended the session."));

    case TD_END_REASON_CONNECTION_LOST:
      return g_strdup (_("The connection to your partner was lost."));

    case TD_END_REASON_TIMEOUT:
      return g_strdup (_("Your partner did not answer in time."));

    case TD_END_REASON_AUTH_FAILED:
      if (priv->error != NULL)
        return g_strdup (priv->error->message);
      return g_strdup (_("The password is not right."));

    case TD_END_REASON_REFUSED:
      if (priv->error != NULL)
        return g_strdup (priv->error->message);
      return g_strdup (_("Your partner did not allow the session."));

    case TD_END_REASON_ERROR:
      if (priv->error != NULL)
        return g_strdup (priv->error->message);
      return g_strdup (_("Something went wrong and the session ended."));

    case TD_END_REASON_NONE:
    default:
      return g_strdup (_("The session is still running."));
    }
}

/**
 * td_session_state_describe:
 * @state: a state
 * @path: how the peers are connected, if known
 *
 * Returns: (transfer none): what is happening, in plain words
 */
const char *
td_session_state_describe (TdSessionState state,
                           TdPath         path)
{
  switch (state)
    {
    case TD_SESSION_STATE_IDLE:
      return _("Not connected");

    case TD_SESSION_STATE_SIGNALING:
      return _("Finding your partner");

    case TD_SESSION_STATE_CONNECTING:
      return _("Connecting");

    case TD_SESSION_STATE_SECURING:
      return path == TD_PATH_RELAYED ? _("Connecting through relay")
                                     : _("Connecting directly");

    case TD_SESSION_STATE_AUTHENTICATING:
      return _("Checking the password");

    case TD_SESSION_STATE_AWAITING_CONSENT:
      return _("Waiting for your partner to accept");

    case TD_SESSION_STATE_CONNECTED:
      return path == TD_PATH_RELAYED ? _("Connected through a relay")
                                     : _("Connected directly");

    case TD_SESSION_STATE_ENDED:
      return _("Session ended");

    default:
      return "";
    }
}
