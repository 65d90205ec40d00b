/* td-ice-transport.c: the ICE connection to the partner (libnice)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One non-reliable NiceAgent (RFC 5245), one stream, two components:
 * component 1 carries the control channel (PseudoTCP is ours, see
 * TdPseudoTcp: a reliable agent would make the media component reliable
 * too), component 2 carries media datagrams. Component 1 is exposed as a
 * TdDatagramLink.
 *
 * Candidates trickle: each local candidate is emitted as an SDP attribute
 * value ("candidate:...") as soon as it is known, remote ones are added as
 * they arrive, and either side says when it has no more.
 *
 * Lessons from the namespace lab (tests/lab):
 *  - a component nobody reads from never completes its checks, so both
 *    components have a receive callback from the start;
 *  - UPnP is off (it multicasts on the LAN and slows gathering);
 *  - the STUN server is never the TURN server: the TURN allocation
 *    already gives the server-reflexive candidate, and a separate STUN
 *    request to the same address makes gathering wait 2 s longer;
 *  - TURN over TCP needs no ICE-TCP: libnice reaches the TURN server over
 *    TCP from the UDP host candidate, and the relayed address is UDP;
 *    ICE-TCP host candidates stay off (they cannot cross NATs and double
 *    the checks);
 *  - libnice has no TLS towards TURN servers ("turns:"), see
 *    td_ice_transport_set_servers().
 */
#define G_LOG_DOMAIN "td-ice"

#include <string.h>
#include <sys/socket.h>

#include "td-ice-transport.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 20000
#define N_COMPONENTS               2
#define MAX_CANDIDATE_LENGTH       1024
#define SOCKET_BUFFER_SIZE         (2 * 1024 * 1024)
#define MAX_EARLY_DATAGRAMS        64

typedef struct
{
  char          *host;
  char          *address;
  guint16        port;
  gboolean       is_turn;
  NiceRelayType  relay_type;
} IceServer;

struct _TdIceTransport
{
  GObject                parent_instance;

  GMainContext          *context;
  NiceAgent             *agent;
  guint                  stream_id;
  gboolean               controlling;
  gboolean               force_relay;
  guint                  connect_timeout_ms;

  GPtrArray             *servers;
  char                  *turn_username;
  char                  *turn_password;

  TdIceState             state;
  NiceComponentState     component_state[N_COMPONENTS + 1];
  gboolean               gathering_started;
  gboolean               gathering_done;
  guint                  n_resolving;

  TdIceCandidateType     local_type;
  TdIceCandidateType     remote_type;
  gboolean               relayed;
  char                  *selected_pair;

  GTask                 *gather_task;
  GTask                 *connect_task;
  GSource               *connect_timer;
  GSource               *connect_cancel_source;

  TdDatagramReceiveFunc  control_func;
  gpointer               control_data;
  GDestroyNotify         control_notify;
  GQueue                 early_datagrams;
  GSource               *early_source;
  TdIceMediaReceiveFunc  media_func;
  gpointer               media_data;
  GDestroyNotify         media_notify;
};

enum
{
  PROP_0,
  PROP_CONTROLLING,
  PROP_FORCE_RELAY,
  PROP_CONNECT_TIMEOUT,
  PROP_STATE,
  PROP_LOCAL_CANDIDATE_TYPE,
  PROP_REMOTE_CANDIDATE_TYPE,
  PROP_RELAYED,
  PROP_SELECTED_PAIR,
  N_PROPS
};

enum
{
  LOCAL_CANDIDATE,
  LOCAL_CANDIDATES_DONE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void td_ice_transport_link_init (TdDatagramLinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdIceTransport, td_ice_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TD_TYPE_DATAGRAM_LINK,
                                                      td_ice_transport_link_init))
