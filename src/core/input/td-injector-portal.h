/* td-injector-portal.h: input injection through the RemoteDesktop portal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-capture-portal.h"
#include "td-injector.h"

G_BEGIN_DECLS

#define TD_TYPE_INJECTOR_PORTAL (td_injector_portal_get_type ())

G_DECLARE_FINAL_TYPE (TdInjectorPortal, td_injector_portal, TD, INJECTOR_PORTAL, GObject)

TdInjectorPortal *td_injector_portal_new            (TdCapturePortal   *capture,
                                                     GError           **error);
guint             td_injector_portal_get_n_pressed  (TdInjectorPortal  *self);

G_END_DECLS
