/* test-injector-xtest.c: XTest injection on a private Xvfb, checked by an
 * X client window that records exactly what it receives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>
#include <X11/Xlib.h>
#include <X11/keysym.h>

#include "td-injector-xtest.h"
#include "td-test-xvfb.h"

static TdTestXvfb *xvfb;

typedef struct
{
  Display *display;
  Window   window;
} Client;

static void
client_open (Client *client)
{
  XSetWindowAttributes attributes = {
    .override_redirect = True,
    .event_mask = ButtonPressMask | ButtonReleaseMask | KeyPressMask | KeyReleaseMask,
  };

  client->display = XOpenDisplay (xvfb->display);
  g_assert_nonnull (client->display);
  /* 100,100 400x300 on a 1024x768 screen */
  client->window = XCreateWindow (client->display, DefaultRootWindow (client->display),
                                  100, 100, 400, 300, 0, CopyFromParent, InputOutput,
                                  CopyFromParent, CWOverrideRedirect | CWEventMask, &attributes);
  XMapRaised (client->display, client->window);
  XSync (client->display, False);
  /* No window manager: focus the window so key events reach it. */
  XSetInputFocus (client->display, client->window, RevertToPointerRoot, CurrentTime);
  XSync (client->display, False);
}

static void
client_close (Client *client)
{
  XCloseDisplay (client->display);
}

/* Every event the window got, as "ButtonPress 1", "KeyRelease a", ... */
static char *
client_take_events (Client *client)
{
  g_autoptr(GString) log = g_string_new (NULL);

  XSync (client->display, False);
  g_usleep (50 * 1000);
  XSync (client->display, False);

  while (XPending (client->display) > 0)
    {
      XEvent event;

      XNextEvent (client->display, &event);
      if (log->len > 0)
        g_string_append_c (log, ' ');

      switch (event.type)
        {
        case ButtonPress:
        case ButtonRelease:
          g_string_append_printf (log, "%s%u@%d,%d",
                                  event.type == ButtonPress ? "+B" : "-B",
                                  event.xbutton.button, event.xbutton.x, event.xbutton.y);
          break;

        case KeyPress:
        case KeyRelease:
          g_string_append_printf (log, "%s%s", event.type == KeyPress ? "+K" : "-K",
                                  XKeysymToString (XLookupKeysym (&event.xkey, 0)));
          break;

        default:
          g_string_append_printf (log, "?%d", event.type);
          break;
        }
    }

  return g_string_free (g_steal_pointer (&log), FALSE);
}

static void
inject (TdInjectorXTest *injector,
        TdInputEvent    *event)
{
  g_autoptr(TdInputEvent) owned = event;
  g_autoptr(GError) error = NULL;

  td_injector_inject (TD_INJECTOR (injector), owned, &error);
  g_assert_no_error (error);
}

static void
query_pointer (Client       *client,
               int          *x,
               int          *y,
               unsigned int *mask)
{
  Window root, child;
  int wx, wy;

  XQueryPointer (client->display, DefaultRootWindow (client->display),
                 &root, &child, x, y, &wx, &wy, mask);
}

static void
test_pointer_and_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdInjectorXTest) injector = td_injector_xtest_new (xvfb->display, &error);
  g_autofree char *events = NULL;
  Client client;
  unsigned int mask;
  int x, y;

  g_assert_no_error (error);
  client_open (&client);

  /* (0.25, 0.25) of 1024x768 is (256, 192): inside the window at (156, 92) */
  inject (injector, td_input_event_new_motion (0, 0.25, 0.25));
  query_pointer (&client, &x, &y, &mask);
  g_assert_cmpint (x, ==, 256);
  g_assert_cmpint (y, ==, 192);

  inject (injector, td_input_event_new_button (TD_POINTER_BUTTON_LEFT, TRUE));
  query_pointer (&client, &x, &y, &mask);
  g_assert_true (mask & Button1Mask);
  inject (injector, td_input_event_new_button (TD_POINTER_BUTTON_LEFT, FALSE));
  inject (injector, td_input_event_new_button (TD_POINTER_BUTTON_RIGHT, TRUE));
  inject (injector, td_input_event_new_button (TD_POINTER_BUTTON_RIGHT, FALSE));
  inject (injector, td_input_event_new_scroll_discrete (0, -1));
  /* Smooth scrolling: 0.6 + 0.6 steps down make one click, 0.2 stays. */
  inject (injector, td_input_event_new_scroll_smooth (0, 0.6));
  inject (injector, td_input_event_new_scroll_smooth (0, 0.6));
  inject (injector, td_input_event_new_key (XK_a, 0, TRUE));
  inject (injector, td_input_event_new_key (XK_a, 0, FALSE));
  /* A keysym the layout has, sent with a bogus keycode: the keysym wins. */
  inject (injector, td_input_event_new_key (XK_Return, 200, TRUE));
  inject (injector, td_input_event_new_key (XK_Return, 200, FALSE));

  events = client_take_events (&client);
  g_assert_cmpstr (events, ==,
                   "+B1@156,92 -B1@156,92 +B3@156,92 -B3@156,92 +B4@156,92 -B4@156,92 "
                   "+B5@156,92 -B5@156,92 +Ka -Ka +KReturn -KReturn");

  /* The last pixel of the monitor */
  inject (injector, td_input_event_new_motion (0, 1.0, 1.0));
  query_pointer (&client, &x, &y, &mask);
  g_assert_cmpint (x, ==, 1023);
  g_assert_cmpint (y, ==, 767);
  g_clear_pointer (&events, g_free);
  events = client_take_events (&client);
  g_assert_cmpstr (events, ==, "");

  g_assert_cmpuint (td_injector_xtest_get_n_pressed (injector), ==, 0);
  client_close (&client);
}

