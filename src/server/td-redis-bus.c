/* td-redis-bus.c: shared presence and node-to-node messages through Redis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Several tandem-server nodes behind a TCP load balancer share:
 *
 *   tandem:presence        hash  ID → node holding the host's socket
 *   tandem:alive:NODE      key   set with a short expiry, renewed by NODE
 *   tandem:node:NODE       pub/sub channel NODE listens on
 *
 * An ID is online if its node is alive: a node that dies takes all its
 * hosts offline within the expiry, with no one to clean up after it.
 * Signaling for a session whose ends are on two nodes is published on
 * the other node's channel (see td-rendezvous-server.c for the messages).
 *
 * hiredis runs on the GLib main loop through its GLib adapter; one
 * context sends commands, the other only listens (a subscribed Redis
 * connection cannot do anything else). If Redis goes away the bus
 * reconnects with back-off and says again which hosts are here.
 */
#define G_LOG_DOMAIN "td-redis"

#include <string.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/glib.h>

#include "td-redis-bus.h"

#define PRESENCE_KEY        "tandem:presence"
#define ALIVE_PREFIX        "tandem:alive:"
#define CHANNEL_PREFIX      "tandem:node:"
#define ALIVE_TTL_S         15
#define HEARTBEAT_MS        5000
#define BACKOFF_MIN_MS      250
#define BACKOFF_MAX_MS      5000
#define STOP_TIMEOUT_MS     2000

/* Sets ID → node and returns the node it had. */
static const char set_online_script[] =
  "local old = redis.call('HGET', KEYS[1], ARGV[1]) "
  "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
  "return old";

/* Removes ID only if it still points at this node. */
static const char set_offline_script[] =
  "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then "
  "  return redis.call('HDEL', KEYS[1], ARGV[1]) "
  "end "
  "return 0";

/* The node holding ID, if that node is alive. */
static const char lookup_script[] =
  "local node = redis.call('HGET', KEYS[1], ARGV[1]) "
  "if node and redis.call('EXISTS', ARGV[2] .. node) == 1 then return node end "
  "return false";

typedef struct
{
  TdRedisBus        *bus;     /* NULL once the bus no longer cares */
  redisAsyncContext *ac;      /* NULL once hiredis freed it */
  GSource           *source;
  gboolean           subscriber;
  gboolean           connected;
} Link;

struct _TdRedisBus
{
  GObject  parent_instance;

  char    *host;
  int      port;
  char    *unix_path;
  char    *password;
  int      db;
  char    *node_id;
  char    *channel;
  char    *alive_key;

  Link    *cmd;
  Link    *sub;
  gboolean ready;
  gboolean running;
  gboolean stopping;
  guint    reconnect_source;
  guint    heartbeat_source;
  guint    stop_timeout;
  guint    backoff_ms;
  GTask   *stop_task;
};

enum {
  SIGNAL_MESSAGE,
  SIGNAL_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdRedisBus, td_redis_bus, G_TYPE_OBJECT)
G_DEFINE_QUARK (td-redis-bus-error-quark, td_redis_bus_error)

static void connect_links (TdRedisBus *self);

static gboolean
link_free_cb (gpointer data)
{
  Link *link = data;

  g_clear_pointer (&link->source, g_source_unref);
  g_free (link);
  return G_SOURCE_REMOVE;
}

/* hiredis has freed (or is freeing) the context. Its source must not be
 * dispatched again, even if it is already due in this main loop turn, but
 * its memory is let go of later, outside whatever callback we are in. */
static void
link_release (Link *link)
{
  link->ac = NULL;
  link->connected = FALSE;
  if (link->source != NULL)
    {
      redis_source_cleanup (link->source);
      g_source_destroy (link->source);
    }
  g_idle_add (link_free_cb, link);
}

static void
finish_stop (TdRedisBus *self)
{
  GTask *task;

  if (self->cmd != NULL || self->sub != NULL || self->stop_task == NULL)
    return;

  g_clear_handle_id (&self->stop_timeout, g_source_remove);
  task = g_steal_pointer (&self->stop_task);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  TdRedisBus *self = user_data;

  self->reconnect_source = 0;
  connect_links (self);
  return G_SOURCE_REMOVE;
}

/* Lets go of a link whatever state it is in. hiredis calls on_disconnect
 * (which releases the link) only for a context that had connected. */
