/* td-rendezvous-server.c: IDs, presence and signaling relay over WebSocket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One GLib main loop holds every connection. A TCP connection is accepted
 * here (so that per-address limits and the handshake timeout apply before
 * any HTTP is parsed), wrapped in TLS when there is a certificate, and
 * handed to libsoup, which upgrades it to a WebSocket. From then on a
 * connection is a Conn:
 *
 *   open ──register──▶ challenged ──prove──▶ registered (an online host)
 *     └──connect──▶ viewer of a Session (any open connection may connect)
 *
 * A Session joins a viewer and a host for one connect. Its two ends are
 * each either a local Conn or, with --redis, the name of the node that
 * holds it; messages to a remote end go through the bus. The server only
 * ever relays what a session's two ends say to each other: it never sees
 * a password or a session key.
 *
 * Timeouts and idle checks run from one sweep timer rather than a timer
 * per connection, so that 100,000 idle hosts cost no wake-ups each.
 */
#define G_LOG_DOMAIN "td-server"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <libsoup/soup.h>

#include "td-frame-limit.h"
#include "td-context-mux.h"
#include "td-id.h"
#include "td-rate-limit.h"
#include "td-redis-bus.h"
#include "td-registry.h"
#include "td-rendezvous-server.h"
#include "td-signal.h"
#include "td-turn.h"
#include "td-util.h"
#include "td-verify.h"

#define STOP_TIMEOUT_MS      3000
#define MAX_HTTP_HEADER      (16 * 1024)
#define PRUNE_INTERVAL_US    (10 * G_USEC_PER_SEC)

typedef enum
{
  CONN_OPEN,
  CONN_CHALLENGED,
  CONN_BINDING,
  CONN_REGISTERED,
} ConnState;

typedef enum
{
  END_HOST = 0,
  END_VIEWER = 1,
  END_NONE = 2,
} End;

typedef struct _Tcp     Tcp;
typedef struct _Conn    Conn;
typedef struct _Session Session;

/* A TCP connection, from accept until its socket is finalized. */
struct _Tcp
{
  TdRendezvousServer *server;
  GSocketConnection  *socket;       /* weak */
  GIOStream          *stream;       /* the socket, or TLS over it; unowned */
  TdMuxEntry         *entry;        /* its own main context, or NULL */
  char               *ip;
  char               *peer;
  gint64              accepted_us;
  GList               link;         /* in server->handshaking until upgraded */
  gboolean            upgraded;
};

/* A WebSocket connection. */
struct _Conn
{
  TdRendezvousServer      *server;
  guint64                  serial;
  SoupWebsocketConnection *ws;
  GIOStream               *stream;   /* what libsoup's stream wraps */
  TdMuxEntry              *entry;    /* the connection's main context */
  char                    *ip;
  char                    *peer;
  ConnState                state;
  guint                    counted : 1;
  guint                    exempt : 1;
  guint                    spoke : 1;
  guint                    dead : 1;
  guint                    in_activity : 1;
  guint                    in_handshake : 1;
  GList                    activity_link;   /* in server->by_activity, by last_seen_us */
  GList                    handshake_link;  /* in server->handshakes, by handshake_us */
  gint64                   handshake_us;
  gint64                   opened_us;
  gint64                   last_seen_us;
  gint64                   challenged_us;
  GBytes                  *public_key;
  GBytes                  *nonce;
  guint32                  wanted_id;
  guint32                  id;
  GPtrArray               *sessions;  /* of Session, unowned; NULL when none */
  double                   flood_tokens;
  gint64                   flood_updated_us;
};

struct _Session
{
  char    *token;
  guint32  host_id;
  GBytes  *host_key;
  Conn    *ends[2];    /* local ends */
  char    *nodes[2];   /* nodes holding the ends that are not local */
  gint64   req;
  gboolean accepted;
  gint64   created_us;
  gint64   active_us;
};

typedef struct
{
  guint64  serial;
  GBytes  *public_key;
  guint32  wanted_id;
  guint32  id;
  GError  *error;
} BindRequest;

struct _TdRendezvousServer
{
  GObject          parent_instance;

  TdServerConfig   config;
  char            *node_id;
  TdRegistry      *registry;
  TdRateLimit     *register_limit;
  TdRateLimit     *connect_limit;
  GPtrArray       *exempt;          /* of GInetAddressMask */
  GTlsCertificate *certificate;
  TdRedisBus      *bus;
  SoupServer      *soup;
  GSocketService  *service;
  TdContextMux    *mux;
  guint16          port;
  guint            fd_capacity;     /* connections the fd limit allows */
  gboolean         accept_paused;

  GHashTable      *tcp;             /* peer → Tcp, owned */
  GQueue           handshaking;     /* of Tcp, not yet upgraded, oldest first */
  GHashTable      *tcp_per_ip;      /* ip → count */
  GHashTable      *ws_per_ip;       /* ip → count */
  GHashTable      *conns;           /* &serial → Conn, owned */
  GQueue           by_activity;     /* of Conn, least recently heard first */
  GQueue           handshakes;      /* of Conn yet to speak or to prove, oldest first */
  guint64          next_serial;
  GHashTable      *hosts;           /* id → Conn */
  GHashTable      *sessions;        /* token → Session, owned */

  GPtrArray       *bind_queue;      /* of BindRequest */
  guint            bind_source;
  GPtrArray       *dead;            /* of Conn, to free when idle */
  guint            reap_source;
  guint            sweep_source;
  gint64           last_prune_us;

  gboolean         started;
  gboolean         stopping;
  GTask           *stop_task;
  guint            stop_timeout;
};

G_DEFINE_FINAL_TYPE (TdRendezvousServer, td_rendezvous_server, G_TYPE_OBJECT)
G_DEFINE_QUARK (td-server-error-quark, td_server_error)

static void conn_close         (Conn               *conn,
                                gushort             code,
                                const char         *reason);
static void session_end        (TdRendezvousServer *self,
                                Session            *session,
                                End                 from,
                                TdSignalCode        code,
                                const char         *reason,
                                gboolean            relay);
static void maybe_finish_stop  (TdRendezvousServer *self);
static void bus_message_cb     (TdRedisBus         *bus,
                                const char         *payload,
                                gpointer            user_data);
static void bus_ready_cb       (TdRedisBus         *bus,
                                gpointer            user_data);

/* Configuration */

void
td_server_config_init (TdServerConfig *config)
{
  memset (config, 0, sizeof *config);
  config->turn_ttl_s = 600;
  config->keepalive_s = 25;
  config->idle_timeout_ms = 75 * 1000;
  config->handshake_timeout_ms = 10 * 1000;
  config->connect_timeout_ms = 30 * 1000;
  config->session_timeout_ms = 5 * 60 * 1000;
  config->max_message_size = TD_SIGNAL_MAX_SIZE_DEFAULT;
  config->max_pending_per_id = 4;
  config->max_sessions_per_connection = 8;
  config->max_connections_per_ip = 128;
  config->max_connections = 0;
  config->register_per_minute = 30;
  config->register_burst = 30;
  config->connect_per_minute = 20;
  config->connect_burst = 10;
  config->messages_per_second = 20;
  config->messages_burst = 200;
  config->rate_limit_entries = 65536;
}

void
td_server_config_clear (TdServerConfig *config)
{
  g_clear_pointer (&config->listen, g_strfreev);
  g_clear_pointer (&config->tls_cert, g_free);
  g_clear_pointer (&config->tls_key, g_free);
  g_clear_pointer (&config->db_path, g_free);
  g_clear_pointer (&config->redis_url, g_free);
  g_clear_pointer (&config->node_id, g_free);
  if (config->turn_secret != NULL)
    td_memzero (config->turn_secret, strlen (config->turn_secret));
  g_clear_pointer (&config->turn_secret, g_free);
  g_clear_pointer (&config->turn_uris, g_strfreev);
  g_clear_pointer (&config->rate_limit_exempt, g_strfreev);
}

static void
config_copy (TdServerConfig       *dest,
             const TdServerConfig *src)
{
  *dest = *src;
  dest->listen = g_strdupv (src->listen);
  dest->tls_cert = g_strdup (src->tls_cert);
  dest->tls_key = g_strdup (src->tls_key);
  dest->db_path = g_strdup (src->db_path);
  dest->redis_url = g_strdup (src->redis_url);
  dest->node_id = g_strdup (src->node_id);
  dest->turn_secret = g_strdup (src->turn_secret);
  dest->turn_uris = g_strdupv (src->turn_uris);
  dest->rate_limit_exempt = g_strdupv (src->rate_limit_exempt);
}

/* Logging: structured fields, never a secret. */

static void
log_event (GLogLevelFlags  level,
           const char     *event,
           const char     *peer,
           guint32         id,
           const char     *format,
           ...) G_GNUC_PRINTF (5, 6);

static void
log_event (GLogLevelFlags  level,
           const char     *event,
           const char     *peer,
           guint32         id,
           const char     *format,
           ...)
{
  g_autofree char *message = NULL;
  char id_text[16];
  const char *priority;
  GLogField fields[6];
  gsize n = 0;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  switch (level & G_LOG_LEVEL_MASK)
    {
    case G_LOG_LEVEL_ERROR: priority = "3"; break;
    case G_LOG_LEVEL_CRITICAL: priority = "3"; break;
    case G_LOG_LEVEL_WARNING: priority = "4"; break;
    case G_LOG_LEVEL_MESSAGE: priority = "5"; break;
    case G_LOG_LEVEL_INFO: priority = "6"; break;
    case G_LOG_LEVEL_DEBUG: priority = "7"; break;
    default: priority = "5"; break;
    }

  fields[n++] = (GLogField) { "PRIORITY", priority, -1 };
  fields[n++] = (GLogField) { "GLIB_DOMAIN", G_LOG_DOMAIN, -1 };
  fields[n++] = (GLogField) { "MESSAGE", message, -1 };
  fields[n++] = (GLogField) { "TD_EVENT", event, -1 };
  if (peer != NULL)
    fields[n++] = (GLogField) { "TD_PEER", peer, -1 };
  if (id != 0)
    {
      g_snprintf (id_text, sizeof id_text, "%u", id);
      fields[n++] = (GLogField) { "TD_ID", id_text, -1 };
    }

  g_log_structured_array (level, fields, n);
}

