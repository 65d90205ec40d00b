/* bench-rendezvous.c: how many idle hosts one tandem-server holds, and how
 * fast it relays signaling while they are online
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts the real tandem-server (its limits lifted for 127.0.0.0/8 only,
 * by --rate-limit-exempt) and drives it from this process with a small
 * epoll WebSocket client, so that the client's cost does not hide the
 * server's. Phase 1 registers --hosts hosts (each its own Ed25519 key and
 * socket, spread over several 127.0.0.x source addresses so ephemeral
 * ports do not run out) and measures the server's RSS from /proc. Phase 2
 * keeps every host pinging at the server's keepalive interval and runs
 * --rate connects per second from --viewers viewer sockets: connect →
 * incoming → accept → accepted → offer → answer → bye; it times
 * connect → accepted and offer → answer (the relay round trip: two hops
 * through the server and the host's turn-around).
 *
 * Usage: bench-rendezvous [--json PATH] [--hosts N] [--rate N] [--seconds N]
 */
#define G_LOG_DOMAIN "bench-rendezvous"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <sodium.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
# define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define BUFFER_SIZE      2048
#define MAX_IN_FLIGHT    1500
#define HOSTS_PER_SOURCE 20000
#define SESSIONS_PER_VIEWER 4

typedef enum
{
  ST_CONNECTING,
  ST_UPGRADING,
  ST_WELCOME,
  ST_CHALLENGE,
  ST_REGISTERED,
  ST_READY,       /* viewer */
  ST_DEAD,
} State;

typedef struct
{
  int      fd;
  State    state;
  gboolean viewer;
  guint    index;           /* key index, or viewer number */
  guint32  id;
  guint    in_flight;       /* viewer: sessions under way */
  guint    length;
  char     buffer[BUFFER_SIZE];
} Conn;

typedef struct
{
  double connect_sent;
  double offer_sent;
  Conn  *viewer;
} Pending;

static guint8 (*public_keys)[crypto_sign_PUBLICKEYBYTES];
static guint8 (*secret_keys)[crypto_sign_SECRETKEYBYTES];
static int epoll_fd = -1;
static guint16 server_port;
static guint n_registered, n_failed, n_errors, n_in_flight;
static GArray *host_ids;       /* of Conn *, registered hosts */
static GHashTable *by_req;     /* req → Pending */
static GHashTable *by_session; /* session → Pending */
static GArray *connect_ms, *rtt_ms;
static guint64 n_pings, n_connects_done, n_connects_failed;
static gint64 next_req = 1;

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The server process */

static long
proc_rss_kib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || (line = strstr (contents, "VmRSS:")) == NULL)
    return -1;
  return strtol (line + 6, NULL, 10);
}

static double
proc_cpu_s (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || (after = strrchr (contents, ')')) == NULL)
    return -1;
  fields = g_strsplit (after + 2, " ", 0);
  /* utime and stime are fields 14 and 15; "state" (3) is fields[0]. */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
}

static char *
find_server (void)
{
  const char *env = g_getenv ("TD_SERVER_BINARY");

  if (env != NULL)
    return g_strdup (env);
  return g_strdup (TD_BENCH_SERVER_BINARY);
}

/* WebSocket framing, client side */

