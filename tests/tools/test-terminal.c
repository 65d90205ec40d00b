/* test-terminal.c: the remote terminal's host side, with a real shell
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "td-terminal.h"

#define TIMEOUT_S 10

typedef struct {
  TdTerminal *terminal;
  GString *output;
  gboolean exited;
  int status;
  guint n_chunks;
  gsize largest_chunk;
  guint n_drained;
} Fixture;

static void
on_output (TdTerminal *terminal,
           GBytes     *bytes,
           Fixture    *f)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_assert_cmpuint (length, >, 0);
  g_assert_cmpuint (length, <=, TD_TERMINAL_MAX_CHUNK);
  g_string_append_len (f->output, data, length);
  f->n_chunks++;
  f->largest_chunk = MAX (f->largest_chunk, length);
}

static void
on_exited (TdTerminal *terminal,
           int         status,
           Fixture    *f)
{
  g_assert_false (f->exited);
  f->exited = TRUE;
  f->status = status;
}

static void
on_drained (TdTerminal *terminal,
            Fixture    *f)
{
  f->n_drained++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *shell = data;

  f->terminal = g_object_new (TD_TYPE_TERMINAL, "shell", shell, NULL);
  f->output = g_string_new (NULL);
  g_signal_connect (f->terminal, "output", G_CALLBACK (on_output), f);
  g_signal_connect (f->terminal, "exited", G_CALLBACK (on_exited), f);
  g_signal_connect (f->terminal, "drained", G_CALLBACK (on_drained), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->terminal);
  g_string_free (f->output, TRUE);

  /* The shells this test closed leave nothing to dispatch behind them. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @pattern matches the output after @from, and
 * returns the match.
 */
static GMatchInfo *
wait_for_output (Fixture    *f,
                 gsize       from,
                 const char *pattern)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_DOTALL | G_REGEX_RAW, 0, NULL);
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (TIMEOUT_S, timeout_cb, &timed_out);

  g_assert_nonnull (regex);

  while (!timed_out)
    {
      GMatchInfo *match = NULL;

      if (f->output->len > from &&
          g_regex_match_full (regex, f->output->str, f->output->len, from, 0, &match, NULL))
        {
          g_source_remove (timeout_id);
          return match;
        }
      g_clear_pointer (&match, g_match_info_free);

      g_main_context_iteration (NULL, TRUE);
    }

  {
    g_autofree char *escaped = g_strescape (f->output->str + from, NULL);

    g_test_message ("No /%s/ in the output after %" G_GSIZE_FORMAT " bytes: \"%s\"",
                    pattern, from, escaped);
  }
  g_assert_not_reached ();
  return NULL;
}

static void
wait_for_exit (Fixture *f)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (TIMEOUT_S, timeout_cb, &timed_out);

  while (!f->exited && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (f->exited);
  g_source_remove (timeout_id);
}

static void
type (Fixture    *f,
      const char *text)
{
  g_autoptr(GError) error = NULL;

  td_terminal_write (f->terminal, (const guint8 *) text, strlen (text), &error);
  g_assert_no_error (error);
}

static void
start (Fixture *f,
       guint    cols,
       guint    rows)
{
  g_autoptr(GError) error = NULL;

  td_terminal_start (f->terminal, cols, rows, &error);
  g_assert_no_error (error);
  g_assert_true (td_terminal_get_running (f->terminal));
  g_assert_cmpint (td_terminal_get_pid (f->terminal), >, 0);
  g_assert_nonnull (td_terminal_get_shell (f->terminal));
}

/* Waits until @pid has gone: reaped by us (this test is a subreaper, so
 * orphans come here), by its parent, or by init.
 */
static void
wait_for_pid_gone (pid_t pid)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      int status;
      pid_t r = waitpid (pid, &status, WNOHANG);

      if (r == pid)
        {
          g_assert_true (WIFSIGNALED (status));
          g_test_message ("pid %d ended by signal %d", (int) pid, WTERMSIG (status));
          break;
        }

      if (r < 0 && errno == ECHILD && kill (pid, 0) < 0 && errno == ESRCH)
        break;

      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }

  g_assert_cmpint (kill (pid, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
}

static void
test_echo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GMatchInfo) match = NULL;

  start (f, 80, 24);
  type (f, "echo $((6*7))\n");
  match = wait_for_output (f, 0, "[\r\n ]42\r?\n");

  td_terminal_close (f->terminal);
  wait_for_exit (f);
}