/* Connections */

static gboolean
is_exempt (TdRendezvousServer *self,
           GInetAddress       *address)
{
  for (guint i = 0; i < self->exempt->len; i++)
    if (g_inet_address_mask_matches (g_ptr_array_index (self->exempt, i), address))
      return TRUE;

  return FALSE;
}

static guint
count_get (GHashTable *table,
           const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (table, key));
}

static void
count_add (GHashTable *table,
           const char *key,
           int         delta)
{
  guint n = count_get (table, key);

  n = (guint) ((int) n + delta);
  if (n == 0)
    g_hash_table_remove (table, key);
  else
    g_hash_table_insert (table, g_strdup (key), GUINT_TO_POINTER (n));
}

/* Calls into libsoup for a connection run with its main context pushed,
 * so that whatever sources they make land there (see td-context-mux.c). */
static void
conn_enter (Conn *conn)
{
  if (conn->entry != NULL)
    td_mux_entry_push (conn->entry);
}

static void
conn_leave (Conn *conn)
{
  if (conn->entry != NULL)
    td_mux_entry_pop (conn->entry);
}

static void
conn_send (Conn            *conn,
           TdSignalMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (conn->dead || soup_websocket_connection_get_state (conn->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  text = td_signal_serialize (message, &error);
  if (text == NULL)
    {
      g_critical ("Could not build a “%s” message: %s",
                  td_signal_type_to_string (message->type), error->message);
      return;
    }

  conn_enter (conn);
  soup_websocket_connection_send_text (conn->ws, text);
  conn_leave (conn);
}

static void
conn_send_error (Conn         *conn,
                 TdSignalCode  code,
                 gint64        req,
                 const char   *session,
                 guint         retry_after_ms,
                 const char   *text)
{
  g_autoptr(TdSignalMessage) message = td_signal_message_new (TD_SIGNAL_TYPE_ERROR);

  message->code = code;
  message->req = req;
  message->session = g_strdup (session);
  message->retry_after_ms = retry_after_ms;
  message->message = g_strdup (text);
  conn_send (conn, message);
}

static void
conn_close (Conn       *conn,
            gushort     code,
            const char *reason)
{
  if (!conn->dead && soup_websocket_connection_get_state (conn->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      conn_enter (conn);
      soup_websocket_connection_close (conn->ws, code, reason);
      conn_leave (conn);
    }
}

/* Sends an error and closes: for what the peer cannot go on after. */
static void
conn_fail (Conn         *conn,
           TdSignalCode  code,
           gushort       close_code,
           const char   *text)
{
  conn_send_error (conn, code, 0, NULL, 0, text);
  conn_close (conn, close_code, td_signal_code_to_string (code));
}

static Conn *
conn_lookup (TdRendezvousServer *self,
             guint64             serial)
{
  return g_hash_table_lookup (self->conns, &serial);
}

/* The two time-ordered queues let the sweep look only at what is due. */
static void
conn_heard (TdRendezvousServer *self,
            Conn               *conn,
            gint64              now)
{
  conn->last_seen_us = now;
  if (conn->in_activity)
    g_queue_unlink (&self->by_activity, &conn->activity_link);
  g_queue_push_tail_link (&self->by_activity, &conn->activity_link);
  conn->in_activity = TRUE;
}

static void
conn_handshake_restart (TdRendezvousServer *self,
                        Conn               *conn,
                        gint64              now)
{
  conn->handshake_us = now;
  if (conn->in_handshake)
    g_queue_unlink (&self->handshakes, &conn->handshake_link);
  g_queue_push_tail_link (&self->handshakes, &conn->handshake_link);
  conn->in_handshake = TRUE;
}

static void
conn_handshake_done (TdRendezvousServer *self,
                     Conn               *conn)
{
  if (conn->in_handshake)
    g_queue_unlink (&self->handshakes, &conn->handshake_link);
  conn->in_handshake = FALSE;
}

static void
conn_unqueue (TdRendezvousServer *self,
              Conn               *conn)
{
  if (conn->in_activity)
    g_queue_unlink (&self->by_activity, &conn->activity_link);
  conn->in_activity = FALSE;
  conn_handshake_done (self, conn);
}

static void
conn_free (Conn *conn)
{
  g_signal_handlers_disconnect_by_data (conn->ws, conn);
  g_clear_object (&conn->ws);
  if (conn->stream != NULL)
    {
      /* libsoup closed its wrapper; this closes the socket itself. */
      g_io_stream_close_async (conn->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&conn->stream);
    }
  g_clear_pointer (&conn->ip, g_free);
  g_clear_pointer (&conn->peer, g_free);
  g_clear_pointer (&conn->public_key, g_bytes_unref);
  g_clear_pointer (&conn->nonce, g_bytes_unref);
  g_clear_pointer (&conn->sessions, g_ptr_array_unref);
  g_free (conn);
}

static gboolean
reap_cb (gpointer user_data)
{
  TdRendezvousServer *self = user_data;

  self->reap_source = 0;
  g_ptr_array_set_size (self->dead, 0);
  maybe_finish_stop (self);
  return G_SOURCE_REMOVE;
}

/* The connection is gone: it is offline, its sessions end. */
static void
conn_detach (TdRendezvousServer *self,
             Conn               *conn)
{
  if (conn->dead)
    return;
  conn->dead = TRUE;
  conn_unqueue (self, conn);

  if (conn->state == CONN_REGISTERED && g_hash_table_lookup (self->hosts, GUINT_TO_POINTER (conn->id)) == conn)
    {
      g_hash_table_remove (self->hosts, GUINT_TO_POINTER (conn->id));
      if (self->bus != NULL)
        td_redis_bus_set_offline (self->bus, conn->id);
      log_event (G_LOG_LEVEL_DEBUG, "offline", conn->peer, conn->id, "Host went offline");
    }

  while (conn->sessions != NULL && conn->sessions->len > 0)
    {
      Session *session = g_ptr_array_index (conn->sessions, conn->sessions->len - 1);
      End end = session->ends[END_HOST] == conn ? END_HOST : END_VIEWER;

      session_end (self, session, end, TD_SIGNAL_CODE_OFFLINE, "peer-left", TRUE);
    }

  if (conn->counted)
    count_add (self->ws_per_ip, conn->ip, -1);

  /* Freed from an idle callback: this may run inside one of its signals. */
  g_hash_table_steal (self->conns, &conn->serial);
  g_ptr_array_add (self->dead, conn);
  if (self->reap_source == 0)
    self->reap_source = g_idle_add (reap_cb, self);
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  Conn *conn = user_data;

  log_event (G_LOG_LEVEL_DEBUG, "closed", conn->peer, conn->id, "Connection closed (%u)",
             soup_websocket_connection_get_close_code (ws));
  conn_detach (conn->server, conn);
}

static void
ws_error_cb (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 user_data)
{
  Conn *conn = user_data;

  log_event (G_LOG_LEVEL_DEBUG, "ws-error", conn->peer, conn->id, "WebSocket error: %s", error->message);
}

/* Sessions */

static void
session_free (Session *session)
{
  g_free (session->token);
  g_clear_pointer (&session->host_key, g_bytes_unref);
  g_free (session->nodes[END_HOST]);
  g_free (session->nodes[END_VIEWER]);
  g_free (session);
}

static void
session_attach (Session *session,
                End      end,
                Conn    *conn)
{
  session->ends[end] = conn;
  if (conn->sessions == NULL)
    conn->sessions = g_ptr_array_new ();
  g_ptr_array_add (conn->sessions, session);
}

static Session *
session_new (TdRendezvousServer *self,
             const char         *token,
             guint32             host_id,
             GBytes             *host_key,
             gint64              req)
{
  Session *session = g_new0 (Session, 1);

  session->token = token != NULL ? g_strdup (token) : td_signal_new_session_token ();
  session->host_id = host_id;
  session->host_key = g_bytes_ref (host_key);
  session->req = req;
  session->created_us = session->active_us = g_get_monotonic_time ();
  g_hash_table_insert (self->sessions, session->token, session);
  return session;
}

static void
session_remove (TdRendezvousServer *self,
                Session            *session)
{
  for (guint e = 0; e < 2; e++)
    if (session->ends[e] != NULL && session->ends[e]->sessions != NULL)
      g_ptr_array_remove_fast (session->ends[e]->sessions, session);

  g_hash_table_remove (self->sessions, session->token);
}

static guint
pending_for_host (Conn *host)
{
  guint n = 0;

  for (guint i = 0; host->sessions != NULL && i < host->sessions->len; i++)
    {
      Session *session = g_ptr_array_index (host->sessions, i);

      if (session->ends[END_HOST] == host && !session->accepted)
        n++;
    }

  return n;
}

static TdSignalTurn *
make_turn (TdRendezvousServer *self,
           const char         *token,
           End                 end)
{
  g_autofree char *tag = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  TdSignalTurn *turn;

  if (self->config.turn_secret == NULL || self->config.turn_uris == NULL || self->config.turn_uris[0] == NULL)
    return NULL;

  tag = g_strdup_printf ("%s.%c", token, end == END_HOST ? 'h' : 'v');
  td_turn_make_credentials (self->config.turn_secret, tag, self->config.turn_ttl_s,
                            g_get_real_time () / G_USEC_PER_SEC, &username, &password);
  turn = td_signal_turn_new ((const char * const *) self->config.turn_uris, username, password,
                             self->config.turn_ttl_s);
  td_memzero (password, strlen (password));
  return turn;
}

static char *
bus_envelope (const char *op,
              const char *session,
              guint32     id,
              gint64      req,
              const char *from,
              const char *code,
              const char *reason,
              const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, op);
#define ADD_STRING(name, value) \
  if ((value) != NULL) { json_builder_set_member_name (builder, name); json_builder_add_string_value (builder, value); }
  ADD_STRING ("session", session);
  ADD_STRING ("from", from);
  ADD_STRING ("code", code);
  ADD_STRING ("reason", reason);
  ADD_STRING ("msg", message);
#undef ADD_STRING
  if (id != 0)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, id);
    }
  if (req != 0)
    {
      json_builder_set_member_name (builder, "req");
      json_builder_add_int_value (builder, req);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Gives @message to the @to end of @session, here or on its node. */
static void
session_deliver (TdRendezvousServer *self,
                 Session            *session,
                 End                 to,
                 TdSignalMessage    *message)
{
  if (session->ends[to] != NULL)
    {
      conn_send (session->ends[to], message);
    }
  else if (session->nodes[to] != NULL && self->bus != NULL)
    {
      g_autofree char *text = td_signal_serialize (message, NULL);
      g_autofree char *envelope = NULL;

      g_return_if_fail (text != NULL);
      envelope = bus_envelope ("relay", session->token, 0, 0, self->node_id, NULL, NULL, text);
      td_redis_bus_publish (self->bus, session->nodes[to], envelope);
    }
}

/* Ends @session: each local end that did not end it is told why (a viewer
 * still waiting gets an error for its request, others a bye), a remote end
 * through its node unless @relay is FALSE (the end came from there). */
static void
session_end (TdRendezvousServer *self,
             Session            *session,
             End                 from,
             TdSignalCode        code,
             const char         *reason,
             gboolean            relay)
{
  for (guint e = 0; e < 2; e++)
    {
      if ((End) e == from)
        continue;

      if (session->ends[e] != NULL)
        {
          if ((End) e == END_VIEWER && !session->accepted)
            conn_send_error (session->ends[e], code, session->req, NULL, 0, reason);
          else
            {
              g_autoptr(TdSignalMessage) bye = td_signal_message_new (TD_SIGNAL_TYPE_BYE);

              bye->session = g_strdup (session->token);
              bye->reason = g_strdup (reason);
              conn_send (session->ends[e], bye);
            }
        }
      else if (relay && session->nodes[e] != NULL && self->bus != NULL)
        {
          g_autofree char *envelope = bus_envelope ("end", session->token, 0, 0, self->node_id,
                                                    td_signal_code_to_string (code), reason, NULL);

          td_redis_bus_publish (self->bus, session->nodes[e], envelope);
        }
    }

  session_remove (self, session);
}

/* Registration */

static gboolean
take_token (TdRendezvousServer *self,
            TdRateLimit        *limit,
            Conn               *conn,
            guint              *retry_after_ms)
{
  if (conn->exempt)
    return TRUE;

  return td_rate_limit_take (limit, conn->ip, g_get_monotonic_time (), retry_after_ms);
}

static void
handle_register (TdRendezvousServer *self,
                 Conn               *conn,
                 TdSignalMessage    *message)
{
  guint8 nonce[TD_SIGNAL_NONCE_SIZE];
  guint retry_after_ms = 0;
  g_autoptr(TdSignalMessage) challenge = NULL;

  if (conn->state != CONN_OPEN)
    {
      conn_send_error (conn, TD_SIGNAL_CODE_BAD_MESSAGE, 0, NULL, 0, "This connection already registered");
      return;
    }

  if (!take_token (self, self->register_limit, conn, &retry_after_ms))
    {
      log_event (G_LOG_LEVEL_INFO, "rate-limited", conn->peer, 0, "Too many registrations from this address");
      conn_send_error (conn, TD_SIGNAL_CODE_RATE_LIMITED, 0, NULL, retry_after_ms,
                       "Too many registrations from this address; try again later");
      conn_close (conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "rate-limited");
      return;
    }

  td_random_bytes (nonce, sizeof nonce);
  g_clear_pointer (&conn->public_key, g_bytes_unref);
  g_clear_pointer (&conn->nonce, g_bytes_unref);
  conn->public_key = g_bytes_ref (message->public_key);
  conn->nonce = g_bytes_new (nonce, sizeof nonce);
  conn->wanted_id = message->id;
  conn->state = CONN_CHALLENGED;
  conn->challenged_us = g_get_monotonic_time ();
  conn_handshake_restart (self, conn, conn->challenged_us);

  challenge = td_signal_message_new (TD_SIGNAL_TYPE_CHALLENGE);
  challenge->nonce = g_bytes_ref (conn->nonce);
  conn_send (conn, challenge);
}

static void
finish_register (TdRendezvousServer *self,
                 Conn               *conn,
                 guint32             id,
                 gboolean            created)
{
  g_autoptr(TdSignalMessage) registered = td_signal_message_new (TD_SIGNAL_TYPE_REGISTERED);
  Conn *existing = g_hash_table_lookup (self->hosts, GUINT_TO_POINTER (id));

  if (existing != NULL && existing != conn)
    {
      /* The same key proved itself again: the old socket is stale (a
       * network change) or a second copy of the device. The newest wins. */
      log_event (G_LOG_LEVEL_INFO, "replaced", existing->peer, id, "Host registered again from %s", conn->peer);
      g_hash_table_remove (self->hosts, GUINT_TO_POINTER (id));
      existing->state = CONN_OPEN;
      conn_fail (existing, TD_SIGNAL_CODE_REPLACED, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                 "This device registered again on another connection");
    }

  conn->state = CONN_REGISTERED;
  conn->id = id;
  conn_handshake_done (self, conn);
  g_clear_pointer (&conn->nonce, g_bytes_unref);
  g_hash_table_insert (self->hosts, GUINT_TO_POINTER (id), conn);

  registered->id = id;
  conn_send (conn, registered);

  if (self->bus != NULL)
    td_redis_bus_set_online (self->bus, id);

  log_event (created ? G_LOG_LEVEL_INFO : G_LOG_LEVEL_DEBUG, "registered", conn->peer, id,
             created ? "New ID bound to a device key" : "Host online");
}

static void
bind_request_free (gpointer data)
{
  BindRequest *request = data;

  g_clear_pointer (&request->public_key, g_bytes_unref);
  g_clear_error (&request->error);
  g_free (request);
}

/* New bindings made in one main loop turn share one commit. */
static gboolean
flush_binds_cb (gpointer user_data)
{
  TdRendezvousServer *self = user_data;
  g_autoptr(GPtrArray) queue = g_steal_pointer (&self->bind_queue);
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  self->bind_source = 0;
  self->bind_queue = g_ptr_array_new_with_free_func (bind_request_free);

  if (td_registry_begin (self->registry, &error))
    {
      for (guint i = 0; i < queue->len; i++)
        {
          BindRequest *request = g_ptr_array_index (queue, i);

          request->id = td_registry_bind (self->registry, request->public_key, request->wanted_id,
                                          &created, &request->error);
        }

      td_registry_commit (self->registry, &error);
    }

  if (error != NULL)
    g_warning ("Could not save new IDs: %s", error->message);

  for (guint i = 0; i < queue->len; i++)
    {
      BindRequest *request = g_ptr_array_index (queue, i);
      Conn *conn = conn_lookup (self, request->serial);

      if (conn == NULL || conn->dead || conn->state != CONN_BINDING)
        continue;

      if (error != NULL || request->error != NULL)
        {
          conn->state = CONN_OPEN;
          if (error == NULL && g_error_matches (request->error, TD_REGISTRY_ERROR, TD_REGISTRY_ERROR_ID_TAKEN))
            {
              log_event (G_LOG_LEVEL_MESSAGE, "take-over", conn->peer, request->wanted_id,
                         "A device asked for an ID that belongs to another device");
              conn_fail (conn, TD_SIGNAL_CODE_ID_TAKEN, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                         "This ID belongs to another device");
            }
          else
            {
              if (error == NULL)
                g_warning ("Could not bind an ID: %s", request->error->message);
              conn_fail (conn, TD_SIGNAL_CODE_INTERNAL, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
                         "The server could not save the registration");
            }
          continue;
        }

      finish_register (self, conn, request->id, TRUE);
    }

  return G_SOURCE_REMOVE;
}

static void
handle_prove (TdRendezvousServer *self,
              Conn               *conn,
              TdSignalMessage    *message)
{
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  BindRequest *request;
  guint32 id = 0;

  if (conn->state != CONN_CHALLENGED)
    {
      conn_send_error (conn, TD_SIGNAL_CODE_BAD_MESSAGE, 0, NULL, 0, "There is no challenge to answer");
      return;
    }

  data = td_signal_registration_data (conn->nonce);
  if (!td_verify_ed25519 (conn->public_key, data, message->signature))
    {
      log_event (G_LOG_LEVEL_MESSAGE, "bad-signature", conn->peer, 0, "A registration was not signed by its key");
      conn->state = CONN_OPEN;
      conn_fail (conn, TD_SIGNAL_CODE_BAD_SIGNATURE, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                 "The signature does not match the device key");
      return;
    }

  if (!td_registry_lookup_key (self->registry, conn->public_key, &id, &error))
    {
      g_warning ("Could not look up a device key: %s", error->message);
      conn->state = CONN_OPEN;
      conn_fail (conn, TD_SIGNAL_CODE_INTERNAL, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
                 "The server could not read its registry");
      return;
    }

  if (id != 0)
    {
      finish_register (self, conn, id, FALSE);
      return;
    }

  conn->state = CONN_BINDING;
  request = g_new0 (BindRequest, 1);
  request->serial = conn->serial;
  request->public_key = g_bytes_ref (conn->public_key);
  request->wanted_id = conn->wanted_id;
  g_ptr_array_add (self->bind_queue, request);
  if (self->bind_source == 0)
    self->bind_source = g_idle_add (flush_binds_cb, self);
}

/* Connecting */

static TdSignalMessage *
make_incoming (TdRendezvousServer *self,
               Session            *session,
               Conn               *viewer,
               TdSignalMessage    *connect)
{
  TdSignalMessage *incoming = td_signal_message_new (TD_SIGNAL_TYPE_INCOMING);

  incoming->session = g_strdup (session->token);
  incoming->name = g_strdup (connect->name);
  incoming->public_key = g_bytes_ref (connect->public_key);
  incoming->verified = viewer->state == CONN_REGISTERED &&
                       g_bytes_equal (viewer->public_key, connect->public_key);
  incoming->id = incoming->verified ? viewer->id : 0;
  incoming->turn = make_turn (self, session->token, END_HOST);
  return incoming;
}

static void
connect_local (TdRendezvousServer *self,
               Conn               *viewer,
               Conn               *host,
               TdSignalMessage    *connect)
{
  g_autoptr(TdSignalMessage) incoming = NULL;
  Session *session;

  if (pending_for_host (host) >= self->config.max_pending_per_id)
    {
      conn_send_error (viewer, TD_SIGNAL_CODE_BUSY, connect->req, NULL, 0,
                       "Too many people are trying to reach this ID right now");
      return;
    }

  session = session_new (self, NULL, host->id, host->public_key, connect->req);
  session_attach (session, END_VIEWER, viewer);
  session_attach (session, END_HOST, host);

  incoming = make_incoming (self, session, viewer, connect);
  conn_send (host, incoming);
  log_event (G_LOG_LEVEL_INFO, "connect", viewer->peer, host->id, "Connect request relayed");
}

static void
connect_remote (TdRendezvousServer *self,
                Conn               *viewer,
                const char         *node,
                GBytes             *host_key,
                TdSignalMessage    *connect)
{
  g_autoptr(TdSignalMessage) incoming = NULL;
  g_autofree char *text = NULL;
  g_autofree char *envelope = NULL;
  Session *session;

  session = session_new (self, NULL, connect->id, host_key, connect->req);
  session_attach (session, END_VIEWER, viewer);
  session->nodes[END_HOST] = g_strdup (node);

  incoming = make_incoming (self, session, viewer, connect);
  text = td_signal_serialize (incoming, NULL);
  envelope = bus_envelope ("incoming", session->token, connect->id, connect->req, self->node_id,
                           NULL, NULL, text);
  td_redis_bus_publish (self->bus, node, envelope);
  log_event (G_LOG_LEVEL_INFO, "connect", viewer->peer, connect->id, "Connect request sent to node %s", node);
}

typedef struct
{
  TdRendezvousServer *self;
  guint64             serial;
  TdSignalMessage    *connect;
  GBytes             *host_key;
} LookupData;

static void
lookup_data_free (LookupData *data)
{
  g_clear_object (&data->self);
  g_clear_pointer (&data->connect, td_signal_message_free);
  g_clear_pointer (&data->host_key, g_bytes_unref);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LookupData, lookup_data_free)

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LookupData) data = user_data;
  TdRendezvousServer *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *node = td_redis_bus_lookup_finish (TD_REDIS_BUS (object), result, &error);
  Conn *viewer = conn_lookup (self, data->serial);
  Conn *host;

  if (viewer == NULL || viewer->dead || self->stopping)
    return;

  /* It may have come online here while Redis answered. */
  host = g_hash_table_lookup (self->hosts, GUINT_TO_POINTER (data->connect->id));
  if (host != NULL)
    {
      connect_local (self, viewer, host, data->connect);
      return;
    }

  if (error != NULL)
    {
      log_event (G_LOG_LEVEL_WARNING, "bus-error", viewer->peer, data->connect->id,
                 "Could not look up presence: %s", error->message);
      conn_send_error (viewer, TD_SIGNAL_CODE_INTERNAL, data->connect->req, NULL, 1000,
                       "The server cannot reach its presence store");
      return;
    }

  if (node == NULL || g_strcmp0 (node, self->node_id) == 0)
    {
      conn_send_error (viewer, TD_SIGNAL_CODE_OFFLINE, data->connect->req, NULL, 0,
                       "This ID is not online");
      return;
    }

  connect_remote (self, viewer, node, data->host_key, data->connect);
}

