/* td-session-transport.c: from a signaling peer to an open control channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The part both sides of a session share: trickle ICE over the rendezvous
 * server's relay (offer/answer carry the ICE credentials, candidates follow
 * one by one), then TLS 1.3 over PseudoTCP on component 1. It reports
 * progress with signals and knows nothing of passwords.
 *
 *   ::ice-connected (relayed)   the path is known; TLS starts
 *   ::channel-ready             TLS is up; the peer's certificate is known
 *   ::failed (error)            before ::channel-ready, anything went wrong
 */
#define G_LOG_DOMAIN "td-session"

#include "td-session-transport.h"

struct _TdSessionTransport
{
  GObject            parent_instance;
  TdSignalingPeer   *peer;
  TdDeviceKey       *key;
  TdIceTransport    *ice;
  TdControlChannel  *channel;
  GCancellable      *cancellable;
  GPtrArray         *early_candidates;
  gboolean           viewer;
  gboolean           have_remote_credentials;
  gboolean           remote_done;
  gboolean           failed;
  gboolean           ready;
};

G_DEFINE_FINAL_TYPE (TdSessionTransport, td_session_transport, G_TYPE_OBJECT)

enum {
  ICE_CONNECTED,
  CHANNEL_READY,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
td_session_transport_dispose (GObject *object)
{
  TdSessionTransport *self = (TdSessionTransport *) object;

  td_session_transport_close (self);
  g_clear_object (&self->channel);
  g_clear_object (&self->ice);
  g_clear_object (&self->peer);
  g_clear_object (&self->key);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->early_candidates, g_ptr_array_unref);

  G_OBJECT_CLASS (td_session_transport_parent_class)->dispose (object);
}

