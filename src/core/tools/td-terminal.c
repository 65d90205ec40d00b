#define G_LOG_DOMAIN "td-tools"
/* td-terminal.c: the host side of the remote terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The user's own shell runs in a pseudo-terminal, as the user (never with
 * more rights than the user has), in a session of its own with the
 * pseudo-terminal as its controlling terminal. This object never touches the
 * network: the session feeds it input with td_terminal_write() and carries
 * #TdTerminal::output to the viewer.
 *
 * Bytes pass through untouched in both directions; chunks of output may end
 * inside a UTF-8 sequence, which the viewer's terminal widget reassembles.
 * What crosses the terminal is never logged.
 *
 * Closing ends every process of the shell's session, not only the shell:
 * SIGHUP first (the shell passes it to its jobs and saves its history), then
 * SIGKILL for whatever is left after a short grace.
 */

/* posix_openpt(), ptsname_r() */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "td-terminal.h"

/* How long the session has between SIGHUP and SIGKILL. */
#define CLOSE_GRACE_MS 500
/* How long output may wait to be merged with more output. */
#define COALESCE_MS 3
/* How much is read from the terminal per main-loop dispatch. */
#define READ_BUDGET (4 * TD_TERMINAL_MAX_CHUNK)

typedef enum
{
  STATE_NEW,
  STATE_RUNNING,
  STATE_CLOSING,
  STATE_EXITED,
} State;

struct _TdTerminal
{
  GObject     parent_instance;

  char       *shell;
  State       state;
  int         master_fd;
  GPid        pid;

  GByteArray *input;
  GByteArray *output;

  guint       read_id;
  guint       write_id;
  guint       child_watch_id;
  guint       flush_id;
  guint       kill_id;

  guint       output_paused : 1;
  guint       drained_wanted : 1;
  guint       hung_up : 1;
};

G_DEFINE_FINAL_TYPE (TdTerminal, td_terminal, G_TYPE_OBJECT)

G_DEFINE_QUARK (td-terminal-error-quark, td_terminal_error)

enum {
  PROP_0,
  PROP_SHELL,
  PROP_RUNNING,
  PROP_OUTPUT_PAUSED,
  N_PROPS
};

enum {
  OUTPUT,
  EXITED,
  DRAINED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void td_terminal_update_read_watch (TdTerminal *self);

/* Sends @signum to every process in the session led by @sid, and returns
 * how many there were. Processes that made a session of their own have left
 * on purpose (as a daemon would) and are not followed.
 */
static guint
signal_session (GPid sid,
                int  signum)
{
  guint n_signalled = 0;

#ifdef __linux__
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          guint64 value;
          pid_t pid;

          if (!g_ascii_string_to_unsigned (name, 10, 1, G_MAXINT, &value, NULL))
            continue;

          pid = (pid_t) value;
          if (getsid (pid) == sid && kill (pid, signum) == 0)
            n_signalled++;
        }
    }
#endif

  /* The shell's own process group, also where /proc is not. */
  if (kill (-sid, signum) == 0 && n_signalled == 0)
    n_signalled++;

  return n_signalled;
}

static void
kill_session (GPid sid)
{
  /* A process forked just as its parent was killed shows up in the next
   * pass; three passes catch all but a deliberate fork bomb.
   */
  for (guint i = 0; i < 3; i++)
    {
      if (signal_session (sid, SIGKILL) == 0)
        break;
    }
}

static void
reap_only_cb (GPid     pid,
              int      status,
              gpointer user_data)
{
}

static void
td_terminal_dispose (GObject *object)
{
  TdTerminal *self = (TdTerminal *) object;

  g_clear_handle_id (&self->read_id, g_source_remove);
  g_clear_handle_id (&self->write_id, g_source_remove);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->kill_id, g_source_remove);

  if (self->pid > 0)
    {
      /* Nobody is left to wait for a grace period: end the session now,
       * and leave a watch behind so that the shell does not stay a zombie.
       */
      kill_session (self->pid);

      if (self->child_watch_id != 0)
        {
          g_clear_handle_id (&self->child_watch_id, g_source_remove);
          g_child_watch_add (self->pid, reap_only_cb, NULL);
        }
    }

  self->state = STATE_EXITED;

  if (self->master_fd >= 0)
    {
      g_close (self->master_fd, NULL);
      self->master_fd = -1;
    }

  G_OBJECT_CLASS (td_terminal_parent_class)->dispose (object);
}