static void
test_resize (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  gsize mark;

  start (f, 80, 24);
  type (f, "stty size\n");
  g_clear_pointer (&match, g_match_info_free);
  match = wait_for_output (f, 0, "[\r\n]24 80\r?\n");

  mark = f->output->len;
  td_terminal_resize (f->terminal, 101, 37, &error);
  g_assert_no_error (error);
  type (f, "stty size\n");
  g_clear_pointer (&match, g_match_info_free);
  match = wait_for_output (f, mark, "[\r\n]37 101\r?\n");

  /* Out of range: refused, and the size stays. */
  td_terminal_resize (f->terminal, 0, 10, &error);
  g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_INVALID_SIZE);
  g_clear_error (&error);
  td_terminal_resize (f->terminal, 80, TD_TERMINAL_MAX_DIMENSION + 1, &error);
  g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_INVALID_SIZE);
  g_clear_error (&error);

  mark = f->output->len;
  type (f, "stty size\n");
  g_clear_pointer (&match, g_match_info_free);
  match = wait_for_output (f, mark, "[\r\n]37 101\r?\n");

  td_terminal_close (f->terminal);
  wait_for_exit (f);
}

static void
test_utf8 (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GMatchInfo) match = NULL;

  start (f, 80, 24);
  type (f, "echo \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"\n");
  match = wait_for_output (f, 0, "[\r\n]\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\r?\n");

  td_terminal_close (f->terminal);
  wait_for_exit (f);
}

static void
test_environment (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *term = NULL;
  g_autofree char *colorterm = NULL;
  g_autofree char *home = NULL;

  start (f, 80, 24);
  type (f, "echo \"T=$TERM:C=$COLORTERM:D=$(pwd):\"\n");
  match = wait_for_output (f, 0, "T=([^:$]*):C=([^:$]*):D=([^:$]*):");

  term = g_match_info_fetch (match, 1);
  colorterm = g_match_info_fetch (match, 2);
  home = g_match_info_fetch (match, 3);
  g_assert_cmpstr (term, ==, "xterm-256color");
  g_assert_cmpstr (colorterm, ==, "truecolor");
  g_assert_true (g_file_test (home, G_FILE_TEST_IS_DIR));

  /* The shell is the leader of a session of its own. */
  g_assert_cmpint (getsid (td_terminal_get_pid (f->terminal)), ==,
                   td_terminal_get_pid (f->terminal));

  td_terminal_close (f->terminal);
  wait_for_exit (f);
}

/* Waits until @pid runs @name, past the fork and exec. */
static void
wait_for_exec (pid_t       pid,
               const char *name)
{
#ifdef __linux__
  g_autofree char *path = g_strdup_printf ("/proc/%d/comm", (int) pid);
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) &&
          g_strcmp0 (g_strstrip (comm), name) == 0)
        return;

      g_usleep (10000);
    }

  g_assert_not_reached ();
#else
  g_usleep (G_USEC_PER_SEC / 2);
#endif
}

static void
close_ends_background_child (Fixture    *f,
                             const char *command)
{
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *pid_text = NULL;
  pid_t child;

  start (f, 80, 24);
  type (f, command);
  match = wait_for_output (f, 0, "CHILD:([0-9]+):");
  pid_text = g_match_info_fetch (match, 1);
  child = (pid_t) g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (child, >, 1);
  g_assert_cmpint (kill (child, 0), ==, 0);
  wait_for_exec (child, "sleep");

  td_terminal_close (f->terminal);
  g_assert_false (td_terminal_get_running (f->terminal));
  wait_for_exit (f);
  g_assert_cmpint (td_terminal_get_pid (f->terminal), ==, 0);

  wait_for_pid_gone (child);
}

static void
test_close_ends_children (Fixture       *f,
                          gconstpointer  data)
{
  close_ends_background_child (f, "sleep 1000 & echo \"CHILD:$!:\"\n");
}

static void
test_close_ends_nohup_children (Fixture       *f,
                                gconstpointer  data)
{
  /* Deaf to SIGHUP: only the SIGKILL after the grace ends it. */
  close_ends_background_child (f, "nohup sleep 1000 >/dev/null 2>&1 & echo \"CHILD:$!:\"\n");
}