static void
drop_link (TdRedisBus  *self,
           Link       **slot)
{
  Link *link = g_steal_pointer (slot);
  redisAsyncContext *ac;
  gboolean was_connected;

  if (link == NULL)
    return;

  link->bus = NULL;
  ac = link->ac;
  if (ac == NULL)
    return; /* already released */

  was_connected = link->connected;
  redisAsyncFree (ac);
  if (!was_connected)
    link_release (link);
}

/* One link went away: the bus is down until both are back. */
static void
link_lost (TdRedisBus *self,
           Link       *link,
           const char *why)
{
  gboolean was_ready = self->ready;

  if (self->cmd == link)
    self->cmd = NULL;
  if (self->sub == link)
    self->sub = NULL;

  self->ready = FALSE;
  g_clear_handle_id (&self->heartbeat_source, g_source_remove);

  if (self->stopping)
    {
      drop_link (self, &self->cmd);
      drop_link (self, &self->sub);
      finish_stop (self);
      return;
    }

  if (was_ready)
    g_warning ("Lost Redis (%s); reconnecting", why);
  else
    g_debug ("Redis not reachable (%s); retrying in %u ms", why, self->backoff_ms);

  drop_link (self, &self->cmd);
  drop_link (self, &self->sub);

  if (self->running && self->reconnect_source == 0)
    {
      self->reconnect_source = g_timeout_add (self->backoff_ms, reconnect_cb, self);
      self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
    }
}

static void
on_disconnect (const redisAsyncContext *ac,
               int                      status)
{
  Link *link = ac->data;
  TdRedisBus *self = link->bus;

  link_release (link);
  if (self != NULL)
    link_lost (self, link, status == REDIS_OK ? "disconnected" : ac->errstr);
}

static void
heartbeat (TdRedisBus *self)
{
  if (self->cmd != NULL && self->cmd->ac != NULL)
    redisAsyncCommand (self->cmd->ac, NULL, NULL, "SET %s %s EX %d",
                       self->alive_key, "1", ALIVE_TTL_S);
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  heartbeat (user_data);
  return G_SOURCE_CONTINUE;
}

static void
subscribe_cb (redisAsyncContext *ac,
              void              *r,
              void              *privdata)
{
  Link *link = ac->data;
  TdRedisBus *self = link->bus;
  redisReply *reply = r;
  const char *kind;

  if (self == NULL || reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3)
    return;

  kind = reply->element[0]->str;
  if (g_strcmp0 (kind, "subscribe") == 0)
    {
      self->ready = TRUE;
      self->backoff_ms = BACKOFF_MIN_MS;
      heartbeat (self);
      if (self->heartbeat_source == 0)
        self->heartbeat_source = g_timeout_add (HEARTBEAT_MS, heartbeat_cb, self);
      g_message ("Connected to Redis as node %s", self->node_id);
      g_signal_emit (self, signals[SIGNAL_READY], 0);
    }
  else if (g_strcmp0 (kind, "message") == 0 && reply->element[2]->type == REDIS_REPLY_STRING)
    {
      g_autofree char *payload = g_strndup (reply->element[2]->str, reply->element[2]->len);

      g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, payload);
    }
}

static void
auth_cb (redisAsyncContext *ac,
         void              *r,
         void              *privdata)
{
  Link *link = ac->data;
  redisReply *reply = r;

  if (link->bus != NULL && reply != NULL && reply->type == REDIS_REPLY_ERROR)
    g_warning ("Redis refused the login or database: %s", reply->str);
}

static void
on_connect (const redisAsyncContext *cac,
            int                      status)
{
  redisAsyncContext *ac = (redisAsyncContext *) cac;
  Link *link = ac->data;
  TdRedisBus *self = link->bus;

  if (status != REDIS_OK)
    {
      /* hiredis frees the context after this returns, without calling
       * on_disconnect. */
      g_autofree char *why = g_strdup (ac->errstr);

      link_release (link);
      if (self != NULL)
        link_lost (self, link, why);
      return;
    }

  link->connected = TRUE;
  if (self == NULL)
    return;

  if (self->password != NULL)
    redisAsyncCommand (ac, auth_cb, NULL, "AUTH %s", self->password);
  if (self->db != 0)
    redisAsyncCommand (ac, auth_cb, NULL, "SELECT %d", self->db);

  if (link->subscriber)
    redisAsyncCommand (ac, subscribe_cb, NULL, "SUBSCRIBE %s", self->channel);
}