static void
td_session_transport_class_init (TdSessionTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = td_session_transport_dispose;

  signals[ICE_CONNECTED] =
    g_signal_new ("ice-connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[CHANNEL_READY] =
    g_signal_new ("channel-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
td_session_transport_init (TdSessionTransport *self)
{
  self->cancellable = g_cancellable_new ();
  self->early_candidates = g_ptr_array_new_with_free_func (g_free);
}

/**
 * td_session_transport_new:
 * @peer: the signaling channel to the partner
 * @key: this device's key (its certificate is presented in TLS)
 * @viewer: %TRUE on the viewer, which controls ICE and is the TLS client
 *
 * Returns: (transfer full): a new transport; call td_session_transport_start()
 */
TdSessionTransport *
td_session_transport_new (TdSignalingPeer *peer,
                          TdDeviceKey     *key,
                          gboolean         viewer)
{
  TdSessionTransport *self;

  g_return_val_if_fail (TD_IS_SIGNALING_PEER (peer), NULL);
  g_return_val_if_fail (TD_IS_DEVICE_KEY (key), NULL);

  self = g_object_new (TD_TYPE_SESSION_TRANSPORT, NULL);
  self->peer = g_object_ref (peer);
  self->key = g_object_ref (key);
  self->viewer = viewer;
  self->ice = td_ice_transport_new (viewer);

  return self;
}

static void
fail (TdSessionTransport *self,
      const GError       *error)
{
  g_autoptr(TdSessionTransport) hold = g_object_ref (self);

  if (self->failed || self->ready)
    return;

  self->failed = TRUE;
  g_debug ("Session transport failed: %s", error->message);
  g_cancellable_cancel (self->cancellable);
  g_signal_emit (self, signals[FAILED], 0, error);
}

static void
send_signal (TdSessionTransport *self,
             TdSignalKind        kind,
             GVariant           *payload)
{
  g_autoptr(GError) error = NULL;

  if (self->failed || td_signaling_peer_is_closed (self->peer))
    {
      g_variant_unref (g_variant_ref_sink (payload));
      return;
    }

  if (!td_signaling_peer_send (self->peer, kind, payload, &error))
    fail (self, error);
}

static void
send_credentials (TdSessionTransport *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autofree char *ufrag = NULL;
  g_autofree char *pwd = NULL;

  td_ice_transport_get_local_credentials (self->ice, &ufrag, &pwd);
  g_variant_dict_insert (&dict, "ufrag", "s", ufrag);
  g_variant_dict_insert (&dict, "pwd", "s", pwd);
  send_signal (self, self->viewer ? TD_SIGNAL_KIND_OFFER : TD_SIGNAL_KIND_ANSWER,
               g_variant_dict_end (&dict));
}

static void
on_local_candidate (TdIceTransport     *ice,
                    const char         *candidate,
                    TdSessionTransport *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert (&dict, "candidate", "s", candidate);
  send_signal (self, TD_SIGNAL_KIND_CANDIDATE, g_variant_dict_end (&dict));
}

static void
on_local_candidates_done (TdIceTransport     *ice,
                          TdSessionTransport *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  send_signal (self, TD_SIGNAL_KIND_END_OF_CANDIDATES, g_variant_dict_end (&dict));
}

static void
add_remote_candidate (TdSessionTransport *self,
                      const char         *candidate)
{
  g_autoptr(GError) error = NULL;

  /* One bad candidate from the partner is not worth the session: ICE
   * works with the others, and fails by itself if none is usable. */
  if (!td_ice_transport_add_remote_candidate (self->ice, candidate, &error))
    g_debug ("Ignoring a remote candidate: %s", error->message);
}

static void
on_handshake_done (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TdSessionTransport) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!td_control_channel_handshake_finish (TD_CONTROL_CHANNEL (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, error);
      return;
    }

  if (self->failed)
    return;

  self->ready = TRUE;
  g_signal_emit (self, signals[CHANNEL_READY], 0);
}

static void
on_ice_connected (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TdSessionTransport) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!td_ice_transport_connect_finish (TD_ICE_TRANSPORT (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, error);
      return;
    }

  if (self->failed)
    return;

  g_debug ("ICE connected: %s", td_ice_transport_get_selected_pair (self->ice));
  g_signal_emit (self, signals[ICE_CONNECTED], 0, td_ice_transport_get_relayed (self->ice));

  if (self->viewer)
    td_control_channel_handshake_async (self->channel, self->cancellable,
                                        on_handshake_done, g_object_ref (self));
}

static void
start_connecting (TdSessionTransport *self)
{
  td_ice_transport_connect_async (self->ice, self->cancellable,
                                  on_ice_connected, g_object_ref (self));
}

static void
on_signal_received (TdSignalingPeer    *peer,
                    TdSignalKind        kind,
                    GVariant           *payload,
                    TdSessionTransport *self)
{
  g_autoptr(GError) error = NULL;
  const char *ufrag = NULL, *pwd = NULL, *candidate = NULL;

  if (self->failed)
    return;

  switch (kind)
    {
    case TD_SIGNAL_KIND_OFFER:
    case TD_SIGNAL_KIND_ANSWER:
      if (self->have_remote_credentials ||
          (kind == TD_SIGNAL_KIND_OFFER) != !self->viewer ||
          !g_variant_lookup (payload, "ufrag", "&s", &ufrag) ||
          !g_variant_lookup (payload, "pwd", "&s", &pwd))
        {
          error = g_error_new (TD_ICE_ERROR, TD_ICE_ERROR_BAD_CREDENTIALS,
                               "The partner sent an unexpected connection offer");
          fail (self, error);
          return;
        }

      if (!td_ice_transport_set_remote_credentials (self->ice, ufrag, pwd, &error))
        {
          fail (self, error);
          return;
        }
      self->have_remote_credentials = TRUE;

      for (guint i = 0; i < self->early_candidates->len; i++)
        add_remote_candidate (self, g_ptr_array_index (self->early_candidates, i));
      g_ptr_array_set_size (self->early_candidates, 0);
      if (self->remote_done)
        td_ice_transport_end_of_remote_candidates (self->ice);

      /* The host answers once it has the offer. */
      if (!self->viewer)
        send_credentials (self);
      start_connecting (self);
      break;

    case TD_SIGNAL_KIND_CANDIDATE:
      if (!g_variant_lookup (payload, "candidate", "&s", &candidate))
        return;
      if (self->have_remote_credentials)
        add_remote_candidate (self, candidate);
      else if (self->early_candidates->len < 64)
        g_ptr_array_add (self->early_candidates, g_strdup (candidate));
      break;

    case TD_SIGNAL_KIND_END_OF_CANDIDATES:
      self->remote_done = TRUE;
      if (self->have_remote_credentials)
        td_ice_transport_end_of_remote_candidates (self->ice);
      break;

    default:
      break;
    }
}

static void
on_signal_closed (TdSignalingPeer    *peer,
                  GError             *error,
                  TdSessionTransport *self)
{
  /* Once ICE has a path the rendezvous server is not needed any more. */
  if (td_ice_transport_get_state (self->ice) == TD_ICE_STATE_CONNECTED)
    return;

  fail (self, error);
}

static void
on_gathered (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TdSessionTransport) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!td_ice_transport_gather_finish (TD_ICE_TRANSPORT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    fail (self, error);
}

/**
 * td_session_transport_start:
 * @self: a #TdSessionTransport
 *
 * Starts gathering, sends the offer (viewer) or waits for it (host).
 */
void
td_session_transport_start (TdSessionTransport *self)
{
  g_autoptr(GError) error = NULL;
  const char * const *uris;

  g_return_if_fail (TD_IS_SESSION_TRANSPORT (self));

  uris = td_signaling_peer_get_turn_uris (self->peer);
  if (uris != NULL && uris[0] != NULL &&
      !td_ice_transport_set_servers (self->ice, uris,
                                     td_signaling_peer_get_turn_username (self->peer),
                                     td_signaling_peer_get_turn_password (self->peer),
                                     &error))
    g_message ("Not using the relay servers: %s", error->message);

  self->channel = td_control_channel_new (TD_DATAGRAM_LINK (self->ice), self->key,
                                          self->viewer ? TD_CONTROL_ROLE_CLIENT
                                                       : TD_CONTROL_ROLE_SERVER);

  g_signal_connect_object (self->peer, "received", G_CALLBACK (on_signal_received), self, 0);
  g_signal_connect_object (self->peer, "closed", G_CALLBACK (on_signal_closed), self, 0);
  g_signal_connect_object (self->ice, "local-candidate", G_CALLBACK (on_local_candidate), self, 0);
  g_signal_connect_object (self->ice, "local-candidates-done",
                           G_CALLBACK (on_local_candidates_done), self, 0);

  /* The host's TLS server listens from the start: the viewer's first
   * packets may arrive before the host's ICE reports "connected". */
  if (!self->viewer)
    td_control_channel_handshake_async (self->channel, self->cancellable,
                                        on_handshake_done, g_object_ref (self));

  if (self->viewer)
    send_credentials (self);
  td_ice_transport_gather_async (self->ice, self->cancellable, on_gathered, g_object_ref (self));
}

static void
on_channel_closed (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TdIceTransport) ice = user_data;

  td_control_channel_close_finish (TD_CONTROL_CHANNEL (object), result, NULL);
  if (td_ice_transport_get_state (ice) != TD_ICE_STATE_CLOSED)
    td_ice_transport_close_async (ice, NULL, NULL, NULL);
}

