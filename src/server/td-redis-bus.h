/* td-redis-bus.h: shared presence and node-to-node messages through Redis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_TYPE_REDIS_BUS (td_redis_bus_get_type ())
#define TD_REDIS_BUS_ERROR (td_redis_bus_error_quark ())

typedef enum
{
  TD_REDIS_BUS_ERROR_FAILED,
  TD_REDIS_BUS_ERROR_BAD_URL,
  TD_REDIS_BUS_ERROR_UNAVAILABLE,
} TdRedisBusError;

G_DECLARE_FINAL_TYPE (TdRedisBus, td_redis_bus, TD, REDIS_BUS, GObject)

GQuark      td_redis_bus_error_quark   (void);
TdRedisBus *td_redis_bus_new           (const char          *url,
                                        const char          *node_id,
                                        GError             **error);
const char *td_redis_bus_get_node_id   (TdRedisBus          *self);
void        td_redis_bus_start         (TdRedisBus          *self);
gboolean    td_redis_bus_is_ready      (TdRedisBus          *self);
void        td_redis_bus_set_online    (TdRedisBus          *self,
                                        guint32              id);
void        td_redis_bus_set_offline   (TdRedisBus          *self,
                                        guint32              id);
void        td_redis_bus_lookup_async  (TdRedisBus          *self,
                                        guint32              id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
char       *td_redis_bus_lookup_finish (TdRedisBus          *self,
                                        GAsyncResult        *result,
                                        GError             **error);
void        td_redis_bus_publish       (TdRedisBus          *self,
                                        const char          *node_id,
                                        const char          *payload);
void        td_redis_bus_stop_async    (TdRedisBus          *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean    td_redis_bus_stop_finish   (TdRedisBus          *self,
                                        GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
