/* td-context.h: what a Tandem instance shares, passed explicitly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_TYPE_CONTEXT (td_context_get_type ())

G_DECLARE_FINAL_TYPE (TdContext, td_context, TD, CONTEXT, GObject)

TdContext  *td_context_new              (const char  *data_dir);
const char *td_context_get_data_dir     (TdContext   *self);
gboolean    td_context_ensure_data_dir  (TdContext   *self,
                                         GError     **error);

G_END_DECLS
