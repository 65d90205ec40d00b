/* td-injector-portal.c: input injection through the RemoteDesktop portal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Uses the XdpSession of a RemoteDesktop TdCapturePortal (the user allowed
 * keyboard and pointer in the same dialog that chose the monitor):
 * - motion: absolute, in the stream's logical pixels;
 * - buttons: evdev codes (BTN_LEFT 0x110, RIGHT, MIDDLE, SIDE, EXTRA);
 * - smooth scrolling: 10 logical pixels per wheel step, discrete scrolling
 *   as wheel clicks;
 * - keys: by keysym (the compositor finds the key in the host's layout),
 *   else by the viewer's keycode minus 8 (evdev). A release goes the same
 *   way as its press.
 * The first key event of a new compositor virtual keyboard can get lost
 * (mutter 43), so a Shift tap (with a second release, in case the first
 * one is the event lost) is sent when the injector is made.
 */
#define G_LOG_DOMAIN "td-input"

#include <X11/keysym.h>

#include "td-injector-portal.h"

#define STEP_PIXELS 10.0

struct _TdInjectorPortal
{
  GObject          parent_instance;

  TdCapturePortal *capture;
  XdpSession      *session;
  guint            node_id;
  int              width;
  int              height;

  gboolean         buttons[6];   /* by TdPointerButton */
  GHashTable      *keys;         /* viewer key id -> code | KEYSYM_BIT */
};

#define KEYSYM_BIT 0x80000000u

static const int evdev_buttons[] = { 0, 0x110, 0x112, 0x111, 0x113, 0x114 };

static void injector_iface_init (TdInjectorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdInjectorPortal, td_injector_portal, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TD_TYPE_INJECTOR, injector_iface_init))

static guint
key_id (const TdInputEvent *event)
{
  return event->keycode != 0 ? event->keycode : (event->keysym | KEYSYM_BIT);
}

static void
send_key (TdInjectorPortal *self,
          guint             code,
          gboolean          pressed)
{
  gboolean keysym = (code & KEYSYM_BIT) != 0;

  xdp_session_keyboard_key (self->session, keysym, code & ~KEYSYM_BIT,
                            pressed ? XDP_KEY_PRESSED : XDP_KEY_RELEASED);
}

static gboolean
td_injector_portal_inject (TdInjector          *injector,
                           const TdInputEvent  *event,
                           GError             **error)
{
  TdInjectorPortal *self = TD_INJECTOR_PORTAL (injector);

  switch (event->type)
    {
    case TD_INPUT_EVENT_MOTION:
      if (event->monitor != 0)
        {
          g_set_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_INVALID,
                       "The partner pointed at monitor %u, but only one is shared.",
                       event->monitor + 1);
          return FALSE;
        }
      xdp_session_pointer_position (self->session, self->node_id,
                                    event->x * (self->width - 1), event->y * (self->height - 1));
      break;

    case TD_INPUT_EVENT_BUTTON:
      xdp_session_pointer_button (self->session, evdev_buttons[event->button],
                                  event->pressed ? XDP_BUTTON_PRESSED : XDP_BUTTON_RELEASED);
      self->buttons[event->button] = event->pressed;
      break;

    case TD_INPUT_EVENT_SCROLL_SMOOTH:
      xdp_session_pointer_axis (self->session, TRUE,
                                event->dx * STEP_PIXELS, event->dy * STEP_PIXELS);
      break;

    case TD_INPUT_EVENT_SCROLL_DISCRETE:
      if (event->steps_y != 0)
        xdp_session_pointer_axis_discrete (self->session, XDP_AXIS_VERTICAL_SCROLL, event->steps_y);
      if (event->steps_x != 0)
        xdp_session_pointer_axis_discrete (self->session, XDP_AXIS_HORIZONTAL_SCROLL, event->steps_x);
      break;

    case TD_INPUT_EVENT_KEY:
      {
        gpointer held = NULL;
        guint code;

        if (!event->pressed &&
            g_hash_table_lookup_extended (self->keys, GUINT_TO_POINTER (key_id (event)), NULL, &held))
          code = GPOINTER_TO_UINT (held);
        else if (event->keysym != 0)
          code = event->keysym | KEYSYM_BIT;
        else
          code = event->keycode - 8;

        send_key (self, code, event->pressed);
        if (event->pressed)
          g_hash_table_insert (self->keys, GUINT_TO_POINTER (key_id (event)), GUINT_TO_POINTER (code));
        else
          g_hash_table_remove (self->keys, GUINT_TO_POINTER (key_id (event)));
        break;
      }

    default:
      g_set_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_INVALID,
                   "Unknown input event type %d", event->type);
      return FALSE;
    }

  return TRUE;
}

