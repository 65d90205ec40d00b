/* td-injector-xtest.c: input injection into an X11 session with XTest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * - Motion: the monitor's rectangle comes from RandR 1.5 (the whole screen
 *   without it); 0..1 maps to its first..last pixel.
 * - Buttons: left/middle/right are X buttons 1/2/3, back/forward 8/9.
 * - Scrolling: X has wheel buttons 4/5 (up/down) and 6/7 (left/right);
 *   smooth deltas are accumulated and sent as whole clicks.
 * - Keys: the keysym's keycode on the host's layout (XKeysymToKeycode),
 *   else the viewer's keycode; releases go to the keycode that was pressed,
 *   so a layout change in between cannot leave a key stuck.
 *
 * Pressed keys and buttons are remembered for td_injector_release_all().
 * The Display connection is used on the main thread only.
 */
#define G_LOG_DOMAIN "td-input"

#include <math.h>
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <X11/extensions/Xrandr.h>

#include "td-injector-xtest.h"

struct _TdInjectorXTest
{
  GObject   parent_instance;

  Display  *display;
  GArray   *monitors;       /* of Rect */
  GHashTable *held;         /* viewer key id -> X keycode pressed */
  gboolean  buttons[10];    /* X button numbers */
  gboolean  keys[256];      /* X keycodes */
  double    scroll_x;
  double    scroll_y;
};

typedef struct
{
  int x, y, width, height;
} Rect;

static void injector_iface_init (TdInjectorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdInjectorXTest, td_injector_xtest, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TD_TYPE_INJECTOR, injector_iface_init))

static GArray *
query_monitors (Display *display)
{
  GArray *monitors = g_array_new (FALSE, TRUE, sizeof (Rect));
  int event_base, error_base, major = 0, minor = 0;

  if (XRRQueryExtension (display, &event_base, &error_base) &&
      XRRQueryVersion (display, &major, &minor) &&
      (major > 1 || (major == 1 && minor >= 5)))
    {
      int n = 0;
      XRRMonitorInfo *info = XRRGetMonitors (display, DefaultRootWindow (display), True, &n);

      for (int i = 0; info != NULL && i < n; i++)
        {
          Rect r = { info[i].x, info[i].y, info[i].width, info[i].height };
          g_array_append_val (monitors, r);
        }
      if (info != NULL)
        XRRFreeMonitors (info);
    }

  if (monitors->len == 0)
    {
      Rect whole = {
        0, 0, DisplayWidth (display, DefaultScreen (display)),
        DisplayHeight (display, DefaultScreen (display)),
      };
      g_array_append_val (monitors, whole);
    }

  return monitors;
}

static void
fake_button (TdInjectorXTest *self,
             guint            button,
             gboolean         pressed)
{
  XTestFakeButtonEvent (self->display, button, pressed, CurrentTime);
  if (button < G_N_ELEMENTS (self->buttons))
    self->buttons[button] = pressed;
}

static void
click (TdInjectorXTest *self,
       guint            button,
       int              count)
{
  for (int i = 0; i < count; i++)
    {
      fake_button (self, button, TRUE);
      fake_button (self, button, FALSE);
    }
}

static void
scroll (TdInjectorXTest *self,
        int              steps_x,
        int              steps_y)
{
  click (self, steps_y < 0 ? 4 : 5, ABS (steps_y));
  click (self, steps_x < 0 ? 6 : 7, ABS (steps_x));
}

/* The viewer's key: its keycode if it sent one, else its keysym. */
static guint
key_id (const TdInputEvent *event)
{
  return event->keycode != 0 ? event->keycode : (event->keysym | 0x80000000u);
}

static gboolean
inject_key (TdInjectorXTest     *self,
            const TdInputEvent  *event,
            GError             **error)
{
  gpointer held = NULL;
  guint keycode = 0;

  g_assert (TD_IS_INJECTOR_XTEST (self));

  /* A release goes to the keycode its press went to. */
  if (!event->pressed &&
      g_hash_table_lookup_extended (self->held, GUINT_TO_POINTER (key_id (event)), NULL, &held))
    keycode = GPOINTER_TO_UINT (held);

  if (keycode == 0 && event->keysym != 0)
    keycode = XKeysymToKeycode (self->display, event->keysym);
  if (keycode == 0 && event->keycode >= 8 && event->keycode <= 255)
    keycode = event->keycode;

  if (keycode < 8 || keycode > 255)
    {
      g_set_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_FAILED,
                   "The key “%s” does not exist on this computer’s keyboard layout.",
                   XKeysymToString (event->keysym) ?: "?");
      return FALSE;
    }

  XTestFakeKeyEvent (self->display, keycode, event->pressed, CurrentTime);
  self->keys[keycode] = event->pressed;
  if (event->pressed)
    g_hash_table_insert (self->held, GUINT_TO_POINTER (key_id (event)), GUINT_TO_POINTER (keycode));
  else
    g_hash_table_remove (self->held, GUINT_TO_POINTER (key_id (event)));

  return TRUE;
}