static void
handle_connect (TdRendezvousServer *self,
                Conn               *conn,
                TdSignalMessage    *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) host_key = NULL;
  guint retry_after_ms = 0;
  Conn *host;

  if (!take_token (self, self->connect_limit, conn, &retry_after_ms))
    {
      log_event (G_LOG_LEVEL_INFO, "rate-limited", conn->peer, message->id, "Too many connects from this address");
      conn_send_error (conn, TD_SIGNAL_CODE_RATE_LIMITED, message->req, NULL, retry_after_ms,
                       "Too many connection attempts from this address; try again later");
      return;
    }

  if (conn->sessions != NULL && conn->sessions->len >= self->config.max_sessions_per_connection)
    {
      conn_send_error (conn, TD_SIGNAL_CODE_RATE_LIMITED, message->req, NULL, 1000,
                       "Too many connects at once on this connection");
      return;
    }

  if (!td_id_is_valid (message->id))
    {
      conn_send_error (conn, TD_SIGNAL_CODE_UNKNOWN_ID, message->req, NULL, 0, "There is no such ID");
      return;
    }

  if (conn->state == CONN_REGISTERED && conn->id == message->id)
    {
      conn_send_error (conn, TD_SIGNAL_CODE_SELF, message->req, NULL, 0, "This is the connection’s own ID");
      return;
    }

  if (!td_registry_lookup_id (self->registry, message->id, &host_key, &error))
    {
      g_warning ("Could not look up an ID: %s", error->message);
      conn_send_error (conn, TD_SIGNAL_CODE_INTERNAL, message->req, NULL, 1000,
                       "The server could not read its registry");
      return;
    }

  if (host_key == NULL)
    {
      log_event (G_LOG_LEVEL_INFO, "unknown-id", conn->peer, message->id, "Connect to an ID nobody has");
      conn_send_error (conn, TD_SIGNAL_CODE_UNKNOWN_ID, message->req, NULL, 0, "There is no such ID");
      return;
    }

  host = g_hash_table_lookup (self->hosts, GUINT_TO_POINTER (message->id));
  if (host != NULL)
    {
      connect_local (self, conn, host, message);
      return;
    }

  if (self->bus != NULL)
    {
      LookupData *data = g_new0 (LookupData, 1);

      data->self = g_object_ref (self);
      data->serial = conn->serial;
      data->host_key = g_steal_pointer (&host_key);
      data->connect = td_signal_message_new (TD_SIGNAL_TYPE_CONNECT);
      data->connect->req = message->req;
      data->connect->id = message->id;
      data->connect->name = g_strdup (message->name);
      data->connect->public_key = g_bytes_ref (message->public_key);
      td_redis_bus_lookup_async (self->bus, message->id, NULL, lookup_cb, data);
      return;
    }

  conn_send_error (conn, TD_SIGNAL_CODE_OFFLINE, message->req, NULL, 0, "This ID is not online");
}

