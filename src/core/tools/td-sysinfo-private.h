/* td-sysinfo-private.h: the parsers behind TdSysinfo, for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-sysinfo.h"

G_BEGIN_DECLS

GVariant *td_sysinfo_parse_dpkg_status (const char      *contents,
                                        gsize            length,
                                        GCancellable    *cancellable);
void      td_sysinfo_add_flatpaks      (GVariantBuilder *builder,
                                        const char      *apps_dir,
                                        const char      *installation);

G_END_DECLS
