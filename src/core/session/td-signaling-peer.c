/* td-signaling-peer.c: one connect's signaling channel to the partner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A TdSignalingPeer is what the rendezvous server joined for one connect:
 * the viewer gets it from td_rendezvous_client_connect_finish() once the
 * host accepted, the host from the client's #TdRendezvousClient::incoming
 * signal (and accepts or rejects it). Both then exchange opaque payloads
 * through it, which is all ICE needs:
 *
 *   viewer ── send (OFFER, {ufrag, pwd, candidates?, ...}) ──▶ host
 *   viewer ◀── send (ANSWER, {ufrag, pwd, ...}) ── host
 *   both   ── send (CANDIDATE, {candidate: "a=candidate:..."}) ──▶ (trickled)
 *   both   ── send (END_OF_CANDIDATES, {}) ──▶
 *
 * Payloads are `a{sv}` whose values JSON can carry (strings, integers,
 * doubles, booleans, arrays and nested `a{sv}`); see
 * td_signal_payload_to_variant(). Keys are the ICE layer's business; the
 * server relays them untouched between exactly these two devices.
 *
 * The partner's device public key comes with the peer: for a viewer it is
 * the key the server bound the host's ID to, so the viewer can insist that
 * the host's TLS certificate carries it; for a host it is the key the
 * viewer claims (#TdSignalingPeer:partner-verified says whether the viewer
 * proved it to the server by registering with it).
 */
#define G_LOG_DOMAIN "td-rendezvous"

#include <string.h>

#include "td-rendezvous-client-private.h"
#include "td-signaling-peer.h"

struct _TdSignalingPeer
{
  GObject          parent_instance;
  GWeakRef         client;
  TdSignalingRole  role;
  char            *session;
  guint32          partner_id;
  char            *partner_name;
  GBytes          *partner_public_key;
  char            *partner_fingerprint;
  gboolean         partner_verified;
  TdSignalTurn    *turn;
  gboolean         accepted;
  gboolean         closed;
};