static Session *
session_for (TdRendezvousServer *self,
             Conn               *conn,
             const char         *token,
             End                *out_end)
{
  Session *session = g_hash_table_lookup (self->sessions, token);

  if (session == NULL)
    return NULL;

  if (session->ends[END_HOST] == conn)
    *out_end = END_HOST;
  else if (session->ends[END_VIEWER] == conn)
    *out_end = END_VIEWER;
  else
    return NULL;

  return session;
}

static void
handle_accept (TdRendezvousServer *self,
               Conn               *conn,
               TdSignalMessage    *message)
{
  g_autoptr(TdSignalMessage) accepted = NULL;
  End end = END_NONE;
  Session *session = session_for (self, conn, message->session, &end);

  if (session == NULL || end != END_HOST || session->accepted)
    {
      conn_send_error (conn, TD_SIGNAL_CODE_UNKNOWN_SESSION, 0, message->session, 0,
                       "There is no such connect waiting for this host");
      return;
    }

  session->accepted = TRUE;
  session->active_us = g_get_monotonic_time ();

  accepted = td_signal_message_new (TD_SIGNAL_TYPE_ACCEPTED);
  accepted->req = session->req;
  accepted->session = g_strdup (session->token);
  accepted->id = session->host_id;
  accepted->public_key = g_bytes_ref (session->host_key);
  accepted->turn = make_turn (self, session->token, END_VIEWER);
  session_deliver (self, session, END_VIEWER, accepted);
}

static void
handle_reject (TdRendezvousServer *self,
               Conn               *conn,
               TdSignalMessage    *message)
{
  End end = END_NONE;
  Session *session = session_for (self, conn, message->session, &end);
  gboolean busy = g_strcmp0 (message->reason, "busy") == 0;

  if (session == NULL || end != END_HOST || session->accepted)
    {
      conn_send_error (conn, TD_SIGNAL_CODE_UNKNOWN_SESSION, 0, message->session, 0,
                       "There is no such connect waiting for this host");
      return;
    }

  session_end (self, session, END_HOST, busy ? TD_SIGNAL_CODE_BUSY : TD_SIGNAL_CODE_DECLINED,
               message->reason, TRUE);
}

static void
handle_signal (TdRendezvousServer *self,
               Conn               *conn,
               TdSignalMessage    *message)
{
  g_autoptr(TdSignalMessage) relayed = NULL;
  End end = END_NONE;
  Session *session = session_for (self, conn, message->session, &end);

  if (session == NULL || !session->accepted)
    {
      conn_send_error (conn, TD_SIGNAL_CODE_UNKNOWN_SESSION, 0, message->session, 0,
                       "There is no such session on this connection");
      return;
    }

  session->active_us = g_get_monotonic_time ();
  relayed = td_signal_message_new (TD_SIGNAL_TYPE_SIGNAL);
  relayed->session = g_strdup (session->token);
  relayed->kind = message->kind;
  relayed->payload = json_object_ref (message->payload);
  session_deliver (self, session, end == END_HOST ? END_VIEWER : END_HOST, relayed);
}

