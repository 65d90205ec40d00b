/* td-context-mux.h: many small main contexts driven from one, with epoll
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TD_TYPE_CONTEXT_MUX (td_context_mux_get_type ())

G_DECLARE_FINAL_TYPE (TdContextMux, td_context_mux, TD, CONTEXT_MUX, GObject)

typedef struct _TdMuxEntry TdMuxEntry;

TdContextMux *td_context_mux_new          (GError       **error);
TdMuxEntry   *td_context_mux_add          (TdContextMux  *self);
void          td_context_mux_remove       (TdContextMux  *self,
                                           TdMuxEntry    *entry);
guint         td_context_mux_get_size     (TdContextMux  *self);

GMainContext *td_mux_entry_get_context    (TdMuxEntry    *entry);
void          td_mux_entry_push           (TdMuxEntry    *entry);
void          td_mux_entry_pop            (TdMuxEntry    *entry);
void          td_mux_entry_wake           (TdMuxEntry    *entry);

G_END_DECLS
