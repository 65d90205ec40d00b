/* td-util.h: small helpers shared by every layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     td_random_bytes   (void       *buffer,
                            gsize       length);
guint32  td_random_uniform (guint32     upper_bound);
gboolean td_set_str        (char      **str_pointer,
                            const char *new_str);
void     td_memzero        (void       *buffer,
                            gsize       length);

G_END_DECLS
