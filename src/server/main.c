/* main.c: tandem-server, the rendezvous for Tandem
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Settings come from, in rising order: built-in defaults, the config file
 * (--config, a key file with a [server] group whose keys are the long
 * option names) and the command line.
 */
#define G_LOG_DOMAIN "td-server"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "td-rendezvous-server.h"
#include "td-util.h"

typedef enum
{
  LOG_AUTO,
  LOG_TEXT,
  LOG_JSON,
  LOG_JOURNAL,
} LogFormat;

static LogFormat log_format = LOG_AUTO;
static GLogLevelFlags log_threshold = G_LOG_LEVEL_INFO;

/* Options as given; NULL, -1 or FALSE mean "not on the command line". */
static char **opt_listen;
static int opt_port = -1;
static char *opt_tls_cert;
static char *opt_tls_key;
static gboolean opt_insecure_plain;
static char *opt_db;
static char *opt_redis;
static char *opt_node_id;
static char *opt_turn_secret;
static char *opt_turn_secret_file;
static char **opt_turn_uris;
static int opt_turn_ttl = -1;
static char *opt_config;
static gboolean opt_print_port;
static double opt_keepalive = -1;
static double opt_idle_timeout = -1;
static double opt_handshake_timeout = -1;
static double opt_connect_timeout = -1;
static int opt_max_message_size = -1;
static int opt_max_pending = -1;
static int opt_max_per_ip = -1;
static int opt_max_connections = -1;
static double opt_register_rate = -1;
static double opt_register_burst = -1;
static double opt_connect_rate = -1;
static double opt_connect_burst = -1;
static char **opt_exempt;
static char *opt_log_format;
static char *opt_log_level;
static gboolean opt_version;

