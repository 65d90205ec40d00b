/* td-terminal.h: the host side of the remote terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TD_TERMINAL_ERROR (td_terminal_error_quark ())

/**
 * TdTerminalError:
 * @TD_TERMINAL_ERROR_FAILED: the pseudo-terminal or the shell could not be
 *   set up
 * @TD_TERMINAL_ERROR_NOT_RUNNING: the terminal was never started, was closed,
 *   or its shell has exited
 * @TD_TERMINAL_ERROR_BUSY: the input queue is full; resend after
 *   #TdTerminal::drained
 * @TD_TERMINAL_ERROR_INVALID_SIZE: a window size out of range
 * @TD_TERMINAL_ERROR_ELEVATED: the process runs with privileges its user
 *   does not have (set-user-ID), and will not hand them to a shell
 */
typedef enum
{
  TD_TERMINAL_ERROR_FAILED,
  TD_TERMINAL_ERROR_NOT_RUNNING,
  TD_TERMINAL_ERROR_BUSY,
  TD_TERMINAL_ERROR_INVALID_SIZE,
  TD_TERMINAL_ERROR_ELEVATED,
} TdTerminalError;

/* Output is emitted in chunks of at most this many bytes. */
#define TD_TERMINAL_MAX_CHUNK       (16 * 1024)
/* At most this many bytes of input wait for the shell to read them. */
#define TD_TERMINAL_MAX_QUEUED      (64 * 1024)
/* The largest window accepted, in either direction. */
#define TD_TERMINAL_MAX_DIMENSION   1000

#define TD_TYPE_TERMINAL (td_terminal_get_type ())

G_DECLARE_FINAL_TYPE (TdTerminal, td_terminal, TD, TERMINAL, GObject)

GQuark      td_terminal_error_quark       (void);

TdTerminal *td_terminal_new               (void);
gboolean    td_terminal_start             (TdTerminal    *self,
                                           guint          cols,
                                           guint          rows,
                                           GError       **error);
gboolean    td_terminal_write             (TdTerminal    *self,
                                           const guint8  *data,
                                           gsize          length,
                                           GError       **error);
gboolean    td_terminal_resize            (TdTerminal    *self,
                                           guint          cols,
                                           guint          rows,
                                           GError       **error);
void        td_terminal_close             (TdTerminal    *self);
void        td_terminal_set_output_paused (TdTerminal    *self,
                                           gboolean       paused);
gboolean    td_terminal_get_output_paused (TdTerminal    *self);
gboolean    td_terminal_get_running       (TdTerminal    *self);
GPid        td_terminal_get_pid           (TdTerminal    *self);
const char *td_terminal_get_shell         (TdTerminal    *self);
gsize       td_terminal_get_queued        (TdTerminal    *self);

G_END_DECLS
