/* td-application.h: the Tandem application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TD_TYPE_APPLICATION (td_application_get_type ())

G_DECLARE_FINAL_TYPE (TdApplication, td_application, TD, APPLICATION, AdwApplication)

TdApplication *td_application_new                      (void);
GSettings     *td_application_get_settings             (TdApplication *self);
char          *td_application_dup_display_name         (TdApplication *self);
char          *td_application_dup_default_display_name (TdApplication *self);

G_END_DECLS
