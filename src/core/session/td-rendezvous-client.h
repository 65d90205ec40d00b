/* td-rendezvous-client.h: this device's link to the rendezvous server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "td-device-key.h"
#include "td-signaling-peer.h"

G_BEGIN_DECLS

#define TD_TYPE_RENDEZVOUS_CLIENT (td_rendezvous_client_get_type ())
#define TD_TYPE_RENDEZVOUS_STATE (td_rendezvous_state_get_type ())
#define TD_RENDEZVOUS_ERROR (td_rendezvous_error_quark ())

typedef enum
{
  TD_RENDEZVOUS_STATE_DISCONNECTED,  /* no connection and none wanted, or gave up */
  TD_RENDEZVOUS_STATE_CONNECTING,    /* opening the WebSocket */
  TD_RENDEZVOUS_STATE_CONNECTED,     /* open, not registered: may connect to others */
  TD_RENDEZVOUS_STATE_REGISTERING,   /* proving the device key */
  TD_RENDEZVOUS_STATE_REGISTERED,    /* online under #TdRendezvousClient:id */
  TD_RENDEZVOUS_STATE_RETRYING,      /* lost the server; trying again after a pause */
} TdRendezvousState;

typedef enum
{
  TD_RENDEZVOUS_ERROR_FAILED,
  TD_RENDEZVOUS_ERROR_UNREACHABLE,
  TD_RENDEZVOUS_ERROR_CLOSED,
  TD_RENDEZVOUS_ERROR_UNKNOWN_ID,
  TD_RENDEZVOUS_ERROR_OFFLINE,
  TD_RENDEZVOUS_ERROR_BUSY,
  TD_RENDEZVOUS_ERROR_DECLINED,
  TD_RENDEZVOUS_ERROR_TIMEOUT,
  TD_RENDEZVOUS_ERROR_SELF,
  TD_RENDEZVOUS_ERROR_RATE_LIMITED,
  TD_RENDEZVOUS_ERROR_VERSION_MISMATCH,
  TD_RENDEZVOUS_ERROR_BAD_SIGNATURE,
  TD_RENDEZVOUS_ERROR_ID_TAKEN,
  TD_RENDEZVOUS_ERROR_REPLACED,
  TD_RENDEZVOUS_ERROR_SHUTTING_DOWN,
  TD_RENDEZVOUS_ERROR_PROTOCOL,
  TD_RENDEZVOUS_ERROR_SERVER,
} TdRendezvousError;

GType       td_rendezvous_state_get_type  (void);
GQuark      td_rendezvous_error_quark     (void);
const char *td_rendezvous_error_describe  (TdRendezvousError code);

G_DECLARE_FINAL_TYPE (TdRendezvousClient, td_rendezvous_client, TD, RENDEZVOUS_CLIENT, GObject)

TdRendezvousClient *td_rendezvous_client_new               (const char          *server_uri,
                                                            TdDeviceKey         *device_key);
const char         *td_rendezvous_client_get_server_uri    (TdRendezvousClient  *self);
TdDeviceKey        *td_rendezvous_client_get_device_key    (TdRendezvousClient  *self);
TdRendezvousState   td_rendezvous_client_get_state         (TdRendezvousClient  *self);
guint32             td_rendezvous_client_get_id            (TdRendezvousClient  *self);
void                td_rendezvous_client_set_preferred_id  (TdRendezvousClient  *self,
                                                            guint32              id);
const char         *td_rendezvous_client_get_display_name  (TdRendezvousClient  *self);
void                td_rendezvous_client_set_display_name  (TdRendezvousClient  *self,
                                                            const char          *name);
void                td_rendezvous_client_set_tls_database  (TdRendezvousClient  *self,
                                                            GTlsDatabase        *database);
const GError       *td_rendezvous_client_get_last_error    (TdRendezvousClient  *self);

void                td_rendezvous_client_register_async    (TdRendezvousClient  *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
guint32             td_rendezvous_client_register_finish   (TdRendezvousClient  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
void                td_rendezvous_client_stop              (TdRendezvousClient  *self);

void                td_rendezvous_client_connect_async     (TdRendezvousClient  *self,
                                                            guint32              id,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
TdSignalingPeer    *td_rendezvous_client_connect_finish    (TdRendezvousClient  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

G_END_DECLS