G_DEFINE_ENUM_TYPE (TdIceState, td_ice_state,
                    G_DEFINE_ENUM_VALUE (TD_ICE_STATE_NEW, "new"),
                    G_DEFINE_ENUM_VALUE (TD_ICE_STATE_GATHERING, "gathering"),
                    G_DEFINE_ENUM_VALUE (TD_ICE_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (TD_ICE_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (TD_ICE_STATE_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (TD_ICE_STATE_CLOSED, "closed"))
G_DEFINE_ENUM_TYPE (TdIceCandidateType, td_ice_candidate_type,
                    G_DEFINE_ENUM_VALUE (TD_ICE_CANDIDATE_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (TD_ICE_CANDIDATE_HOST, "host"),
                    G_DEFINE_ENUM_VALUE (TD_ICE_CANDIDATE_SERVER_REFLEXIVE, "srflx"),
                    G_DEFINE_ENUM_VALUE (TD_ICE_CANDIDATE_PEER_REFLEXIVE, "prflx"),
                    G_DEFINE_ENUM_VALUE (TD_ICE_CANDIDATE_RELAYED, "relay"))
G_DEFINE_QUARK (td-ice-error-quark, td_ice_error)

static void
ice_server_free (IceServer *server)
{
  g_free (server->host);
  g_free (server->address);
  g_free (server);
}

/**
 * td_ice_candidate_type_to_string:
 *
 * Returns: "host", "srflx", "prflx", "relay" or "none", as in SDP
 */
const char *
td_ice_candidate_type_to_string (TdIceCandidateType type)
{
  switch (type)
    {
    case TD_ICE_CANDIDATE_HOST:
      return "host";
    case TD_ICE_CANDIDATE_SERVER_REFLEXIVE:
      return "srflx";
    case TD_ICE_CANDIDATE_PEER_REFLEXIVE:
      return "prflx";
    case TD_ICE_CANDIDATE_RELAYED:
      return "relay";
    case TD_ICE_CANDIDATE_NONE:
    default:
      return "none";
    }
}

/**
 * td_ice_state_to_string:
 *
 * Returns: "new", "gathering", "connecting", "connected", "failed" or "closed"
 */
const char *
td_ice_state_to_string (TdIceState state)
{
  static const char * const names[] = {
    "new", "gathering", "connecting", "connected", "failed", "closed"
  };

  return state < G_N_ELEMENTS (names) ? names[state] : "?";
}

static TdIceCandidateType
candidate_type_from_nice (NiceCandidateType type)
{
  switch (type)
    {
    case NICE_CANDIDATE_TYPE_HOST:
      return TD_ICE_CANDIDATE_HOST;
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE:
      return TD_ICE_CANDIDATE_SERVER_REFLEXIVE;
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE:
      return TD_ICE_CANDIDATE_PEER_REFLEXIVE;
    case NICE_CANDIDATE_TYPE_RELAYED:
      return TD_ICE_CANDIDATE_RELAYED;
    default:
      return TD_ICE_CANDIDATE_NONE;
    }
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

static void
set_state (TdIceTransport *self,
           TdIceState      state)
{
  if (self->state == state)
    return;

  g_debug ("%s: %s -> %s", self->controlling ? "controlling" : "controlled",
           td_ice_state_to_string (self->state), td_ice_state_to_string (state));
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Receiving */

static void
on_recv (NiceAgent *agent,
         guint      stream_id,
         guint      component_id,
         guint      length,
         gchar     *buffer,
         gpointer   user_data)
{
  TdIceTransport *self = user_data;

  if (component_id == TD_ICE_COMPONENT_CONTROL)
    {
      if (self->control_func != NULL)
        self->control_func ((const guint8 *) buffer, length, self->control_data);
      else if (g_queue_get_length (&self->early_datagrams) < MAX_EARLY_DATAGRAMS)
        /* The partner's first PseudoTCP packet often arrives before this
         * end has a control channel listening (its ICE check finished a
         * little later); keeping it saves a retransmission timeout. */
        g_queue_push_tail (&self->early_datagrams, g_bytes_new (buffer, length));
    }
  else if (component_id == TD_ICE_COMPONENT_MEDIA)
    {
      if (self->media_func != NULL)
        self->media_func ((const guint8 *) buffer, length, self->media_data);
    }
}

/* TdDatagramLink: component 1 */

static gboolean
td_ice_transport_link_send (TdDatagramLink *link,
                            const guint8   *data,
                            gsize           length)
{
  TdIceTransport *self = TD_ICE_TRANSPORT (link);

  if (self->agent == NULL || self->state == TD_ICE_STATE_CLOSED)
    return FALSE;

  return nice_agent_send (self->agent, self->stream_id, TD_ICE_COMPONENT_CONTROL,
                          (guint) length, (const gchar *) data) >= 0;
}

static gboolean
deliver_early_datagrams (gpointer user_data)
{
  TdIceTransport *self = user_data;
  g_autoptr(TdIceTransport) hold = g_object_ref (self);
  GBytes *datagram;

  g_clear_pointer (&self->early_source, g_source_unref);

  while (self->control_func != NULL &&
         (datagram = g_queue_pop_head (&self->early_datagrams)) != NULL)
    {
      gsize length;
      const guint8 *data = g_bytes_get_data (datagram, &length);

      self->control_func (data, length, self->control_data);
      g_bytes_unref (datagram);
    }

  return G_SOURCE_REMOVE;
}

static void
td_ice_transport_link_set_receive_func (TdDatagramLink        *link,
                                        TdDatagramReceiveFunc  func,
                                        gpointer               user_data,
                                        GDestroyNotify         notify)
{
  TdIceTransport *self = TD_ICE_TRANSPORT (link);
  GDestroyNotify old_notify = self->control_notify;
  gpointer old_data = self->control_data;

  self->control_func = func;
  self->control_data = user_data;
  self->control_notify = notify;

  /* Hand over what came early, from the main loop: never from inside
   * this call, which the receiver makes while setting itself up. */
  if (func != NULL && !g_queue_is_empty (&self->early_datagrams) && self->early_source == NULL)
    {
      self->early_source = g_idle_source_new ();
      g_source_set_callback (self->early_source, deliver_early_datagrams, self, NULL);
      g_source_attach (self->early_source, self->context);
    }

  if (old_notify != NULL)
    old_notify (old_data);
}

static void
td_ice_transport_link_init (TdDatagramLinkInterface *iface)
{
  iface->send = td_ice_transport_link_send;
  iface->set_receive_func = td_ice_transport_link_set_receive_func;
}

/* Agent signals */

static void
on_new_candidate (NiceAgent      *agent,
                  NiceCandidate  *candidate,
                  TdIceTransport *self)
{
  g_autofree char *sdp = NULL;
  const char *value;

  if (candidate->stream_id != self->stream_id ||
      candidate->type == NICE_CANDIDATE_TYPE_PEER_REFLEXIVE)
    return;

  sdp = nice_agent_generate_local_candidate_sdp (agent, candidate);
  if (sdp == NULL)
    return;

  /* The attribute value, as trickled in WebRTC: "candidate:…". */
  value = g_str_has_prefix (sdp, "a=") ? sdp + 2 : sdp;
  g_debug ("%s: local %s", self->controlling ? "controlling" : "controlled", value);
  g_signal_emit (self, signals[LOCAL_CANDIDATE], 0, value);
}

static void
on_gathering_done (NiceAgent      *agent,
                   guint           stream_id,
                   TdIceTransport *self)
{
  g_autoptr(GTask) task = NULL;

  if (stream_id != self->stream_id || self->gathering_done)
    return;

  self->gathering_done = TRUE;
  g_debug ("%s: gathering done", self->controlling ? "controlling" : "controlled");

  g_object_ref (self);
  g_signal_emit (self, signals[LOCAL_CANDIDATES_DONE], 0);

  task = g_steal_pointer (&self->gather_task);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
  g_object_unref (self);
}

static void
complete_connect (TdIceTransport *self,
                  GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  clear_source (&self->connect_timer);
  clear_source (&self->connect_cancel_source);

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
update_state (TdIceTransport *self)
{
  gboolean all_connected = TRUE;
  gboolean any_failed = FALSE;
  gboolean any_connecting = FALSE;

  if (self->state == TD_ICE_STATE_CLOSED)
    return;

  for (guint c = 1; c <= N_COMPONENTS; c++)
    {
      switch (self->component_state[c])
        {
        case NICE_COMPONENT_STATE_CONNECTED:
        case NICE_COMPONENT_STATE_READY:
          break;
        case NICE_COMPONENT_STATE_FAILED:
          any_failed = TRUE;
          all_connected = FALSE;
          break;
        case NICE_COMPONENT_STATE_CONNECTING:
          any_connecting = TRUE;
          all_connected = FALSE;
          break;
        case NICE_COMPONENT_STATE_DISCONNECTED:
        case NICE_COMPONENT_STATE_GATHERING:
        case NICE_COMPONENT_STATE_LAST:
        default:
          all_connected = FALSE;
          break;
        }
    }

  if (any_failed)
    {
      set_state (self, TD_ICE_STATE_FAILED);
      complete_connect (self, g_error_new_literal (TD_ICE_ERROR, TD_ICE_ERROR_NO_PATH,
                                                   "No network path to the partner was found; "
                                                   "a firewall may block it and no relay "
                                                   "server could be used"));
    }
  else if (all_connected)
    {
      set_state (self, TD_ICE_STATE_CONNECTED);
      complete_connect (self, NULL);
    }
  else if (any_connecting && self->state != TD_ICE_STATE_CONNECTED)
    {
      set_state (self, TD_ICE_STATE_CONNECTING);
    }
}

static void
on_component_state_changed (NiceAgent      *agent,
                            guint           stream_id,
                            guint           component_id,
                            guint           state,
                            TdIceTransport *self)
{
  g_autoptr(TdIceTransport) hold = NULL;

  if (stream_id != self->stream_id || component_id < 1 || component_id > N_COMPONENTS)
    return;

  g_debug ("%s: component %u %s", self->controlling ? "controlling" : "controlled",
           component_id, nice_component_state_to_string (state));

  hold = g_object_ref (self);
  self->component_state[component_id] = state;
  update_state (self);
}

static void
on_new_selected_pair (NiceAgent      *agent,
                      guint           stream_id,
                      guint           component_id,
                      NiceCandidate  *local,
                      NiceCandidate  *remote,
                      TdIceTransport *self)
{
  char local_address[NICE_ADDRESS_STRING_LEN];
  char remote_address[NICE_ADDRESS_STRING_LEN];
  TdIceCandidateType local_type, remote_type;
  g_autofree char *description = NULL;
  gboolean relayed;

  if (stream_id != self->stream_id || component_id != TD_ICE_COMPONENT_CONTROL)
    return;

  local_type = candidate_type_from_nice (local->type);
  remote_type = candidate_type_from_nice (remote->type);
  relayed = local_type == TD_ICE_CANDIDATE_RELAYED || remote_type == TD_ICE_CANDIDATE_RELAYED;

  nice_address_to_string (&local->addr, local_address);
  nice_address_to_string (&remote->addr, remote_address);
  description = g_strdup_printf ("%s %s:%u -> %s %s:%u (%s%s)",
                                 td_ice_candidate_type_to_string (local_type),
                                 local_address, nice_address_get_port (&local->addr),
                                 td_ice_candidate_type_to_string (remote_type),
                                 remote_address, nice_address_get_port (&remote->addr),
                                 local->transport == NICE_CANDIDATE_TRANSPORT_UDP ? "udp" : "tcp",
                                 relayed ? ", relayed" : "");
  g_debug ("%s: selected %s", self->controlling ? "controlling" : "controlled", description);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->local_type != local_type)
    {
      self->local_type = local_type;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCAL_CANDIDATE_TYPE]);
    }
  if (self->remote_type != remote_type)
    {
      self->remote_type = remote_type;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_CANDIDATE_TYPE]);
    }
  if (self->relayed != relayed)
    {
      self->relayed = relayed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RELAYED]);
    }
  if (g_strcmp0 (self->selected_pair, description) != 0)
    {
      g_free (self->selected_pair);
      self->selected_pair = g_steal_pointer (&description);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_PAIR]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* GObject */

static void
td_ice_transport_constructed (GObject *object)
{
  TdIceTransport *self = (TdIceTransport *) object;
  NiceAgentOption options = NICE_AGENT_OPTION_ICE_TRICKLE | NICE_AGENT_OPTION_CONSENT_FRESHNESS;

  G_OBJECT_CLASS (td_ice_transport_parent_class)->constructed (object);

  self->context = g_main_context_ref_thread_default ();
  self->agent = nice_agent_new_full (self->context, NICE_COMPATIBILITY_RFC5245, options);
  g_object_set (self->agent,
                "controlling-mode", self->controlling,
                "upnp", FALSE,
                "ice-udp", TRUE,
                "ice-tcp", FALSE,
                "force-relay", self->force_relay,
                NULL);

  g_signal_connect_object (self->agent, "new-candidate-full",
                           G_CALLBACK (on_new_candidate), self, 0);
  g_signal_connect_object (self->agent, "candidate-gathering-done",
                           G_CALLBACK (on_gathering_done), self, 0);
  g_signal_connect_object (self->agent, "component-state-changed",
                           G_CALLBACK (on_component_state_changed), self, 0);
  g_signal_connect_object (self->agent, "new-selected-pair-full",
                           G_CALLBACK (on_new_selected_pair), self, 0);

  self->stream_id = nice_agent_add_stream (self->agent, N_COMPONENTS);
  /* SDP helpers want a media name; libnice only knows the SDP ones. */
  nice_agent_set_stream_name (self->agent, self->stream_id, "application");

  /* Readers from the start: libnice pauses a component nobody reads. */
  for (guint c = 1; c <= N_COMPONENTS; c++)
    nice_agent_attach_recv (self->agent, self->stream_id, c, self->context, on_recv, self);
}

static void
td_ice_transport_dispose (GObject *object)
{
  TdIceTransport *self = (TdIceTransport *) object;

  clear_source (&self->connect_timer);
  clear_source (&self->connect_cancel_source);
  clear_source (&self->early_source);
  g_queue_clear_full (&self->early_datagrams, (GDestroyNotify) g_bytes_unref);

  if (self->agent != NULL)
    {
      for (guint c = 1; c <= N_COMPONENTS; c++)
        nice_agent_attach_recv (self->agent, self->stream_id, c, self->context, NULL, NULL);
      g_signal_handlers_disconnect_by_data (self->agent, self);
      g_clear_object (&self->agent);
    }

  td_ice_transport_link_set_receive_func (TD_DATAGRAM_LINK (self), NULL, NULL, NULL);
  td_ice_transport_set_media_receive_func (self, NULL, NULL, NULL);

  G_OBJECT_CLASS (td_ice_transport_parent_class)->dispose (object);
}

static void
td_ice_transport_finalize (GObject *object)
{
  TdIceTransport *self = (TdIceTransport *) object;

  g_clear_pointer (&self->servers, g_ptr_array_unref);
  g_clear_pointer (&self->turn_username, g_free);
  if (self->turn_password != NULL)
    memset (self->turn_password, 0, strlen (self->turn_password));
  g_clear_pointer (&self->turn_password, g_free);
  g_clear_pointer (&self->selected_pair, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (td_ice_transport_parent_class)->finalize (object);
}

static void
td_ice_transport_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TdIceTransport *self = TD_ICE_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_CONTROLLING:
      g_value_set_boolean (value, self->controlling);
      break;
    case PROP_FORCE_RELAY:
      g_value_set_boolean (value, self->force_relay);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout_ms);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LOCAL_CANDIDATE_TYPE:
      g_value_set_enum (value, self->local_type);
      break;
    case PROP_REMOTE_CANDIDATE_TYPE:
      g_value_set_enum (value, self->remote_type);
      break;
    case PROP_RELAYED:
      g_value_set_boolean (value, self->relayed);
      break;
    case PROP_SELECTED_PAIR:
      g_value_set_string (value, self->selected_pair);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_ice_transport_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TdIceTransport *self = TD_ICE_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_CONTROLLING:
      self->controlling = g_value_get_boolean (value);
      break;
    case PROP_FORCE_RELAY:
      self->force_relay = g_value_get_boolean (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      if (self->connect_timeout_ms != g_value_get_uint (value))
        {
          self->connect_timeout_ms = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_ice_transport_class_init (TdIceTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = td_ice_transport_constructed;
  object_class->dispose = td_ice_transport_dispose;
  object_class->finalize = td_ice_transport_finalize;
  object_class->get_property = td_ice_transport_get_property;
  object_class->set_property = td_ice_transport_set_property;

  /* The viewer controls (it nominates the pair); the host does not. */
  properties[PROP_CONTROLLING] =
    g_param_spec_boolean ("controlling", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /* Only relayed candidates: hides the local addresses from the partner. */
  properties[PROP_FORCE_RELAY] =
    g_param_spec_boolean ("force-relay", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /* From td_ice_transport_connect_async() to giving up, in ms. */
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL,
                       100, G_MAXUINT, DEFAULT_CONNECT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       TD_TYPE_ICE_STATE, TD_ICE_STATE_NEW,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* Of the pair selected for the control component. */
  properties[PROP_LOCAL_CANDIDATE_TYPE] =
    g_param_spec_enum ("local-candidate-type", NULL, NULL,
                       TD_TYPE_ICE_CANDIDATE_TYPE, TD_ICE_CANDIDATE_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_REMOTE_CANDIDATE_TYPE] =
    g_param_spec_enum ("remote-candidate-type", NULL, NULL,
                       TD_TYPE_ICE_CANDIDATE_TYPE, TD_ICE_CANDIDATE_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* Whether the data goes through a TURN relay (either end's candidate). */
  properties[PROP_RELAYED] =
    g_param_spec_boolean ("relayed", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* For logs and the connection info panel: "srflx 1.2.3.4:5 -> relay …". */
  properties[PROP_SELECTED_PAIR] =
    g_param_spec_string ("selected-pair", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdIceTransport::local-candidate:
   * @candidate: an SDP candidate attribute value, "candidate:…"
   *
   * A local candidate to send to the partner. Connect before
   * td_ice_transport_gather_async(): host candidates come during the call.
   */
  signals[LOCAL_CANDIDATE] =
    g_signal_new ("local-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * TdIceTransport::local-candidates-done:
   *
   * Gathering is over: tell the partner "end-of-candidates".
   */
  signals[LOCAL_CANDIDATES_DONE] =
    g_signal_new ("local-candidates-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
td_ice_transport_init (TdIceTransport *self)
{
  self->controlling = TRUE;
  self->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  self->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) ice_server_free);
  g_queue_init (&self->early_datagrams);
}

/**
 * td_ice_transport_new:
 * @controlling: %TRUE on the viewer, %FALSE on the host
 *
 * Makes an agent with one stream of two components. It runs on the
 * caller's thread-default main context.
 *
 * Returns: (transfer full): a new #TdIceTransport
 */
TdIceTransport *
td_ice_transport_new (gboolean controlling)
{
  return g_object_new (TD_TYPE_ICE_TRANSPORT, "controlling", controlling, NULL);
}

static gboolean
parse_server_uri (const char  *uri,
                  IceServer  **out_server,
                  GError     **error)
{
  g_autofree char *host = NULL;
  const char *rest, *query, *port_start = NULL, *host_end;
  gboolean is_turn, secure;
  guint64 port;
  IceServer *server;

  if (g_str_has_prefix (uri, "stun:"))
    is_turn = FALSE, secure = FALSE, rest = uri + 5;
  else if (g_str_has_prefix (uri, "turn:"))
    is_turn = TRUE, secure = FALSE, rest = uri + 5;
  else if (g_str_has_prefix (uri, "turns:"))
    is_turn = TRUE, secure = TRUE, rest = uri + 6;
  else
    goto bad;

  query = strchr (rest, '?');
  if (rest[0] == '[')
    {
      host_end = strchr (rest, ']');
      if (host_end == NULL || (query != NULL && host_end > query))
        goto bad;
      host = g_strndup (rest + 1, host_end - rest - 1);
      if (host_end[1] == ':')
        port_start = host_end + 2;
      else if (host_end[1] != '\0' && host_end[1] != '?')
        goto bad;
    }
  else
    {
      const char *colon = strchr (rest, ':');
      const char *end = query ? query : rest + strlen (rest);

      if (colon != NULL && colon < end)
        {
          host = g_strndup (rest, colon - rest);
          port_start = colon + 1;
        }
      else
        {
          host = g_strndup (rest, end - rest);
        }
    }

  if (host[0] == '\0')
    goto bad;

  port = secure ? 5349 : 3478;
  if (port_start != NULL)
    {
      g_autofree char *digits = query ? g_strndup (port_start, query - port_start)
                                      : g_strdup (port_start);

      if (!g_ascii_string_to_unsigned (digits, 10, 1, 65535, &port, NULL))
        goto bad;
    }

  server = g_new0 (IceServer, 1);
  server->host = g_steal_pointer (&host);
  server->port = (guint16) port;
  server->is_turn = is_turn;
  server->relay_type = secure ? NICE_RELAY_TYPE_TURN_TLS : NICE_RELAY_TYPE_TURN_UDP;

  if (query != NULL)
    {
      if (g_str_equal (query, "?transport=udp") && !secure)
        server->relay_type = NICE_RELAY_TYPE_TURN_UDP;
      else if (g_str_equal (query, "?transport=tcp"))
        server->relay_type = secure ? NICE_RELAY_TYPE_TURN_TLS : NICE_RELAY_TYPE_TURN_TCP;
      else
        {
          ice_server_free (server);
          goto bad;
        }
    }

  *out_server = server;
  return TRUE;

bad:
  g_set_error (error, TD_ICE_ERROR, TD_ICE_ERROR_BAD_URI,
               "“%s” is not a STUN or TURN server address the connection can use "
               "(expected stun:HOST[:PORT] or turn:HOST[:PORT][?transport=udp|tcp])", uri);
  return FALSE;
}

/**
 * td_ice_transport_set_servers:
 * @self: a #TdIceTransport
 * @uris: (array zero-terminated=1): STUN and TURN server URIs (RFC 7064,
 *   RFC 7065): "stun:HOST[:PORT]", "turn:HOST[:PORT][?transport=udp|tcp]",
 *   "turns:HOST[:PORT]"
 * @username: (nullable): the TURN username (coturn REST: "expiry:tag")
 * @password: (nullable): the TURN password
 * @error: a #GError
 *
 * Sets the servers the rendezvous server handed out, before gathering.
 * Every TURN server is used on both components; only the first STUN
 * server is used, and not at all if it is also a TURN server. "turns:"
 * relays are skipped: libnice cannot speak TLS to a TURN server, so a
 * relay for strict firewalls is offered as plain TURN over TCP on 443.
 *
 * Returns: %TRUE if every URI could be used
 */
gboolean
td_ice_transport_set_servers (TdIceTransport      *self,
                              const char * const  *uris,
                              const char          *username,
                              const char          *password,
                              GError             **error)
{
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func ((GDestroyNotify) ice_server_free);
  gboolean have_turn = FALSE;

  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), FALSE);
  g_return_val_if_fail (uris != NULL, FALSE);
  g_return_val_if_fail (!self->gathering_started, FALSE);

  for (guint i = 0; uris[i] != NULL; i++)
    {
      IceServer *server = NULL;

      if (!parse_server_uri (uris[i], &server, error))
        return FALSE;

      /* libnice (RFC 5245 mode) has no TLS towards TURN servers: its
       * TURN_TLS type would speak plain TCP to a TLS port. */
      if (server->relay_type == NICE_RELAY_TYPE_TURN_TLS && server->is_turn)
        {
          g_message ("Skipping relay “%s”: TURN over TLS is not supported; "
                     "offer turn:HOST:443?transport=tcp instead", uris[i]);
          ice_server_free (server);
          continue;
        }

      have_turn |= server->is_turn;
      g_ptr_array_add (servers, server);
    }

  if (have_turn && (username == NULL || password == NULL || username[0] == '\0'))
    {
      g_set_error_literal (error, TD_ICE_ERROR, TD_ICE_ERROR_BAD_CREDENTIALS,
                           "The relay server needs a username and a password, "
                           "and the rendezvous server gave none");
      return FALSE;
    }

  g_ptr_array_unref (self->servers);
  self->servers = g_steal_pointer (&servers);
  g_free (self->turn_username);
  self->turn_username = g_strdup (username);
  g_free (self->turn_password);
  self->turn_password = g_strdup (password);

  return TRUE;
}

/**
 * td_ice_transport_add_local_address:
 * @self: a #TdIceTransport
 * @address: an IP address of this computer
 * @error: a #GError
 *
 * Gathers on @address only (and any other address added so), instead of
 * every interface. Tests use 127.0.0.1.
 *
 * Returns: %TRUE if @address is an IP address
 */
gboolean
td_ice_transport_add_local_address (TdIceTransport  *self,
                                    const char      *address,
                                    GError         **error)
{
  NiceAddress nice_address;

  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  nice_address_init (&nice_address);
  if (!nice_address_set_from_string (&nice_address, address) ||
      !nice_agent_add_local_address (self->agent, &nice_address))
    {
      g_set_error (error, TD_ICE_ERROR, TD_ICE_ERROR_FAILED,
                   "“%s” is not a local IP address", address);
      return FALSE;
    }

  return TRUE;
}

/**
 * td_ice_transport_get_local_credentials:
 * @self: a #TdIceTransport
 * @out_ufrag: (out) (transfer full): the ICE username fragment
 * @out_password: (out) (transfer full): the ICE password
 *
 * What the partner needs to check connectivity with this end; known from
 * the start, so it can go in the offer or answer.
 */
void
td_ice_transport_get_local_credentials (TdIceTransport  *self,
                                        char           **out_ufrag,
                                        char           **out_password)
{
  g_autofree char *ufrag = NULL;
  g_autofree char *password = NULL;

  g_return_if_fail (TD_IS_ICE_TRANSPORT (self));

  nice_agent_get_local_credentials (self->agent, self->stream_id, &ufrag, &password);
  if (out_ufrag != NULL)
    *out_ufrag = g_steal_pointer (&ufrag);
  if (out_password != NULL)
    *out_password = g_steal_pointer (&password);
}

static gboolean
is_ice_chars (const char *s,
              gsize       min_length)
{
  gsize n = 0;

  for (; *s != '\0'; s++, n++)
    {
      if (!g_ascii_isalnum (*s) && *s != '+' && *s != '/')
        return FALSE;
    }

  return n >= min_length && n <= 256;
}

/**
 * td_ice_transport_set_remote_credentials:
 * @self: a #TdIceTransport
 * @ufrag: the partner's username fragment
 * @password: the partner's password
 * @error: a #GError
 *
 * Returns: %TRUE if they are well-formed (RFC 5245 section 15.4)
 */
gboolean
td_ice_transport_set_remote_credentials (TdIceTransport  *self,
                                         const char      *ufrag,
                                         const char      *password,
                                         GError         **error)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), FALSE);
  g_return_val_if_fail (ufrag != NULL && password != NULL, FALSE);

  if (!is_ice_chars (ufrag, 4) || !is_ice_chars (password, 22) ||
      !nice_agent_set_remote_credentials (self->agent, self->stream_id, ufrag, password))
    {
      g_set_error_literal (error, TD_ICE_ERROR, TD_ICE_ERROR_BAD_CREDENTIALS,
                           "The partner sent ICE credentials that cannot be used");
      return FALSE;
    }

  return TRUE;
}

/* PseudoTCP sends its window in a burst, and recovers from burst losses
 * slowly: room for a few windows in the UDP buffers (media bursts share
 * the socket on component 2). The kernel caps this at rmem_max. */
static void
enlarge_socket_buffers (TdIceTransport *self)
{
  for (guint c = 1; c <= N_COMPONENTS; c++)
    {
      g_autoptr(GPtrArray) sockets = nice_agent_get_sockets (self->agent, self->stream_id, c);

      for (guint i = 0; sockets != NULL && i < sockets->len; i++)
        {
          GSocket *socket = g_ptr_array_index (sockets, i);

          if (g_socket_get_protocol (socket) != G_SOCKET_PROTOCOL_UDP)
            continue;
          g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, SOCKET_BUFFER_SIZE, NULL);
          g_socket_set_option (socket, SOL_SOCKET, SO_SNDBUF, SOCKET_BUFFER_SIZE, NULL);
        }
    }
}

static void
start_gathering (TdIceTransport *self)
{
  g_autoptr(GTask) task = NULL;
  const IceServer *stun = NULL;

  for (guint i = 0; i < self->servers->len; i++)
    {
      const IceServer *server = g_ptr_array_index (self->servers, i);

      if (server->address == NULL)
        continue;

      if (server->is_turn)
        {
          for (guint c = 1; c <= N_COMPONENTS; c++)
            nice_agent_set_relay_info (self->agent, self->stream_id, c,
                                       server->address, server->port,
                                       self->turn_username, self->turn_password,
                                       server->relay_type);
          g_debug ("TURN %s:%u (%s)", server->address, server->port,
                   server->relay_type == NICE_RELAY_TYPE_TURN_UDP ? "udp" :
                   server->relay_type == NICE_RELAY_TYPE_TURN_TCP ? "tcp" : "tls");
        }
      else if (stun == NULL)
        {
          stun = server;
        }
    }

  if (stun != NULL)
    {
      gboolean is_turn_too = FALSE;

      /* The TURN allocation already yields the srflx candidate; asking
       * the same server again over STUN only slows gathering down. */
      for (guint i = 0; i < self->servers->len; i++)
        {
          const IceServer *server = g_ptr_array_index (self->servers, i);

          if (server->is_turn && server->port == stun->port &&
              g_strcmp0 (server->address, stun->address) == 0)
            is_turn_too = TRUE;
        }

      if (!is_turn_too)
        g_object_set (self->agent,
                      "stun-server", stun->address,
                      "stun-server-port", (guint) stun->port,
                      NULL);
    }

  set_state (self, TD_ICE_STATE_GATHERING);

  if (nice_agent_gather_candidates (self->agent, self->stream_id))
    {
      enlarge_socket_buffers (self);
    }
  else
    {
      task = g_steal_pointer (&self->gather_task);
      set_state (self, TD_ICE_STATE_FAILED);
      if (task != NULL)
        g_task_return_new_error (task, TD_ICE_ERROR, TD_ICE_ERROR_FAILED,
                                 "Could not find a network address to connect from; "
                                 "is this computer online?");
    }
}

typedef struct
{
  TdIceTransport *self;
  char           *host;
} Resolve;

static void
resolve_free (Resolve *resolve)
{
  g_object_unref (resolve->self);
  g_free (resolve->host);
  g_free (resolve);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Resolve, resolve_free)

static void
on_resolved (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Resolve) resolve = user_data;
  TdIceTransport *self = resolve->self;
  const char *host = resolve->host;
  g_autoptr(GError) error = NULL;
  g_autolist(GInetAddress) addresses = NULL;
  IceServer *server = NULL;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (object), result, &error);
  self->n_resolving--;

  if (self->agent == NULL || self->gather_task == NULL)
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->gather_task);

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < self->servers->len; i++)
    {
      IceServer *s = g_ptr_array_index (self->servers, i);

      if (s->address == NULL && g_strcmp0 (s->host, host) == 0)
        server = s;
    }

  if (addresses == NULL)
    {
      g_message ("Could not find the address of the %s server “%s”: %s",
                 server && server->is_turn ? "relay" : "STUN", host, error->message);
    }
  else
    {
      GInetAddress *chosen = addresses->data;

      /* IPv4 first: it is what NATs and relays are usually set up for. */
      for (GList *l = addresses; l != NULL; l = l->next)
        {
          if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4)
            {
              chosen = l->data;
              break;
            }
        }

      for (guint i = 0; i < self->servers->len; i++)
        {
          IceServer *s = g_ptr_array_index (self->servers, i);

          if (s->address == NULL && g_strcmp0 (s->host, host) == 0)
            s->address = g_inet_address_to_string (chosen);
        }
    }

  if (self->n_resolving == 0 && self->gather_task != NULL)
    start_gathering (self);
}