static void
test_write_after_close (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  start (f, 80, 24);
  td_terminal_close (f->terminal);

  g_assert_false (td_terminal_write (f->terminal, (const guint8 *) "ls\n", 3, &error));
  g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  wait_for_exit (f);

  g_assert_false (td_terminal_write (f->terminal, (const guint8 *) "ls\n", 3, &error));
  g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  g_assert_false (td_terminal_resize (f->terminal, 80, 24, &error));
  g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  g_assert_false (td_terminal_start (f->terminal, 80, 24, &error));
  g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  /* Closing twice is harmless. */
  td_terminal_close (f->terminal);
}

static void
test_shell_exits (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMatchInfo) match = NULL;

  start (f, 80, 24);
  type (f, "echo bye-$((1+1)); exit 3\n");
  wait_for_exit (f);

  /* The last words came before the news of the end. */
  match = wait_for_output (f, 0, "bye-2");
  g_assert_false (g_spawn_check_wait_status (f->status, &error));
  g_assert_error (error, G_SPAWN_EXIT_ERROR, 3);
  g_assert_false (td_terminal_get_running (f->terminal));
}

static void
test_large_output (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GMatchInfo) match = NULL;

  start (f, 80, 24);
  /* 200000 bytes of output, produced faster than one chunk per read. */
  type (f, "head -c 200000 /dev/zero | tr '\\0' x; echo; echo END-$((2*2))\n");
  match = wait_for_output (f, 0, "[\r\n]END-4\r?\n");

  g_assert_cmpuint (f->largest_chunk, <=, TD_TERMINAL_MAX_CHUNK);
  /* Coalescing: far fewer chunks than the 8 KiB reads it took. */
  g_assert_cmpuint (f->n_chunks, <, 200000 / 1024);

  td_terminal_close (f->terminal);
  wait_for_exit (f);
}

static void
test_backpressure (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree guint8 *block = g_malloc (TD_TERMINAL_MAX_QUEUED / 4);
  gboolean refused = FALSE;
  gsize sent = 0;
  gboolean timed_out = FALSE;
  guint timeout_id;

  memset (block, 'a', TD_TERMINAL_MAX_QUEUED / 4);

  start (f, 80, 24);
  /* A shell that does not read its input for a while, then swallows it. */
  type (f, "stty raw -echo; echo READY; sleep 2; cat >/dev/null\n");
  match = wait_for_output (f, 0, "READY");

  for (guint i = 0; i < 64 && !refused; i++)
    {
      if (td_terminal_write (f->terminal, block, TD_TERMINAL_MAX_QUEUED / 4, &error))
        {
          sent += TD_TERMINAL_MAX_QUEUED / 4;
          continue;
        }

      g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_BUSY);
      g_clear_error (&error);
      refused = TRUE;
    }

  g_assert_true (refused);
  g_assert_cmpuint (td_terminal_get_queued (f->terminal), >, 0);
  g_assert_cmpuint (td_terminal_get_queued (f->terminal), <=, TD_TERMINAL_MAX_QUEUED);
  g_test_message ("%" G_GSIZE_FORMAT " bytes taken before the queue was full", sent);

  timeout_id = g_timeout_add_seconds (TIMEOUT_S, timeout_cb, &timed_out);
  while (f->n_drained == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (f->n_drained, ==, 1);
  g_source_remove (timeout_id);
  g_assert_cmpuint (td_terminal_get_queued (f->terminal), ==, 0);

  /* Taken again. */
  g_assert_true (td_terminal_write (f->terminal, block, TD_TERMINAL_MAX_QUEUED / 4, &error));
  g_assert_no_error (error);

  td_terminal_close (f->terminal);
  wait_for_exit (f);
}

static void
test_pause_output (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GMatchInfo) match = NULL;
  gsize mark;

  start (f, 80, 24);
  type (f, "echo READY-$((1+2))\n");
  match = wait_for_output (f, 0, "READY-3");

  td_terminal_set_output_paused (f->terminal, TRUE);
  g_assert_true (td_terminal_get_output_paused (f->terminal));
  mark = f->output->len;
  type (f, "echo AFTER-$((2+3))\n");

  /* Nothing arrives while paused. */
  for (guint i = 0; i < 30; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpuint (f->output->len, ==, mark);

  td_terminal_set_output_paused (f->terminal, FALSE);
  g_clear_pointer (&match, g_match_info_free);
  match = wait_for_output (f, mark, "AFTER-5");

  td_terminal_close (f->terminal);
  wait_for_exit (f);
}

