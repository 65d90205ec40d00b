/* td-embedded-server.c: a local tandem-server when none is configured
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With no server configured, Tandem runs a tandem-server child on
 * 127.0.0.1 (port 0, read back through --print-port) with its registry in
 * the user's data folder, so that two Tandem windows on one computer find
 * each other with no set-up.
 *
 * Two Tandem processes must share one server to find each other, so the
 * first one writes "PID PORT" to $XDG_RUNTIME_DIR/tandem/rendezvous.port
 * (under a lock) and later ones use that server instead of starting their
 * own. If the process that runs the server quits, another takes over on
 * the same port: its clients reconnect by themselves and keep their IDs.
 * The child gets SIGTERM when its parent dies (PR_SET_PDEATHSIG), so no
 * server outlives the Tandem that started it.
 */
#define G_LOG_DOMAIN "td-embedded-server"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif
#include <glib/gstdio.h>

#include "td-embedded-server.h"

#define START_TIMEOUT_MS   10000
#define LOCK_RETRY_MS      50
#define LOCK_ATTEMPTS      200
#define WATCH_INTERVAL_S   1
#define MAX_RESTARTS       5

struct _TdEmbeddedServer
{
  GObject       parent_instance;

  char         *db_path;
  char         *runtime_dir;
  char         *lock_path;
  char         *port_path;
  int           lock_fd;

  GSubprocess  *child;
  GPid          pid;
  guint16       port;
  guint16       spawn_port;
  char         *uri;
  gboolean      owned;
  gboolean      stopped;

  GCancellable *cancellable;
  GTask        *start_task;
  guint         start_timeout;
  guint         lock_retry;
  guint         lock_attempts;
  guint         watch_source;
  guint         restart_source;
  guint         restarts;
};

G_DEFINE_FINAL_TYPE (TdEmbeddedServer, td_embedded_server, G_TYPE_OBJECT)
G_DEFINE_QUARK (td-embedded-server-error-quark, td_embedded_server_error)

enum {
  PROP_0,
  PROP_URI,
  PROP_PORT,
  PROP_OWNED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void begin_start (TdEmbeddedServer *self);

static gboolean
is_executable (const char *path)
{
  return path != NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR) &&
         g_file_test (path, G_FILE_TEST_IS_EXECUTABLE);
}

/**
 * td_embedded_server_find_binary:
 * @error: a #GError
 *
 * Looks for tandem-server: $TD_SERVER_BINARY, next to this program, in the
 * build folder, in the install folder, then in $PATH.
 *
 * Returns: (transfer full): its path, or %NULL
 */
char *
td_embedded_server_find_binary (GError **error)
{
  const char *env = g_getenv ("TD_SERVER_BINARY");
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *beside = NULL;
  g_autofree char *built = g_build_filename (TD_BUILDDIR, "src", "server", "tandem-server", NULL);
  g_autofree char *installed = g_build_filename (TD_BINDIR, "tandem-server", NULL);
  char *in_path;

  if (env != NULL && *env != '\0')
    {
      if (is_executable (env))
        return g_strdup (env);

      g_set_error (error, TD_EMBEDDED_SERVER_ERROR, TD_EMBEDDED_SERVER_ERROR_NOT_FOUND,
                   "TD_SERVER_BINARY is “%s”, which is not an executable file", env);
      return NULL;
    }

  if (self_exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self_exe);

      beside = g_build_filename (dir, "tandem-server", NULL);
      if (is_executable (beside))
        return g_steal_pointer (&beside);
    }

  if (is_executable (built))
    return g_steal_pointer (&built);
  if (is_executable (installed))
    return g_steal_pointer (&installed);

  in_path = g_find_program_in_path ("tandem-server");
  if (in_path != NULL)
    return in_path;

  g_set_error (error, TD_EMBEDDED_SERVER_ERROR, TD_EMBEDDED_SERVER_ERROR_NOT_FOUND,
               "Could not find tandem-server to run a local rendezvous server; install it next to "
               "Tandem or set TD_SERVER_BINARY");
  return NULL;
}