static void
handle_bye (TdRendezvousServer *self,
            Conn               *conn,
            TdSignalMessage    *message)
{
  End end = END_NONE;
  Session *session = session_for (self, conn, message->session, &end);

  if (session == NULL)
    {
      conn_send_error (conn, TD_SIGNAL_CODE_UNKNOWN_SESSION, 0, message->session, 0,
                       "There is no such session on this connection");
      return;
    }

  session_end (self, session, end, TD_SIGNAL_CODE_DECLINED,
               message->reason != NULL ? message->reason : "hang-up", TRUE);
}

/* Messages */

static gboolean
take_flood_token (TdRendezvousServer *self,
                  Conn               *conn,
                  gint64              now_us)
{
  double burst = self->config.messages_burst;

  if (conn->exempt)
    return TRUE;

  conn->flood_tokens = MIN (burst, conn->flood_tokens +
                            (double) (now_us - conn->flood_updated_us) / G_USEC_PER_SEC *
                            self->config.messages_per_second);
  conn->flood_updated_us = now_us;
  if (conn->flood_tokens < 1.0)
    return FALSE;

  conn->flood_tokens -= 1.0;
  return TRUE;
}

static void
ws_message_cb (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *bytes,
               gpointer                 user_data)
{
  Conn *conn = user_data;
  TdRendezvousServer *self = conn->server;
  g_autoptr(TdSignalMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_monotonic_time ();
  const char *text;
  gsize len;

  if (conn->dead)
    return;

  conn_heard (self, conn, now);

  if (!take_flood_token (self, conn, now))
    {
      log_event (G_LOG_LEVEL_INFO, "flood", conn->peer, conn->id, "Too many messages; closing");
      conn_fail (conn, TD_SIGNAL_CODE_RATE_LIMITED, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                 "Too many messages on this connection");
      return;
    }

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      conn_fail (conn, TD_SIGNAL_CODE_BAD_MESSAGE, SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA,
                 "Only text messages are understood");
      return;
    }

  text = g_bytes_get_data (bytes, &len);
  message = td_signal_parse (text, len, self->config.max_message_size, &error);
  if (message == NULL)
    {
      log_event (G_LOG_LEVEL_DEBUG, "bad-message", conn->peer, conn->id, "%s", error->message);

      if (g_error_matches (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_TOO_LARGE))
        conn_fail (conn, TD_SIGNAL_CODE_TOO_LARGE, SOUP_WEBSOCKET_CLOSE_TOO_BIG, error->message);
      else if (g_error_matches (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_VERSION_MISMATCH))
        conn_fail (conn, TD_SIGNAL_CODE_VERSION_MISMATCH, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error->message);
      else if (g_error_matches (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_UNKNOWN_TYPE))
        conn_send_error (conn, TD_SIGNAL_CODE_UNSUPPORTED, 0, NULL, 0, error->message);
      else
        conn_fail (conn, TD_SIGNAL_CODE_BAD_MESSAGE, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, error->message);
      return;
    }

  if (!td_signal_type_is_from_client (message->type))
    {
      conn_send_error (conn, TD_SIGNAL_CODE_UNSUPPORTED, 0, NULL, 0, "Clients do not send this message");
      return;
    }

  conn->spoke = TRUE;
  if (message->type != TD_SIGNAL_TYPE_REGISTER && message->type != TD_SIGNAL_TYPE_PROVE)
    conn_handshake_done (self, conn);

  switch (message->type)
    {
    case TD_SIGNAL_TYPE_REGISTER:
      handle_register (self, conn, message);
      break;
    case TD_SIGNAL_TYPE_PROVE:
      handle_prove (self, conn, message);
      break;
    case TD_SIGNAL_TYPE_PING:
      {
        g_autoptr(TdSignalMessage) pong = td_signal_message_new (TD_SIGNAL_TYPE_PONG);

        conn_send (conn, pong);
      }
      break;
    case TD_SIGNAL_TYPE_CONNECT:
      handle_connect (self, conn, message);
      break;
    case TD_SIGNAL_TYPE_ACCEPT:
      handle_accept (self, conn, message);
      break;
    case TD_SIGNAL_TYPE_REJECT:
      handle_reject (self, conn, message);
      break;
    case TD_SIGNAL_TYPE_SIGNAL:
      handle_signal (self, conn, message);
      break;
    case TD_SIGNAL_TYPE_BYE:
      handle_bye (self, conn, message);
      break;
    case TD_SIGNAL_TYPE_INVALID:
    case TD_SIGNAL_TYPE_WELCOME:
    case TD_SIGNAL_TYPE_CHALLENGE:
    case TD_SIGNAL_TYPE_REGISTERED:
    case TD_SIGNAL_TYPE_PONG:
    case TD_SIGNAL_TYPE_INCOMING:
    case TD_SIGNAL_TYPE_ACCEPTED:
    case TD_SIGNAL_TYPE_ERROR:
    default:
      g_assert_not_reached ();
    }
}

/* Accepting */

static char *
address_to_peer (GSocketAddress *address)
{
  GInetSocketAddress *inet;
  g_autofree char *ip = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");

  inet = G_INET_SOCKET_ADDRESS (address);
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
  if (g_inet_address_get_family (g_inet_socket_address_get_address (inet)) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", ip, g_inet_socket_address_get_port (inet));
  return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (inet));
}

static void
websocket_cb (SoupServer              *soup,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  TdRendezvousServer *self = user_data;
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  g_autoptr(TdSignalMessage) welcome = NULL;
  g_autofree char *peer = address_to_peer (remote);
  Conn *conn;
  Tcp *tcp;

  tcp = g_hash_table_lookup (self->tcp, peer);
  if (tcp != NULL && !tcp->upgraded)
    {
      tcp->upgraded = TRUE;
      g_queue_unlink (&self->handshaking, &tcp->link);
    }

  conn = g_new0 (Conn, 1);
  if (tcp != NULL)
    {
      conn->stream = g_object_ref (tcp->stream);
      conn->entry = tcp->entry;
    }
  conn->server = self;
  conn->serial = ++self->next_serial;
  conn->ws = g_object_ref (ws);
  conn->peer = g_steal_pointer (&peer);
  conn->state = CONN_OPEN;
  conn->opened_us = conn->last_seen_us = conn->flood_updated_us = g_get_monotonic_time ();
  conn->flood_tokens = self->config.messages_burst;

  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      GInetAddress *address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));

      conn->ip = td_rate_limit_address_key (address);
      conn->exempt = is_exempt (self, address);
    }
  else
    conn->ip = g_strdup ("unknown");

  g_hash_table_insert (self->conns, &conn->serial, conn);
  conn->activity_link.data = conn;
  conn->handshake_link.data = conn;
  conn_heard (self, conn, conn->opened_us);
  conn_handshake_restart (self, conn, conn->opened_us);

  soup_websocket_connection_set_max_incoming_payload_size (ws, 2 * (guint64) self->config.max_message_size);
  soup_websocket_connection_set_keepalive_interval (ws, 0);
  g_signal_connect (ws, "message", G_CALLBACK (ws_message_cb), conn);
  g_signal_connect (ws, "closed", G_CALLBACK (ws_closed_cb), conn);
  g_signal_connect (ws, "error", G_CALLBACK (ws_error_cb), conn);

  if (self->stopping)
    {
      conn_fail (conn, TD_SIGNAL_CODE_SHUTTING_DOWN, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                 "The server is shutting down");
      return;
    }

  welcome = td_signal_message_new (TD_SIGNAL_TYPE_WELCOME);
  welcome->server = g_strdup ("tandem-server " PACKAGE_VERSION);
  welcome->node = g_strdup (self->node_id);
  welcome->keepalive_s = self->config.keepalive_s;
  welcome->max_size = self->config.max_message_size;
  conn_send (conn, welcome);

  if (!conn->exempt && count_get (self->ws_per_ip, conn->ip) >= self->config.max_connections_per_ip)
    {
      log_event (G_LOG_LEVEL_INFO, "too-many-connections", conn->peer, 0, "Too many connections from this address");
      conn_fail (conn, TD_SIGNAL_CODE_TOO_MANY_CONNECTIONS, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                 "Too many connections from this address");
      return;
    }

  conn->counted = TRUE;
  count_add (self->ws_per_ip, conn->ip, 1);
}

static void
tcp_free (Tcp *tcp)
{
  g_free (tcp->ip);
  g_free (tcp->peer);
  g_free (tcp);
}