/**
 * td_session_transport_close:
 * @self: a #TdSessionTransport
 *
 * Stops everything that is pending. The channel, if open, is closed with
 * a TLS close-notify; ICE releases its relay allocations.
 */
void
td_session_transport_close (TdSessionTransport *self)
{
  g_return_if_fail (TD_IS_SESSION_TRANSPORT (self));

  g_cancellable_cancel (self->cancellable);
  self->failed = TRUE;

  if (self->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->peer, self);
      if (!td_signaling_peer_is_closed (self->peer))
        td_signaling_peer_close (self->peer, "ended");
    }

  if (self->ice != NULL)
    g_signal_handlers_disconnect_by_data (self->ice, self);

  /* TLS says goodbye first; the ICE path (and its relay allocation) is
   * released once that is out. */
  if (self->channel != NULL &&
      td_control_channel_get_state (self->channel) == TD_CONTROL_STATE_OPEN)
    td_control_channel_close_async (self->channel, NULL, on_channel_closed,
                                    g_object_ref (self->ice));
  else if (self->ice != NULL && td_ice_transport_get_state (self->ice) != TD_ICE_STATE_CLOSED)
    td_ice_transport_close_async (self->ice, NULL, NULL, NULL);
}

TdIceTransport *
td_session_transport_get_ice (TdSessionTransport *self)
{
  g_return_val_if_fail (TD_IS_SESSION_TRANSPORT (self), NULL);
  return self->ice;
}

TdControlChannel *
td_session_transport_get_channel (TdSessionTransport *self)
{
  g_return_val_if_fail (TD_IS_SESSION_TRANSPORT (self), NULL);
  return self->channel;
}

TdSignalingPeer *
td_session_transport_get_peer (TdSessionTransport *self)
{
  g_return_val_if_fail (TD_IS_SESSION_TRANSPORT (self), NULL);
  return self->peer;
}

gboolean
td_session_transport_get_relayed (TdSessionTransport *self)
{
  g_return_val_if_fail (TD_IS_SESSION_TRANSPORT (self), FALSE);
  return td_ice_transport_get_relayed (self->ice);
}
