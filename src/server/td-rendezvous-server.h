/* td-rendezvous-server.h: IDs, presence and signaling relay over WebSocket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_TYPE_RENDEZVOUS_SERVER (td_rendezvous_server_get_type ())
#define TD_SERVER_ERROR (td_server_error_quark ())

typedef enum
{
  TD_SERVER_ERROR_FAILED,
  TD_SERVER_ERROR_CONFIG,
  TD_SERVER_ERROR_INSECURE,
} TdServerError;

/* Everything that can be set from the command line or the config file.
 * td_server_config_init() fills in the defaults; timeouts are in
 * milliseconds so that tests can make them short. */
typedef struct
{
  char   **listen;              /* "ADDR:PORT", "[ADDR]:PORT"; default 127.0.0.1:21116 */
  char    *tls_cert;            /* PEM files; both or neither */
  char    *tls_key;
  gboolean insecure_plain;      /* allow ws:// on addresses that are not loopback */
  char    *db_path;             /* SQLite registry */
  char    *redis_url;           /* redis://[:password@]host[:port][/db] or unix:///path */
  char    *node_id;             /* this node's name on the bus; default host name + pid */
  char    *turn_secret;         /* coturn static-auth-secret */
  char   **turn_uris;           /* turn:host:3478?transport=udp, turns:host:443?transport=tcp ... */
  guint    turn_ttl_s;
  guint    keepalive_s;         /* how often clients ping */
  guint    idle_timeout_ms;     /* no message for this long: offline, closed */
  guint    handshake_timeout_ms;/* to upgrade to WebSocket, then to say something valid */
  guint    connect_timeout_ms;  /* for a host to accept or reject */
  guint    session_timeout_ms;  /* a signaling session with no traffic is forgotten */
  guint    max_message_size;    /* bytes */
  guint    max_pending_per_id;  /* connects waiting for one host */
  guint    max_sessions_per_connection;
  guint    max_connections_per_ip;
  guint    max_connections;     /* 0: only the file descriptor limit */
  double   register_per_minute; /* per source address (IPv6: per /64) */
  double   register_burst;
  double   connect_per_minute;
  double   connect_burst;
  double   messages_per_second; /* per connection */
  double   messages_burst;
  guint    rate_limit_entries;  /* sources remembered per limit */
  char   **rate_limit_exempt;   /* CIDR masks the limits do not apply to */
} TdServerConfig;

#define TD_SERVER_DEFAULT_PORT 21116

G_DECLARE_FINAL_TYPE (TdRendezvousServer, td_rendezvous_server, TD, RENDEZVOUS_SERVER, GObject)

GQuark              td_server_error_quark                (void);

void                td_server_config_init                (TdServerConfig       *config);
void                td_server_config_clear               (TdServerConfig       *config);

TdRendezvousServer *td_rendezvous_server_new             (const TdServerConfig *config,
                                                          GError              **error);
gboolean            td_rendezvous_server_start           (TdRendezvousServer   *self,
                                                          GError              **error);
guint16             td_rendezvous_server_get_port        (TdRendezvousServer   *self);
const char         *td_rendezvous_server_get_node_id     (TdRendezvousServer   *self);
guint               td_rendezvous_server_get_n_connections (TdRendezvousServer *self);
guint               td_rendezvous_server_get_n_hosts    (TdRendezvousServer   *self);
guint               td_rendezvous_server_get_n_sessions (TdRendezvousServer   *self);
gboolean            td_rendezvous_server_is_ready       (TdRendezvousServer   *self);
void                td_rendezvous_server_stop_async      (TdRendezvousServer   *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean            td_rendezvous_server_stop_finish     (TdRendezvousServer   *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

G_END_DECLS
