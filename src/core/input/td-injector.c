/* td-injector.c: puts the viewer's input into the host's session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Backends: XTest (td-injector-xtest.c). Each tracks the keys and buttons
 * it holds down, so td_injector_release_all() can let go of them when
 * control is revoked or the session ends; otherwise a Ctrl pressed just
 * before the connection dropped would stay pressed on the host. View-only
 * sessions are enforced by the caller, which never creates an injector.
 * Main thread only.
 */
#define G_LOG_DOMAIN "td-input"

#include "td-injector.h"

G_DEFINE_QUARK (td-injector-error-quark, td_injector_error)

G_DEFINE_INTERFACE (TdInjector, td_injector, G_TYPE_OBJECT)

static void
td_injector_default_init (TdInjectorInterface *iface)
{
}

/**
 * td_injector_inject:
 * @self: a #TdInjector
 * @event: the event
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the event was injected; invalid events are refused
 *   with %TD_INJECTOR_ERROR_INVALID
 */
gboolean
td_injector_inject (TdInjector          *self,
                    const TdInputEvent  *event,
                    GError             **error)
{
  g_return_val_if_fail (TD_IS_INJECTOR (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!td_input_event_is_valid (event))
    {
      g_set_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_INVALID,
                   "The partner sent an input event that is out of range.");
      return FALSE;
    }

  return TD_INJECTOR_GET_IFACE (self)->inject (self, event, error);
}

/**
 * td_injector_release_all:
 * @self: a #TdInjector
 *
 * Releases every key and button this injector holds down.
 */
void
td_injector_release_all (TdInjector *self)
{
  g_return_if_fail (TD_IS_INJECTOR (self));

  TD_INJECTOR_GET_IFACE (self)->release_all (self);
}
