/* test-injector-portal.c: input through the RemoteDesktop portal of a
 * headless mutter
 *
 * Run by run-portal-test.sh rd, which approves the portal dialog (as a
 * person would, through mutter's own remote desktop API) and checks that
 * td-test-victim received the click and the key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <X11/keysym.h>

#include "td-capture-portal.h"
#include "td-injector-portal.h"
#include "td-media-error.h"

typedef struct
{
  TdCapturePortal *capture;
  GError          *error;
  gboolean         done;
} Fixture;

static void
created (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->capture = td_capture_portal_new_finish (result, &fixture->error);
  fixture->done = TRUE;
}

static void
run_until (gboolean *flag,
           guint     ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while ((flag == NULL || !*flag) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
inject (TdInjectorPortal *injector,
        TdInputEvent     *event)
{
  g_autoptr(TdInputEvent) owned = event;
  g_autoptr(GError) error = NULL;

  td_injector_inject (TD_INJECTOR (injector), owned, &error);
  g_assert_no_error (error);
  run_until (NULL, 50);
}

static void
test_remote_desktop (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdInjectorPortal) injector = NULL;
  Fixture fixture = { 0 };

  td_capture_portal_new_async (TRUE, NULL, NULL, created, &fixture);
  run_until (&fixture.done, 30000);
  g_assert_true (fixture.done);
  g_assert_no_error (fixture.error);

  injector = td_injector_portal_new (fixture.capture, &error);
  g_assert_no_error (error);
  run_until (NULL, 300);

  inject (injector, td_input_event_new_motion (0, 0.5, 0.5));
  run_until (NULL, 200);
  inject (injector, td_input_event_new_button (TD_POINTER_BUTTON_LEFT, TRUE));
  inject (injector, td_input_event_new_button (TD_POINTER_BUTTON_LEFT, FALSE));
  inject (injector, td_input_event_new_key (XK_a, 0, TRUE));
  inject (injector, td_input_event_new_key (XK_a, 0, FALSE));
  /* held, then let go of by release_all */
  inject (injector, td_input_event_new_key (0, 56 /* evdev KEY_B + 8 */, TRUE));
  inject (injector, td_input_event_new_button (TD_POINTER_BUTTON_RIGHT, TRUE));
  g_assert_cmpuint (td_injector_portal_get_n_pressed (injector), ==, 2);
  td_injector_release_all (TD_INJECTOR (injector));
  g_assert_cmpuint (td_injector_portal_get_n_pressed (injector), ==, 0);
  run_until (NULL, 1000);

  g_clear_object (&injector);
  g_clear_object (&fixture.capture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("TD_PORTAL_INNER") == NULL || !td_media_ensure_init (NULL))
    {
      g_printerr ("SKIP: run through run-portal-test.sh\n");
      return 77;
    }

  g_test_add_func ("/input/portal/remote-desktop", test_remote_desktop);
  return g_test_run ();
}