static void
tcp_socket_gone_cb (gpointer  user_data,
                    GObject  *where_the_object_was)
{
  Tcp *tcp = user_data;
  TdRendezvousServer *self = tcp->server;

  if (!tcp->upgraded)
    g_queue_unlink (&self->handshaking, &tcp->link);
  count_add (self->tcp_per_ip, tcp->ip, -1);

  if (g_hash_table_lookup (self->tcp, tcp->peer) == tcp)
    g_hash_table_steal (self->tcp, tcp->peer);
  if (tcp->entry != NULL)
    td_context_mux_remove (self->mux, tcp->entry);
  tcp_free (tcp);

  if (self->accept_paused && !self->stopping &&
      g_hash_table_size (self->tcp) < self->fd_capacity - self->fd_capacity / 20)
    {
      self->accept_paused = FALSE;
      g_socket_service_start (self->service);
      log_event (G_LOG_LEVEL_MESSAGE, "fd-limit", NULL, 0, "Accepting connections again");
    }
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  TdRendezvousServer *self = user_data;
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GIOStream) guarded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ip = NULL;
  GInetAddress *address;
  gboolean exempt;
  Tcp *tcp;

  if (self->stopping || !G_IS_INET_SOCKET_ADDRESS (remote))
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  ip = td_rate_limit_address_key (address);
  exempt = is_exempt (self, address);

  /* Past twice the per-address limit, or the total, do not even speak
   * HTTP: this is a flood, not a crowded office. */
  if ((!exempt && count_get (self->tcp_per_ip, ip) >= 2 * self->config.max_connections_per_ip + 16) ||
      g_hash_table_size (self->tcp) >= self->fd_capacity)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  g_socket_set_keepalive (g_socket_connection_get_socket (connection), TRUE);

  if (self->certificate != NULL)
    {
      stream = (GIOStream *) g_tls_server_connection_new (G_IO_STREAM (connection), self->certificate, &error);
      if (stream == NULL)
        {
          g_warning ("Could not start TLS: %s", error->message);
          g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
          return TRUE;
        }
      g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (stream), FALSE);
    }
  else
    stream = g_object_ref (G_IO_STREAM (connection));

  /* libsoup limits frames, not messages of many frames: this does. */
  guarded = td_frame_limit_wrap (stream, 2 * (gsize) self->config.max_message_size + 64, MAX_HTTP_HEADER);

  tcp = g_new0 (Tcp, 1);
  tcp->server = self;
  tcp->socket = connection;
  tcp->stream = stream;
  tcp->ip = g_steal_pointer (&ip);
  tcp->peer = address_to_peer (remote);
  tcp->accepted_us = g_get_monotonic_time ();
  tcp->link.data = tcp;
  g_hash_table_insert (self->tcp, tcp->peer, tcp);
  g_queue_push_tail_link (&self->handshaking, &tcp->link);
  count_add (self->tcp_per_ip, tcp->ip, 1);
  g_object_weak_ref (G_OBJECT (connection), tcp_socket_gone_cb, tcp);

  if (self->mux != NULL)
    {
      tcp->entry = td_context_mux_add (self->mux);
      td_mux_entry_push (tcp->entry);
    }
  if (!soup_server_accept_iostream (self->soup, guarded, local, remote, &error))
    {
      g_warning ("Could not accept a connection: %s", error->message);
      g_socket_close (g_socket_connection_get_socket (connection), NULL);
    }
  if (tcp->entry != NULL)
    td_mux_entry_pop (tcp->entry);

  /* At the descriptor limit accept() would fail in a tight loop: stop
   * accepting until connections go away (the kernel's backlog waits). */
  if (g_hash_table_size (self->tcp) >= self->fd_capacity && !self->accept_paused)
    {
      self->accept_paused = TRUE;
      g_socket_service_stop (self->service);
      log_event (G_LOG_LEVEL_WARNING, "fd-limit", NULL, 0,
                 "At the file descriptor limit (%u connections): not accepting more for now; "
                 "raise the limit (LimitNOFILE=) to serve more", self->fd_capacity);
    }

  return TRUE;
}

static void
health_cb (SoupServer        *soup,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  TdRendezvousServer *self = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;
  gsize len;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, self->stopping ? "stopping" :
                                 td_rendezvous_server_is_ready (self) ? "ok" : "degraded");
  json_builder_set_member_name (builder, "node");
  json_builder_add_string_value (builder, self->node_id);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "connections");
  json_builder_add_int_value (builder, g_hash_table_size (self->conns));
  json_builder_set_member_name (builder, "hosts");
  json_builder_add_int_value (builder, g_hash_table_size (self->hosts));
  json_builder_set_member_name (builder, "sessions");
  json_builder_add_int_value (builder, g_hash_table_size (self->sessions));
  json_builder_set_member_name (builder, "redis");
  json_builder_add_string_value (builder, self->bus == NULL ? "off" :
                                 td_redis_bus_is_ready (self->bus) ? "ready" : "down");
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);

  soup_server_message_set_status (msg, td_rendezvous_server_is_ready (self) ? SOUP_STATUS_OK
                                                                             : SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, len);
}

/* The sweep: timeouts of every kind, once a period. */

static gboolean
sweep_cb (gpointer user_data)
{
  TdRendezvousServer *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 handshake_us = (gint64) self->config.handshake_timeout_ms * 1000;
  gint64 idle_us = (gint64) self->config.idle_timeout_ms * 1000;
  g_autoptr(GPtrArray) expired = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  /* TCP connections that never became WebSockets */
  while (self->handshaking.head != NULL)
    {
      Tcp *tcp = self->handshaking.head->data;

      if (now - tcp->accepted_us < handshake_us)
        break;

      g_queue_unlink (&self->handshaking, &tcp->link);
      tcp->upgraded = TRUE; /* out of the queue for good */
      log_event (G_LOG_LEVEL_DEBUG, "handshake-timeout", tcp->peer, 0, "No WebSocket upgrade in time");
      g_socket_close (g_socket_connection_get_socket (tcp->socket), NULL);
      if (tcp->entry != NULL)
        td_mux_entry_wake (tcp->entry);
    }

  /* Connections yet to speak, or to answer their challenge */
  while (self->handshakes.head != NULL)
    {
      Conn *conn = self->handshakes.head->data;

      if (now - conn->handshake_us <= handshake_us)
        break;
      conn_handshake_done (self, conn);
      g_ptr_array_add (expired, conn);
    }

  /* Connections not heard from: no keepalive */
  while (self->by_activity.head != NULL)
    {
      Conn *conn = self->by_activity.head->data;

      if (now - conn->last_seen_us <= idle_us)
        break;
      conn_unqueue (self, conn);
      g_ptr_array_add (expired, conn);
    }

  for (guint i = 0; i < expired->len; i++)
    {
      Conn *conn = g_ptr_array_index (expired, i);

      if (soup_websocket_connection_get_state (conn->ws) != SOUP_WEBSOCKET_STATE_OPEN)
        continue;
      log_event (G_LOG_LEVEL_DEBUG, "timeout", conn->peer, conn->id,
                 conn->spoke ? "No keepalive in time" : "Nothing said in time");
      conn_fail (conn, TD_SIGNAL_CODE_TIMEOUT, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                 conn->state == CONN_CHALLENGED ? "The challenge was not answered in time"
                 : conn->spoke ? "No keepalive arrived in time" : "Nothing was said in time");
    }

  g_ptr_array_set_size (expired, 0);
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Session *session = value;

      if ((!session->accepted && now - session->created_us > (gint64) self->config.connect_timeout_ms * 1000) ||
          (session->accepted && now - session->active_us > (gint64) self->config.session_timeout_ms * 1000))
        g_ptr_array_add (expired, session);
    }

  for (guint i = 0; i < expired->len; i++)
    {
      Session *session = g_ptr_array_index (expired, i);

      session_end (self, session, END_NONE, TD_SIGNAL_CODE_TIMEOUT,
                   session->accepted ? "expired" : "timeout", TRUE);
    }

  if (now - self->last_prune_us > PRUNE_INTERVAL_US)
    {
      self->last_prune_us = now;
      td_rate_limit_prune (self->register_limit, now);
      td_rate_limit_prune (self->connect_limit, now);
    }

  return G_SOURCE_CONTINUE;
}

/* The bus: messages from other nodes */