/**
 * td_ice_transport_gather_async:
 * @self: a #TdIceTransport
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when gathering is over
 * @user_data: passed to @callback
 *
 * Resolves the server names, then gathers host, server-reflexive and
 * relayed candidates. Each is emitted as #TdIceTransport::local-candidate
 * as soon as it is known; #TdIceTransport::local-candidates-done and then
 * @callback follow. A server that cannot be resolved or reached is
 * skipped: the connection may still work without it.
 */
void
td_ice_transport_gather_async (TdIceTransport      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GPtrArray) to_resolve = g_ptr_array_new ();

  g_return_if_fail (TD_IS_ICE_TRANSPORT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_ice_transport_gather_async);

  if (self->gathering_started || self->state == TD_ICE_STATE_CLOSED)
    {
      g_task_return_new_error (task, TD_ICE_ERROR, TD_ICE_ERROR_FAILED,
                               "Candidates have already been gathered");
      return;
    }

  self->gathering_started = TRUE;
  self->gather_task = g_steal_pointer (&task);

  for (guint i = 0; i < self->servers->len; i++)
    {
      IceServer *server = g_ptr_array_index (self->servers, i);

      if (g_hostname_is_ip_address (server->host))
        server->address = g_strdup (server->host);
      else if (!g_ptr_array_find_with_equal_func (to_resolve, server->host, g_str_equal, NULL))
        g_ptr_array_add (to_resolve, server->host);
    }

  if (to_resolve->len == 0)
    {
      start_gathering (self);
      return;
    }

  resolver = g_resolver_get_default ();
  self->n_resolving = to_resolve->len;
  for (guint i = 0; i < to_resolve->len; i++)
    {
      Resolve *resolve = g_new0 (Resolve, 1);

      resolve->self = g_object_ref (self);
      resolve->host = g_strdup (g_ptr_array_index (to_resolve, i));
      g_resolver_lookup_by_name_async (resolver, resolve->host, cancellable,
                                       on_resolved, resolve);
    }
}

