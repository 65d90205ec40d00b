/* td-control-channel.h: the session's control channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "td-datagram-link.h"
#include "td-device-key.h"

G_BEGIN_DECLS

#define TD_TYPE_CONTROL_CHANNEL (td_control_channel_get_type ())
#define TD_TYPE_CONTROL_ROLE    (td_control_role_get_type ())
#define TD_TYPE_CONTROL_STATE   (td_control_state_get_type ())
#define TD_CHANNEL_ERROR        (td_channel_error_quark ())

/* Longest exporter output td_control_channel_export() gives. */
#define TD_CONTROL_CHANNEL_MAX_EXPORT 255

typedef enum
{
  TD_CHANNEL_ERROR_FAILED,
  TD_CHANNEL_ERROR_TIMED_OUT,
  TD_CHANNEL_ERROR_HANDSHAKE,
  TD_CHANNEL_ERROR_BAD_CERTIFICATE,
  TD_CHANNEL_ERROR_CLOSED,
  TD_CHANNEL_ERROR_NOT_OPEN,
  TD_CHANNEL_ERROR_PROTOCOL,
} TdChannelError;

/**
 * TdControlRole:
 * @TD_CONTROL_ROLE_CLIENT: opens the stream and is the TLS client (the viewer)
 * @TD_CONTROL_ROLE_SERVER: waits for it and is the TLS server (the host)
 */
typedef enum
{
  TD_CONTROL_ROLE_CLIENT,
  TD_CONTROL_ROLE_SERVER,
} TdControlRole;

typedef enum
{
  TD_CONTROL_STATE_NEW,
  TD_CONTROL_STATE_CONNECTING,   /* PseudoTCP connection being made */
  TD_CONTROL_STATE_HANDSHAKING,  /* TLS handshake */
  TD_CONTROL_STATE_OPEN,
  TD_CONTROL_STATE_CLOSING,
  TD_CONTROL_STATE_CLOSED,
} TdControlState;

G_DECLARE_FINAL_TYPE (TdControlChannel, td_control_channel, TD, CONTROL_CHANNEL, GObject)

GType             td_control_role_get_type                      (void) G_GNUC_CONST;
GType             td_control_state_get_type                     (void) G_GNUC_CONST;
GQuark            td_channel_error_quark                        (void);

TdControlChannel *td_control_channel_new                        (TdDatagramLink       *link,
                                                                 TdDeviceKey          *key,
                                                                 TdControlRole         role);
TdControlRole     td_control_channel_get_role                   (TdControlChannel     *self);
TdControlState    td_control_channel_get_state                  (TdControlChannel     *self);

void              td_control_channel_handshake_async            (TdControlChannel     *self,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
gboolean          td_control_channel_handshake_finish           (TdControlChannel     *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);

GBytes           *td_control_channel_get_peer_public_key        (TdControlChannel     *self);
GBytes           *td_control_channel_get_peer_fingerprint       (TdControlChannel     *self);
const char       *td_control_channel_get_peer_fingerprint_hex   (TdControlChannel     *self);
char             *td_control_channel_dup_tls_description        (TdControlChannel     *self);
gboolean          td_control_channel_export                     (TdControlChannel     *self,
                                                                 const char           *label,
                                                                 GBytes               *context,
                                                                 gsize                 length,
                                                                 guint8               *out,
                                                                 GError              **error);

void              td_control_channel_add_known_field            (TdControlChannel     *self,
                                                                 guint16               type,
                                                                 const char           *key);
gboolean          td_control_channel_send_message               (TdControlChannel     *self,
                                                                 guint16               type,
                                                                 GVariant             *fields,
                                                                 GError              **error);
gsize             td_control_channel_get_queued_bytes           (TdControlChannel     *self);

void              td_control_channel_close_async                (TdControlChannel     *self,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
gboolean          td_control_channel_close_finish               (TdControlChannel     *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);

void              td_control_channel_measure_throughput_async   (TdControlChannel     *self,
                                                                 guint64               n_bytes,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
gboolean          td_control_channel_measure_throughput_finish  (TdControlChannel     *self,
                                                                 GAsyncResult         *result,
                                                                 double               *out_seconds,
                                                                 GError              **error);

G_END_DECLS