static void
deliver_relayed (TdRendezvousServer *self,
                 Session            *session,
                 const char         *text)
{
  g_autoptr(TdSignalMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  End to;

  message = td_signal_parse (text, strlen (text), self->config.max_message_size * 2, &error);
  if (message == NULL)
    {
      g_warning ("A node relayed an unreadable message: %s", error->message);
      return;
    }

  to = session->ends[END_VIEWER] != NULL ? END_VIEWER : END_HOST;
  if (session->ends[to] == NULL)
    return;

  session->active_us = g_get_monotonic_time ();
  conn_send (session->ends[to], message);

  if (message->type == TD_SIGNAL_TYPE_ACCEPTED)
    session->accepted = TRUE;
  else if (message->type == TD_SIGNAL_TYPE_ERROR || message->type == TD_SIGNAL_TYPE_BYE)
    session_remove (self, session);
}

static void
bus_incoming (TdRendezvousServer *self,
              const char         *token,
              guint32             id,
              gint64              req,
              const char         *from,
              const char         *text)
{
  g_autoptr(TdSignalMessage) incoming = NULL;
  g_autoptr(TdSignalMessage) reply = NULL;
  g_autofree char *reply_text = NULL;
  g_autofree char *envelope = NULL;
  Conn *host = g_hash_table_lookup (self->hosts, GUINT_TO_POINTER (id));
  Session *session;

  incoming = td_signal_parse (text, strlen (text), self->config.max_message_size * 2, NULL);
  if (incoming == NULL || incoming->type != TD_SIGNAL_TYPE_INCOMING ||
      g_strcmp0 (incoming->session, token) != 0 || g_hash_table_contains (self->sessions, token))
    return;

  if (host == NULL || pending_for_host (host) >= self->config.max_pending_per_id)
    {
      reply = td_signal_message_new (TD_SIGNAL_TYPE_ERROR);
      reply->code = host == NULL ? TD_SIGNAL_CODE_OFFLINE : TD_SIGNAL_CODE_BUSY;
      reply->req = req;
      reply->message = g_strdup (host == NULL ? "This ID is not online"
                                 : "Too many people are trying to reach this ID right now");
      reply_text = td_signal_serialize (reply, NULL);
      envelope = bus_envelope ("relay", token, 0, 0, self->node_id, NULL, NULL, reply_text);
      td_redis_bus_publish (self->bus, from, envelope);
      return;
    }

  session = session_new (self, token, id, host->public_key, req);
  session_attach (session, END_HOST, host);
  session->nodes[END_VIEWER] = g_strdup (from);
  conn_send (host, incoming);
  log_event (G_LOG_LEVEL_INFO, "connect", NULL, id, "Connect request from node %s relayed", from);
}

static const char *
object_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
object_int (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return json_node_get_int (node);
}

static void
bus_message_cb (TdRedisBus *bus,
                const char *payload,
                gpointer    user_data)
{
  TdRendezvousServer *self = user_data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  const char *op, *token;
  Session *session = NULL;

  if (!json_parser_load_from_data (parser, payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_warning ("Unreadable message on the bus");
      return;
    }

  object = json_node_get_object (json_parser_get_root (parser));
  op = object_string (object, "op");
  token = object_string (object, "session");
  if (token != NULL)
    session = g_hash_table_lookup (self->sessions, token);

  if (g_strcmp0 (op, "relay") == 0 && session != NULL && object_string (object, "msg") != NULL)
    {
      deliver_relayed (self, session, object_string (object, "msg"));
    }
  else if (g_strcmp0 (op, "incoming") == 0 && token != NULL &&
           object_string (object, "from") != NULL && object_string (object, "msg") != NULL)
    {
      bus_incoming (self, token, (guint32) object_int (object, "id"), object_int (object, "req"),
                    object_string (object, "from"), object_string (object, "msg"));
    }
  else if (g_strcmp0 (op, "end") == 0 && session != NULL)
    {
      TdSignalCode code = TD_SIGNAL_CODE_OFFLINE;
      const char *reason = object_string (object, "reason");

      td_signal_code_from_string (object_string (object, "code"), &code);
      session_end (self, session, END_NONE, code, reason != NULL ? reason : "peer-left", FALSE);
    }
  else if (g_strcmp0 (op, "kick") == 0)
    {
      guint32 id = (guint32) object_int (object, "id");
      Conn *host = g_hash_table_lookup (self->hosts, GUINT_TO_POINTER (id));

      if (host != NULL)
        {
          log_event (G_LOG_LEVEL_INFO, "replaced", host->peer, id, "Host registered again on node %s",
                     object_string (object, "from"));
          g_hash_table_remove (self->hosts, GUINT_TO_POINTER (id));
          host->state = CONN_OPEN;
          conn_fail (host, TD_SIGNAL_CODE_REPLACED, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                     "This device registered again on another connection");
        }
    }
}

/* After (re)connecting to Redis: say again who is online here. */
static void
bus_ready_cb (TdRedisBus *bus,
              gpointer    user_data)
{
  TdRendezvousServer *self = user_data;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->hosts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    td_redis_bus_set_online (bus, GPOINTER_TO_UINT (key));
}

/* Object */

static void
td_rendezvous_server_dispose (GObject *object)
{
  TdRendezvousServer *self = (TdRendezvousServer *) object;
  GHashTableIter iter;
  gpointer value;

  g_clear_handle_id (&self->sweep_source, g_source_remove);
  g_clear_handle_id (&self->bind_source, g_source_remove);
  g_clear_handle_id (&self->reap_source, g_source_remove);
  g_clear_handle_id (&self->stop_timeout, g_source_remove);

  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_signal_handlers_disconnect_by_data (self->service, self);
    }
  g_clear_object (&self->service);

  if (self->bus != NULL)
    g_signal_handlers_disconnect_by_data (self->bus, self);

  /* Drop every connection without notifying anyone: the server is gone. */
  if (self->conns != NULL)
    {
      g_hash_table_iter_init (&iter, self->conns);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Conn *conn = value;

          g_signal_handlers_disconnect_by_data (conn->ws, conn);
          conn->dead = TRUE;
          if (soup_websocket_connection_get_state (conn->ws) == SOUP_WEBSOCKET_STATE_OPEN)
            {
              conn_enter (conn);
              soup_websocket_connection_close (conn->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "shutting-down");
              conn_leave (conn);
            }
        }
    }
  g_queue_init (&self->by_activity);
  g_queue_init (&self->handshakes);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->hosts, g_hash_table_unref);
  g_clear_pointer (&self->conns, g_hash_table_unref);
  g_clear_pointer (&self->dead, g_ptr_array_unref);

  if (self->tcp != NULL)
    {
      g_hash_table_iter_init (&iter, self->tcp);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Tcp *tcp = value;

          g_object_weak_unref (G_OBJECT (tcp->socket), tcp_socket_gone_cb, tcp);
          if (tcp->entry != NULL)
            td_context_mux_remove (self->mux, tcp->entry);
        }
    }
  g_queue_init (&self->handshaking);
  g_clear_pointer (&self->tcp, g_hash_table_unref);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->bus);
  g_clear_object (&self->stop_task);
  g_clear_object (&self->mux);

  G_OBJECT_CLASS (td_rendezvous_server_parent_class)->dispose (object);
}

static void
td_rendezvous_server_finalize (GObject *object)
{
  TdRendezvousServer *self = (TdRendezvousServer *) object;

  g_clear_pointer (&self->bind_queue, g_ptr_array_unref);
  g_clear_pointer (&self->tcp_per_ip, g_hash_table_unref);
  g_clear_pointer (&self->ws_per_ip, g_hash_table_unref);
  g_clear_object (&self->registry);
  g_clear_object (&self->register_limit);
  g_clear_object (&self->connect_limit);
  g_clear_pointer (&self->exempt, g_ptr_array_unref);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->node_id, g_free);
  td_server_config_clear (&self->config);

  G_OBJECT_CLASS (td_rendezvous_server_parent_class)->finalize (object);
}

static void
td_rendezvous_server_class_init (TdRendezvousServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_rendezvous_server_dispose;
  object_class->finalize = td_rendezvous_server_finalize;
}

static void
td_rendezvous_server_init (TdRendezvousServer *self)
{
  self->tcp = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) tcp_free);
  g_queue_init (&self->handshaking);
  self->tcp_per_ip = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->ws_per_ip = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->conns = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) conn_free);
  g_queue_init (&self->by_activity);
  g_queue_init (&self->handshakes);
  self->hosts = g_hash_table_new (NULL, NULL);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) session_free);
  self->bind_queue = g_ptr_array_new_with_free_func (bind_request_free);
  self->dead = g_ptr_array_new_with_free_func ((GDestroyNotify) conn_free);
  self->exempt = g_ptr_array_new_with_free_func (g_object_unref);
}

static gboolean
config_fail (GError     **error,
              const char  *format,
              ...) G_GNUC_PRINTF (2, 3);

static gboolean
config_fail (GError     **error,
              const char  *format,
              ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, TD_SERVER_ERROR, TD_SERVER_ERROR_CONFIG, text);
  return FALSE;
}

static gboolean
check_config (const TdServerConfig  *config,
              GError               **error)
{
  if ((config->tls_cert == NULL) != (config->tls_key == NULL))
    return config_fail (error, "TLS needs both a certificate (--tls-cert) and its key (--tls-key)");
  if (config->keepalive_s == 0 || config->idle_timeout_ms == 0 || config->handshake_timeout_ms == 0 ||
      config->connect_timeout_ms == 0 || config->session_timeout_ms == 0)
    return config_fail (error, "Timeouts and the keepalive interval must be greater than zero");
  if ((guint64) config->keepalive_s * 1000 >= config->idle_timeout_ms)
    return config_fail (error, "The idle timeout (%u ms) must be longer than the keepalive interval (%u s)",
                         config->idle_timeout_ms, config->keepalive_s);
  if (config->max_message_size < 1024 || config->max_message_size > 1024 * 1024)
    return config_fail (error, "The message size limit must be between 1 KiB and 1 MiB");
  if (config->max_pending_per_id == 0 || config->max_sessions_per_connection == 0 ||
      config->max_connections_per_ip == 0 || config->rate_limit_entries == 0)
    return config_fail (error, "Connection and pending limits must be greater than zero");
  if (config->register_per_minute <= 0 || config->register_burst < 1 ||
      config->connect_per_minute <= 0 || config->connect_burst < 1 ||
      config->messages_per_second <= 0 || config->messages_burst < 1)
    return config_fail (error, "Rates must be greater than zero and bursts at least 1");
  if (config->turn_uris != NULL && config->turn_uris[0] != NULL && config->turn_secret == NULL)
    return config_fail (error, "TURN URIs need coturn’s shared secret (--turn-secret-file)");
  if (config->turn_ttl_s < 60 || config->turn_ttl_s > 24 * 3600)
    return config_fail (error, "The TURN credential lifetime must be between 60 s and one day");
  for (guint i = 0; config->turn_uris != NULL && config->turn_uris[i] != NULL; i++)
    if (!g_str_has_prefix (config->turn_uris[i], "turn:") && !g_str_has_prefix (config->turn_uris[i], "turns:") &&
        !g_str_has_prefix (config->turn_uris[i], "stun:"))
      return config_fail (error, "“%s” is not a TURN URI (turn:host:port?transport=udp)", config->turn_uris[i]);
  if (config->turn_uris != NULL && g_strv_length (config->turn_uris) > TD_SIGNAL_TURN_MAX_URIS)
    return config_fail (error, "At most %d TURN URIs can be given", TD_SIGNAL_TURN_MAX_URIS);

  return TRUE;
}

/**
 * td_rendezvous_server_new:
 * @config: what to serve and how
 * @error: a #GError
 *
 * Checks @config, opens the registry and loads the TLS certificate. Nothing
 * listens until td_rendezvous_server_start().
 *
 * Returns: (transfer full): the server, or %NULL
 */