static void
set_endpoint (TdEmbeddedServer *self,
              guint16           port,
              GPid              pid,
              gboolean          owned)
{
  g_autofree char *uri = port != 0 ? g_strdup_printf ("ws://127.0.0.1:%u", port) : NULL;

  self->pid = pid;

  if (self->owned != owned)
    {
      self->owned = owned;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OWNED]);
    }

  if (self->port != port)
    {
      self->port = port;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
    }

  if (g_strcmp0 (self->uri, uri) != 0)
    {
      g_free (self->uri);
      self->uri = g_steal_pointer (&uri);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URI]);
    }
}

/* Lock */

static gboolean
try_lock (TdEmbeddedServer  *self,
          GError           **error)
{
  if (self->lock_fd < 0)
    {
      self->lock_fd = open (self->lock_path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
      if (self->lock_fd < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Could not open “%s”: %s", self->lock_path, g_strerror (saved_errno));
          return FALSE;
        }
    }

  return flock (self->lock_fd, LOCK_EX | LOCK_NB) == 0;
}

static void
unlock (TdEmbeddedServer *self)
{
  if (self->lock_fd >= 0)
    {
      flock (self->lock_fd, LOCK_UN);
      close (self->lock_fd);
      self->lock_fd = -1;
    }
}

/* Starting */

static void
finish_start (TdEmbeddedServer *self,
              GError           *error)
{
  GTask *task = g_steal_pointer (&self->start_task);

  g_clear_handle_id (&self->start_timeout, g_source_remove);
  g_clear_handle_id (&self->lock_retry, g_source_remove);
  unlock (self);

  if (error != NULL)
    g_debug ("Local rendezvous server not started: %s", error->message);

  if (task == NULL)
    {
      if (error != NULL)
        g_warning ("Could not restart the local rendezvous server: %s", error->message);
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
pid_alive (GPid pid)
{
  return pid > 0 && (kill (pid, 0) == 0 || errno == EPERM);
}

static gboolean
port_answers (guint16 port)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  return socket != NULL && g_socket_connect (socket, address, NULL, NULL);
}

static gboolean
read_port_file (TdEmbeddedServer *self,
                GPid             *out_pid,
                guint16          *out_port)
{
  g_autofree char *contents = NULL;
  guint64 pid = 0, port = 0;
  g_auto(GStrv) parts = NULL;

  if (!g_file_get_contents (self->port_path, &contents, NULL, NULL))
    return FALSE;

  parts = g_strsplit (g_strstrip (contents), " ", 2);
  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXINT32, &pid, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, 65535, &port, NULL))
    return FALSE;

  *out_pid = (GPid) pid;
  *out_port = (guint16) port;
  return TRUE;
}

static gboolean
watch_cb (gpointer user_data)
{
  TdEmbeddedServer *self = user_data;

  if (self->owned || pid_alive (self->pid))
    return G_SOURCE_CONTINUE;

  g_message ("The Tandem that ran the local rendezvous server quit; taking over on port %u", self->port);
  self->watch_source = 0;
  self->spawn_port = self->port;
  begin_start (self);
  return G_SOURCE_REMOVE;
}

static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  /* Only async-signal-safe calls here. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static gboolean
restart_cb (gpointer user_data)
{
  TdEmbeddedServer *self = user_data;

  self->restart_source = 0;
  begin_start (self);
  return G_SOURCE_REMOVE;
}

static void
child_exited_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(TdEmbeddedServer) self = g_weak_ref_get (weak);
  GSubprocess *child = G_SUBPROCESS (object);

  /* A weak reference: waiting for the child must not keep this object,
   * and so the child, alive. */
  g_weak_ref_clear (weak);
  g_free (weak);
  g_subprocess_wait_finish (child, result, NULL);

  if (self == NULL || self->stopped || child != self->child)
    return;

  g_clear_object (&self->child);
  if (self->start_task != NULL)
    return; /* still starting: the read of its port sees the end */

  g_unlink (self->port_path);
  if (++self->restarts > MAX_RESTARTS)
    {
      g_warning ("The local rendezvous server keeps stopping; giving up");
      set_endpoint (self, 0, 0, FALSE);
      return;
    }

  g_warning ("The local rendezvous server stopped unexpectedly; restarting it");
  self->spawn_port = self->port;
  self->restart_source = g_timeout_add (500 * self->restarts, restart_cb, self);
}

