/* td-viewer-session.h: the helper's side of a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-session.h"
#include "td-device-key.h"
#include "td-keys.h"
#include "td-rendezvous-client.h"
#include "td-control-channel.h"

G_BEGIN_DECLS

#define TD_TYPE_VIEWER_SESSION (td_viewer_session_get_type ())

G_DECLARE_FINAL_TYPE (TdViewerSession, td_viewer_session, TD, VIEWER_SESSION, TdSession)

TdViewerSession  *td_viewer_session_new            (TdRendezvousClient   *client,
                                                    TdDeviceKey          *key,
                                                    const char           *display_name);
void              td_viewer_session_connect_async  (TdViewerSession      *self,
                                                    guint32               id,
                                                    const char           *password,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean          td_viewer_session_connect_finish (TdViewerSession      *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
TdControlChannel *td_viewer_session_get_channel    (TdViewerSession      *self);
TdKeys           *td_viewer_session_get_keys       (TdViewerSession      *self);
gint64            td_viewer_session_get_connect_time_us (TdViewerSession *self);

G_END_DECLS