static gboolean
send_all (int         fd,
          const void *data,
          gsize       length)
{
  const guint8 *p = data;

  while (length > 0)
    {
      ssize_t n = send (fd, p, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          /* Rare with messages this small: wait for room. */
          usleep (100);
          continue;
        }
      if (n <= 0)
        return FALSE;
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static gboolean
send_text (Conn       *conn,
           const char *text)
{
  gsize length = strlen (text);
  guint8 frame[BUFFER_SIZE + 16];
  guint8 mask[4];
  gsize head;

  g_assert (length < BUFFER_SIZE);
  randombytes_buf (mask, sizeof mask);
  frame[0] = 0x81;
  if (length < 126)
    {
      frame[1] = 0x80 | (guint8) length;
      head = 2;
    }
  else
    {
      frame[1] = 0x80 | 126;
      frame[2] = (guint8) (length >> 8);
      frame[3] = (guint8) length;
      head = 4;
    }
  memcpy (frame + head, mask, 4);
  head += 4;
  for (gsize i = 0; i < length; i++)
    frame[head + i] = (guint8) text[i] ^ mask[i % 4];

  return send_all (conn->fd, frame, head + length);
}

/* Tiny JSON field readers: the server's messages are flat and compact. */
static gboolean
field_string (const char *text,
              const char *name,
              char       *out,
              gsize       out_size)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":\"", name);
  const char *start = strstr (text, needle), *end;

  if (start == NULL)
    return FALSE;
  start += strlen (needle);
  end = strchr (start, '"');
  if (end == NULL || (gsize) (end - start) >= out_size)
    return FALSE;
  memcpy (out, start, end - start);
  out[end - start] = '\0';
  return TRUE;
}

static gint64
field_int (const char *text,
           const char *name)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", name);
  const char *start = strstr (text, needle);

  return start != NULL ? g_ascii_strtoll (start + strlen (needle), NULL, 10) : -1;
}

static gboolean
is_type (const char *text,
         const char *type)
{
  g_autofree char *needle = g_strdup_printf ("\"type\":\"%s\"", type);

  return strstr (text, needle) != NULL;
}

/* Connections */