TdRendezvousServer *
td_rendezvous_server_new (const TdServerConfig  *config,
                          GError               **error)
{
  g_autoptr(TdRendezvousServer) self = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  if (!check_config (config, error))
    return NULL;

  self = g_object_new (TD_TYPE_RENDEZVOUS_SERVER, NULL);
  config_copy (&self->config, config);

  if (self->config.node_id != NULL)
    self->node_id = g_strdup (self->config.node_id);
  else
    self->node_id = g_strdup_printf ("%s-%d", g_get_host_name (), (int) getpid ());

  for (guint i = 0; config->rate_limit_exempt != NULL && config->rate_limit_exempt[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      GInetAddressMask *mask = g_inet_address_mask_new_from_string (config->rate_limit_exempt[i], &local_error);

      if (mask == NULL)
        {
          config_fail (error, "“%s” is not an address mask such as 127.0.0.0/8: %s",
                        config->rate_limit_exempt[i], local_error->message);
          return NULL;
        }
      g_ptr_array_add (self->exempt, mask);
    }

  if (config->tls_cert != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      self->certificate = g_tls_certificate_new_from_files (config->tls_cert, config->tls_key, &local_error);
      if (self->certificate == NULL)
        {
          g_set_error (error, TD_SERVER_ERROR, TD_SERVER_ERROR_CONFIG,
                       "Could not load the TLS certificate “%s” and key “%s”: %s",
                       config->tls_cert, config->tls_key, local_error->message);
          return NULL;
        }
    }

  self->register_limit = td_rate_limit_new (config->register_per_minute / 60.0, config->register_burst,
                                            config->rate_limit_entries);
  self->connect_limit = td_rate_limit_new (config->connect_per_minute / 60.0, config->connect_burst,
                                           config->rate_limit_entries);

  self->registry = td_registry_open (config->db_path != NULL ? config->db_path : ":memory:", error);
  if (self->registry == NULL)
    return NULL;

  if (config->redis_url != NULL)
    {
      self->bus = td_redis_bus_new (config->redis_url, self->node_id, error);
      if (self->bus == NULL)
        return NULL;
      g_signal_connect (self->bus, "message", G_CALLBACK (bus_message_cb), self);
      g_signal_connect (self->bus, "ready", G_CALLBACK (bus_ready_cb), self);
    }

  return g_steal_pointer (&self);
}

static gboolean
parse_listen (const char      *text,
              GInetAddress   **out_address,
              guint16         *out_port,
              GError         **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *host;
  GInetAddress *address;

  connectable = g_network_address_parse (text, TD_SERVER_DEFAULT_PORT, &local_error);
  if (connectable == NULL)
    return config_fail (error, "“%s” is not ADDRESS:PORT: %s", text, local_error->message);

  host = g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable));
  if (g_strcmp0 (host, "localhost") == 0)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else if (g_strcmp0 (host, "*") == 0)
    address = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
  else
    address = g_inet_address_new_from_string (host);

  if (address == NULL)
    return config_fail (error, "“%s” is not an IP address to listen on (use 0.0.0.0, ::, 127.0.0.1 …)", host);

  *out_address = address;
  *out_port = g_network_address_get_port (G_NETWORK_ADDRESS (connectable));
  return TRUE;
}

/**
 * td_rendezvous_server_start:
 * @self: a #TdRendezvousServer
 * @error: a #GError
 *
 * Listens on every configured address. Without TLS, an address that is
 * not loopback is refused unless the configuration says insecure_plain.
 *
 * Returns: %TRUE if listening
 */
gboolean
td_rendezvous_server_start (TdRendezvousServer  *self,
                            GError             **error)
{
  const char *default_listen[] = { "127.0.0.1:" G_STRINGIFY (TD_SERVER_DEFAULT_PORT), NULL };
  const char * const *listen;
  guint sweep_ms;

  g_return_val_if_fail (TD_IS_RENDEZVOUS_SERVER (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  listen = self->config.listen != NULL && self->config.listen[0] != NULL
           ? (const char * const *) self->config.listen : default_listen;

  {
    g_autoptr(GError) mux_error = NULL;

    self->mux = td_context_mux_new (&mux_error);
    if (self->mux == NULL)
      g_warning ("Serving every connection from the main context, which scales worse: %s",
                 mux_error->message);
  }

  self->soup = soup_server_new ("server-header", "tandem-server/" PACKAGE_VERSION, NULL);
  soup_server_add_handler (self->soup, "/healthz", health_cb, self, NULL);
  soup_server_add_websocket_handler (self->soup, NULL, NULL, NULL, websocket_cb, self, NULL);

  self->service = g_socket_service_new ();
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->service), 4096);

  for (guint i = 0; listen[i] != NULL; i++)
    {
      g_autoptr(GInetAddress) address = NULL;
      g_autoptr(GSocketAddress) socket_address = NULL;
      g_autoptr(GSocketAddress) effective = NULL;
      g_autoptr(GError) local_error = NULL;
      guint16 port = 0;

      if (!parse_listen (listen[i], &address, &port, error))
        return FALSE;

      if (self->certificate == NULL && !self->config.insecure_plain && !g_inet_address_get_is_loopback (address))
        {
          g_set_error (error, TD_SERVER_ERROR, TD_SERVER_ERROR_INSECURE,
                       "Refusing to serve plain ws:// on %s, which is not a loopback address: "
                       "give --tls-cert and --tls-key, or --insecure-plain if a TLS proxy is in front",
                       listen[i]);
          return FALSE;
        }

      socket_address = g_inet_socket_address_new (address, port);
      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), socket_address,
                                          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                          &effective, &local_error))
        {
          g_set_error (error, TD_SERVER_ERROR, TD_SERVER_ERROR_FAILED,
                       "Could not listen on %s: %s", listen[i], local_error->message);
          return FALSE;
        }

      if (self->port == 0)
        self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
    }

  {
    struct rlimit limit;
    guint64 fds = 1024;

    /* Each connection holds its socket and, with the mux, a share of a
     * context's wake-up descriptor; keep some for the registry, Redis and
     * logs. */
    if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
      fds = limit.rlim_cur;
    else if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
      fds = G_MAXUINT;
    fds = fds > 128 ? fds - 64 : fds / 2;
    self->fd_capacity = (guint) MIN (self->mux != NULL ? fds * 8 / 9 : fds, G_MAXUINT);
    if (self->config.max_connections > 0)
      self->fd_capacity = MIN (self->fd_capacity, self->config.max_connections);
    self->fd_capacity = MAX (self->fd_capacity, 1);
  }

  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  g_socket_service_start (self->service);

  sweep_ms = MIN (1000, MIN (self->config.handshake_timeout_ms, self->config.idle_timeout_ms) / 4);
  sweep_ms = MIN (sweep_ms, self->config.connect_timeout_ms / 4);
  self->sweep_source = g_timeout_add (MAX (sweep_ms, 10), sweep_cb, self);
  self->last_prune_us = g_get_monotonic_time ();

  if (self->bus != NULL)
    td_redis_bus_start (self->bus);

  self->started = TRUE;
  log_event (G_LOG_LEVEL_MESSAGE, "listening", NULL, 0, "Listening on port %u (%s, node %s, up to %u connections)",
             self->port, self->certificate != NULL ? "TLS" : "plain", self->node_id, self->fd_capacity);
  return TRUE;
}

guint16
td_rendezvous_server_get_port (TdRendezvousServer *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_SERVER (self), 0);

  return self->port;
}

const char *
td_rendezvous_server_get_node_id (TdRendezvousServer *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_SERVER (self), NULL);

  return self->node_id;
}

guint
td_rendezvous_server_get_n_connections (TdRendezvousServer *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_SERVER (self), 0);

  return g_hash_table_size (self->conns);
}

guint
td_rendezvous_server_get_n_hosts (TdRendezvousServer *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_SERVER (self), 0);

  return g_hash_table_size (self->hosts);
}

guint
td_rendezvous_server_get_n_sessions (TdRendezvousServer *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_SERVER (self), 0);

  return g_hash_table_size (self->sessions);
}

/**
 * td_rendezvous_server_is_ready:
 *
 * Returns: %TRUE when listening and, with Redis, connected to it
 */
gboolean
td_rendezvous_server_is_ready (TdRendezvousServer *self)
{
  g_return_val_if_fail (TD_IS_RENDEZVOUS_SERVER (self), FALSE);

  return self->started && !self->stopping && (self->bus == NULL || td_redis_bus_is_ready (self->bus));
}

/* Stopping */

static void
bus_stopped_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  td_redis_bus_stop_finish (TD_REDIS_BUS (object), result, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
finish_stop (TdRendezvousServer *self)
{
  GTask *task = g_steal_pointer (&self->stop_task);

  g_clear_handle_id (&self->stop_timeout, g_source_remove);
  if (task == NULL)
    return;

  log_event (G_LOG_LEVEL_MESSAGE, "stopped", NULL, 0, "Stopped");

  if (self->bus != NULL)
    td_redis_bus_stop_async (self->bus, NULL, bus_stopped_cb, task);
  else
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static void
maybe_finish_stop (TdRendezvousServer *self)
{
  if (self->stopping && self->stop_task != NULL && g_hash_table_size (self->conns) == 0 &&
      self->dead->len == 0)
    finish_stop (self);
}

static gboolean
stop_timeout_cb (gpointer user_data)
{
  TdRendezvousServer *self = user_data;

  self->stop_timeout = 0;
  log_event (G_LOG_LEVEL_INFO, "stop-timeout", NULL, 0, "%u connections did not close in time",
             g_hash_table_size (self->conns));
  finish_stop (self);
  return G_SOURCE_REMOVE;
}

/**
 * td_rendezvous_server_stop_async:
 * @self: a #TdRendezvousServer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when stopped
 * @user_data: for @callback
 *
 * Stops listening, tells every client the server is going away (they
 * come back by themselves, with back-off) and waits a little for them to
 * close; with Redis, takes this node's hosts off the shared presence.
 */
void
td_rendezvous_server_stop_async (TdRendezvousServer  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) conns = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (TD_IS_RENDEZVOUS_SERVER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_rendezvous_server_stop_async);

  if (self->stopping)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "The server is already stopping");
      return;
    }

  self->stopping = TRUE;
  self->stop_task = g_steal_pointer (&task);

  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
    }

  conns = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (conns, value);
  for (guint i = 0; i < conns->len; i++)
    conn_fail (g_ptr_array_index (conns, i), TD_SIGNAL_CODE_SHUTTING_DOWN, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
               "The server is restarting; reconnect in a moment");

  g_hash_table_iter_init (&iter, self->tcp);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Tcp *tcp = value;

      if (!tcp->upgraded)
        {
          g_socket_close (g_socket_connection_get_socket (tcp->socket), NULL);
          if (tcp->entry != NULL)
            td_mux_entry_wake (tcp->entry);
        }
    }

  self->stop_timeout = g_timeout_add (STOP_TIMEOUT_MS, stop_timeout_cb, self);
  maybe_finish_stop (self);
}

gboolean
td_rendezvous_server_stop_finish (TdRendezvousServer  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_rendezvous_server_stop_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