static Link *
open_link (TdRedisBus *self,
           gboolean    subscriber)
{
  redisAsyncContext *ac;
  Link *link;

  if (self->unix_path != NULL)
    ac = redisAsyncConnectUnix (self->unix_path);
  else
    ac = redisAsyncConnect (self->host, self->port);

  if (ac == NULL)
    return NULL;

  if (ac->err)
    {
      g_debug ("Could not connect to Redis: %s", ac->errstr);
      redisAsyncFree (ac);
      return NULL;
    }

  link = g_new0 (Link, 1);
  link->bus = self;
  link->ac = ac;
  link->subscriber = subscriber;
  ac->data = link;

  link->source = redis_source_new (ac);
  g_source_attach (link->source, NULL);
  /* The source goes with link_release(), at the moment hiredis lets go of
   * the context; the adapter's own clean-up would run after that, on a
   * destroyed source. */
  ac->ev.cleanup = NULL;

  redisAsyncSetConnectCallback (ac, on_connect);
  redisAsyncSetDisconnectCallback (ac, on_disconnect);
  return link;
}

static void
connect_links (TdRedisBus *self)
{
  if (!self->running || self->stopping)
    return;

  self->cmd = open_link (self, FALSE);
  self->sub = self->cmd != NULL ? open_link (self, TRUE) : NULL;
  if (self->cmd == NULL || self->sub == NULL)
    link_lost (self, self->cmd, "cannot connect");
}

static void
td_redis_bus_dispose (GObject *object)
{
  TdRedisBus *self = (TdRedisBus *) object;

  self->running = FALSE;
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  g_clear_handle_id (&self->heartbeat_source, g_source_remove);
  g_clear_handle_id (&self->stop_timeout, g_source_remove);
  drop_link (self, &self->cmd);
  drop_link (self, &self->sub);

  if (self->stop_task != NULL)
    {
      g_task_return_boolean (self->stop_task, TRUE);
      g_clear_object (&self->stop_task);
    }

  G_OBJECT_CLASS (td_redis_bus_parent_class)->dispose (object);
}

static void
td_redis_bus_finalize (GObject *object)
{
  TdRedisBus *self = (TdRedisBus *) object;

  g_free (self->host);
  g_free (self->unix_path);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->node_id);
  g_free (self->channel);
  g_free (self->alive_key);

  G_OBJECT_CLASS (td_redis_bus_parent_class)->finalize (object);
}