gboolean
td_ice_transport_gather_finish (TdIceTransport  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * td_ice_transport_add_remote_candidate:
 * @self: a #TdIceTransport
 * @candidate: a candidate from the partner, "candidate:…" with or
 *   without "a="
 * @error: a #GError
 *
 * Returns: %TRUE if the candidate could be read and was added
 */
gboolean
td_ice_transport_add_remote_candidate (TdIceTransport  *self,
                                       const char      *candidate,
                                       GError         **error)
{
  g_autofree char *line = NULL;
  NiceCandidate *parsed;
  GSList *list;
  int n;

  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), FALSE);
  g_return_val_if_fail (candidate != NULL, FALSE);

  if (strlen (candidate) > MAX_CANDIDATE_LENGTH || !g_str_is_ascii (candidate))
    goto bad;

  line = g_str_has_prefix (candidate, "a=") ? g_strdup (candidate)
                                             : g_strconcat ("a=", candidate, NULL);
  parsed = nice_agent_parse_remote_candidate_sdp (self->agent, self->stream_id, line);
  if (parsed == NULL)
    goto bad;

  if (parsed->component_id < 1 || parsed->component_id > N_COMPONENTS)
    {
      nice_candidate_free (parsed);
      goto bad;
    }

  list = g_slist_append (NULL, parsed);
  n = nice_agent_set_remote_candidates (self->agent, self->stream_id, parsed->component_id, list);
  g_slist_free_full (list, (GDestroyNotify) nice_candidate_free);
  if (n < 0)
    goto bad;

  return TRUE;