static void
test_invalid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdInjectorXTest) injector = td_injector_xtest_new (xvfb->display, &error);
  g_autoptr(TdInputEvent) outside = td_input_event_new_motion (0, 1.5, 0.5);
  g_autoptr(TdInputEvent) monitor = td_input_event_new_motion (7, 0.5, 0.5);
  g_autoptr(TdInputEvent) nan = td_input_event_new_scroll_smooth (NAN, 0);
  g_autoptr(TdInputEvent) nokey = td_input_event_new_key (0, 0, TRUE);

  g_assert_no_error (error);

  g_assert_false (td_injector_inject (TD_INJECTOR (injector), outside, &error));
  g_assert_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (td_injector_inject (TD_INJECTOR (injector), monitor, &error));
  g_assert_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (td_injector_inject (TD_INJECTOR (injector), nan, &error));
  g_assert_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (td_injector_inject (TD_INJECTOR (injector), nokey, &error));
  g_assert_error (error, TD_INJECTOR_ERROR, TD_INJECTOR_ERROR_INVALID);
}

static gboolean
any_key_down (Display *display)
{
  char keys[32];

  XQueryKeymap (display, keys);
  for (guint i = 0; i < sizeof keys; i++)
    if (keys[i] != 0)
      return TRUE;
  return FALSE;
}

static void
test_release_all (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdInjectorXTest) injector = td_injector_xtest_new (xvfb->display, &error);
  g_autofree char *events = NULL;
  Client client;
  unsigned int mask;
  int x, y;

  g_assert_no_error (error);
  client_open (&client);

  inject (injector, td_input_event_new_motion (0, 0.3, 0.3));
  inject (injector, td_input_event_new_key (XK_Shift_L, 50, TRUE));
  inject (injector, td_input_event_new_key (XK_Control_L, 37, TRUE));
  inject (injector, td_input_event_new_key (XK_b, 56, TRUE));
  inject (injector, td_input_event_new_button (TD_POINTER_BUTTON_LEFT, TRUE));
  inject (injector, td_input_event_new_button (TD_POINTER_BUTTON_MIDDLE, TRUE));
  XSync (client.display, False);

  query_pointer (&client, &x, &y, &mask);
  g_assert_true (mask & Button1Mask);
  g_assert_true (mask & Button2Mask);
  g_assert_true (mask & ShiftMask);
  g_assert_true (any_key_down (client.display));
  g_assert_cmpuint (td_injector_xtest_get_n_pressed (injector), ==, 5);

  td_injector_release_all (TD_INJECTOR (injector));
  XSync (client.display, False);

  query_pointer (&client, &x, &y, &mask);
  g_assert_cmpuint (mask & (Button1Mask | Button2Mask | Button3Mask | ShiftMask | ControlMask), ==, 0);
  g_assert_false (any_key_down (client.display));
  g_assert_cmpuint (td_injector_xtest_get_n_pressed (injector), ==, 0);

  events = client_take_events (&client);
  /* Exactly the presses, then one release for each */
  g_assert_cmpstr (events, ==,
                   "+KShift_L +KControl_L +Kb +B1@207,130 +B2@207,130 "
                   "-KControl_L -KShift_L -Kb -B1@207,130 -B2@207,130");

  client_close (&client);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  xvfb = td_test_xvfb_start (1024, 768, &error);
  if (xvfb == NULL)
    {
      g_printerr ("SKIP: No private X server: %s\n", error->message);
      return 77;
    }

  g_test_add_func ("/input/xtest/pointer-and-keys", test_pointer_and_keys);
  g_test_add_func ("/input/xtest/invalid", test_invalid);
  g_test_add_func ("/input/xtest/release-all", test_release_all);

  ret = g_test_run ();
  td_test_xvfb_stop (xvfb);
  return ret;
}