static void
td_injector_portal_release_all (TdInjector *injector)
{
  TdInjectorPortal *self = TD_INJECTOR_PORTAL (injector);
  GHashTableIter iter;
  gpointer code;

  g_hash_table_iter_init (&iter, self->keys);
  while (g_hash_table_iter_next (&iter, NULL, &code))
    send_key (self, GPOINTER_TO_UINT (code), FALSE);
  g_hash_table_remove_all (self->keys);

  for (guint i = TD_POINTER_BUTTON_LEFT; i <= TD_POINTER_BUTTON_FORWARD; i++)
    if (self->buttons[i])
      {
        xdp_session_pointer_button (self->session, evdev_buttons[i], XDP_BUTTON_RELEASED);
        self->buttons[i] = FALSE;
      }
}

static void
injector_iface_init (TdInjectorInterface *iface)
{
  iface->inject = td_injector_portal_inject;
  iface->release_all = td_injector_portal_release_all;
}

static void
td_injector_portal_dispose (GObject *object)
{
  TdInjectorPortal *self = TD_INJECTOR_PORTAL (object);

  if (self->session != NULL)
    td_injector_portal_release_all (TD_INJECTOR (self));
  self->session = NULL;
  g_clear_object (&self->capture);

  G_OBJECT_CLASS (td_injector_portal_parent_class)->dispose (object);
}

static void
td_injector_portal_finalize (GObject *object)
{
  TdInjectorPortal *self = TD_INJECTOR_PORTAL (object);

  g_clear_pointer (&self->keys, g_hash_table_unref);

  G_OBJECT_CLASS (td_injector_portal_parent_class)->finalize (object);
}

static void
td_injector_portal_class_init (TdInjectorPortalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_injector_portal_dispose;
  object_class->finalize = td_injector_portal_finalize;
}

static void
td_injector_portal_init (TdInjectorPortal *self)
{
  self->keys = g_hash_table_new (NULL, NULL);
}

/**
 * td_injector_portal_new:
 * @capture: a RemoteDesktop portal capture
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the injector, or %NULL if the user
 *   did not allow remote control in the portal dialog
 */
TdInjectorPortal *
td_injector_portal_new (TdCapturePortal  *capture,
                        GError          **error)
{
  g_autoptr(TdInjectorPortal) self = NULL;
  g_autoptr(GArray) monitors = NULL;
  XdpSession *session;
  XdpDeviceType devices;

  g_return_val_if_fail (TD_IS_CAPTURE_PORTAL (capture), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  session = td_capture_portal_get_session (capture);
  if (xdp_session_get_session_type (session) != XDP_SESSION_REMOTE_DESKTOP)
    {
      g_set_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_UNSUPPORTED,
                   "This screen sharing session does not allow remote control.");
      return NULL;
    }

  devices = xdp_session_get_devices (session);
  if ((devices & (XDP_DEVICE_POINTER | XDP_DEVICE_KEYBOARD)) !=
      (XDP_DEVICE_POINTER | XDP_DEVICE_KEYBOARD))
    {
      g_set_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_UNSUPPORTED,
                   "Remote control was not allowed: switch on “Allow remote interaction” "
                   "when sharing the screen.");
      return NULL;
    }

  self = g_object_new (TD_TYPE_INJECTOR_PORTAL, NULL);
  self->capture = g_object_ref (capture);
  self->session = session;
  self->node_id = td_capture_portal_get_node_id (capture);
  monitors = td_capture_get_monitors (TD_CAPTURE (capture));
  self->width = MAX (1, g_array_index (monitors, TdCaptureMonitor, 0).width);
  self->height = MAX (1, g_array_index (monitors, TdCaptureMonitor, 0).height);

  /* Whichever of these the compositor drops, Shift ends up released. */
  xdp_session_keyboard_key (session, TRUE, XK_Shift_L, XDP_KEY_PRESSED);
  xdp_session_keyboard_key (session, TRUE, XK_Shift_L, XDP_KEY_RELEASED);
  xdp_session_keyboard_key (session, TRUE, XK_Shift_L, XDP_KEY_RELEASED);

  return g_steal_pointer (&self);
}

/**
 * td_injector_portal_get_n_pressed:
 * @self: a #TdInjectorPortal
 *
 * Returns: how many keys and buttons this injector holds down
 */
guint
td_injector_portal_get_n_pressed (TdInjectorPortal *self)
{
  guint n;

  g_return_val_if_fail (TD_IS_INJECTOR_PORTAL (self), 0);

  n = g_hash_table_size (self->keys);
  for (guint i = 0; i < G_N_ELEMENTS (self->buttons); i++)
    n += self->buttons[i];
  return n;
}
