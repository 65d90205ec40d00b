/* td-embedded-server.h: a local tandem-server when none is configured
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_TYPE_EMBEDDED_SERVER (td_embedded_server_get_type ())
#define TD_EMBEDDED_SERVER_ERROR (td_embedded_server_error_quark ())

typedef enum
{
  TD_EMBEDDED_SERVER_ERROR_NOT_FOUND,
  TD_EMBEDDED_SERVER_ERROR_FAILED,
  TD_EMBEDDED_SERVER_ERROR_TIMED_OUT,
} TdEmbeddedServerError;

G_DECLARE_FINAL_TYPE (TdEmbeddedServer, td_embedded_server, TD, EMBEDDED_SERVER, GObject)

GQuark            td_embedded_server_error_quark  (void);
char             *td_embedded_server_find_binary  (GError              **error);

TdEmbeddedServer *td_embedded_server_new          (const char           *db_path,
                                                   const char           *runtime_dir);
void              td_embedded_server_start_async  (TdEmbeddedServer     *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean          td_embedded_server_start_finish (TdEmbeddedServer     *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
const char       *td_embedded_server_get_uri      (TdEmbeddedServer     *self);
guint16           td_embedded_server_get_port     (TdEmbeddedServer     *self);
gboolean          td_embedded_server_get_owned    (TdEmbeddedServer     *self);
GPid              td_embedded_server_get_pid      (TdEmbeddedServer     *self);
void              td_embedded_server_stop         (TdEmbeddedServer     *self);

G_END_DECLS