bad:
  g_set_error (error, TD_ICE_ERROR, TD_ICE_ERROR_BAD_CANDIDATE,
               "The partner sent a network address that cannot be used: “%.80s”", candidate);
  return FALSE;
}

/**
 * td_ice_transport_end_of_remote_candidates:
 * @self: a #TdIceTransport
 *
 * The partner has no more candidates: from now on, checks that all failed
 * mean there is no path.
 */
void
td_ice_transport_end_of_remote_candidates (TdIceTransport *self)
{
  g_return_if_fail (TD_IS_ICE_TRANSPORT (self));

  nice_agent_peer_candidate_gathering_done (self->agent, self->stream_id);
}

static gboolean
connect_timed_out (gpointer user_data)
{
  TdIceTransport *self = user_data;
  g_autoptr(TdIceTransport) hold = g_object_ref (self);

  g_clear_pointer (&self->connect_timer, g_source_unref);
  set_state (self, TD_ICE_STATE_FAILED);
  complete_connect (self, g_error_new (TD_ICE_ERROR, TD_ICE_ERROR_TIMED_OUT,
                                       "Could not reach the partner within %u s; "
                                       "check that both computers are online",
                                       (self->connect_timeout_ms + 999) / 1000));
  return G_SOURCE_REMOVE;
}

