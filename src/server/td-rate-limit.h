/* td-rate-limit.h: token buckets per source address, in bounded memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TD_TYPE_RATE_LIMIT (td_rate_limit_get_type ())

G_DECLARE_FINAL_TYPE (TdRateLimit, td_rate_limit, TD, RATE_LIMIT, GObject)

TdRateLimit *td_rate_limit_new          (double        per_second,
                                         double        burst,
                                         guint         max_entries);
gboolean     td_rate_limit_take         (TdRateLimit  *self,
                                         const char   *key,
                                         gint64        now_us,
                                         guint        *out_retry_after_ms);
void         td_rate_limit_prune        (TdRateLimit  *self,
                                         gint64        now_us);
guint        td_rate_limit_get_size     (TdRateLimit  *self);
char        *td_rate_limit_address_key  (GInetAddress *address);

G_END_DECLS
