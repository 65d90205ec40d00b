/* td-ice-transport.h: the ICE connection to the partner (libnice)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <nice/agent.h>

#include "td-datagram-link.h"

G_BEGIN_DECLS

#define TD_TYPE_ICE_TRANSPORT      (td_ice_transport_get_type ())
#define TD_TYPE_ICE_STATE          (td_ice_state_get_type ())
#define TD_TYPE_ICE_CANDIDATE_TYPE (td_ice_candidate_type_get_type ())
#define TD_ICE_ERROR               (td_ice_error_quark ())

/* Component 1 carries the control channel (PseudoTCP), component 2 media. */
#define TD_ICE_COMPONENT_CONTROL 1
#define TD_ICE_COMPONENT_MEDIA   2

typedef enum
{
  TD_ICE_ERROR_FAILED,
  TD_ICE_ERROR_BAD_URI,
  TD_ICE_ERROR_BAD_CANDIDATE,
  TD_ICE_ERROR_BAD_CREDENTIALS,
  TD_ICE_ERROR_TIMED_OUT,
  TD_ICE_ERROR_NO_PATH,
  TD_ICE_ERROR_CLOSED,
} TdIceError;

typedef enum
{
  TD_ICE_STATE_NEW,
  TD_ICE_STATE_GATHERING,
  TD_ICE_STATE_CONNECTING,
  TD_ICE_STATE_CONNECTED,
  TD_ICE_STATE_FAILED,
  TD_ICE_STATE_CLOSED,
} TdIceState;

typedef enum
{
  TD_ICE_CANDIDATE_NONE,
  TD_ICE_CANDIDATE_HOST,
  TD_ICE_CANDIDATE_SERVER_REFLEXIVE,
  TD_ICE_CANDIDATE_PEER_REFLEXIVE,
  TD_ICE_CANDIDATE_RELAYED,
} TdIceCandidateType;

/**
 * TdIceMediaReceiveFunc:
 * @data: a datagram received on the media component
 * @length: its size
 * @user_data: what was given with the function
 */
typedef void (*TdIceMediaReceiveFunc) (const guint8 *data,
                                       gsize         length,
                                       gpointer      user_data);

G_DECLARE_FINAL_TYPE (TdIceTransport, td_ice_transport, TD, ICE_TRANSPORT, GObject)

GType               td_ice_state_get_type                     (void) G_GNUC_CONST;
GType               td_ice_candidate_type_get_type            (void) G_GNUC_CONST;
GQuark              td_ice_error_quark                        (void);
const char         *td_ice_candidate_type_to_string           (TdIceCandidateType     type);
const char         *td_ice_state_to_string                    (TdIceState             state);

TdIceTransport     *td_ice_transport_new                      (gboolean               controlling);
gboolean            td_ice_transport_set_servers              (TdIceTransport        *self,
                                                               const char * const    *uris,
                                                               const char            *username,
                                                               const char            *password,
                                                               GError               **error);
gboolean            td_ice_transport_add_local_address        (TdIceTransport        *self,
                                                               const char            *address,
                                                               GError               **error);

void                td_ice_transport_get_local_credentials    (TdIceTransport        *self,
                                                               char                 **out_ufrag,
                                                               char                 **out_password);
gboolean            td_ice_transport_set_remote_credentials   (TdIceTransport        *self,
                                                               const char            *ufrag,
                                                               const char            *password,
                                                               GError               **error);

void                td_ice_transport_gather_async             (TdIceTransport        *self,
                                                               GCancellable          *cancellable,
                                                               GAsyncReadyCallback    callback,
                                                               gpointer               user_data);
gboolean            td_ice_transport_gather_finish            (TdIceTransport        *self,
                                                               GAsyncResult          *result,
                                                               GError               **error);

gboolean            td_ice_transport_add_remote_candidate     (TdIceTransport        *self,
                                                               const char            *candidate,
                                                               GError               **error);
void                td_ice_transport_end_of_remote_candidates (TdIceTransport        *self);

void                td_ice_transport_connect_async            (TdIceTransport        *self,
                                                               GCancellable          *cancellable,
                                                               GAsyncReadyCallback    callback,
                                                               gpointer               user_data);
gboolean            td_ice_transport_connect_finish           (TdIceTransport        *self,
                                                               GAsyncResult          *result,
                                                               GError               **error);

TdIceState          td_ice_transport_get_state                (TdIceTransport        *self);
TdIceCandidateType  td_ice_transport_get_local_candidate_type (TdIceTransport        *self);
TdIceCandidateType  td_ice_transport_get_remote_candidate_type (TdIceTransport       *self);
gboolean            td_ice_transport_get_relayed              (TdIceTransport        *self);
const char         *td_ice_transport_get_selected_pair        (TdIceTransport        *self);

gboolean            td_ice_transport_send_media               (TdIceTransport        *self,
                                                               const guint8          *data,
                                                               gsize                  length);
void                td_ice_transport_set_media_receive_func   (TdIceTransport        *self,
                                                               TdIceMediaReceiveFunc  func,
                                                               gpointer               user_data,
                                                               GDestroyNotify         notify);

NiceAgent          *td_ice_transport_get_agent                (TdIceTransport        *self);
guint               td_ice_transport_get_stream_id            (TdIceTransport        *self);

void                td_ice_transport_close_async              (TdIceTransport        *self,
                                                               GCancellable          *cancellable,
                                                               GAsyncReadyCallback    callback,
                                                               gpointer               user_data);
gboolean            td_ice_transport_close_finish             (TdIceTransport        *self,
                                                               GAsyncResult          *result,
                                                               GError               **error);

G_END_DECLS