static const GOptionEntry entries[] = {
  { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &opt_listen,
    "Listen on ADDR:PORT (repeatable; default 127.0.0.1:21116). Plain ws:// is only allowed on loopback", "ADDR:PORT" },
  { "port", 'p', 0, G_OPTION_ARG_INT, &opt_port,
    "Port for --listen addresses given without one, and for the default 127.0.0.1 (0: any free port)", "PORT" },
  { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_cert, "Serve wss:// with this PEM certificate (chain)", "FILE" },
  { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_key, "... and this PEM private key", "FILE" },
  { "insecure-plain", 0, 0, G_OPTION_ARG_NONE, &opt_insecure_plain,
    "Allow plain ws:// on non-loopback addresses (only behind a TLS-terminating proxy)", NULL },
  { "db", 'd', 0, G_OPTION_ARG_FILENAME, &opt_db,
    "The SQLite registry of IDs (default $STATE_DIRECTORY/registry.db or ~/.local/share/tandem-server/registry.db)", "PATH" },
  { "redis", 0, 0, G_OPTION_ARG_STRING, &opt_redis,
    "Share presence and signaling with other nodes through Redis (redis://host:6379/0 or unix:///path)", "URL" },
  { "node-id", 0, 0, G_OPTION_ARG_STRING, &opt_node_id, "This node's name on the Redis bus (default HOSTNAME-PID)", "NAME" },
  { "turn-secret", 0, 0, G_OPTION_ARG_STRING, &opt_turn_secret,
    "coturn's static-auth-secret (prefer --turn-secret-file: the command line is visible to other users)", "SECRET" },
  { "turn-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_turn_secret_file, "Read coturn's static-auth-secret from FILE", "FILE" },
  { "turn-uri", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_turn_uris,
    "A TURN server for peers (repeatable): turn:HOST:3478?transport=udp, turns:HOST:443?transport=tcp", "URI" },
  { "turn-ttl", 0, 0, G_OPTION_ARG_INT, &opt_turn_ttl, "How long TURN credentials stay valid (default 600)", "SECONDS" },
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config, "Read settings from this key file ([server] group)", "FILE" },
  { "print-port", 0, 0, G_OPTION_ARG_NONE, &opt_print_port, "Print \"PORT n\" on stdout once listening", NULL },
  { "keepalive", 0, 0, G_OPTION_ARG_DOUBLE, &opt_keepalive, "How often clients ping (default 25)", "SECONDS" },
  { "idle-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_idle_timeout, "Offline after this long without a ping (default 75)", "SECONDS" },
  { "handshake-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_handshake_timeout,
    "Close connections that do not upgrade, register or speak within this (default 10)", "SECONDS" },
  { "connect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_connect_timeout,
    "How long a host has to accept a connect (default 30)", "SECONDS" },
  { "max-message-size", 0, 0, G_OPTION_ARG_INT, &opt_max_message_size, "Largest message accepted (default 16384)", "BYTES" },
  { "max-pending-per-id", 0, 0, G_OPTION_ARG_INT, &opt_max_pending, "Connects waiting for one host at most (default 4)", "N" },
  { "max-connections-per-ip", 0, 0, G_OPTION_ARG_INT, &opt_max_per_ip,
    "WebSocket connections per source address (IPv6: per /64; default 128)", "N" },
  { "max-connections", 0, 0, G_OPTION_ARG_INT, &opt_max_connections, "All connections at most (default: no limit)", "N" },
  { "register-rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_register_rate, "Registrations per minute per address (default 30)", "N" },
  { "register-burst", 0, 0, G_OPTION_ARG_DOUBLE, &opt_register_burst, "... in a burst (default 30)", "N" },
  { "connect-rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_connect_rate, "Connect attempts per minute per address (default 20)", "N" },
  { "connect-burst", 0, 0, G_OPTION_ARG_DOUBLE, &opt_connect_burst, "... in a burst (default 10)", "N" },
  { "rate-limit-exempt", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_exempt,
    "Addresses no per-address limit applies to, e.g. 127.0.0.0/8 for a benchmark (repeatable; default none)", "CIDR" },
  { "log-format", 0, 0, G_OPTION_ARG_STRING, &opt_log_format,
    "text, json (one object per line) or journal (default: journal under systemd, else text)", "FORMAT" },
  { "log-level", 0, 0, G_OPTION_ARG_STRING, &opt_log_level, "error, warning, message, info or debug (default info)", "LEVEL" },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
  { NULL }
};

/* Logging */

static const char *
level_name (GLogLevelFlags level)
{
  switch (level & G_LOG_LEVEL_MASK)
    {
    case G_LOG_LEVEL_ERROR: return "error";
    case G_LOG_LEVEL_CRITICAL: return "critical";
    case G_LOG_LEVEL_WARNING: return "warning";
    case G_LOG_LEVEL_MESSAGE: return "message";
    case G_LOG_LEVEL_INFO: return "info";
    case G_LOG_LEVEL_DEBUG: return "debug";
    default: return "log";
    }
}

static gboolean
level_shown (GLogLevelFlags level)
{
  GLogLevelFlags l = level & G_LOG_LEVEL_MASK;

  /* Lower flag values are more severe. */
  return l != 0 && l <= log_threshold;
}

static char *
timestamp (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  g_autofree char *ts = NULL;
  const char *message = NULL, *domain = NULL;

  if (!level_shown (level))
    return G_LOG_WRITER_HANDLED;

  if (log_format == LOG_JOURNAL)
    return g_log_writer_journald (level, fields, n_fields, user_data);

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
    }

  ts = timestamp ();

  if (log_format == LOG_JSON)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ts");
      json_builder_add_string_value (builder, ts);
      json_builder_set_member_name (builder, "level");
      json_builder_add_string_value (builder, level_name (level));
      json_builder_set_member_name (builder, "domain");
      json_builder_add_string_value (builder, domain != NULL ? domain : "");
      json_builder_set_member_name (builder, "msg");
      json_builder_add_string_value (builder, message != NULL ? message : "");
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_has_prefix (fields[i].key, "TD_") && fields[i].length < 0)
          {
            g_autofree char *key = g_ascii_strdown (fields[i].key + 3, -1);

            json_builder_set_member_name (builder, key);
            json_builder_add_string_value (builder, fields[i].value);
          }
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      line = json_generator_to_data (generator, NULL);
      fprintf (stderr, "%s\n", line);
    }
  else
    {
      g_autoptr(GString) line = g_string_new (NULL);
      gboolean first = TRUE;

      g_string_append_printf (line, "%s %-7s %s: %s", ts, level_name (level),
                              domain != NULL ? domain : "", message != NULL ? message : "");
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_has_prefix (fields[i].key, "TD_") && fields[i].length < 0)
          {
            g_autofree char *key = g_ascii_strdown (fields[i].key + 3, -1);

            g_string_append_printf (line, "%s%s=%s", first ? " (" : " ", key, (const char *) fields[i].value);
            first = FALSE;
          }
      if (!first)
        g_string_append_c (line, ')');
      fprintf (stderr, "%s\n", line->str);
    }

  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

