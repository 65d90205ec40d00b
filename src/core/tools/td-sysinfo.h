/* td-sysinfo.h: a read-only summary of the host for the technician
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The "format" of the dictionaries this version makes. */
#define TD_SYSINFO_FORMAT 1
/* The default and the largest number of journal entries gathered. */
#define TD_SYSINFO_DEFAULT_JOURNAL_ENTRIES 50
#define TD_SYSINFO_MAX_JOURNAL_ENTRIES     1000

#define TD_TYPE_SYSINFO (td_sysinfo_get_type ())

G_DECLARE_FINAL_TYPE (TdSysinfo, td_sysinfo, TD, SYSINFO, GObject)

TdSysinfo *td_sysinfo_new                 (void);
void       td_sysinfo_set_journal_entries (TdSysinfo            *self,
                                           guint                 n_entries);
guint      td_sysinfo_get_journal_entries (TdSysinfo            *self);
GVariant  *td_sysinfo_collect             (TdSysinfo            *self,
                                           GCancellable         *cancellable,
                                           GError              **error);
void       td_sysinfo_collect_async       (TdSysinfo            *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GVariant  *td_sysinfo_collect_finish      (TdSysinfo            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

char      *td_sysinfo_to_text            (GVariant             *info);

G_END_DECLS