static gboolean
connect_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  TdIceTransport *self = user_data;
  GError *error = NULL;

  g_clear_pointer (&self->connect_cancel_source, g_source_unref);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  complete_connect (self, error);

  return G_SOURCE_REMOVE;
}

/**
 * td_ice_transport_connect_async:
 * @self: a #TdIceTransport
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when both components are connected, or never will be
 * @user_data: passed to @callback
 *
 * Waits for ICE to find a working pair for both components, within
 * #TdIceTransport:connect-timeout. Data can flow from then on, although
 * libnice may still switch to a better pair (see
 * #TdIceTransport:selected-pair).
 */
void
td_ice_transport_connect_async (TdIceTransport      *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TD_IS_ICE_TRANSPORT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_ice_transport_connect_async);

  if (self->connect_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "Already connecting");
      return;
    }

  switch (self->state)
    {
    case TD_ICE_STATE_CONNECTED:
      g_task_return_boolean (task, TRUE);
      return;
    case TD_ICE_STATE_FAILED:
      g_task_return_new_error (task, TD_ICE_ERROR, TD_ICE_ERROR_NO_PATH,
                               "No network path to the partner was found");
      return;
    case TD_ICE_STATE_CLOSED:
      g_task_return_new_error (task, TD_ICE_ERROR, TD_ICE_ERROR_CLOSED,
                               "The connection was closed");
      return;
    case TD_ICE_STATE_NEW:
    case TD_ICE_STATE_GATHERING:
    case TD_ICE_STATE_CONNECTING:
    default:
      break;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  self->connect_task = g_steal_pointer (&task);
  self->connect_timer = g_timeout_source_new (self->connect_timeout_ms);
  g_source_set_callback (self->connect_timer, connect_timed_out, self, NULL);
  g_source_attach (self->connect_timer, self->context);

  if (cancellable != NULL)
    {
      self->connect_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->connect_cancel_source,
                             (GSourceFunc) (void (*) (void)) connect_cancelled, self, NULL);
      g_source_attach (self->connect_cancel_source, self->context);
    }
}