/* Settings */

static gboolean
fail (GError     **error,
      const char  *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError     **error,
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
read_secret_file (const char  *path,
                  char       **out_secret,
                  GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;

  g_strstrip (contents);
  if (*contents == '\0')
    {
      td_memzero (contents, len);
      return fail (error, "The TURN secret file “%s” is empty", path);
    }

  g_free (*out_secret);
  *out_secret = g_strdup (contents);
  td_memzero (contents, len);
  return TRUE;
}

static gboolean
has_port (const char *listen)
{
  const char *bracket = strrchr (listen, ']');
  const char *colon = strrchr (listen, ':');

  if (listen[0] == '[')
    return bracket != NULL && bracket[1] == ':';

  /* A bare IPv6 address has several colons and no port. */
  return colon != NULL && strchr (listen, ':') == colon;
}

static char **
apply_port (char       **listen,
            int          port)
{
  GPtrArray *result = g_ptr_array_new ();

  for (guint i = 0; listen != NULL && listen[i] != NULL; i++)
    {
      if (has_port (listen[i]))
        g_ptr_array_add (result, g_strdup (listen[i]));
      else if (strchr (listen[i], ':') != NULL && listen[i][0] != '[')
        g_ptr_array_add (result, g_strdup_printf ("[%s]:%d", listen[i], port));
      else
        g_ptr_array_add (result, g_strdup_printf ("%s:%d", listen[i], port));
    }
  g_ptr_array_add (result, NULL);
  return (char **) g_ptr_array_free (result, FALSE);
}

/* Reads a [server] key, if present, as one of several types. */
static gboolean
key_double (GKeyFile    *file,
            const char  *key,
            double      *out,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  double value;

  if (!g_key_file_has_key (file, "server", key, NULL))
    return TRUE;

  value = g_key_file_get_double (file, "server", key, &local_error);
  if (local_error != NULL)
    return fail (error, "In the config file, “%s” must be a number: %s", key, local_error->message);

  *out = value;
  return TRUE;
}

static gboolean
key_uint (GKeyFile    *file,
          const char  *key,
          guint       *out,
          GError     **error)
{
  double value = -1;

  if (!key_double (file, key, &value, error))
    return FALSE;
  if (value < 0)
    return TRUE;
  *out = (guint) value;
  return TRUE;
}

static gboolean
key_ms (GKeyFile    *file,
        const char  *key,
        guint       *out_ms,
        GError     **error)
{
  double value = -1;

  if (!key_double (file, key, &value, error))
    return FALSE;
  if (value < 0)
    return TRUE;
  *out_ms = (guint) (value * 1000);
  return TRUE;
}

static void
key_string (GKeyFile    *file,
            const char  *key,
            char       **out)
{
  g_autofree char *value = g_key_file_get_string (file, "server", key, NULL);

  if (value != NULL)
    {
      g_free (*out);
      *out = g_steal_pointer (&value);
    }
}

static void
key_list (GKeyFile    *file,
          const char  *key,
          char      ***out)
{
  char **value = g_key_file_get_string_list (file, "server", key, NULL, NULL);

  if (value != NULL)
    {
      g_strfreev (*out);
      *out = value;
    }
}

static gboolean
load_config_file (const char      *path,
                  TdServerConfig  *config,
                  int             *port,
                  char           **log_format_name,
                  char           **log_level_name,
                  GError         **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *secret_file = NULL;
  guint value = 0;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    return fail (error, "Could not read the config file “%s”: %s", path, local_error->message);

  if (!g_key_file_has_group (file, "server"))
    return fail (error, "The config file “%s” has no [server] group", path);

  key_list (file, "listen", &config->listen);
  value = (guint) -1;
  if (!key_uint (file, "port", &value, error))
    return FALSE;
  if (value != (guint) -1)
    *port = (int) value;
  key_string (file, "tls-cert", &config->tls_cert);
  key_string (file, "tls-key", &config->tls_key);
  if (g_key_file_has_key (file, "server", "insecure-plain", NULL))
    config->insecure_plain = g_key_file_get_boolean (file, "server", "insecure-plain", NULL);
  key_string (file, "db", &config->db_path);
  key_string (file, "redis", &config->redis_url);
  key_string (file, "node-id", &config->node_id);
  key_string (file, "turn-secret", &config->turn_secret);
  key_string (file, "turn-secret-file", &secret_file);
  if (secret_file != NULL && !read_secret_file (secret_file, &config->turn_secret, error))
    return FALSE;
  key_list (file, "turn-uri", &config->turn_uris);
  key_list (file, "rate-limit-exempt", &config->rate_limit_exempt);
  key_string (file, "log-format", log_format_name);
  key_string (file, "log-level", log_level_name);

  return key_uint (file, "turn-ttl", &config->turn_ttl_s, error) &&
         key_uint (file, "keepalive", &config->keepalive_s, error) &&
         key_ms (file, "idle-timeout", &config->idle_timeout_ms, error) &&
         key_ms (file, "handshake-timeout", &config->handshake_timeout_ms, error) &&
         key_ms (file, "connect-timeout", &config->connect_timeout_ms, error) &&
         key_uint (file, "max-message-size", &config->max_message_size, error) &&
         key_uint (file, "max-pending-per-id", &config->max_pending_per_id, error) &&
         key_uint (file, "max-connections-per-ip", &config->max_connections_per_ip, error) &&
         key_uint (file, "max-connections", &config->max_connections, error) &&
         key_double (file, "register-rate", &config->register_per_minute, error) &&
         key_double (file, "register-burst", &config->register_burst, error) &&
         key_double (file, "connect-rate", &config->connect_per_minute, error) &&
         key_double (file, "connect-burst", &config->connect_burst, error);
}

static char *
default_db_path (void)
{
  const char *state = g_getenv ("STATE_DIRECTORY");

  /* systemd's StateDirectory= may list several, separated by colons. */
  if (state != NULL && *state != '\0')
    {
      g_auto(GStrv) dirs = g_strsplit (state, ":", 2);

      return g_build_filename (dirs[0], "registry.db", NULL);
    }

  return g_build_filename (g_get_user_data_dir (), "tandem-server", "registry.db", NULL);
}

static gboolean
build_config (TdServerConfig  *config,
              GError         **error)
{
  g_autofree char *format_name = NULL;
  g_autofree char *level_name_text = NULL;
  int port = TD_SERVER_DEFAULT_PORT;

  td_server_config_init (config);

  if (opt_config != NULL &&
      !load_config_file (opt_config, config, &port, &format_name, &level_name_text, error))
    return FALSE;

  if (opt_listen != NULL)
    {
      g_strfreev (config->listen);
      config->listen = g_strdupv (opt_listen);
    }
  if (opt_port >= 0)
    port = opt_port;
  if (port < 0 || port > 65535)
    return fail (error, "%d is not a port number", port);

  if (config->listen == NULL || config->listen[0] == NULL)
    {
      const char *loopback[] = { "127.0.0.1", NULL };

      g_strfreev (config->listen);
      config->listen = apply_port ((char **) loopback, port);
    }
  else
    {
      char **with_ports = apply_port (config->listen, port);

      g_strfreev (config->listen);
      config->listen = with_ports;
    }

#define SET_STRING(field, option) \
  if ((option) != NULL) { g_free (config->field); config->field = g_strdup (option); }
  SET_STRING (tls_cert, opt_tls_cert);
  SET_STRING (tls_key, opt_tls_key);
  SET_STRING (db_path, opt_db);
  SET_STRING (redis_url, opt_redis);
  SET_STRING (node_id, opt_node_id);
  SET_STRING (turn_secret, opt_turn_secret);
#undef SET_STRING

  if (opt_insecure_plain)
    config->insecure_plain = TRUE;
  if (opt_turn_secret_file != NULL && !read_secret_file (opt_turn_secret_file, &config->turn_secret, error))
    return FALSE;
  if (opt_turn_uris != NULL)
    {
      g_strfreev (config->turn_uris);
      config->turn_uris = g_strdupv (opt_turn_uris);
    }
  if (opt_exempt != NULL)
    {
      g_strfreev (config->rate_limit_exempt);
      config->rate_limit_exempt = g_strdupv (opt_exempt);
    }
  if (opt_turn_ttl >= 0)
    config->turn_ttl_s = (guint) opt_turn_ttl;
  if (opt_keepalive >= 0)
    config->keepalive_s = (guint) MAX (1, opt_keepalive);
  if (opt_idle_timeout >= 0)
    config->idle_timeout_ms = (guint) (opt_idle_timeout * 1000);
  if (opt_handshake_timeout >= 0)
    config->handshake_timeout_ms = (guint) (opt_handshake_timeout * 1000);
  if (opt_connect_timeout >= 0)
    config->connect_timeout_ms = (guint) (opt_connect_timeout * 1000);
  if (opt_max_message_size >= 0)
    config->max_message_size = (guint) opt_max_message_size;
  if (opt_max_pending >= 0)
    config->max_pending_per_id = (guint) opt_max_pending;
  if (opt_max_per_ip >= 0)
    config->max_connections_per_ip = (guint) opt_max_per_ip;
  if (opt_max_connections >= 0)
    config->max_connections = (guint) opt_max_connections;
  if (opt_register_rate >= 0)
    config->register_per_minute = opt_register_rate;
  if (opt_register_burst >= 0)
    config->register_burst = opt_register_burst;
  if (opt_connect_rate >= 0)
    config->connect_per_minute = opt_connect_rate;
  if (opt_connect_burst >= 0)
    config->connect_burst = opt_connect_burst;

  if (config->db_path == NULL)
    config->db_path = default_db_path ();

  if (opt_log_format != NULL)
    {
      g_free (format_name);
      format_name = g_strdup (opt_log_format);
    }
  if (opt_log_level != NULL)
    {
      g_free (level_name_text);
      level_name_text = g_strdup (opt_log_level);
    }

  if (format_name == NULL || g_strcmp0 (format_name, "auto") == 0)
    log_format = g_log_writer_is_journald (fileno (stderr)) ? LOG_JOURNAL : LOG_TEXT;
  else if (g_strcmp0 (format_name, "text") == 0)
    log_format = LOG_TEXT;
  else if (g_strcmp0 (format_name, "json") == 0)
    log_format = LOG_JSON;
  else if (g_strcmp0 (format_name, "journal") == 0)
    log_format = LOG_JOURNAL;
  else
    return fail (error, "Unknown log format “%s” (text, json or journal)", format_name);

  if (level_name_text == NULL || g_strcmp0 (level_name_text, "info") == 0)
    log_threshold = G_LOG_LEVEL_INFO;
  else if (g_strcmp0 (level_name_text, "error") == 0)
    log_threshold = G_LOG_LEVEL_CRITICAL;
  else if (g_strcmp0 (level_name_text, "warning") == 0)
    log_threshold = G_LOG_LEVEL_WARNING;
  else if (g_strcmp0 (level_name_text, "message") == 0)
    log_threshold = G_LOG_LEVEL_MESSAGE;
  else if (g_strcmp0 (level_name_text, "debug") == 0)
    log_threshold = G_LOG_LEVEL_DEBUG;
  else
    return fail (error, "Unknown log level “%s”", level_name_text);

  return TRUE;
}

/* As many sockets as the hard limit allows: each host holds one. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        g_debug ("Could not raise the file descriptor limit: %s", g_strerror (errno));
    }
}

/* Running */

typedef struct
{
  GMainLoop          *loop;
  TdRendezvousServer *server;
  gboolean            stopping;
} App;

static void
stopped_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  App *app = user_data;

  td_rendezvous_server_stop_finish (TD_RENDEZVOUS_SERVER (object), result, NULL);
  g_main_loop_quit (app->loop);
}

