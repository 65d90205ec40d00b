/* td-injector.h: puts the viewer's input into the host's session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "td-input-event.h"

G_BEGIN_DECLS

#define TD_INJECTOR_ERROR (td_injector_error_quark ())

/**
 * TdInjectorError:
 * @TD_INJECTOR_ERROR_FAILED: the event could not be injected
 * @TD_INJECTOR_ERROR_INVALID: the event is malformed or out of range
 * @TD_INJECTOR_ERROR_UNSUPPORTED: this backend cannot work here
 */
typedef enum
{
  TD_INJECTOR_ERROR_FAILED,
  TD_INJECTOR_ERROR_INVALID,
  TD_INJECTOR_ERROR_UNSUPPORTED,
} TdInjectorError;

#define TD_TYPE_INJECTOR (td_injector_get_type ())

G_DECLARE_INTERFACE (TdInjector, td_injector, TD, INJECTOR, GObject)

struct _TdInjectorInterface
{
  GTypeInterface parent_iface;

  gboolean (*inject)      (TdInjector          *self,
                           const TdInputEvent  *event,
                           GError             **error);
  void     (*release_all) (TdInjector          *self);
};

GQuark   td_injector_error_quark  (void);
gboolean td_injector_inject       (TdInjector          *self,
                                   const TdInputEvent  *event,
                                   GError             **error);
void     td_injector_release_all  (TdInjector          *self);

G_END_DECLS