G_DEFINE_FINAL_TYPE (TdSignalingPeer, td_signaling_peer, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (TdSignalingRole, td_signaling_role,
                    G_DEFINE_ENUM_VALUE (TD_SIGNALING_ROLE_HOST, "host"),
                    G_DEFINE_ENUM_VALUE (TD_SIGNALING_ROLE_VIEWER, "viewer"))

G_DEFINE_ENUM_TYPE (TdSignalKind, td_signal_kind,
                    G_DEFINE_ENUM_VALUE (TD_SIGNAL_KIND_OFFER, "offer"),
                    G_DEFINE_ENUM_VALUE (TD_SIGNAL_KIND_ANSWER, "answer"),
                    G_DEFINE_ENUM_VALUE (TD_SIGNAL_KIND_CANDIDATE, "candidate"),
                    G_DEFINE_ENUM_VALUE (TD_SIGNAL_KIND_END_OF_CANDIDATES, "end-of-candidates"))

enum {
  PROP_0,
  PROP_SESSION,
  PROP_ROLE,
  PROP_PARTNER_ID,
  PROP_PARTNER_NAME,
  PROP_PARTNER_FINGERPRINT,
  PROP_PARTNER_VERIFIED,
  PROP_CLOSED,
  N_PROPS
};

enum {
  SIGNAL_RECEIVED,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
td_signaling_peer_dispose (GObject *object)
{
  TdSignalingPeer *self = (TdSignalingPeer *) object;

  g_weak_ref_set (&self->client, NULL);

  G_OBJECT_CLASS (td_signaling_peer_parent_class)->dispose (object);
}

static void
td_signaling_peer_finalize (GObject *object)
{
  TdSignalingPeer *self = (TdSignalingPeer *) object;

  g_weak_ref_clear (&self->client);
  g_clear_pointer (&self->session, g_free);
  g_clear_pointer (&self->partner_name, g_free);
  g_clear_pointer (&self->partner_public_key, g_bytes_unref);
  g_clear_pointer (&self->partner_fingerprint, g_free);
  g_clear_pointer (&self->turn, td_signal_turn_free);

  G_OBJECT_CLASS (td_signaling_peer_parent_class)->finalize (object);
}

static void
td_signaling_peer_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TdSignalingPeer *self = TD_SIGNALING_PEER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_string (value, self->session);
      break;
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_PARTNER_ID:
      g_value_set_uint (value, self->partner_id);
      break;
    case PROP_PARTNER_NAME:
      g_value_set_string (value, self->partner_name);
      break;
    case PROP_PARTNER_FINGERPRINT:
      g_value_set_string (value, self->partner_fingerprint);
      break;
    case PROP_PARTNER_VERIFIED:
      g_value_set_boolean (value, self->partner_verified);
      break;
    case PROP_CLOSED:
      g_value_set_boolean (value, self->closed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_signaling_peer_class_init (TdSignalingPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_signaling_peer_dispose;
  object_class->finalize = td_signaling_peer_finalize;
  object_class->get_property = td_signaling_peer_get_property;

  properties[PROP_SESSION] =
    g_param_spec_string ("session", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, TD_TYPE_SIGNALING_ROLE, TD_SIGNALING_ROLE_HOST,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PARTNER_ID] =
    g_param_spec_uint ("partner-id", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PARTNER_NAME] =
    g_param_spec_string ("partner-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PARTNER_FINGERPRINT] =
    g_param_spec_string ("partner-fingerprint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PARTNER_VERIFIED] =
    g_param_spec_boolean ("partner-verified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLOSED] =
    g_param_spec_boolean ("closed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdSignalingPeer::received:
   * @self: the peer
   * @kind: a #TdSignalKind
   * @payload: an `a{sv}` from the partner
   */
  signals[SIGNAL_RECEIVED] =
    g_signal_new ("received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, TD_TYPE_SIGNAL_KIND, G_TYPE_VARIANT);

  /**
   * TdSignalingPeer::closed:
   * @self: the peer
   * @error: why, in %TD_RENDEZVOUS_ERROR (for example CLOSED when the
   *   partner hung up or the server went away); its message can be shown
   *
   * Emitted once; nothing more arrives or can be sent afterwards. A peer
   * closed after ICE connected does not affect the connection itself.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
td_signaling_peer_init (TdSignalingPeer *self)
{
  g_weak_ref_init (&self->client, NULL);
}

TdSignalingPeer *
_td_signaling_peer_new (TdRendezvousClient *client,
                        TdSignalingRole     role,
                        const char         *session,
                        guint32             partner_id,
                        const char         *partner_name,
                        GBytes             *partner_public_key,
                        gboolean            partner_verified,
                        const TdSignalTurn *turn)
{
  TdSignalingPeer *self = g_object_new (TD_TYPE_SIGNALING_PEER, NULL);

  g_weak_ref_set (&self->client, client);
  self->role = role;
  self->session = g_strdup (session);
  self->partner_id = partner_id;
  self->partner_name = g_strdup (partner_name);
  self->partner_public_key = partner_public_key != NULL ? g_bytes_ref (partner_public_key) : NULL;
  if (partner_public_key != NULL)
    self->partner_fingerprint = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, partner_public_key);
  self->partner_verified = partner_verified;
  self->turn = td_signal_turn_copy (turn);
  self->accepted = role == TD_SIGNALING_ROLE_VIEWER;
  return self;
}

void
_td_signaling_peer_set_accepted (TdSignalingPeer *self)
{
  g_assert (TD_IS_SIGNALING_PEER (self));

  self->accepted = TRUE;
}

void
_td_signaling_peer_receive (TdSignalingPeer *self,
                            TdSignalKind     kind,
                            GVariant        *payload)
{
  g_assert (TD_IS_SIGNALING_PEER (self));

  if (self->closed)
    return;

  g_signal_emit (self, signals[SIGNAL_RECEIVED], 0, kind, payload);
}

void
_td_signaling_peer_closed (TdSignalingPeer *self,
                           const GError    *error)
{
  g_autoptr(TdSignalingPeer) hold = NULL;

  g_assert (TD_IS_SIGNALING_PEER (self));

  if (self->closed)
    return;

  hold = g_object_ref (self);
  self->closed = TRUE;
  g_weak_ref_set (&self->client, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOSED]);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
}

/**
 * td_signaling_peer_get_session:
 *
 * Returns: the opaque token the server gave this connect; the same on
 *   both sides, unguessable by anyone else
 */
const char *
td_signaling_peer_get_session (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), NULL);

  return self->session;
}

TdSignalingRole
td_signaling_peer_get_role (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), TD_SIGNALING_ROLE_HOST);

  return self->role;
}

/**
 * td_signaling_peer_get_partner_id:
 *
 * Returns: the host's ID for a viewer; for a host, the viewer's own ID if
 *   it is registered with the key it presented, else 0
 */
guint32
td_signaling_peer_get_partner_id (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), 0);

  return self->partner_id;
}

/**
 * td_signaling_peer_get_partner_name:
 *
 * Returns: (nullable): the name the viewer gave for itself (hosts only);
 *   show it as the viewer's claim, not as a verified identity
 */
const char *
td_signaling_peer_get_partner_name (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), NULL);

  return self->partner_name;
}

/**
 * td_signaling_peer_get_partner_public_key:
 *
 * Returns: (transfer none): the partner's raw Ed25519 device key
 */
GBytes *
td_signaling_peer_get_partner_public_key (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), NULL);

  return self->partner_public_key;
}