static void
drain_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, NULL);

  /* Keep reading so the child never blocks on a full pipe. */
  if (bytes != NULL && g_bytes_get_size (bytes) > 0)
    g_input_stream_read_bytes_async (G_INPUT_STREAM (object), 4096, G_PRIORITY_LOW,
                                     user_data, drain_cb, user_data);
}

static void spawn_child (TdEmbeddedServer *self);

static void
port_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TdEmbeddedServer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  guint64 port = 0;
  GPid pid = 0;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->stopped)
    return;

  if (line == NULL || !g_str_has_prefix (line, "PORT ") ||
      !g_ascii_string_to_unsigned (line + 5, 10, 1, 65535, &port, NULL))
    {
      if (self->child != NULL)
        g_subprocess_force_exit (self->child);
      g_clear_object (&self->child);

      if (self->spawn_port != 0)
        {
          /* The port it had is taken now: any port will do. */
          g_debug ("Could not get port %u back; taking any free port", self->spawn_port);
          self->spawn_port = 0;
          spawn_child (self);
          return;
        }

      finish_start (self, g_error_new (TD_EMBEDDED_SERVER_ERROR, TD_EMBEDDED_SERVER_ERROR_FAILED,
                                       "The local rendezvous server did not start; see its messages above"));
      return;
    }

  if (self->child != NULL)
    {
      const char *identifier = g_subprocess_get_identifier (self->child);

      pid = identifier != NULL ? (GPid) atoi (identifier) : 0;
    }

  {
    g_autofree char *contents = g_strdup_printf ("%d %u\n", (int) pid, (guint) port);
    g_autoptr(GError) write_error = NULL;

    if (!g_file_set_contents (self->port_path, contents, -1, &write_error))
      g_warning ("Other Tandem windows will not find this one's rendezvous server: %s", write_error->message);
  }

  g_input_stream_read_bytes_async (G_INPUT_STREAM (object), 4096, G_PRIORITY_LOW,
                                   self->cancellable, drain_cb, self->cancellable);

  set_endpoint (self, (guint16) port, pid, TRUE);
  g_message ("Started a local rendezvous server at %s", self->uri);
  finish_start (self, NULL);
}

static void
spawn_child (TdEmbeddedServer *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *binary = td_embedded_server_find_binary (&error);
  g_autofree char *listen = NULL;
  const char *argv[16];
  guint n = 0;

  if (binary == NULL)
    {
      finish_start (self, g_steal_pointer (&error));
      return;
    }

  listen = g_strdup_printf ("127.0.0.1:%u", self->spawn_port);
  argv[n++] = binary;
  argv[n++] = "--listen";
  argv[n++] = listen;
  argv[n++] = "--print-port";
  argv[n++] = "--db";
  argv[n++] = self->db_path;
  argv[n++] = "--log-format";
  argv[n++] = "text";
  argv[n++] = "--log-level";
  argv[n++] = "warning";
  argv[n++] = "--node-id";
  argv[n++] = "embedded";
  argv[n] = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (self->child == NULL)
    {
      finish_start (self, g_error_new (TD_EMBEDDED_SERVER_ERROR, TD_EMBEDDED_SERVER_ERROR_FAILED,
                                       "Could not run %s: %s", binary, error->message));
      return;
    }

  {
    GWeakRef *weak = g_new0 (GWeakRef, 1);

    g_weak_ref_init (weak, self);
    g_subprocess_wait_async (self->child, self->cancellable, child_exited_cb, weak);
  }

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->child));
  g_data_input_stream_read_line_async (output, G_PRIORITY_DEFAULT, self->cancellable,
                                       port_line_cb, g_object_ref (self));
}

