/* td-test-xvfb.c: a private Xvfb for one test or benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Xvfb picks a free display number itself and writes it to the file
 * descriptor given with -displayfd once it accepts connections; it is
 * stopped by its PID, never by name, and dies with the test (PDEATHSIG)
 * if the test aborts.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>

#include "td-test-xvfb.h"

/* In the child: if the test dies on an assertion, Xvfb goes with it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

TdTestXvfb *
td_test_xvfb_start (int      width,
                    int      height,
                    GError **error)
{
  g_autofree char *xvfb = g_find_program_in_path ("Xvfb");
  g_autofree char *screen = g_strdup_printf ("%dx%dx24", width, height);
  g_autofree char *fd_arg = NULL;
  g_autoptr(GString) number = g_string_new (NULL);
  TdTestXvfb *self;
  int fds[2];
  GPid pid;
  gint64 deadline;
  int target_fd = 3;

  if (xvfb == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Xvfb is not installed");
      return NULL;
    }

  if (pipe (fds) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s", g_strerror (errno));
      return NULL;
    }

  fd_arg = g_strdup_printf ("%d", target_fd);
  {
    const char *argv[] = {
      xvfb, "-displayfd", fd_arg, "-screen", "0", screen,
      "-nolisten", "tcp", "-noreset", "+extension", "RANDR", NULL,
    };
    int source_fds[] = { fds[1] };
    int target_fds[] = { target_fd };

    if (!g_spawn_async_with_pipes_and_fds (NULL, argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                           G_SPAWN_STDERR_TO_DEV_NULL,
                                           die_with_parent, NULL, -1, -1, -1,
                                           source_fds, target_fds, 1,
                                           &pid, NULL, NULL, NULL, error))
      {
        close (fds[0]);
        close (fds[1]);
        return NULL;
      }
  }
  close (fds[1]);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      struct pollfd p = { fds[0], POLLIN, 0 };
      char c;

      if (poll (&p, 1, 100) <= 0)
        continue;
      if (read (fds[0], &c, 1) != 1 || c == '\n')
        break;
      g_string_append_c (number, c);
    }
  close (fds[0]);

  if (number->len == 0)
    {
      kill (pid, SIGTERM);
      waitpid (pid, NULL, 0);
      g_spawn_close_pid (pid);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Xvfb did not start");
      return NULL;
    }

  self = g_new0 (TdTestXvfb, 1);
  self->pid = pid;
  self->display = g_strdup_printf (":%s", number->str);
  return self;
}

void
td_test_xvfb_stop (TdTestXvfb *self)
{
  if (self == NULL)
    return;

  kill (self->pid, SIGTERM);
  waitpid (self->pid, NULL, 0);
  g_spawn_close_pid (self->pid);
  g_free (self->display);
  g_free (self);
}