/**
 * td_signaling_peer_get_partner_fingerprint:
 *
 * Returns: the SHA-256 of the partner's key in hex, as
 *   td_device_key_get_fingerprint_hex() gives for one's own
 */
const char *
td_signaling_peer_get_partner_fingerprint (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), NULL);

  return self->partner_fingerprint;
}

gboolean
td_signaling_peer_get_partner_verified (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), FALSE);

  return self->partner_verified;
}

/**
 * td_signaling_peer_get_turn_uris:
 *
 * Returns: (nullable) (array zero-terminated=1): TURN servers for ICE, or
 *   %NULL if the rendezvous server has none configured
 */
const char * const *
td_signaling_peer_get_turn_uris (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), NULL);

  return self->turn != NULL ? (const char * const *) self->turn->uris : NULL;
}

const char *
td_signaling_peer_get_turn_username (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), NULL);

  return self->turn != NULL ? self->turn->username : NULL;
}

const char *
td_signaling_peer_get_turn_password (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), NULL);

  return self->turn != NULL ? self->turn->password : NULL;
}

/**
 * td_signaling_peer_get_turn_ttl:
 *
 * Returns: seconds the TURN credentials were valid for when issued
 */
guint
td_signaling_peer_get_turn_ttl (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), 0);

  return self->turn != NULL ? self->turn->ttl : 0;
}

gboolean
td_signaling_peer_is_accepted (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), FALSE);

  return self->accepted;
}

gboolean
td_signaling_peer_is_closed (TdSignalingPeer *self)
{
  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), TRUE);

  return self->closed;
}

static gboolean
send_message (TdSignalingPeer  *self,
              TdSignalMessage  *message,
              GError          **error)
{
  g_autoptr(TdRendezvousClient) client = g_weak_ref_get (&self->client);

  if (self->closed || client == NULL)
    {
      g_propagate_error (error, _td_rendezvous_error_new (TD_RENDEZVOUS_ERROR_CLOSED));
      return FALSE;
    }

  return _td_rendezvous_client_peer_send (client, message, error);
}

/**
 * td_signaling_peer_accept:
 * @self: a host's #TdSignalingPeer
 * @error: a #GError
 *
 * Lets the connect through: the viewer's connect completes and signaling
 * can start. Authentication and consent come later, over the peer-to-peer
 * channel.
 *
 * Returns: %TRUE if sent
 */
gboolean
td_signaling_peer_accept (TdSignalingPeer  *self,
                          GError          **error)
{
  g_autoptr(TdSignalMessage) message = NULL;

  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), FALSE);
  g_return_val_if_fail (self->role == TD_SIGNALING_ROLE_HOST, FALSE);
  g_return_val_if_fail (!self->accepted, FALSE);

  message = td_signal_message_new (TD_SIGNAL_TYPE_ACCEPT);
  message->session = g_strdup (self->session);
  if (!send_message (self, message, error))
    return FALSE;

  self->accepted = TRUE;
  return TRUE;
}