static gboolean
signal_cb (gpointer user_data)
{
  App *app = user_data;

  if (app->stopping)
    {
      g_message ("Second signal: exiting now");
      g_main_loop_quit (app->loop);
      return G_SOURCE_CONTINUE;
    }

  app->stopping = TRUE;
  g_message ("Shutting down: telling clients to reconnect later");
  td_rendezvous_server_stop_async (app->server, NULL, stopped_cb, app);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(TdRendezvousServer) server = NULL;
  TdServerConfig config;
  App app = { 0 };
  guint sigterm, sigint;

  setlocale (LC_ALL, "");
  g_log_set_writer_func (log_writer, NULL, NULL);

  context = g_option_context_new ("- rendezvous server for Tandem");
  g_option_context_set_summary (context,
    "Gives each Tandem device a 9-digit ID bound to its key, keeps track of who is online and relays\n"
    "connection set-up (offer, answer, ICE candidates) between two devices. It never sees passwords\n"
    "or session keys; screen, input and voice go peer to peer or through TURN (coturn), never here.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  tandem-server --port 0 --print-port                       # local, any free port\n"
    "  tandem-server --listen 0.0.0.0:443 --tls-cert fullchain.pem --tls-key privkey.pem \\\n"
    "                --turn-secret-file /etc/tandem/turn-secret \\\n"
    "                --turn-uri 'turn:turn.example.org:3478?transport=udp' \\\n"
    "                --turn-uri 'turns:turn.example.org:443?transport=tcp'\n"
    "  tandem-server --config /etc/tandem/tandem-server.conf\n"
    "\n"
    "SIGTERM or SIGINT stops gracefully: clients are told to come back and do so with back-off.\n"
    "GET /healthz answers with the node's status as JSON.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("tandem-server: %s\nTry “tandem-server --help”.\n", error->message);
      return 2;
    }

  if (opt_version)
    {
      g_print ("tandem-server %s (protocol 1)\n", PACKAGE_VERSION);
      return 0;
    }

  if (argc > 1)
    {
      g_printerr ("tandem-server: unexpected argument “%s”\nTry “tandem-server --help”.\n", argv[1]);
      return 2;
    }

  if (opt_turn_secret != NULL)
    g_printerr ("tandem-server: warning: --turn-secret is visible to other users; prefer --turn-secret-file\n");

  if (!build_config (&config, &error))
    {
      g_printerr ("tandem-server: %s\n", error->message);
      td_server_config_clear (&config);
      return 2;
    }

  raise_fd_limit ();

  server = td_rendezvous_server_new (&config, &error);
  td_server_config_clear (&config);
  if (server == NULL || !td_rendezvous_server_start (server, &error))
    {
      g_printerr ("tandem-server: %s\n", error->message);
      return 1;
    }

  if (opt_print_port)
    {
      printf ("PORT %u\n", td_rendezvous_server_get_port (server));
      fflush (stdout);
    }

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.server = server;
  sigterm = g_unix_signal_add (SIGTERM, signal_cb, &app);
  sigint = g_unix_signal_add (SIGINT, signal_cb, &app);

  g_main_loop_run (loop);

  g_source_remove (sigterm);
  g_source_remove (sigint);
  g_clear_object (&server);

  return 0;
}
