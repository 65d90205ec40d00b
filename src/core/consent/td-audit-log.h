/* td-audit-log.h: the local record of who connected and what happened
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_TYPE_AUDIT_LOG (td_audit_log_get_type ())

G_DECLARE_FINAL_TYPE (TdAuditLog, td_audit_log, TD, AUDIT_LOG, GObject)

TdAuditLog *td_audit_log_new         (const char   *path);
const char *td_audit_log_get_path    (TdAuditLog   *self);
gboolean    td_audit_log_append      (TdAuditLog   *self,
                                      const char   *event,
                                      GVariant     *fields,
                                      GError      **error);
GPtrArray  *td_audit_log_read        (TdAuditLog   *self,
                                      guint         max_entries,
                                      GError      **error);

G_END_DECLS