static Conn *
conn_open (guint     index,
           gboolean  viewer,
           guint     n_sources)
{
  struct sockaddr_in source = { 0 }, dest = { 0 };
  struct epoll_event event = { 0 };
  int one = 1;
  Conn *conn;
  int fd;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return NULL;

  setsockopt (fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl (0x7f000002u + (index % n_sources));
  if (bind (fd, (struct sockaddr *) &source, sizeof source) != 0)
    {
      close (fd);
      return NULL;
    }

  dest.sin_family = AF_INET;
  dest.sin_port = htons (server_port);
  dest.sin_addr.s_addr = htonl (0x7f000001u);
  if (connect (fd, (struct sockaddr *) &dest, sizeof dest) != 0 && errno != EINPROGRESS)
    {
      close (fd);
      return NULL;
    }

  conn = g_new0 (Conn, 1);
  conn->fd = fd;
  conn->index = index;
  conn->viewer = viewer;
  conn->state = ST_CONNECTING;
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
  event.data.ptr = conn;
  epoll_ctl (epoll_fd, EPOLL_CTL_ADD, fd, &event);
  n_in_flight++;
  return conn;
}

static void
conn_fail (Conn *conn)
{
  if (conn->state == ST_DEAD)
    return;
  if (conn->state != ST_REGISTERED && conn->state != ST_READY)
    {
      n_failed++;
      n_in_flight--;
    }
  conn->state = ST_DEAD;
  epoll_ctl (epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
  close (conn->fd);
}

static void
handle_text (Conn       *conn,
             const char *text,
             double      now)
{
  char line[512];

  if (is_type (text, "error"))
    {
      gint64 req = field_int (text, "req");

      n_errors++;
      if (req > 0)
        {
          Pending *pending = g_hash_table_lookup (by_req, &req);

          if (pending != NULL)
            {
              pending->viewer->in_flight--;
              n_connects_failed++;
              g_hash_table_remove (by_req, &req);
            }
        }
      return;
    }

  switch (conn->state)
    {
    case ST_WELCOME:
      if (!is_type (text, "welcome"))
        break;
      if (conn->viewer)
        {
          conn->state = ST_READY;
          n_in_flight--;
          break;
        }
      {
        g_autofree char *key = g_base64_encode (public_keys[conn->index], crypto_sign_PUBLICKEYBYTES);

        g_snprintf (line, sizeof line, "{\"v\":1,\"type\":\"register\",\"public_key\":\"%s\"}", key);
        conn->state = ST_CHALLENGE;
        send_text (conn, line);
      }
      break;

    case ST_CHALLENGE:
      if (is_type (text, "challenge"))
        {
          static const char context[] = "tandem-rendezvous-register-v1";
          char nonce_text[64];
          g_autofree guint8 *nonce = NULL;
          g_autofree char *sig_text = NULL;
          guint8 data[sizeof context + 32];
          guint8 signature[crypto_sign_BYTES];
          gsize nonce_len = 0;

          field_string (text, "nonce", nonce_text, sizeof nonce_text);
          nonce = g_base64_decode (nonce_text, &nonce_len);
          g_assert (nonce_len == 32);
          memcpy (data, context, sizeof context);
          memcpy (data + sizeof context, nonce, 32);
          crypto_sign_detached (signature, NULL, data, sizeof data, secret_keys[conn->index]);
          sig_text = g_base64_encode (signature, sizeof signature);
          g_snprintf (line, sizeof line, "{\"v\":1,\"type\":\"prove\",\"signature\":\"%s\"}", sig_text);
          conn->state = ST_REGISTERED;
          send_text (conn, line);
        }
      break;

    case ST_REGISTERED:
      if (is_type (text, "registered"))
        {
          conn->id = (guint32) field_int (text, "id");
          g_array_append_val (host_ids, conn);
          n_registered++;
          n_in_flight--;
        }
      else if (is_type (text, "incoming"))
        {
          char session[32];

          field_string (text, "session", session, sizeof session);
          g_snprintf (line, sizeof line, "{\"v\":1,\"type\":\"accept\",\"session\":\"%s\"}", session);
          send_text (conn, line);
        }
      else if (is_type (text, "signal"))
        {
          char session[32];

          field_string (text, "session", session, sizeof session);
          g_snprintf (line, sizeof line,
                      "{\"v\":1,\"type\":\"signal\",\"session\":\"%s\",\"kind\":\"answer\","
                      "\"payload\":{\"ufrag\":\"host\",\"pwd\":\"host-password-0123456789\"}}", session);
          send_text (conn, line);
        }
      break;

    case ST_READY:
      if (is_type (text, "accepted"))
        {
          gint64 req = field_int (text, "req");
          Pending *pending = g_hash_table_lookup (by_req, &req);
          char session[32];

          if (pending == NULL)
            break;
          g_hash_table_steal (by_req, &req);
          field_string (text, "session", session, sizeof session);
          {
            double ms = (now - pending->connect_sent) * 1000.0;

            g_array_append_val (connect_ms, ms);
          }
          pending->offer_sent = now_s ();
          g_hash_table_insert (by_session, g_strdup (session), pending);
          g_snprintf (line, sizeof line,
                      "{\"v\":1,\"type\":\"signal\",\"session\":\"%s\",\"kind\":\"offer\","
                      "\"payload\":{\"ufrag\":\"view\",\"pwd\":\"viewer-password-0123456789\","
                      "\"candidates\":[\"a=candidate:1 1 UDP 2013266431 192.0.2.10 50000 typ host\"]}}",
                      session);
          send_text (conn, line);
        }
      else if (is_type (text, "signal"))
        {
          char session[32];
          Pending *pending;

          field_string (text, "session", session, sizeof session);
          pending = g_hash_table_lookup (by_session, session);
          if (pending == NULL)
            break;
          {
            double ms = (now - pending->offer_sent) * 1000.0;

            g_array_append_val (rtt_ms, ms);
          }
          g_snprintf (line, sizeof line, "{\"v\":1,\"type\":\"bye\",\"session\":\"%s\",\"reason\":\"done\"}", session);
          send_text (conn, line);
          conn->in_flight--;
          n_connects_done++;
          g_hash_table_remove (by_session, session);
        }
      break;

    case ST_CONNECTING:
    case ST_UPGRADING:
    case ST_DEAD:
    default:
      break;
    }
}

/* Reads frames from what arrived; returns FALSE if the connection ended. */
static gboolean
process_input (Conn   *conn,
               double  now)
{
  for (;;)
    {
      gssize n = recv (conn->fd, conn->buffer + conn->length, BUFFER_SIZE - 1 - conn->length, 0);
      gsize pos = 0;

      if (n < 0 && errno == EAGAIN)
        return TRUE;
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      conn->length += (guint) n;

      if (conn->state == ST_UPGRADING)
        {
          char *end;

          conn->buffer[conn->length] = '\0';
          end = strstr (conn->buffer, "\r\n\r\n");
          if (end == NULL)
            continue;
          if (strncmp (conn->buffer, "HTTP/1.1 101", 12) != 0)
            return FALSE;
          pos = (gsize) (end + 4 - conn->buffer);
          conn->state = ST_WELCOME;
        }

      /* Whole frames */
      while (conn->length - pos >= 2)
        {
          guint8 *f = (guint8 *) conn->buffer + pos;
          gsize avail = conn->length - pos, head = 2, length = f[1] & 0x7f;
          guint opcode = f[0] & 0x0f;

          if (length == 126)
            {
              if (avail < 4)
                break;
              length = ((gsize) f[2] << 8) | f[3];
              head = 4;
            }
          else if (length == 127)
            return FALSE;
          if (avail < head + length)
            break;

          if (opcode == 0x8)
            return FALSE;
          if (opcode == 0x1)
            {
              char saved = (char) f[head + length];

              f[head + length] = '\0';
              handle_text (conn, (const char *) f + head, now);
              f[head + length] = (guint8) saved;
            }
          pos += head + length;
        }

      memmove (conn->buffer, conn->buffer + pos, conn->length - pos);
      conn->length -= (guint) pos;
      if (conn->length >= BUFFER_SIZE - 1)
        return FALSE;
    }
}

static void
handle_event (Conn     *conn,
              guint32   events,
              double    now)
{
  if (conn->state == ST_DEAD)
    return;

  if (conn->state == ST_CONNECTING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
    {
      struct epoll_event event = { 0 };
      int error = 0;
      socklen_t len = sizeof error;
      char request[256];

      getsockopt (conn->fd, SOL_SOCKET, SO_ERROR, &error, &len);
      if (error != 0)
        {
          conn_fail (conn);
          return;
        }
      event.events = EPOLLIN | EPOLLRDHUP;
      event.data.ptr = conn;
      epoll_ctl (epoll_fd, EPOLL_CTL_MOD, conn->fd, &event);
      g_snprintf (request, sizeof request,
                  "GET / HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                  server_port);
      conn->state = ST_UPGRADING;
      if (!send_all (conn->fd, request, strlen (request)))
        conn_fail (conn);
      return;
    }

  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    if (!process_input (conn, now))
      {
        if (conn->state == ST_REGISTERED || conn->state == ST_READY)
          n_errors++;
        conn_fail (conn);
      }
}

static void
poll_once (int timeout_ms)
{
  struct epoll_event events[512];
  int n = epoll_wait (epoll_fd, events, G_N_ELEMENTS (events), timeout_ms);
  double now = now_s ();

  for (int i = 0; i < n; i++)
    handle_event (events[i].data.ptr, events[i].events, now);
}

/* Statistics */

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
percentile (GArray *values,
            double  p)
{
  gsize index;

  if (values->len == 0)
    return NAN;
  g_array_sort (values, compare_double);
  index = (gsize) ceil (p / 100.0 * values->len) - 1;
  return g_array_index (values, double, MIN (index, values->len - 1));
}

static guint64
raise_fd_limit (guint64 wanted)
{
  struct rlimit limit;

  getrlimit (RLIMIT_NOFILE, &limit);
  if (limit.rlim_max < wanted)
    {
      struct rlimit higher = { wanted, wanted };

      if (setrlimit (RLIMIT_NOFILE, &higher) == 0)
        return wanted;
    }
  limit.rlim_cur = MIN (limit.rlim_max, wanted);
  setrlimit (RLIMIT_NOFILE, &limit);
  getrlimit (RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Main */

typedef struct
{
  const char *key;
  double      value;
  int         decimals;
} Metric;

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *binary = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GPtrArray) viewers = g_ptr_array_new ();
  GPtrArray *hosts;
  int n_hosts = 100000, rate = 1000, seconds = 15, n_viewers = 250, keepalive = 25;
  guint n_sources;
  guint64 fd_limit;
  long rss_baseline, rss_hosts, rss_end;
  double t0, register_s, cpu_before_relay, cpu_after_relay, relay_s, ping_interval;
  GPid pid;
  guint64 issued = 0;
  guint ping_cursor = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "Write the results as a flat JSON object to PATH", "PATH" },
    { "hosts", 0, 0, G_OPTION_ARG_INT, &n_hosts, "Idle registered hosts to hold (default 100000)", "N" },
    { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "Connects per second in the relay phase (default 1000)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Length of the relay phase (default 15)", "N" },
    { "viewers", 0, 0, G_OPTION_ARG_INT, &n_viewers, "Viewer sockets making the connects (default 250)", "N" },
    { "keepalive", 0, 0, G_OPTION_ARG_INT, &keepalive, "Keepalive interval the hosts ping at (default 25 s)", "S" },
    { NULL }
  };

  context = g_option_context_new ("- benchmark tandem-server");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-rendezvous: %s\n", error->message);
      return 2;
    }

  if (sodium_init () < 0)
    {
      g_printerr ("bench-rendezvous: libsodium failed to start\n");
      return 1;
    }

  signal (SIGPIPE, SIG_IGN);
  setvbuf (stdout, NULL, _IOLBF, 0);

  /* Each host is a socket here, and a socket plus a context's wake-up
   * descriptor in the server, which inherits this limit. */
  fd_limit = raise_fd_limit (2 * ((guint64) n_hosts + n_viewers) + 4096);
  if (fd_limit < 2 * ((guint64) n_hosts + n_viewers) + 1024)
    {
      int fit = (int) ((fd_limit - 1024) / 2) - n_viewers;

      g_printerr ("bench-rendezvous: only %" G_GUINT64_FORMAT " file descriptors allowed; measuring %d hosts\n",
                  fd_limit, fit);
      n_hosts = fit;
    }
  n_sources = (guint) (n_hosts + n_viewers) / HOSTS_PER_SOURCE + 1;

  dir = g_dir_make_tmp ("bench-rendezvous-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "registry.db", NULL);
  binary = find_server ();

  {
    g_autofree char *keepalive_text = g_strdup_printf ("%d", keepalive);
    g_autofree char *idle_text = g_strdup_printf ("%d", keepalive * 3);
    const char *server_argv[] = {
      binary, "--listen", "127.0.0.1:0", "--print-port", "--db", db,
      "--rate-limit-exempt", "127.0.0.0/8", "--max-connections-per-ip", "10000000",
      "--keepalive", keepalive_text, "--idle-timeout", idle_text,
      "--log-level", "warning", "--log-format", "text", NULL
    };

    launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    server = g_subprocess_launcher_spawnv (launcher, server_argv, &error);
    if (server == NULL)
      {
        g_printerr ("bench-rendezvous: cannot start %s: %s\n", binary, error->message);
        return 1;
      }
  }
  pid = (GPid) atoi (g_subprocess_get_identifier (server));
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (output, NULL, NULL, NULL);
  if (line == NULL || !g_str_has_prefix (line, "PORT "))
    {
      g_printerr ("bench-rendezvous: the server did not start\n");
      return 1;
    }
  server_port = (guint16) atoi (line + 5);
  usleep (200000);
  rss_baseline = proc_rss_kib (pid);

  g_print ("tandem-server pid %d on port %u; %d hosts over %u source addresses, fd limit %" G_GUINT64_FORMAT "\n",
           (int) pid, server_port, n_hosts, n_sources, fd_limit);

  /* Keys: libsodium makes Ed25519 keys the server verifies with GnuTLS. */
  public_keys = g_malloc ((gsize) n_hosts * crypto_sign_PUBLICKEYBYTES);
  secret_keys = g_malloc ((gsize) n_hosts * crypto_sign_SECRETKEYBYTES);
  for (int i = 0; i < n_hosts; i++)
    crypto_sign_keypair (public_keys[i], secret_keys[i]);

  epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  host_ids = g_array_sized_new (FALSE, FALSE, sizeof (Conn *), n_hosts);
  by_req = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  by_session = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  connect_ms = g_array_new (FALSE, FALSE, sizeof (double));
  rtt_ms = g_array_new (FALSE, FALSE, sizeof (double));
  hosts = g_ptr_array_sized_new (n_hosts);

  /* Phase 1: register */
  t0 = now_s ();
  for (int opened = 0; opened < n_hosts || n_in_flight > 0;)
    {
      while (opened < n_hosts && n_in_flight < MAX_IN_FLIGHT)
        {
          Conn *conn = conn_open ((guint) opened, FALSE, n_sources);

          if (conn == NULL)
            {
              g_printerr ("bench-rendezvous: cannot open socket %d: %s\n", opened, g_strerror (errno));
              n_hosts = opened;
              break;
            }
          g_ptr_array_add (hosts, conn);
          opened++;
        }
      poll_once (100);
      if (now_s () - t0 > 150)
        {
          g_printerr ("bench-rendezvous: registration is taking too long; stopping at %u\n", n_registered);
          break;
        }
    }
  register_s = now_s () - t0;
  usleep (500000);
  rss_hosts = proc_rss_kib (pid);

  g_print ("registered %u hosts in %.1f s (%u failed)\n", n_registered, register_s, n_failed);

  /* Phase 2: relay under a steady connect rate, every host pinging */
  for (int i = 0; i < n_viewers; i++)
    {
      Conn *conn = conn_open ((guint) (n_hosts + i), TRUE, n_sources);

      if (conn != NULL)
        g_ptr_array_add (viewers, conn);
    }
  while (n_in_flight > 0)
    poll_once (100);

  cpu_before_relay = proc_cpu_s (pid);
  ping_interval = (double) keepalive / MAX (1u, host_ids->len);
  t0 = now_s ();
  {
    double next_ping = t0;
    guint viewer_cursor = 0;

    while ((relay_s = now_s () - t0) < seconds)
      {
        guint64 due = (guint64) (relay_s * rate);
        double now = now_s ();

        /* Keepalives, spread evenly */
        while (next_ping <= now && host_ids->len > 0)
          {
            Conn *host = g_array_index (host_ids, Conn *, ping_cursor++ % host_ids->len);

            if (host->state == ST_REGISTERED)
              send_text (host, "{\"v\":1,\"type\":\"ping\"}");
            n_pings++;
            next_ping += ping_interval;
          }

        /* Connects, at the rate */
        while (issued < due && host_ids->len > 0)
          {
            Conn *viewer = NULL;
            Conn *host = g_array_index (host_ids, Conn *, randombytes_uniform (host_ids->len));
            Pending *pending;
            gint64 *req;
            char text[512];

            for (guint tries = 0; tries < viewers->len && viewer == NULL; tries++)
              {
                Conn *candidate = g_ptr_array_index (viewers, viewer_cursor++ % viewers->len);

                if (candidate->state == ST_READY && candidate->in_flight < SESSIONS_PER_VIEWER)
                  viewer = candidate;
              }
            if (viewer == NULL)
              break; /* every viewer is busy: the server is behind */

            req = g_new (gint64, 1);
            *req = next_req++;
            pending = g_new0 (Pending, 1);
            pending->viewer = viewer;
            pending->connect_sent = now_s ();
            g_hash_table_insert (by_req, req, pending);
            viewer->in_flight++;
            g_snprintf (text, sizeof text,
                        "{\"v\":1,\"type\":\"connect\",\"req\":%" G_GINT64_FORMAT ",\"id\":%u,"
                        "\"name\":\"bench viewer\",\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}",
                        *req, host->id);
            send_text (viewer, text);
            issued++;
          }

        poll_once (1);
      }

    /* Let what is under way finish. */
    t0 = now_s ();
    while ((g_hash_table_size (by_req) > 0 || g_hash_table_size (by_session) > 0) && now_s () - t0 < 5)
      poll_once (10);
  }
  cpu_after_relay = proc_cpu_s (pid);
  rss_end = proc_rss_kib (pid);

  /* Report */
  {
    double rss_mib = rss_hosts / 1024.0;
    double per_host = n_registered > 0 ? (rss_hosts - rss_baseline) * 1024.0 / n_registered : NAN;
    double projected = (rss_baseline * 1024.0 + per_host * 100000) / (1024.0 * 1024.0);
    Metric metrics[] = {
      { "hosts_target", n_hosts, 0 },
      { "hosts_registered", n_registered, 0 },
      { "hosts_failed", n_failed, 0 },
      { "register_time_s", register_s, 1 },
      { "register_rate_per_s", n_registered / register_s, 0 },
      { "server_rss_baseline_mib", rss_baseline / 1024.0, 1 },
      { "server_rss_mib", rss_mib, 1 },
      { "server_rss_end_mib", rss_end / 1024.0, 1 },
      { "rss_bytes_per_host", per_host, 0 },
      { "projected_rss_mib_at_100k_hosts", projected, 0 },
      { "connect_rate_target_per_s", rate, 0 },
      { "connect_rate_per_s", n_connects_done / (double) seconds, 0 },
      { "connects_done", n_connects_done, 0 },
      { "connects_failed", n_connects_failed, 0 },
      { "connect_ms_p50", percentile (connect_ms, 50), 2 },
      { "connect_ms_p99", percentile (connect_ms, 99), 2 },
      { "relay_rtt_ms_p50", percentile (rtt_ms, 50), 2 },
      { "relay_rtt_ms_p99", percentile (rtt_ms, 99), 2 },
      { "relay_rtt_ms_max", percentile (rtt_ms, 100), 2 },
      { "keepalive_pings_per_s", n_pings / (double) seconds, 0 },
      { "server_cpu_relay_phase_percent", (cpu_after_relay - cpu_before_relay) / seconds * 100.0, 0 },
      { "server_errors", n_errors, 0 },
    };
    g_autoptr(GString) json = g_string_new ("{");

    g_print ("\n%-34s %14s\n", "metric", "value");
    g_print ("%-34s %14s\n", "----------------------------------", "--------------");
    for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
      {
        char value[64];

        if (isnan (metrics[i].value))
          g_strlcpy (value, "null", sizeof value);
        else
          g_snprintf (value, sizeof value, "%.*f", metrics[i].decimals, metrics[i].value);
        g_print ("%-34s %14s\n", metrics[i].key, value);
        g_string_append_printf (json, "%s\n  \"%s\": %s", i > 0 ? "," : "", metrics[i].key, value);
      }
    g_string_append (json, "\n}\n");

    if (json_path != NULL && !g_file_set_contents (json_path, json->str, -1, &error))
      {
        g_printerr ("bench-rendezvous: %s\n", error->message);
        return 1;
      }
  }

  /* Graceful stop: every host is told to go away. */
  {
    double stop_start = now_s ();
    gboolean exited = FALSE;

    g_subprocess_send_signal (server, SIGTERM);
    g_subprocess_wait_async (server, NULL, exited_cb, &exited);
    while (!exited && now_s () - stop_start < 20)
      {
        poll_once (10);
        g_main_context_iteration (NULL, FALSE);
      }
    if (!exited)
      {
        g_subprocess_force_exit (server);
        g_subprocess_wait (server, NULL, NULL);
      }
    g_print ("server stopped in %.1f s%s\n", now_s () - stop_start, exited ? "" : " (killed)");
  }

  for (guint i = 0; i < hosts->len; i++)
    {
      Conn *conn = g_ptr_array_index (hosts, i);

      if (conn->state != ST_DEAD)
        close (conn->fd);
      g_free (conn);
    }
  for (guint i = 0; i < viewers->len; i++)
    {
      Conn *conn = g_ptr_array_index (viewers, i);

      if (conn->state != ST_DEAD)
        close (conn->fd);
      g_free (conn);
    }
  g_ptr_array_unref (hosts);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
  sodium_memzero (secret_keys, (gsize) n_hosts * crypto_sign_SECRETKEYBYTES);
  g_free (public_keys);
  g_free (secret_keys);
  return 0;
}