static void
test_dispose_running (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *pid_text = NULL;
  pid_t child;

  start (f, 80, 24);
  type (f, "sleep 1000 & echo \"CHILD:$!:\"\n");
  match = wait_for_output (f, 0, "CHILD:([0-9]+):");
  pid_text = g_match_info_fetch (match, 1);
  child = (pid_t) g_ascii_strtoll (pid_text, NULL, 10);

  /* Dropping the last reference ends everything at once. */
  g_clear_object (&f->terminal);
  wait_for_pid_gone (child);
}

static void
drop_terminal_on_output (TdTerminal *terminal,
                         GBytes     *bytes,
                         Fixture    *f)
{
  g_clear_object (&f->terminal);
}

static void
test_unref_in_handler (Fixture       *f,
                       gconstpointer  data)
{
  gint64 deadline;

  start (f, 80, 24);
  g_signal_connect (f->terminal, "output", G_CALLBACK (drop_terminal_on_output), f);
  type (f, "echo $((6*7))\n");

  /* The handler that holds the last reference drops it while output is
   * being delivered: nothing may touch the terminal after that.
   */
  deadline = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;
  while (f->terminal != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (f->terminal);

  for (guint i = 0; i < 20; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static void
test_not_started (void)
{
  g_autoptr(TdTerminal) terminal = td_terminal_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (td_terminal_get_running (terminal));
  g_assert_cmpint (td_terminal_get_pid (terminal), ==, 0);
  g_assert_null (td_terminal_get_shell (terminal));

  g_assert_false (td_terminal_write (terminal, (const guint8 *) "x", 1, &error));
  g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  g_assert_false (td_terminal_resize (terminal, 80, 24, &error));
  g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  g_assert_false (td_terminal_start (terminal, 0, 24, &error));
  g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_INVALID_SIZE);
  g_clear_error (&error);

  g_assert_false (td_terminal_start (terminal, 80, 100000, &error));
  g_assert_error (error, TD_TERMINAL_ERROR, TD_TERMINAL_ERROR_INVALID_SIZE);
  g_clear_error (&error);

  /* Harmless before a start. */
  td_terminal_close (terminal);
  g_assert_false (td_terminal_get_running (terminal));
}

static void
test_missing_shell (void)
{
  g_autoptr(TdTerminal) terminal = NULL;
  g_autoptr(GError) error = NULL;

  terminal = g_object_new (TD_TYPE_TERMINAL, "shell", "/nonexistent/shell", NULL);
  g_assert_false (td_terminal_start (terminal, 80, 24, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/shell"));
  g_assert_false (td_terminal_get_running (terminal));
}

#define ADD(path, func, shell) \
  g_test_add (path, Fixture, shell, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#ifdef __linux__
  /* Orphaned grandchildren come here rather than to an init that may not
   * reap them (containers), so that "gone" can be checked exactly.
   */
  prctl (PR_SET_CHILD_SUBREAPER, 1);
#endif

  g_test_add_func ("/tools/terminal/not-started", test_not_started);
  g_test_add_func ("/tools/terminal/missing-shell", test_missing_shell);

  /* NULL: the user's login shell. */
  ADD ("/tools/terminal/echo", test_echo, NULL);
  ADD ("/tools/terminal/resize", test_resize, NULL);
  ADD ("/tools/terminal/utf8", test_utf8, NULL);
  ADD ("/tools/terminal/environment", test_environment, NULL);
  ADD ("/tools/terminal/close-ends-children", test_close_ends_children, NULL);
  ADD ("/tools/terminal/close-ends-nohup-children", test_close_ends_nohup_children, NULL);
  ADD ("/tools/terminal/write-after-close", test_write_after_close, NULL);
  ADD ("/tools/terminal/shell-exits", test_shell_exits, NULL);
  ADD ("/tools/terminal/large-output", test_large_output, NULL);
  ADD ("/tools/terminal/backpressure", test_backpressure, NULL);
  ADD ("/tools/terminal/pause-output", test_pause_output, NULL);
  ADD ("/tools/terminal/dispose-running", test_dispose_running, NULL);
  ADD ("/tools/terminal/unref-in-handler", test_unref_in_handler, NULL);

  /* The same round trip through the POSIX shell, whatever the user's is. */
  ADD ("/tools/terminal/posix-sh/echo", test_echo, "/bin/sh");
  ADD ("/tools/terminal/posix-sh/close-ends-children", test_close_ends_children, "/bin/sh");

  return g_test_run ();
}