static gboolean
td_injector_xtest_inject (TdInjector          *injector,
                          const TdInputEvent  *event,
                          GError             **error)
{
  TdInjectorXTest *self = TD_INJECTOR_XTEST (injector);
  static const guint x_buttons[] = { 0, 1, 2, 3, 8, 9 };

  switch (event->type)
    {
    case TD_INPUT_EVENT_MOTION:
      {
        const Rect *r;

        if (event->monitor >= self->monitors->len)
          {
            g_set_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_INVALID,
                         "The partner pointed at monitor %u, but this computer has %u.",
                         event->monitor + 1, self->monitors->len);
            return FALSE;
          }
        r = &g_array_index (self->monitors, Rect, event->monitor);
        XTestFakeMotionEvent (self->display, -1,
                              r->x + (int) lround (event->x * (r->width - 1)),
                              r->y + (int) lround (event->y * (r->height - 1)),
                              CurrentTime);
        break;
      }

    case TD_INPUT_EVENT_BUTTON:
      fake_button (self, x_buttons[event->button], event->pressed);
      break;

    case TD_INPUT_EVENT_SCROLL_SMOOTH:
      {
        int steps_x, steps_y;

        self->scroll_x += event->dx;
        self->scroll_y += event->dy;
        steps_x = (int) trunc (self->scroll_x);
        steps_y = (int) trunc (self->scroll_y);
        self->scroll_x -= steps_x;
        self->scroll_y -= steps_y;
        scroll (self, steps_x, steps_y);
        break;
      }

    case TD_INPUT_EVENT_SCROLL_DISCRETE:
      scroll (self, event->steps_x, event->steps_y);
      break;

    case TD_INPUT_EVENT_KEY:
      if (!inject_key (self, event, error))
        return FALSE;
      break;

    default:
      g_set_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_INVALID,
                   "Unknown input event type %d", event->type);
      return FALSE;
    }

  /* A round trip: the event is processed before we return, so whatever
   * happens next (a screen grab, another client's query) sees it. */
  XSync (self->display, False);
  return TRUE;
}

static void
td_injector_xtest_release_all (TdInjector *injector)
{
  TdInjectorXTest *self = TD_INJECTOR_XTEST (injector);

  for (guint i = 0; i < G_N_ELEMENTS (self->keys); i++)
    if (self->keys[i])
      {
        XTestFakeKeyEvent (self->display, i, False, CurrentTime);
        self->keys[i] = FALSE;
      }

  for (guint i = 0; i < G_N_ELEMENTS (self->buttons); i++)
    if (self->buttons[i])
      {
        XTestFakeButtonEvent (self->display, i, False, CurrentTime);
        self->buttons[i] = FALSE;
      }

  g_hash_table_remove_all (self->held);
  self->scroll_x = self->scroll_y = 0;
  XSync (self->display, False);
}

static void
injector_iface_init (TdInjectorInterface *iface)
{
  iface->inject = td_injector_xtest_inject;
  iface->release_all = td_injector_xtest_release_all;
}

static void
td_injector_xtest_finalize (GObject *object)
{
  TdInjectorXTest *self = TD_INJECTOR_XTEST (object);

  if (self->display != NULL)
    {
      td_injector_xtest_release_all (TD_INJECTOR (self));
      XCloseDisplay (self->display);
    }
  g_clear_pointer (&self->monitors, g_array_unref);
  g_clear_pointer (&self->held, g_hash_table_unref);

  G_OBJECT_CLASS (td_injector_xtest_parent_class)->finalize (object);
}

static void
td_injector_xtest_class_init (TdInjectorXTestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = td_injector_xtest_finalize;
}

static void
td_injector_xtest_init (TdInjectorXTest *self)
{
  self->held = g_hash_table_new (NULL, NULL);
}

/**
 * td_injector_xtest_new:
 * @display_name: (nullable): the X display, %NULL for $DISPLAY
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the injector, or %NULL if the
 *   display cannot be opened or has no XTEST extension
 */
TdInjectorXTest *
td_injector_xtest_new (const char  *display_name,
                       GError     **error)
{
  g_autoptr(TdInjectorXTest) self = NULL;
  int event_base, error_base, major, minor;
  Display *display;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display = XOpenDisplay (display_name);
  if (display == NULL)
    {
      g_set_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_UNSUPPORTED,
                   "Cannot open the X display “%s” to control it.",
                   display_name != NULL ? display_name : g_getenv ("DISPLAY") ?: "");
      return NULL;
    }

  if (!XTestQueryExtension (display, &event_base, &error_base, &major, &minor))
    {
      XCloseDisplay (display);
      g_set_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_UNSUPPORTED,
                   "The X server has no XTEST extension, so it cannot be controlled remotely.");
      return NULL;
    }

  self = g_object_new (TD_TYPE_INJECTOR_XTEST, NULL);
  self->display = display;
  self->monitors = query_monitors (display);
  /* Our fake events must not wait for a server grab to end. */
  XTestGrabControl (display, True);

  return g_steal_pointer (&self);
}

/**
 * td_injector_xtest_get_n_pressed:
 * @self: a #TdInjectorXTest
 *
 * Returns: how many keys and buttons this injector holds down
 */
guint
td_injector_xtest_get_n_pressed (TdInjectorXTest *self)
{
  guint n = 0;

  g_return_val_if_fail (TD_IS_INJECTOR_XTEST (self), 0);

  for (guint i = 0; i < G_N_ELEMENTS (self->keys); i++)
    n += self->keys[i];
  for (guint i = 0; i < G_N_ELEMENTS (self->buttons); i++)
    n += self->buttons[i];
  return n;
}
