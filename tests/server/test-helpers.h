/* test-helpers.h: servers, raw WebSocket clients and waiting, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "td-device-key.h"
#include "td-rendezvous-client.h"
#include "td-rendezvous-server.h"
#include "td-signal.h"

G_BEGIN_DECLS

/* Spins the default main context until *flag or the timeout; returns *flag. */
gboolean            th_wait_for             (const gboolean     *flag,
                                             guint               timeout_ms);
void                th_sleep                (guint               ms);

/* A server in this process on 127.0.0.1, port 0 unless @port. */
void                th_config_init          (TdServerConfig     *config);
TdRendezvousServer *th_server_start         (const TdServerConfig *config,
                                             guint16             port);
void                th_server_stop          (TdRendezvousServer *server);
char               *th_server_uri           (TdRendezvousServer *server);

/* TdRendezvousClient, synchronously */
guint32             th_register             (TdRendezvousClient *client,
                                             GError            **error);
TdSignalingPeer    *th_connect              (TdRendezvousClient *client,
                                             guint32             id,
                                             GError            **error);
gboolean            th_wait_state           (TdRendezvousClient *client,
                                             TdRendezvousState   state,
                                             guint               timeout_ms);

/* A raw WebSocket client that records what the server says. */
typedef struct
{
  SoupSession             *session;
  SoupWebsocketConnection *ws;
  GQueue                   messages;   /* of TdSignalMessage */
  GPtrArray               *texts;
  gboolean                 closed;
  gushort                  close_code;
  gboolean                 failed;
} ThRaw;

ThRaw           *th_raw_connect          (const char         *uri);
ThRaw           *th_raw_connect_within   (const char         *uri,
                                          guint               timeout_ms);
void             th_raw_free             (ThRaw              *raw);
void             th_raw_send             (ThRaw              *raw,
                                          const char         *text);
void             th_raw_send_message     (ThRaw              *raw,
                                          TdSignalMessage    *message);
TdSignalMessage *th_raw_next             (ThRaw              *raw,
                                          guint               timeout_ms);
TdSignalMessage *th_raw_expect           (ThRaw              *raw,
                                          TdSignalType        type,
                                          guint               timeout_ms);
void             th_raw_expect_error     (ThRaw              *raw,
                                          TdSignalCode        code,
                                          guint               timeout_ms);
gboolean         th_raw_wait_closed      (ThRaw              *raw,
                                          guint               timeout_ms);
guint32          th_raw_register         (ThRaw              *raw,
                                          TdDeviceKey        *key,
                                          guint32             wanted_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThRaw, th_raw_free)

G_END_DECLS
