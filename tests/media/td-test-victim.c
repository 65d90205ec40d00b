/* td-test-victim.c: a full-screen GTK window on the headless compositor
 * that prints the pointer and key events it receives, one a line, so a
 * test can check that injected input reached a client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <gtk/gtk.h>

static void
on_pressed (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            gpointer         user_data)
{
  printf ("BUTTON %u PRESS\n", gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)));
}

static void
on_released (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             gpointer         user_data)
{
  printf ("BUTTON %u RELEASE\n", gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)));
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                gpointer               user_data)
{
  printf ("KEY %s\n", gdk_keyval_name (keyval));
  return TRUE;
}

static void
on_activate (GtkApplication *app,
             gpointer        user_data)
{
  GtkWidget *window = gtk_application_window_new (app);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("victim"));
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), NULL);
  g_signal_connect (click, "released", G_CALLBACK (on_released), NULL);
  gtk_widget_add_controller (window, GTK_EVENT_CONTROLLER (click));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), NULL);
  gtk_widget_add_controller (window, keys);
  gtk_window_fullscreen (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
  printf ("READY\n");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  app = gtk_application_new ("org.tandemdesk.TestVictim", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