static gboolean
start_timeout_cb (gpointer user_data)
{
  TdEmbeddedServer *self = user_data;

  self->start_timeout = 0;
  if (self->child != NULL)
    g_subprocess_force_exit (self->child);
  g_clear_object (&self->child);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  finish_start (self, g_error_new (TD_EMBEDDED_SERVER_ERROR, TD_EMBEDDED_SERVER_ERROR_TIMED_OUT,
                                   "The local rendezvous server did not start within %d s",
                                   START_TIMEOUT_MS / 1000));
  return G_SOURCE_REMOVE;
}

static void
locked (TdEmbeddedServer *self)
{
  GPid pid = 0;
  guint16 port = 0;

  if (read_port_file (self, &pid, &port) && pid != getpid () && pid_alive (pid) && port_answers (port))
    {
      set_endpoint (self, port, pid, FALSE);
      g_debug ("Using the local rendezvous server of process %d at %s", (int) pid, self->uri);
      if (self->watch_source == 0)
        self->watch_source = g_timeout_add_seconds (WATCH_INTERVAL_S, watch_cb, self);
      finish_start (self, NULL);
      return;
    }

  spawn_child (self);
}

static gboolean
lock_retry_cb (gpointer user_data)
{
  TdEmbeddedServer *self = user_data;
  g_autoptr(GError) error = NULL;

  if (try_lock (self, &error))
    {
      self->lock_retry = 0;
      locked (self);
      return G_SOURCE_REMOVE;
    }

  if (error != NULL || ++self->lock_attempts > LOCK_ATTEMPTS)
    {
      self->lock_retry = 0;
      finish_start (self, error != NULL ? g_steal_pointer (&error)
                    : g_error_new (TD_EMBEDDED_SERVER_ERROR, TD_EMBEDDED_SERVER_ERROR_TIMED_OUT,
                                   "Another Tandem holds “%s”", self->lock_path));
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
begin_start (TdEmbeddedServer *self)
{
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (self->runtime_dir, 0700) != 0)
    {
      int saved_errno = errno;

      finish_start (self, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                       "Could not create “%s”: %s", self->runtime_dir,
                                       g_strerror (saved_errno)));
      return;
    }

  self->start_timeout = g_timeout_add (START_TIMEOUT_MS, start_timeout_cb, self);
  self->lock_attempts = 0;

  if (try_lock (self, &error))
    locked (self);
  else if (error != NULL)
    finish_start (self, g_steal_pointer (&error));
  else
    self->lock_retry = g_timeout_add (LOCK_RETRY_MS, lock_retry_cb, self);
}

/* Object */

static void
td_embedded_server_dispose (GObject *object)
{
  TdEmbeddedServer *self = (TdEmbeddedServer *) object;

  td_embedded_server_stop (self);

  G_OBJECT_CLASS (td_embedded_server_parent_class)->dispose (object);
}

static void
td_embedded_server_finalize (GObject *object)
{
  TdEmbeddedServer *self = (TdEmbeddedServer *) object;

  g_clear_object (&self->cancellable);
  g_free (self->db_path);
  g_free (self->runtime_dir);
  g_free (self->lock_path);
  g_free (self->port_path);
  g_free (self->uri);

  G_OBJECT_CLASS (td_embedded_server_parent_class)->finalize (object);
}