/**
 * td_ice_transport_connect_finish:
 * @self: a #TdIceTransport
 * @result: the #GAsyncResult
 * @error: a #GError: %TD_ICE_ERROR_NO_PATH, %TD_ICE_ERROR_TIMED_OUT, …
 *
 * Returns: %TRUE if both components are connected
 */
gboolean
td_ice_transport_connect_finish (TdIceTransport  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

TdIceState
td_ice_transport_get_state (TdIceTransport *self)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), TD_ICE_STATE_CLOSED);

  return self->state;
}

TdIceCandidateType
td_ice_transport_get_local_candidate_type (TdIceTransport *self)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), TD_ICE_CANDIDATE_NONE);

  return self->local_type;
}

TdIceCandidateType
td_ice_transport_get_remote_candidate_type (TdIceTransport *self)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), TD_ICE_CANDIDATE_NONE);

  return self->remote_type;
}

gboolean
td_ice_transport_get_relayed (TdIceTransport *self)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), FALSE);

  return self->relayed;
}

/**
 * td_ice_transport_get_selected_pair:
 *
 * Returns: (nullable): the pair used by the control component, described
 *   for people, e.g. "srflx 203.0.113.11:40000 -> srflx 203.0.113.12:40002 (udp)"
 */
const char *
td_ice_transport_get_selected_pair (TdIceTransport *self)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), NULL);

  return self->selected_pair;
}

