/* transport-test-util.h: helpers shared by the transport tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "td-control-channel.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
  gint64    finished_at;
} TestResult;

/* Runs the thread-default main context until *flag is set or timeout_ms
 * passed. Returns whether *flag got set. */
gboolean test_wait_for          (const gboolean  *flag,
                                 guint            timeout_ms);
void     test_drain_main_context (void);
void     test_result_clear      (TestResult      *result);

void     test_on_handshake      (GObject         *source,
                                 GAsyncResult    *result,
                                 gpointer         user_data);
void     test_on_closed         (GObject         *source,
                                 GAsyncResult    *result,
                                 gpointer         user_data);

/* Handshakes both channels; asserts success. */
void     test_handshake_pair    (TdControlChannel *client,
                                 TdControlChannel *server,
                                 guint             timeout_ms);

/* Checks what both ends must agree on after a handshake. */
void     test_check_peers       (TdControlChannel *client,
                                 TdDeviceKey      *client_key,
                                 TdControlChannel *server,
                                 TdDeviceKey      *server_key);

/* Sends n_bytes of random data client -> server as FILE_CHUNK messages,
 * following the channel's flow control, checks the SHA-256 on arrival and
 * returns the throughput in MB/s. */
double   test_transfer          (TdControlChannel *sender,
                                 TdControlChannel *receiver,
                                 gsize             n_bytes,
                                 guint             timeout_ms);

G_END_DECLS