static void
td_embedded_server_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TdEmbeddedServer *self = TD_EMBEDDED_SERVER (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_OWNED:
      g_value_set_boolean (value, self->owned);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_embedded_server_class_init (TdEmbeddedServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_embedded_server_dispose;
  object_class->finalize = td_embedded_server_finalize;
  object_class->get_property = td_embedded_server_get_property;

  /**
   * TdEmbeddedServer:uri:
   *
   * ws://127.0.0.1:PORT once started. It changes only if the server has
   * to move to another port after a take-over; a client should then be
   * made for the new URI.
   */
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TdEmbeddedServer:owned:
   *
   * %TRUE if this process runs the server, %FALSE if it uses the one
   * another Tandem process started.
   */
  properties[PROP_OWNED] =
    g_param_spec_boolean ("owned", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
td_embedded_server_init (TdEmbeddedServer *self)
{
  self->lock_fd = -1;
  self->cancellable = g_cancellable_new ();
}

/**
 * td_embedded_server_new:
 * @db_path: (nullable): the registry file; default
 *   $XDG_DATA_HOME/tandem/rendezvous.db, shared by every Tandem of this user
 * @runtime_dir: (nullable): where the lock and port files live; default
 *   $XDG_RUNTIME_DIR/tandem
 *
 * Returns: (transfer full): a new #TdEmbeddedServer, not started
 */
TdEmbeddedServer *
td_embedded_server_new (const char *db_path,
                        const char *runtime_dir)
{
  TdEmbeddedServer *self = g_object_new (TD_TYPE_EMBEDDED_SERVER, NULL);

  self->db_path = db_path != NULL ? g_strdup (db_path)
                  : g_build_filename (g_get_user_data_dir (), "tandem", "rendezvous.db", NULL);
  self->runtime_dir = runtime_dir != NULL ? g_strdup (runtime_dir)
                      : g_build_filename (g_get_user_runtime_dir (), "tandem", NULL);
  self->lock_path = g_build_filename (self->runtime_dir, "rendezvous.lock", NULL);
  self->port_path = g_build_filename (self->runtime_dir, "rendezvous.port", NULL);
  return self;
}

/**
 * td_embedded_server_start_async:
 * @self: a #TdEmbeddedServer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once #TdEmbeddedServer:uri can be used
 * @user_data: for @callback
 *
 * Uses the local server another Tandem of this user runs, or starts one.
 */
void
td_embedded_server_start_async (TdEmbeddedServer    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TD_IS_EMBEDDED_SERVER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_embedded_server_start_async);

  if (self->start_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "Already starting");
      return;
    }

  if (self->uri != NULL && !self->stopped)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }

  self->stopped = FALSE;
  self->restarts = 0;
  self->start_task = g_steal_pointer (&task);
  begin_start (self);
}

gboolean
td_embedded_server_start_finish (TdEmbeddedServer  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (TD_IS_EMBEDDED_SERVER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_embedded_server_start_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * td_embedded_server_get_uri:
 *
 * Returns: (nullable): ws://127.0.0.1:PORT, or %NULL before it started
 */
const char *
td_embedded_server_get_uri (TdEmbeddedServer *self)
{
  g_return_val_if_fail (TD_IS_EMBEDDED_SERVER (self), NULL);

  return self->uri;
}

guint16
td_embedded_server_get_port (TdEmbeddedServer *self)
{
  g_return_val_if_fail (TD_IS_EMBEDDED_SERVER (self), 0);

  return self->port;
}

gboolean
td_embedded_server_get_owned (TdEmbeddedServer *self)
{
  g_return_val_if_fail (TD_IS_EMBEDDED_SERVER (self), FALSE);

  return self->owned;
}

/**
 * td_embedded_server_get_pid:
 *
 * Returns: the process ID of the server in use (this process's child, or
 *   another Tandem's), or 0
 */
GPid
td_embedded_server_get_pid (TdEmbeddedServer *self)
{
  g_return_val_if_fail (TD_IS_EMBEDDED_SERVER (self), 0);

  return self->pid;
}

/**
 * td_embedded_server_stop:
 *
 * Stops the child with SIGTERM if this process started it (it closes its
 * clients' connections gracefully and exits); the port file goes with it.
 * Also done on dispose.
 */
void
td_embedded_server_stop (TdEmbeddedServer *self)
{
  GPid pid = 0;
  guint16 port = 0;

  g_return_if_fail (TD_IS_EMBEDDED_SERVER (self));

  if (self->stopped)
    return;
  self->stopped = TRUE;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watch_source, g_source_remove);
  g_clear_handle_id (&self->restart_source, g_source_remove);
  g_clear_handle_id (&self->lock_retry, g_source_remove);

  if (self->start_task != NULL)
    finish_start (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped"));

  if (self->child != NULL)
    {
      if (self->owned && read_port_file (self, &pid, &port) && pid == self->pid)
        g_unlink (self->port_path);
      g_subprocess_send_signal (self->child, SIGTERM);
      g_clear_object (&self->child);
    }

  unlock (self);
  set_endpoint (self, 0, 0, FALSE);
}
