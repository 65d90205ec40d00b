/* td-id-entry-row.h: an entry row that groups a partner ID while it is typed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TD_TYPE_ID_ENTRY_ROW (td_id_entry_row_get_type ())

G_DECLARE_FINAL_TYPE (TdIdEntryRow, td_id_entry_row, TD, ID_ENTRY_ROW, AdwEntryRow)

GtkWidget *td_id_entry_row_new          (void);
guint      td_id_entry_row_get_id       (TdIdEntryRow  *self);
guint      td_id_entry_row_get_n_digits (TdIdEntryRow  *self);
gboolean   td_id_entry_row_validate     (TdIdEntryRow  *self,
                                         GError       **error);

G_END_DECLS