/**
 * td_signaling_peer_reject:
 * @self: a host's #TdSignalingPeer
 * @busy: %TRUE if this host is in another session, %FALSE to decline
 * @error: a #GError
 *
 * Turns the connect down; the viewer's connect fails with
 * %TD_RENDEZVOUS_ERROR_BUSY or %TD_RENDEZVOUS_ERROR_DECLINED.
 *
 * Returns: %TRUE if sent
 */
gboolean
td_signaling_peer_reject (TdSignalingPeer  *self,
                          gboolean          busy,
                          GError          **error)
{
  g_autoptr(TdSignalMessage) message = NULL;
  g_autoptr(TdRendezvousClient) client = NULL;
  gboolean ok;

  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), FALSE);
  g_return_val_if_fail (self->role == TD_SIGNALING_ROLE_HOST, FALSE);
  g_return_val_if_fail (!self->accepted, FALSE);

  message = td_signal_message_new (TD_SIGNAL_TYPE_REJECT);
  message->session = g_strdup (self->session);
  message->reason = g_strdup (busy ? "busy" : "declined");
  ok = send_message (self, message, error);

  client = g_weak_ref_get (&self->client);
  if (client != NULL)
    _td_rendezvous_client_peer_gone (client, self->session);
  {
    g_autoptr(GError) closed = _td_rendezvous_error_new (busy ? TD_RENDEZVOUS_ERROR_BUSY
                                                               : TD_RENDEZVOUS_ERROR_DECLINED);
    _td_signaling_peer_closed (self, closed);
  }

  return ok;
}

/**
 * td_signaling_peer_send:
 * @self: an accepted #TdSignalingPeer
 * @kind: what @payload is
 * @payload: an `a{sv}` (floating references are sunk)
 * @error: a #GError
 *
 * Relays @payload to the partner through the rendezvous server.
 *
 * Returns: %TRUE if sent
 */
gboolean
td_signaling_peer_send (TdSignalingPeer  *self,
                        TdSignalKind      kind,
                        GVariant         *payload,
                        GError          **error)
{
  g_autoptr(GVariant) owned = NULL;
  g_autoptr(TdSignalMessage) message = NULL;
  g_autoptr(JsonObject) object = NULL;

  g_return_val_if_fail (TD_IS_SIGNALING_PEER (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  owned = g_variant_ref_sink (payload);

  if (!self->accepted)
    {
      g_set_error_literal (error, TD_RENDEZVOUS_ERROR, TD_RENDEZVOUS_ERROR_PROTOCOL,
                           "Accept the connect before signaling");
      return FALSE;
    }

  object = td_signal_payload_from_variant (owned, error);
  if (object == NULL)
    return FALSE;

  message = td_signal_message_new (TD_SIGNAL_TYPE_SIGNAL);
  message->session = g_strdup (self->session);
  message->kind = kind;
  message->payload = g_steal_pointer (&object);
  return send_message (self, message, error);
}

static gboolean
reason_is_token (const char *reason)
{
  gsize len = reason != NULL ? strlen (reason) : 0;

  if (len == 0 || len > 32)
    return FALSE;

  for (const char *p = reason; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;

  return TRUE;
}

/**
 * td_signaling_peer_close:
 * @self: a #TdSignalingPeer
 * @reason: (nullable): a short token for the partner, such as "hang-up"
 *   (lower-case letters, digits and "-")
 *
 * Ends signaling for this connect and tells the partner. Closing after ICE
 * connected is fine and frees the server's state early.
 */
void
td_signaling_peer_close (TdSignalingPeer *self,
                         const char      *reason)
{
  g_autoptr(TdSignalMessage) message = NULL;
  g_autoptr(TdRendezvousClient) client = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TD_IS_SIGNALING_PEER (self));

  if (self->closed)
    return;

  client = g_weak_ref_get (&self->client);
  if (client != NULL)
    {
      message = td_signal_message_new (TD_SIGNAL_TYPE_BYE);
      message->session = g_strdup (self->session);
      message->reason = g_strdup (reason_is_token (reason) ? reason : "hang-up");
      _td_rendezvous_client_peer_send (client, message, NULL);
      _td_rendezvous_client_peer_gone (client, self->session);
    }

  error = _td_rendezvous_error_new (TD_RENDEZVOUS_ERROR_CLOSED);
  _td_signaling_peer_closed (self, error);
}