/**
 * td_ice_transport_send_media:
 * @self: a #TdIceTransport
 * @data: one datagram (an SRTP packet)
 * @length: its size
 *
 * Returns: %TRUE if the datagram left
 */
gboolean
td_ice_transport_send_media (TdIceTransport *self,
                             const guint8   *data,
                             gsize           length)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), FALSE);

  if (self->agent == NULL || self->state == TD_ICE_STATE_CLOSED)
    return FALSE;

  return nice_agent_send (self->agent, self->stream_id, TD_ICE_COMPONENT_MEDIA,
                          (guint) length, (const gchar *) data) >= 0;
}

/**
 * td_ice_transport_set_media_receive_func:
 * @self: a #TdIceTransport
 * @func: (nullable): called for each datagram on the media component
 * @user_data: passed to @func
 * @notify: (nullable): frees @user_data when replaced
 *
 * Until one is set, media datagrams are read and dropped, which keeps the
 * component's checks going.
 */
void
td_ice_transport_set_media_receive_func (TdIceTransport        *self,
                                         TdIceMediaReceiveFunc  func,
                                         gpointer               user_data,
                                         GDestroyNotify         notify)
{
  GDestroyNotify old_notify;
  gpointer old_data;

  g_return_if_fail (TD_IS_ICE_TRANSPORT (self));

  old_notify = self->media_notify;
  old_data = self->media_data;
  self->media_func = func;
  self->media_data = user_data;
  self->media_notify = notify;

  if (old_notify != NULL)
    old_notify (old_data);
}

/**
 * td_ice_transport_get_agent:
 *
 * Returns: (transfer none) (nullable): the libnice agent, for GStreamer's
 *   nicesrc/nicesink on the media component
 */
NiceAgent *
td_ice_transport_get_agent (TdIceTransport *self)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), NULL);

  return self->agent;
}

guint
td_ice_transport_get_stream_id (TdIceTransport *self)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), 0);

  return self->stream_id;
}

static void
on_agent_closed (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_return_boolean (task, TRUE);
}

/**
 * td_ice_transport_close_async:
 * @self: a #TdIceTransport
 * @cancellable: (nullable): a #GCancellable
 * @callback: (nullable): called when done
 * @user_data: passed to @callback
 *
 * Stops ICE and releases the TURN allocations on the relay servers.
 * Pending gather and connect operations fail with %TD_ICE_ERROR_CLOSED.
 */
void
td_ice_transport_close_async (TdIceTransport      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) gather_task = NULL;
  NiceAgent *agent;

  g_return_if_fail (TD_IS_ICE_TRANSPORT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_ice_transport_close_async);

  if (self->agent == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  set_state (self, TD_ICE_STATE_CLOSED);
  complete_connect (self, g_error_new_literal (TD_ICE_ERROR, TD_ICE_ERROR_CLOSED,
                                               "The connection was closed"));
  gather_task = g_steal_pointer (&self->gather_task);
  if (gather_task != NULL)
    g_task_return_new_error (gather_task, TD_ICE_ERROR, TD_ICE_ERROR_CLOSED,
                             "The connection was closed");

  agent = g_steal_pointer (&self->agent);
  for (guint c = 1; c <= N_COMPONENTS; c++)
    nice_agent_attach_recv (agent, self->stream_id, c, self->context, NULL, NULL);
  g_signal_handlers_disconnect_by_data (agent, self);
  /* The close operation holds its own reference on the agent. */
  nice_agent_close_async (agent, on_agent_closed, g_steal_pointer (&task));
  g_object_unref (agent);
}

gboolean
td_ice_transport_close_finish (TdIceTransport  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (TD_IS_ICE_TRANSPORT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
