/* td-injector-xtest.h: input injection into an X11 session with XTest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-injector.h"

G_BEGIN_DECLS

#define TD_TYPE_INJECTOR_XTEST (td_injector_xtest_get_type ())

G_DECLARE_FINAL_TYPE (TdInjectorXTest, td_injector_xtest, TD, INJECTOR_XTEST, GObject)

TdInjectorXTest *td_injector_xtest_new               (const char      *display_name,
                                                      GError         **error);
guint            td_injector_xtest_get_n_pressed     (TdInjectorXTest *self);

G_END_DECLS