static void
td_redis_bus_class_init (TdRedisBusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_redis_bus_dispose;
  object_class->finalize = td_redis_bus_finalize;

  /**
   * TdRedisBus::message:
   * @payload: what another node published on this node's channel
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * TdRedisBus::ready:
   *
   * Connected (again): whoever holds hosts should say so again.
   */
  signals[SIGNAL_READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
td_redis_bus_init (TdRedisBus *self)
{
  self->port = 6379;
  self->backoff_ms = BACKOFF_MIN_MS;
}

static gboolean
node_id_is_clean (const char *node_id)
{
  if (node_id == NULL || *node_id == '\0' || strlen (node_id) > 64)
    return FALSE;

  for (const char *p = node_id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;

  return TRUE;
}

/**
 * td_redis_bus_new:
 * @url: redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH
 * @node_id: this node's name: letters, digits, "-", "_" and "."
 * @error: a #GError
 *
 * Returns: (transfer full): a bus, not connected yet, or %NULL
 */
TdRedisBus *
td_redis_bus_new (const char  *url,
                  const char  *node_id,
                  GError     **error)
{
  g_autoptr(TdRedisBus) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  g_return_val_if_fail (url != NULL, NULL);

  if (!node_id_is_clean (node_id))
    {
      g_set_error (error, TD_REDIS_BUS_ERROR, TD_REDIS_BUS_ERROR_BAD_URL,
                   "The node name “%s” may only hold letters, digits, “-”, “_” and “.” (--node-id)",
                   node_id != NULL ? node_id : "");
      return NULL;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, TD_REDIS_BUS_ERROR, TD_REDIS_BUS_ERROR_BAD_URL,
                   "“%s” is not a Redis URL such as redis://127.0.0.1:6379: %s", url, local_error->message);
      return NULL;
    }

  self = g_object_new (TD_TYPE_REDIS_BUS, NULL);
  scheme = g_uri_get_scheme (uri);

  if (g_ascii_strcasecmp (scheme, "unix") == 0)
    {
      self->unix_path = g_strdup (g_uri_get_path (uri));
    }
  else if (g_ascii_strcasecmp (scheme, "redis") == 0)
    {
      const char *path = g_uri_get_path (uri);

      self->host = g_strdup (g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) ? g_uri_get_host (uri) : "127.0.0.1");
      if (g_uri_get_port (uri) > 0)
        self->port = g_uri_get_port (uri);
      if (path != NULL && path[0] == '/' && path[1] != '\0')
        {
          guint64 db = 0;

          if (!g_ascii_string_to_unsigned (path + 1, 10, 0, 15, &db, NULL))
            {
              g_set_error (error, TD_REDIS_BUS_ERROR, TD_REDIS_BUS_ERROR_BAD_URL,
                           "“%s” names no Redis database (use /0 to /15)", url);
              return NULL;
            }
          self->db = (int) db;
        }
    }
  else
    {
      g_set_error (error, TD_REDIS_BUS_ERROR, TD_REDIS_BUS_ERROR_BAD_URL,
                   "“%s” is not a redis:// or unix:// URL", url);
      return NULL;
    }

  if (g_uri_get_password (uri) != NULL && *g_uri_get_password (uri) != '\0')
    self->password = g_uri_unescape_string (g_uri_get_password (uri), NULL);

  self->node_id = g_strdup (node_id);
  self->channel = g_strconcat (CHANNEL_PREFIX, node_id, NULL);
  self->alive_key = g_strconcat (ALIVE_PREFIX, node_id, NULL);

  return g_steal_pointer (&self);
}

const char *
td_redis_bus_get_node_id (TdRedisBus *self)
{
  g_return_val_if_fail (TD_IS_REDIS_BUS (self), NULL);

  return self->node_id;
}

/**
 * td_redis_bus_start:
 *
 * Connects, and keeps connecting whenever Redis goes away. Emits
 * #TdRedisBus::ready each time the bus is usable again.
 */
void
td_redis_bus_start (TdRedisBus *self)
{
  g_return_if_fail (TD_IS_REDIS_BUS (self));

  if (self->running)
    return;

  self->running = TRUE;
  connect_links (self);
}

gboolean
td_redis_bus_is_ready (TdRedisBus *self)
{
  g_return_val_if_fail (TD_IS_REDIS_BUS (self), FALSE);

  return self->ready;
}

typedef struct
{
  char *node_id;
  char *id;
} KickData;

static void
set_online_cb (redisAsyncContext *ac,
               void              *r,
               void              *privdata)
{
  KickData *data = privdata;
  Link *link = ac->data;
  redisReply *reply = r;

  if (link->bus != NULL && reply != NULL && reply->type == REDIS_REPLY_STRING &&
      g_strcmp0 (reply->str, data->node_id) != 0 && link->ac != NULL)
    {
      g_autofree char *channel = g_strconcat (CHANNEL_PREFIX, reply->str, NULL);
      g_autofree char *payload = g_strdup_printf ("{\"op\":\"kick\",\"id\":%s,\"from\":\"%s\"}",
                                                  data->id, data->node_id);

      redisAsyncCommand (ac, NULL, NULL, "PUBLISH %s %s", channel, payload);
    }

  g_free (data->node_id);
  g_free (data->id);
  g_free (data);
}

/**
 * td_redis_bus_set_online:
 * @self: a #TdRedisBus
 * @id: a host that registered on this node
 *
 * Records that @id is here. If another node held it, that node is told to
 * close its stale connection.
 */
void
td_redis_bus_set_online (TdRedisBus *self,
                         guint32     id)
{
  char id_text[16];
  KickData *data;

  g_return_if_fail (TD_IS_REDIS_BUS (self));

  if (!self->ready || self->cmd == NULL || self->cmd->ac == NULL)
    return;

  g_snprintf (id_text, sizeof id_text, "%u", id);
  data = g_new0 (KickData, 1);
  data->node_id = g_strdup (self->node_id);
  data->id = g_strdup (id_text);
  redisAsyncCommand (self->cmd->ac, set_online_cb, data, "EVAL %s 1 %s %s %s",
                     set_online_script, PRESENCE_KEY, id_text, self->node_id);
}

void
td_redis_bus_set_offline (TdRedisBus *self,
                          guint32     id)
{
  char id_text[16];

  g_return_if_fail (TD_IS_REDIS_BUS (self));

  if (!self->ready || self->cmd == NULL || self->cmd->ac == NULL)
    return;

  g_snprintf (id_text, sizeof id_text, "%u", id);
  redisAsyncCommand (self->cmd->ac, NULL, NULL, "EVAL %s 1 %s %s %s",
                     set_offline_script, PRESENCE_KEY, id_text, self->node_id);
}

static void
lookup_cb (redisAsyncContext *ac,
           void              *r,
           void              *privdata)
{
  g_autoptr(GTask) task = privdata;
  redisReply *reply = r;

  if (reply == NULL)
    g_task_return_new_error (task, TD_REDIS_BUS_ERROR, TD_REDIS_BUS_ERROR_UNAVAILABLE,
                             "Lost Redis while looking up a host");
  else if (reply->type == REDIS_REPLY_STRING)
    g_task_return_pointer (task, g_strndup (reply->str, reply->len), g_free);
  else if (reply->type == REDIS_REPLY_ERROR)
    g_task_return_new_error (task, TD_REDIS_BUS_ERROR, TD_REDIS_BUS_ERROR_FAILED,
                             "Redis could not look up a host: %s", reply->str);
  else
    g_task_return_pointer (task, NULL, NULL);
}

/**
 * td_redis_bus_lookup_async:
 * @self: a #TdRedisBus
 * @id: an ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: for @callback
 *
 * Asks which live node holds @id.
 */
void
td_redis_bus_lookup_async (TdRedisBus          *self,
                           guint32              id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char id_text[16];

  g_return_if_fail (TD_IS_REDIS_BUS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_redis_bus_lookup_async);

  if (!self->ready || self->cmd == NULL || self->cmd->ac == NULL)
    {
      g_task_return_new_error (task, TD_REDIS_BUS_ERROR, TD_REDIS_BUS_ERROR_UNAVAILABLE,
                               "Redis is not reachable");
      return;
    }

  g_snprintf (id_text, sizeof id_text, "%u", id);
  if (redisAsyncCommand (self->cmd->ac, lookup_cb, g_object_ref (task), "EVAL %s 1 %s %s %s",
                         lookup_script, PRESENCE_KEY, id_text, ALIVE_PREFIX) != REDIS_OK)
    {
      g_object_unref (task);
      g_task_return_new_error (task, TD_REDIS_BUS_ERROR, TD_REDIS_BUS_ERROR_UNAVAILABLE,
                               "Redis is not reachable");
    }
}

/**
 * td_redis_bus_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the node's name, or %NULL with no
 *   error if @id is not online anywhere
 */
char *
td_redis_bus_lookup_finish (TdRedisBus    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_redis_bus_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * td_redis_bus_publish:
 * @self: a #TdRedisBus
 * @node_id: the node to tell
 * @payload: what to tell it
 *
 * Best effort: while Redis is away, the message is dropped and the session
 * it belongs to times out.
 */
void
td_redis_bus_publish (TdRedisBus *self,
                      const char *node_id,
                      const char *payload)
{
  g_autofree char *channel = NULL;

  g_return_if_fail (TD_IS_REDIS_BUS (self));
  g_return_if_fail (node_id != NULL && payload != NULL);

  if (!self->ready || self->cmd == NULL || self->cmd->ac == NULL)
    {
      g_debug ("Redis is away; a message for node %s is dropped", node_id);
      return;
    }

  channel = g_strconcat (CHANNEL_PREFIX, node_id, NULL);
  redisAsyncCommand (self->cmd->ac, NULL, NULL, "PUBLISH %s %s", channel, payload);
}

static gboolean
stop_timeout_cb (gpointer user_data)
{
  TdRedisBus *self = user_data;

  self->stop_timeout = 0;
  drop_link (self, &self->cmd);
  drop_link (self, &self->sub);
  finish_stop (self);
  return G_SOURCE_REMOVE;
}

/**
 * td_redis_bus_stop_async:
 *
 * Stops renewing this node's liveness, sends what is still queued and
 * disconnects.
 */
void
td_redis_bus_stop_async (TdRedisBus          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TD_IS_REDIS_BUS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_redis_bus_stop_async);

  if (self->stopping)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "Already stopping");
      return;
    }

  self->stopping = TRUE;
  self->running = FALSE;
  self->stop_task = g_steal_pointer (&task);
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  g_clear_handle_id (&self->heartbeat_source, g_source_remove);

  drop_link (self, &self->sub);
  if (self->cmd != NULL && self->cmd->ac != NULL && self->cmd->connected)
    {
      redisAsyncCommand (self->cmd->ac, NULL, NULL, "DEL %s", self->alive_key);
      redisAsyncDisconnect (self->cmd->ac);
      self->stop_timeout = g_timeout_add (STOP_TIMEOUT_MS, stop_timeout_cb, self);
    }
  else
    drop_link (self, &self->cmd);

  finish_stop (self);
}

gboolean
td_redis_bus_stop_finish (TdRedisBus    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_redis_bus_stop_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