static void
td_terminal_finalize (GObject *object)
{
  TdTerminal *self = (TdTerminal *) object;

  g_clear_pointer (&self->shell, g_free);
  g_clear_pointer (&self->input, g_byte_array_unref);
  g_clear_pointer (&self->output, g_byte_array_unref);

  G_OBJECT_CLASS (td_terminal_parent_class)->finalize (object);
}

static void
td_terminal_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TdTerminal *self = TD_TERMINAL (object);

  switch (prop_id)
    {
    case PROP_SHELL:
      g_value_set_string (value, self->shell);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, td_terminal_get_running (self));
      break;

    case PROP_OUTPUT_PAUSED:
      g_value_set_boolean (value, self->output_paused);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_terminal_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TdTerminal *self = TD_TERMINAL (object);

  switch (prop_id)
    {
    case PROP_SHELL:
      self->shell = g_value_dup_string (value);
      break;

    case PROP_OUTPUT_PAUSED:
      td_terminal_set_output_paused (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_terminal_class_init (TdTerminalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_terminal_dispose;
  object_class->finalize = td_terminal_finalize;
  object_class->get_property = td_terminal_get_property;
  object_class->set_property = td_terminal_set_property;

  /**
   * TdTerminal:shell:
   *
   * The shell to run, or %NULL for the user's login shell from the
   * password database (`/bin/sh` when it names none).
   */
  properties[PROP_SHELL] =
    g_param_spec_string ("shell", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * TdTerminal:running:
   *
   * Whether the shell runs and accepts input.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * TdTerminal:output-paused:
   *
   * While %TRUE, nothing is read from the terminal: when the viewer cannot
   * keep up, the shell's programs block on their writes instead of the
   * output piling up in memory.
   */
  properties[PROP_OUTPUT_PAUSED] =
    g_param_spec_boolean ("output-paused", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdTerminal::output:
   * @self: a #TdTerminal
   * @bytes: at most %TD_TERMINAL_MAX_CHUNK bytes from the terminal
   *
   * Output from the shell and its programs, unchanged, for the viewer.
   */
  signals[OUTPUT] =
    g_signal_new ("output",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);

  /**
   * TdTerminal::exited:
   * @self: a #TdTerminal
   * @status: the shell's wait status, for g_spawn_check_wait_status()
   *
   * The shell has ended, after all of its output was emitted.
   */
  signals[EXITED] =
    g_signal_new ("exited",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);

  /**
   * TdTerminal::drained:
   * @self: a #TdTerminal
   *
   * The shell has read all queued input after td_terminal_write() refused
   * some with %TD_TERMINAL_ERROR_BUSY: the input can be sent again.
   */
  signals[DRAINED] =
    g_signal_new ("drained",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
td_terminal_init (TdTerminal *self)
{
  self->master_fd = -1;
  self->input = g_byte_array_new ();
  self->output = g_byte_array_new ();
}

/**
 * td_terminal_new:
 *
 * Returns: (transfer full): a terminal that runs the user's login shell
 *   once started
 */
TdTerminal *
td_terminal_new (void)
{
  return g_object_new (TD_TYPE_TERMINAL, NULL);
}

static void
td_terminal_set_state (TdTerminal *self,
                       State       state)
{
  gboolean was_running = td_terminal_get_running (self);

  self->state = state;

  if (was_running != td_terminal_get_running (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
td_terminal_flush_output (TdTerminal *self)
{
  g_assert (TD_IS_TERMINAL (self));

  g_clear_handle_id (&self->flush_id, g_source_remove);

  while (self->output->len > 0)
    {
      gsize length = MIN (self->output->len, TD_TERMINAL_MAX_CHUNK);
      g_autoptr(GBytes) bytes = g_bytes_new (self->output->data, length);

      g_byte_array_remove_range (self->output, 0, length);
      g_signal_emit (self, signals[OUTPUT], 0, bytes);
    }
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  /* A handler may drop the last reference. */
  g_autoptr(TdTerminal) self = g_object_ref (user_data);

  self->flush_id = 0;
  td_terminal_flush_output (self);

  return G_SOURCE_REMOVE;
}

/* Reads what the terminal has, up to @budget bytes. Returns %FALSE once the
 * terminal has hung up (every process holding its other end has gone).
 */
static gboolean
td_terminal_read (TdTerminal *self,
                  gsize       budget)
{
  guint8 buffer[8192];
  gsize total = 0;

  g_assert (TD_IS_TERMINAL (self));

  while (total < budget)
    {
      gssize n = read (self->master_fd, buffer, sizeof buffer);

      if (n > 0)
        {
          g_byte_array_append (self->output, buffer, n);
          total += n;
          continue;
        }

      if (n < 0 && errno == EINTR)
        continue;

      if (n < 0 && errno == EAGAIN)
        return TRUE;

      /* Linux reports the hangup as EIO, others as end of file. */
      if (n < 0 && errno != EIO)
        {
          int saved_errno = errno;
          g_debug ("Reading the terminal failed: %s", g_strerror (saved_errno));
        }

      self->hung_up = TRUE;
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_cb (int          fd,
         GIOCondition condition,
         gpointer     user_data)
{
  g_autoptr(TdTerminal) self = g_object_ref (user_data);
  gboolean open;

  if (self->master_fd < 0)
    return G_SOURCE_REMOVE;

  open = td_terminal_read (self, READ_BUDGET);

  if (self->output->len >= TD_TERMINAL_MAX_CHUNK || !open)
    td_terminal_flush_output (self);
  else if (self->output->len > 0 && self->flush_id == 0)
    self->flush_id = g_timeout_add (COALESCE_MS, flush_timeout_cb, self);

  if (!open)
    {
      self->read_id = 0;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
td_terminal_update_read_watch (TdTerminal *self)
{
  gboolean want;

  g_assert (TD_IS_TERMINAL (self));

  want = (self->master_fd >= 0 && !self->hung_up && !self->output_paused &&
          self->state != STATE_EXITED);

  if (want && self->read_id == 0)
    self->read_id = g_unix_fd_add (self->master_fd,
                                   G_IO_IN | G_IO_HUP | G_IO_ERR,
                                   read_cb, self);
  else if (!want)
    g_clear_handle_id (&self->read_id, g_source_remove);
}

/* Writes as much queued input as the terminal takes without blocking.
 * Returns %FALSE if the terminal cannot take input any more.
 */
static gboolean
td_terminal_write_queued (TdTerminal *self)
{
  g_assert (TD_IS_TERMINAL (self));

  while (self->input->len > 0)
    {
      gssize n = write (self->master_fd, self->input->data, self->input->len);

      if (n > 0)
        {
          g_byte_array_remove_range (self->input, 0, n);
          continue;
        }

      if (n < 0 && errno == EINTR)
        continue;

      if (n < 0 && errno == EAGAIN)
        return TRUE;

      if (n < 0)
        {
          int saved_errno = errno;
          g_debug ("Writing to the terminal failed: %s", g_strerror (saved_errno));
        }

      g_byte_array_set_size (self->input, 0);
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  g_autoptr(TdTerminal) self = g_object_ref (user_data);

  if (self->master_fd < 0)
    return G_SOURCE_REMOVE;

  if (!td_terminal_write_queued (self) || self->input->len == 0)
    {
      self->write_id = 0;

      if (self->drained_wanted)
        {
          self->drained_wanted = FALSE;
          g_signal_emit (self, signals[DRAINED], 0);
        }

      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
child_exited_cb (GPid     pid,
                 int      status,
                 gpointer user_data)
{
  g_autoptr(TdTerminal) self = g_object_ref (user_data);

  self->child_watch_id = 0;

  g_debug ("The terminal's shell (pid %d) has ended with status %d", (int) pid, status);

  /* Whatever the shell wrote last comes before the news of its end. */
  if (self->master_fd >= 0 && !self->hung_up)
    td_terminal_read (self, G_MAXSIZE);
  td_terminal_flush_output (self);

  g_clear_handle_id (&self->read_id, g_source_remove);
  g_clear_handle_id (&self->write_id, g_source_remove);
  g_byte_array_set_size (self->input, 0);
  self->drained_wanted = FALSE;

  /* Leave the pid set while the kill timer may still need the session id. */
  if (self->kill_id == 0)
    self->pid = 0;

  td_terminal_set_state (self, STATE_EXITED);

  g_signal_emit (self, signals[EXITED], 0, status);
}

static gboolean
kill_timeout_cb (gpointer user_data)
{
  TdTerminal *self = user_data;
  GPid sid = self->pid;

  self->kill_id = 0;

  if (sid > 0)
    {
      g_debug ("Killing what is left of the terminal's session");
      kill_session (sid);
    }

  if (self->state == STATE_EXITED)
    self->pid = 0;

  return G_SOURCE_REMOVE;
}

static void
child_setup (gpointer user_data)
{
  sigset_t set;

  /* Async-signal-safe calls only: this runs between fork() and exec(). */

  /* Ignored signals survive exec(); the shell gets the defaults. */
  for (int i = 1; i < NSIG; i++)
    signal (i, SIG_DFL);
  sigemptyset (&set);
  sigprocmask (SIG_SETMASK, &set, NULL);

  if (setsid () < 0)
    _exit (127);

  /* stdin is the terminal's other end: make it the controlling terminal. */
  if (ioctl (STDIN_FILENO, TIOCSCTTY, 0) < 0)
    _exit (127);
}

static char *
find_user_shell (char **home)
{
  g_autofree char *buffer = NULL;
  struct passwd pwd;
  struct passwd *result = NULL;
  long size = sysconf (_SC_GETPW_R_SIZE_MAX);
  char *shell = NULL;

  if (size <= 0)
    size = 16384;
  buffer = g_malloc (size);

  if (getpwuid_r (getuid (), &pwd, buffer, size, &result) == 0 && result != NULL)
    {
      if (result->pw_shell != NULL && result->pw_shell[0] == '/' &&
          g_file_test (result->pw_shell, G_FILE_TEST_IS_EXECUTABLE))
        shell = g_strdup (result->pw_shell);

      if (result->pw_dir != NULL && g_file_test (result->pw_dir, G_FILE_TEST_IS_DIR))
        *home = g_strdup (result->pw_dir);
    }

  if (*home == NULL)
    *home = g_strdup (g_get_home_dir ());

  if (shell == NULL)
    shell = g_strdup ("/bin/sh");

  return shell;
}

static gboolean
check_size (guint    cols,
            guint    rows,
            GError **error)
{
  if (cols == 0 || rows == 0 ||
      cols > TD_TERMINAL_MAX_DIMENSION || rows > TD_TERMINAL_MAX_DIMENSION)
    {
      g_set_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_INVALID_SIZE,
                   "A terminal of %u×%u characters cannot be made; "
                   "both sides must be between 1 and %u",
                   cols, rows, TD_TERMINAL_MAX_DIMENSION);
      return FALSE;
    }

  return TRUE;
}

static gboolean
set_error_from_errno (GError     **error,
                      const char  *what)
{
  int saved_errno = errno;

  g_set_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_FAILED,
               "Could not open a terminal: %s failed: %s",
               what, g_strerror (saved_errno));
  return FALSE;
}

/**
 * td_terminal_start:
 * @self: a #TdTerminal
 * @cols: the viewer's terminal width, in characters
 * @rows: the viewer's terminal height, in lines
 * @error: return location for a #GError
 *
 * Opens a pseudo-terminal of @cols × @rows and runs the shell in it, in the
 * user's home folder, with `TERM=xterm-256color` and `COLORTERM=truecolor`.
 * Output comes from #TdTerminal::output on the thread-default main context.
 *
 * Returns: %TRUE if the shell runs
 */
gboolean
td_terminal_start (TdTerminal  *self,
                   guint        cols,
                   guint        rows,
                   GError     **error)
{
  g_autofree char *home = NULL;
  g_autofree char *user_shell = NULL;
  g_autofree char *argv0 = NULL;
  g_auto(GStrv) envp = NULL;
  const char *shell;
  const char *argv[3] = { NULL, NULL, NULL };
  struct winsize size = { 0, };
  struct termios tio;
  char slave_name[64];
  int master_fd = -1;
  int slave_fd = -1;
  GPid pid = 0;
  gboolean spawned;

  g_return_val_if_fail (TD_IS_TERMINAL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != STATE_NEW)
    {
      g_set_error_literal (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_NOT_RUNNING,
                           "This terminal has already been used; open a new one");
      return FALSE;
    }

  if (!check_size (cols, rows, error))
    return FALSE;

  if (getuid () != geteuid () || getgid () != getegid ())
    {
      g_set_error_literal (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_ELEVATED,
                           "Tandem runs with rights its user does not have and will "
                           "not open a terminal with them; start it without "
                           "set-user-ID or set-group-ID");
      return FALSE;
    }

  user_shell = find_user_shell (&home);
  shell = self->shell != NULL ? self->shell : user_shell;

  master_fd = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_fd < 0)
    return set_error_from_errno (error, "posix_openpt()");

  if (grantpt (master_fd) < 0 || unlockpt (master_fd) < 0)
    {
      set_error_from_errno (error, "Unlocking the pseudo-terminal");
      g_close (master_fd, NULL);
      return FALSE;
    }

  if (ptsname_r (master_fd, slave_name, sizeof slave_name) != 0 ||
      (slave_fd = open (slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
    {
      set_error_from_errno (error, "Opening the pseudo-terminal");
      g_close (master_fd, NULL);
      return FALSE;
    }

  /* Line editing in the kernel counts characters, not bytes. */
  if (tcgetattr (slave_fd, &tio) == 0)
    {
      tio.c_iflag |= IUTF8;
      tcsetattr (slave_fd, TCSANOW, &tio);
    }

  size.ws_col = cols;
  size.ws_row = rows;
  if (ioctl (master_fd, TIOCSWINSZ, &size) < 0 ||
      !g_unix_set_fd_nonblocking (master_fd, TRUE, NULL))
    {
      set_error_from_errno (error, "Setting up the pseudo-terminal");
      g_close (slave_fd, NULL);
      g_close (master_fd, NULL);
      return FALSE;
    }

  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "TERM", "xterm-256color", TRUE);
  envp = g_environ_setenv (envp, "COLORTERM", "truecolor", TRUE);
  envp = g_environ_setenv (envp, "SHELL", shell, TRUE);
  envp = g_environ_unsetenv (envp, "COLUMNS");
  envp = g_environ_unsetenv (envp, "LINES");
  envp = g_environ_unsetenv (envp, "DESKTOP_STARTUP_ID");
  envp = g_environ_unsetenv (envp, "XDG_ACTIVATION_TOKEN");

  argv0 = g_path_get_basename (shell);
  argv[0] = shell;
  argv[1] = argv0;

  spawned = g_spawn_async_with_fds (home, (char **) argv, envp,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_FILE_AND_ARGV_ZERO,
                                    child_setup, NULL, &pid,
                                    slave_fd, slave_fd, slave_fd,
                                    error);
  g_close (slave_fd, NULL);

  if (!spawned)
    {
      g_close (master_fd, NULL);
      g_prefix_error (error, "Could not start the shell %s: ", shell);
      return FALSE;
    }

  g_debug ("Started %s (pid %d) in a %u×%u terminal", shell, (int) pid, cols, rows);

  if (self->shell == NULL)
    self->shell = g_strdup (shell);

  self->master_fd = master_fd;
  self->pid = pid;
  self->child_watch_id = g_child_watch_add (pid, child_exited_cb, self);
  td_terminal_set_state (self, STATE_RUNNING);
  td_terminal_update_read_watch (self);

  return TRUE;
}

/**
 * td_terminal_write:
 * @self: a #TdTerminal
 * @data: (array length=length): input from the viewer
 * @length: the length of @data
 * @error: return location for a #GError
 *
 * Queues @data for the shell. The queue holds at most
 * %TD_TERMINAL_MAX_QUEUED bytes: when @data does not fit, none of it is
 * taken, the error is %TD_TERMINAL_ERROR_BUSY, and #TdTerminal::drained
 * says when to send it again.
 *
 * Returns: %TRUE if all of @data was taken
 */
gboolean
td_terminal_write (TdTerminal    *self,
                   const guint8  *data,
                   gsize          length,
                   GError       **error)
{
  g_return_val_if_fail (TD_IS_TERMINAL (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != STATE_RUNNING)
    {
      g_set_error_literal (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_NOT_RUNNING,
                           "The terminal has been closed; open a new one to type again");
      return FALSE;
    }

  if (length > TD_TERMINAL_MAX_QUEUED - self->input->len)
    {
      self->drained_wanted = TRUE;
      g_set_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_BUSY,
                   "The shell is not reading its input (%u bytes are waiting); "
                   "try again when it has caught up",
                   self->input->len);
      return FALSE;
    }

  if (length == 0)
    return TRUE;

  g_byte_array_append (self->input, data, length);

  if (self->write_id != 0)
    return TRUE;

  if (!td_terminal_write_queued (self))
    {
      g_set_error_literal (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_NOT_RUNNING,
                           "The terminal no longer takes input; its shell is ending");
      return FALSE;
    }

  if (self->input->len > 0)
    self->write_id = g_unix_fd_add (self->master_fd, G_IO_OUT | G_IO_ERR, write_cb, self);

  return TRUE;
}

/**
 * td_terminal_resize:
 * @self: a #TdTerminal
 * @cols: the new width, in characters
 * @rows: the new height, in lines
 * @error: return location for a #GError
 *
 * Tells the terminal its new size; the programs in its foreground get
 * SIGWINCH.
 *
 * Returns: %TRUE if the size was set
 */
gboolean
td_terminal_resize (TdTerminal  *self,
                    guint        cols,
                    guint        rows,
                    GError     **error)
{
  struct winsize size = { 0, };

  g_return_val_if_fail (TD_IS_TERMINAL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_size (cols, rows, error))
    return FALSE;

  if (self->state != STATE_RUNNING)
    {
      g_set_error_literal (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_NOT_RUNNING,
                           "The terminal has been closed and cannot be resized");
      return FALSE;
    }

  size.ws_col = cols;
  size.ws_row = rows;
  if (ioctl (self->master_fd, TIOCSWINSZ, &size) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_FAILED,
                   "Could not resize the terminal: %s", g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/**
 * td_terminal_close:
 * @self: a #TdTerminal
 *
 * Ends the shell and every process it started in its session: they get
 * SIGHUP, and SIGKILL if they are still there after a short grace.
 * #TdTerminal::exited follows when the shell has ended. Input is refused
 * from now on. Does nothing if the shell is not running.
 */
void
td_terminal_close (TdTerminal *self)
{
  g_return_if_fail (TD_IS_TERMINAL (self));

  if (self->state != STATE_RUNNING)
    return;

  g_debug ("Closing the terminal (session %d)", (int) self->pid);

  td_terminal_set_state (self, STATE_CLOSING);

  g_clear_handle_id (&self->write_id, g_source_remove);
  g_byte_array_set_size (self->input, 0);
  self->drained_wanted = FALSE;

  /* Stopped jobs need SIGCONT to act on SIGHUP. */
  signal_session (self->pid, SIGHUP);
  signal_session (self->pid, SIGCONT);

  self->kill_id = g_timeout_add (CLOSE_GRACE_MS, kill_timeout_cb, self);
}

/**
 * td_terminal_set_output_paused:
 * @self: a #TdTerminal
 * @paused: whether to stop reading output
 *
 * Stops or resumes reading the terminal. See #TdTerminal:output-paused.
 */
void
td_terminal_set_output_paused (TdTerminal *self,
                               gboolean    paused)
{
  g_return_if_fail (TD_IS_TERMINAL (self));

  paused = !!paused;
  if (self->output_paused == paused)
    return;

  self->output_paused = paused;
  td_terminal_update_read_watch (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTPUT_PAUSED]);
}

gboolean
td_terminal_get_output_paused (TdTerminal *self)
{
  g_return_val_if_fail (TD_IS_TERMINAL (self), FALSE);

  return self->output_paused;
}

/**
 * td_terminal_get_running:
 * @self: a #TdTerminal
 *
 * Returns: %TRUE between td_terminal_start() and td_terminal_close() or the
 *   shell's end
 */
gboolean
td_terminal_get_running (TdTerminal *self)
{
  g_return_val_if_fail (TD_IS_TERMINAL (self), FALSE);

  return self->state == STATE_RUNNING;
}

/**
 * td_terminal_get_pid:
 * @self: a #TdTerminal
 *
 * Returns: the shell's process ID, which is also its session's, or 0 when
 *   no shell runs
 */
GPid
td_terminal_get_pid (TdTerminal *self)
{
  g_return_val_if_fail (TD_IS_TERMINAL (self), 0);

  return self->state == STATE_EXITED ? 0 : self->pid;
}

/**
 * td_terminal_get_shell:
 * @self: a #TdTerminal
 *
 * Returns: (nullable): the shell that runs or will run, %NULL before
 *   td_terminal_start() when it is the user's login shell
 */
const char *
td_terminal_get_shell (TdTerminal *self)
{
  g_return_val_if_fail (TD_IS_TERMINAL (self), NULL);

  return self->shell;
}

/**
 * td_terminal_get_queued:
 * @self: a #TdTerminal
 *
 * Returns: how many bytes of input wait for the shell to read them
 */
gsize
td_terminal_get_queued (TdTerminal *self)
{
  g_return_val_if_fail (TD_IS_TERMINAL (self), 0);

  return self->input->len;
}
