/* td-registry.h: the lasting binding of IDs to device keys, in SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_TYPE_REGISTRY (td_registry_get_type ())
#define TD_REGISTRY_ERROR (td_registry_error_quark ())

typedef enum
{
  TD_REGISTRY_ERROR_FAILED,
  TD_REGISTRY_ERROR_CORRUPT,
  TD_REGISTRY_ERROR_TOO_NEW,
  TD_REGISTRY_ERROR_ID_TAKEN,
  TD_REGISTRY_ERROR_FULL,
} TdRegistryError;

G_DECLARE_FINAL_TYPE (TdRegistry, td_registry, TD, REGISTRY, GObject)

GQuark      td_registry_error_quark (void);
TdRegistry *td_registry_open        (const char   *path,
                                     GError      **error);
const char *td_registry_get_path    (TdRegistry   *self);
gboolean    td_registry_lookup_key  (TdRegistry   *self,
                                     GBytes       *public_key,
                                     guint32      *out_id,
                                     GError      **error);
gboolean    td_registry_lookup_id   (TdRegistry   *self,
                                     guint32       id,
                                     GBytes      **out_public_key,
                                     GError      **error);
guint32     td_registry_bind        (TdRegistry   *self,
                                     GBytes       *public_key,
                                     guint32       wanted_id,
                                     gboolean     *out_created,
                                     GError      **error);
gboolean    td_registry_begin       (TdRegistry   *self,
                                     GError      **error);
gboolean    td_registry_commit      (TdRegistry   *self,
                                     GError      **error);
void        td_registry_rollback    (TdRegistry   *self);
gint64      td_registry_count       (TdRegistry   *self,
                                     GError      **error);

G_END_DECLS
