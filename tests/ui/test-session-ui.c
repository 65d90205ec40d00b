/* test-session-ui.c: the consent dialog, the session banner, the session
 * view and a helper's session in the main window, on a private X server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run through xvfb-session.sh (meson does). Sessions are a TestSession,
 * the smallest TdSession subclass, moved along by the tests with the
 * calls a real session makes. Notifications go to a small
 * org.gtk.Notifications service this program runs on its private session
 * bus, so that the banner's are seen as GNOME Shell would see them.
 * g_test_init() makes every warning and critical fatal.
 */
#include <adwaita.h>

#ifdef GDK_WINDOWING_X11
# include <gdk/x11/gdkx.h>
# include <X11/Xatom.h>
#endif

#include "td-session.h"

#include "td-application.h"
#include "td-banner.h"
#include "td-consent-dialog.h"
#include "td-session-view.h"
#include "td-window.h"

static TdApplication *application;

/* A session the tests move along. */

#define TEST_TYPE_SESSION (test_session_get_type ())
G_DECLARE_FINAL_TYPE (TestSession, test_session, TEST, SESSION, TdSession)

struct _TestSession
{
  TdSession parent_instance;
  guint     shutdowns;
};

G_DEFINE_FINAL_TYPE (TestSession, test_session, TD_TYPE_SESSION)

static void
test_session_shutdown (TdSession   *session,
                       TdEndReason  reason)
{
  TEST_SESSION (session)->shutdowns++;
}

static void
test_session_class_init (TestSessionClass *klass)
{
  TD_SESSION_CLASS (klass)->shutdown = test_session_shutdown;
}

static void
test_session_init (TestSession *self)
{
}

/* Waiting. */

typedef gboolean (*Predicate) (gpointer data);

static void
wait_for (Predicate predicate,
          gpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting");
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
spin (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
is_unmapped (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Widgets. */

static GtkWidget *
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static void
click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
}

/* The switch on the row titled @title, in @list. */
static GtkSwitch *
find_switch (GtkWidget  *list,
             const char *title)
{
  for (GtkWidget *row = gtk_widget_get_first_child (list);
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (ADW_IS_ACTION_ROW (row) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
        {
          GtkWidget *widget = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row));

          g_assert_true (GTK_IS_SWITCH (widget));
          return GTK_SWITCH (widget);
        }
    }

  return NULL;
}

static guint
count_visible_rows (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list);
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && gtk_widget_get_visible (row))
      n++;

  return n;
}

static const char *
label_text (gpointer widget,
            GType    type,
            const char *name)
{
  return gtk_label_get_label (GTK_LABEL (template_child (widget, type, name)));
}

static void
count_notify_cb (gpointer    instance,
                 GParamSpec *pspec,
                 guint      *counter)
{
  (*counter)++;
}

static void
count_signal_cb (gpointer  instance,
                 guint    *counter)
{
  (*counter)++;
}

static TdWindow *
show_main_window (void)
{
  TdWindow *window = td_window_new (application);

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 680);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (is_mapped, window);
  spin (50);

  return window;
}

static void
destroy_all_windows (void)
{
  GList *windows = g_list_copy_deep (gtk_application_get_windows (GTK_APPLICATION (application)),
                                     (GCopyFunc) g_object_ref, NULL);

  /* Let animations started by the test (a GtkSwitch flipped just before
   * its window was hidden) finish first: destroying the window in the
   * middle of one makes GTK 4.8 warn about an invalid GtkWindow cast. */
  spin (300);

  /* Held, since destroying a main window destroys its dialogs. */
  for (GList *l = windows; l; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free_full (windows, g_object_unref);
  spin (10);
}

#ifdef GDK_WINDOWING_X11
/* Whether _NET_WM_STATE on @window's X window holds _NET_WM_STATE_ABOVE. */
static gboolean
x11_is_kept_above (GtkWindow *window)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  Display *xdisplay = gdk_x11_display_get_xdisplay (display);
  Atom above = gdk_x11_get_xatom_by_name_for_display (display, "_NET_WM_STATE_ABOVE");
  Atom type = None;
  int format = 0;
  unsigned long n_items = 0, bytes_after = 0;
  unsigned char *data = NULL;
  gboolean found = FALSE;

  g_assert_true (GDK_IS_X11_SURFACE (surface));

  if (XGetWindowProperty (xdisplay, gdk_x11_surface_get_xid (surface),
                          gdk_x11_get_xatom_by_name_for_display (display, "_NET_WM_STATE"),
                          0, 64, False, XA_ATOM, &type, &format, &n_items,
                          &bytes_after, &data) == Success && type == XA_ATOM)
    for (unsigned long i = 0; i < n_items; i++)
      if (((Atom *) data)[i] == above)
        found = TRUE;

  if (data != NULL)
    XFree (data);

  return found;
}
#endif

/* A stand-in for GNOME Shell's notification service, org.gtk.Notifications. */

typedef struct
{
  guint      n_added;
  guint      n_removed;
  char      *last_id;
  GVariant  *last_notification;
} Notifications;

static Notifications notifications;

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static void
notifications_method_call (GDBusConnection       *connection,
                           const char            *sender,
                           const char            *object_path,
                           const char            *interface_name,
                           const char            *method_name,
                           GVariant              *parameters,
                           GDBusMethodInvocation *invocation,
                           gpointer               user_data)
{
  const char *app_id;
  const char *id;

  if (g_str_equal (method_name, "AddNotification"))
    {
      g_autoptr(GVariant) notification = NULL;

      g_variant_get (parameters, "(&s&s@a{sv})", &app_id, &id, &notification);
      notifications.n_added++;
      g_free (notifications.last_id);
      notifications.last_id = g_strdup (id);
      g_clear_pointer (&notifications.last_notification, g_variant_unref);
      notifications.last_notification = g_steal_pointer (&notification);
    }
  else
    {
      g_variant_get (parameters, "(&s&s)", &app_id, &id);
      notifications.n_removed++;
      g_free (notifications.last_id);
      notifications.last_id = g_strdup (id);
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable notifications_vtable = {
  notifications_method_call, NULL, NULL, { 0 }
};

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
start_notification_service (void)
{
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;
  gboolean acquired = FALSE;

  connection = g_application_get_dbus_connection (G_APPLICATION (application));
  g_assert_nonnull (connection);

  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (connection, "/org/gtk/Notifications",
                                     info->interfaces[0], &notifications_vtable,
                                     NULL, NULL, &error);
  g_assert_no_error (error);

  g_bus_own_name_on_connection (connection, "org.gtk.Notifications",
                                G_BUS_NAME_OWNER_FLAGS_NONE,
                                on_name_acquired, NULL, &acquired, NULL);
  wait_for (is_true, &acquired);
}

/* The consent dialog. */

typedef struct
{
  gboolean       done;
  TdPermissions  granted;
  GError        *error;
} Answer;

static void
answer_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Answer *answer = user_data;

  answer->granted = td_consent_prompt_ask_finish (TD_CONSENT_PROMPT (source), result,
                                                  &answer->error);
  answer->done = TRUE;
}

static gboolean
answer_done (gpointer data)
{
  return ((Answer *) data)->done;
}

static TdConsentDialog *
ask (GtkWindow     *parent,
     TdPermissions  requested,
     guint          timeout,
     GCancellable  *cancellable,
     Answer        *answer)
{
  g_autoptr(TdConsentRequest) request = NULL;
  TdConsentDialog *dialog = td_consent_dialog_new (parent);

  request = td_consent_request_new ("Anna", 123456782, "ab12", requested, timeout);
  td_consent_prompt_ask_async (TD_CONSENT_PROMPT (dialog), request, cancellable,
                               answer_cb, answer);
  wait_for (is_mapped, dialog);

  return dialog;
}

static void
test_consent_accept_subset (void)
{
  TdWindow *window = show_main_window ();
  TdConsentDialog *dialog;
  GtkWidget *list;
  GtkWidget *deny_button;
  GtkWidget *accept_button;
  GtkSwitch *view_switch;
  GtkSwitch *control_switch;
  GtkSwitch *files_switch;
  Answer answer = { 0 };

  dialog = ask (GTK_WINDOW (window),
                TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL | TD_PERMISSION_FILES,
                30, NULL, &answer);

  /* Above the main window, and in words. */
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_cmpstr (label_text (dialog, TD_TYPE_CONSENT_DIALOG, "heading_label"), ==,
                   "Anna wants to help you");
  g_assert_cmpstr (label_text (dialog, TD_TYPE_CONSENT_DIALOG, "id_label"), ==,
                   "ID 123 456 782");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Anna wants to help you");
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (dialog)), ==,
                   GTK_ACCESSIBLE_ROLE_ALERT_DIALOG);
  g_assert_cmpstr (label_text (dialog, TD_TYPE_CONSENT_DIALOG, "countdown_label"), ==,
                   "Denied automatically in 30 s");

  /* Deny is where Enter and the focus are; Accept takes a deliberate act. */
  deny_button = template_child (dialog, TD_TYPE_CONSENT_DIALOG, "deny_button");
  accept_button = template_child (dialog, TD_TYPE_CONSENT_DIALOG, "accept_button");
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (dialog)) == deny_button);
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) == deny_button);

  /* One switch per permission asked for, all on. */
  list = template_child (dialog, TD_TYPE_CONSENT_DIALOG, "permission_list");
  g_assert_cmpuint (count_visible_rows (list), ==, 3);
  view_switch = find_switch (list, "See your screen");
  control_switch = find_switch (list, "Use your mouse and keyboard");
  files_switch = find_switch (list, "Send and receive files");
  g_assert_nonnull (view_switch);
  g_assert_nonnull (control_switch);
  g_assert_nonnull (files_switch);
  g_assert_null (find_switch (list, "Talk with you"));
  g_assert_cmpuint (td_consent_dialog_get_selected (dialog), ==,
                    TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL | TD_PERMISSION_FILES);

  /* No control over a screen one cannot see. */
  gtk_switch_set_active (view_switch, FALSE);
  g_assert_cmpuint (td_consent_dialog_get_selected (dialog), ==, TD_PERMISSION_FILES);
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (control_switch)));
  gtk_switch_set_active (view_switch, TRUE);

  /* Nothing switched on: nothing to accept. */
  gtk_switch_set_active (view_switch, FALSE);
  gtk_switch_set_active (files_switch, FALSE);
  g_assert_false (gtk_widget_is_sensitive (accept_button));
  gtk_switch_set_active (view_switch, TRUE);

  click (accept_button);
  wait_for (answer_done, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.granted, ==, TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_null (td_consent_dialog_get_request (dialog));

  destroy_all_windows ();
}

static void
test_consent_deny (void)
{
  TdWindow *window = show_main_window ();
  TdConsentDialog *dialog;
  Answer answer = { 0 };
  Answer second = { 0 };
  Answer third = { 0 };
  g_autoptr(TdConsentRequest) request = NULL;

  dialog = ask (GTK_WINDOW (window), TD_PERMISSIONS_DEFAULT, 30, NULL, &answer);

  /* One request at a time. */
  request = td_consent_request_new ("Bob", 0, "", TD_PERMISSION_VIEW, 30);
  td_consent_prompt_ask_async (TD_CONSENT_PROMPT (dialog), request, NULL, answer_cb, &second);
  wait_for (answer_done, &second);
  g_assert_error (second.error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&second.error);

  click (template_child (dialog, TD_TYPE_CONSENT_DIALOG, "deny_button"));
  wait_for (answer_done, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.granted, ==, TD_PERMISSION_NONE);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  /* The same dialog asks again; closing the window is Deny too. Without
   * a name or an ID it says "Someone". */
  td_consent_prompt_ask_async (TD_CONSENT_PROMPT (dialog), request, NULL, answer_cb, &third);
  wait_for (is_mapped, dialog);
  g_assert_cmpstr (label_text (dialog, TD_TYPE_CONSENT_DIALOG, "heading_label"), ==,
                   "Bob wants to help you");
  g_assert_false (gtk_widget_get_visible (template_child (dialog, TD_TYPE_CONSENT_DIALOG, "id_label")));
  gtk_window_close (GTK_WINDOW (dialog));
  wait_for (answer_done, &third);
  g_assert_no_error (third.error);
  g_assert_cmpuint (third.granted, ==, TD_PERMISSION_NONE);

  destroy_all_windows ();
}

static void
on_seconds_left (TdConsentDialog *dialog,
                 GParamSpec      *pspec,
                 GString         *seen)
{
  g_string_append_printf (seen, "%u;", td_consent_dialog_get_seconds_left (dialog));
}

static void
test_consent_timeout (void)
{
  TdConsentDialog *dialog;
  Answer answer = { 0 };
  g_autoptr(GString) seen = g_string_new (NULL);
  gint64 start = g_get_monotonic_time ();

  /* No main window: a window of its own, kept above the others. */
  dialog = ask (NULL, TD_PERMISSION_VIEW, 2, NULL, &answer);
  g_signal_connect (dialog, "notify::seconds-left", G_CALLBACK (on_seconds_left), seen);
  g_assert_null (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  g_assert_cmpstr (label_text (dialog, TD_TYPE_CONSENT_DIALOG, "countdown_label"), ==,
                   "Denied automatically in 2 s");
#ifdef GDK_WINDOWING_X11
  g_assert_true (x11_is_kept_above (GTK_WINDOW (dialog)));
#endif

  wait_for (answer_done, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.granted, ==, TD_PERMISSION_NONE);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * G_USEC_PER_SEC - 100000);
  g_assert_cmpstr (seen->str, ==, "1;0;");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  gtk_window_destroy (GTK_WINDOW (dialog));
  destroy_all_windows ();
}

static void
test_consent_cancel (void)
{
  TdWindow *window = show_main_window ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TdConsentRequest) request = NULL;
  TdConsentDialog *dialog;
  Answer answer = { 0 };
  Answer late = { 0 };

  dialog = ask (GTK_WINDOW (window), TD_PERMISSIONS_DEFAULT, 30, cancellable, &answer);

  /* The partner went away, or the core's own time ran out. */
  g_cancellable_cancel (cancellable);
  wait_for (answer_done, &answer);
  g_assert_error (answer.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (answer.granted, ==, TD_PERMISSION_NONE);
  wait_for (is_unmapped, dialog);
  g_clear_error (&answer.error);

  /* Already cancelled: the dialog does not even show. */
  request = td_consent_request_new ("Anna", 123456782, "", TD_PERMISSION_VIEW, 30);
  td_consent_prompt_ask_async (TD_CONSENT_PROMPT (dialog), request, cancellable, answer_cb, &late);
  wait_for (answer_done, &late);
  g_assert_error (late.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_clear_error (&late.error);

  /* Destroying the dialog while it asks cancels the request. */
  memset (&answer, 0, sizeof answer);
  td_consent_prompt_ask_async (TD_CONSENT_PROMPT (dialog), request, NULL, answer_cb, &answer);
  wait_for (is_mapped, dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for (answer_done, &answer);
  g_assert_error (answer.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&answer.error);

  destroy_all_windows ();
}

/* The banner. */

static TdBanner *
show_banner (TdPermissions permissions)
{
  TdBanner *banner = td_banner_new (GTK_APPLICATION (application), "Anna", 123456782, permissions);

  gtk_window_present (GTK_WINDOW (banner));
  wait_for (is_mapped, banner);
  spin (50);

  return banner;
}

static void
test_banner_permissions (void)
{
  TdBanner *banner = show_banner (TD_PERMISSION_VIEW | TD_PERMISSION_AUDIO);
  GtkWidget *list = template_child (banner, TD_TYPE_BANNER, "permission_list");
  GtkWidget *pause_row = template_child (banner, TD_TYPE_BANNER, "pause_row");
  GtkSwitch *pause_switch = GTK_SWITCH (template_child (banner, TD_TYPE_BANNER, "pause_switch"));
  GtkSwitch *control_switch;
  GtkSwitch *view_switch;
  guint notifies = 0;
  guint paused_notifies = 0;
  g_autofree char *description = NULL;

  g_assert_cmpstr (label_text (banner, TD_TYPE_BANNER, "title_label"), ==, "Anna is helping you");
  g_assert_cmpstr (label_text (banner, TD_TYPE_BANNER, "id_label"), ==, "ID 123 456 782");
  g_assert_false (gtk_window_get_resizable (GTK_WINDOW (banner)));
  g_assert_false (gtk_window_get_deletable (GTK_WINDOW (banner)));

  /* The five everyday permissions, on or off; the rarer ones once given. */
  g_assert_cmpuint (count_visible_rows (list), ==, 5);
  view_switch = find_switch (list, "See your screen");
  control_switch = find_switch (list, "Use your mouse and keyboard");
  g_assert_true (gtk_switch_get_active (view_switch));
  g_assert_false (gtk_switch_get_active (control_switch));
  g_assert_true (gtk_switch_get_active (find_switch (list, "Talk with you")));
  g_assert_false (gtk_widget_is_sensitive (pause_row));

  g_signal_connect (banner, "notify::permissions", G_CALLBACK (count_notify_cb), &notifies);
  g_signal_connect (banner, "notify::input-paused", G_CALLBACK (count_notify_cb), &paused_notifies);

  /* The person helped flips a switch. */
  gtk_switch_set_active (control_switch, TRUE);
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_cmpuint (td_banner_get_permissions (banner), ==,
                    TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL | TD_PERMISSION_AUDIO);
  g_assert_true (gtk_widget_is_sensitive (pause_row));

  /* Only changes are notified. */
  td_banner_set_permissions (banner, TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL | TD_PERMISSION_AUDIO);
  g_assert_cmpuint (notifies, ==, 1);

  /* Hiding the screen takes control away too. */
  gtk_switch_set_active (view_switch, FALSE);
  g_assert_cmpuint (notifies, ==, 2);
  g_assert_cmpuint (td_banner_get_permissions (banner), ==, TD_PERMISSION_AUDIO);
  g_assert_false (gtk_switch_get_active (control_switch));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (control_switch)));

  /* The session changes them: the switches follow, and rows appear. */
  g_object_set (banner, "permissions", TD_PERMISSION_VIEW | TD_PERMISSION_TERMINAL, NULL);
  g_assert_cmpuint (notifies, ==, 3);
  g_assert_true (gtk_switch_get_active (view_switch));
  g_assert_false (gtk_switch_get_active (find_switch (list, "Talk with you")));
  g_assert_cmpuint (count_visible_rows (list), ==, 6);
  g_assert_true (gtk_switch_get_active (find_switch (list, "Open a terminal")));

  /* Pause input. */
  td_banner_set_permissions (banner, TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL);
  gtk_switch_set_active (pause_switch, TRUE);
  g_assert_true (td_banner_get_input_paused (banner));
  g_assert_cmpuint (paused_notifies, ==, 1);
  td_banner_set_input_paused (banner, TRUE);
  g_assert_cmpuint (paused_notifies, ==, 1);
  td_banner_set_input_paused (banner, FALSE);
  g_assert_false (gtk_switch_get_active (pause_switch));
  g_assert_cmpuint (paused_notifies, ==, 2);

  /* Recording. */
  g_assert_false (gtk_widget_get_visible (template_child (banner, TD_TYPE_BANNER, "recording_box")));
  td_banner_set_recording (banner, TRUE);
  g_assert_true (gtk_widget_get_visible (template_child (banner, TD_TYPE_BANNER, "recording_box")));

  /* What screen readers hear about the window. */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (banner)), ==, "Anna is helping you");
  td_banner_set_partner_name (banner, "Anna B.");
  g_assert_cmpstr (label_text (banner, TD_TYPE_BANNER, "title_label"), ==, "Anna B. is helping you");

  gtk_window_destroy (GTK_WINDOW (banner));
  destroy_all_windows ();
}

static void
test_banner_end (void)
{
  TdBanner *banner;
  GtkWidget *end_button;
  guint ended = 0;

  spin (200);
  notifications.n_added = notifications.n_removed = 0;
  banner = show_banner (TD_PERMISSIONS_DEFAULT);
  g_signal_connect (banner, "end-requested", G_CALLBACK (count_signal_cb), &ended);
  end_button = template_child (banner, TD_TYPE_BANNER, "end_button");

  /* End Session has the keyboard. */
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (banner)) == end_button);

  click (end_button);
  g_assert_cmpuint (ended, ==, 1);

  /* The window manager cannot close it, nor can the partner through it. */
  gtk_window_close (GTK_WINDOW (banner));
  spin (50);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (banner)));
  g_assert_cmpuint (ended, ==, 1);

  /* The notification: urgent, with End Session, which works. */
  while (notifications.n_added == 0)
    spin (10);
  g_assert_cmpstr (notifications.last_id, ==, TD_BANNER_NOTIFICATION_ID);
  {
    g_autoptr(GVariantDict) dict = g_variant_dict_new (notifications.last_notification);
    g_autoptr(GVariant) buttons = NULL;
    const char *priority = NULL;
    const char *title = NULL;
    const char *action = NULL;

    g_assert_true (g_variant_dict_lookup (dict, "priority", "&s", &priority));
    g_assert_cmpstr (priority, ==, "urgent");
    g_assert_true (g_variant_dict_lookup (dict, "title", "&s", &title));
    g_assert_cmpstr (title, ==, "Anna is helping you");
    buttons = g_variant_dict_lookup_value (dict, "buttons", G_VARIANT_TYPE ("aa{sv}"));
    g_assert_nonnull (buttons);
    g_assert_cmpuint (g_variant_n_children (buttons), ==, 1);
    {
      g_autoptr(GVariant) button = g_variant_get_child_value (buttons, 0);

      g_assert_true (g_variant_lookup (button, "action", "&s", &action));
      g_assert_true (g_str_has_suffix (action, "end-session"));
    }
  }
  g_action_group_activate_action (G_ACTION_GROUP (application), "end-session", NULL);
  g_assert_cmpuint (ended, ==, 2);

  /* Withdrawn with the banner, and the action goes with it. */
  gtk_window_destroy (GTK_WINDOW (banner));
  while (notifications.n_removed == 0)
    spin (10);
  g_assert_cmpstr (notifications.last_id, ==, TD_BANNER_NOTIFICATION_ID);
  g_assert_false (g_action_group_has_action (G_ACTION_GROUP (application), "end-session"));

  destroy_all_windows ();
}

static void
test_banner_keep_above (void)
{
#ifdef GDK_WINDOWING_X11
  TdBanner *banner = show_banner (TD_PERMISSIONS_DEFAULT);

  /* No window manager under Xvfb: the state is written for the one that
   * would start. Hidden and shown again, it is still there. */
  g_assert_true (x11_is_kept_above (GTK_WINDOW (banner)));
  gtk_widget_set_visible (GTK_WIDGET (banner), FALSE);
  wait_for (is_unmapped, banner);
  gtk_window_present (GTK_WINDOW (banner));
  wait_for (is_mapped, banner);
  g_assert_true (x11_is_kept_above (GTK_WINDOW (banner)));

  gtk_window_destroy (GTK_WINDOW (banner));
  destroy_all_windows ();
#else
  g_test_skip ("GTK is built without X11");
#endif
}

typedef struct
{
  guint         n_answers;
  TdPermissions granted;
} RequestAnswers;

static void
on_request_answered (TdBanner       *banner,
                     TdPermissions   granted,
                     RequestAnswers *answers)
{
  answers->n_answers++;
  answers->granted = granted;
}

static void
test_banner_permission_request (void)
{
  TdBanner *banner = show_banner (TD_PERMISSION_VIEW);
  GtkWidget *revealer = template_child (banner, TD_TYPE_BANNER, "request_revealer");
  RequestAnswers answers = { 0 };
  GtkWidget *allow;
  GtkWidget *deny;

  g_signal_connect (banner, "permission-request-answered", G_CALLBACK (on_request_answered), &answers);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));

  /* Asking for what they have is answered at once. */
  td_banner_show_permission_request (banner, TD_PERMISSION_VIEW);
  g_assert_cmpuint (answers.n_answers, ==, 1);
  g_assert_cmpuint (answers.granted, ==, TD_PERMISSION_VIEW);

  td_banner_show_permission_request (banner, TD_PERMISSION_FILES);
  td_banner_show_permission_request (banner, TD_PERMISSION_CLIPBOARD);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  g_assert_cmpuint (td_banner_get_pending_request (banner), ==,
                    TD_PERMISSION_FILES | TD_PERMISSION_CLIPBOARD);
  g_assert_cmpstr (label_text (banner, TD_TYPE_BANNER, "request_label"), ==, "Anna asks for more");
  g_assert_cmpstr (label_text (banner, TD_TYPE_BANNER, "request_detail_label"), ==,
                   "Share the clipboard, Send and receive files");
  spin (400);

  allow = gtk_widget_get_last_child (gtk_widget_get_last_child (gtk_revealer_get_child (GTK_REVEALER (revealer))));
  deny = gtk_widget_get_first_child (gtk_widget_get_last_child (gtk_revealer_get_child (GTK_REVEALER (revealer))));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (allow)), ==, "_Allow");
  click (allow);
  g_assert_cmpuint (answers.n_answers, ==, 2);
  g_assert_cmpuint (answers.granted, ==, TD_PERMISSION_FILES | TD_PERMISSION_CLIPBOARD);
  g_assert_cmpuint (td_banner_get_permissions (banner), ==,
                    TD_PERMISSION_VIEW | TD_PERMISSION_FILES | TD_PERMISSION_CLIPBOARD);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));

  td_banner_show_permission_request (banner, TD_PERMISSION_AUDIO);
  spin (400);
  click (deny);
  g_assert_cmpuint (answers.n_answers, ==, 3);
  g_assert_cmpuint (answers.granted, ==, TD_PERMISSION_NONE);
  g_assert_cmpuint (td_banner_get_pending_request (banner), ==, TD_PERMISSION_NONE);
  g_assert_false (td_banner_get_permissions (banner) & TD_PERMISSION_AUDIO);

  gtk_window_destroy (GTK_WINDOW (banner));
  destroy_all_windows ();
}

/* A helper's session in the main window. */

static TestSession *
start_session (TdWindow *window)
{
  TestSession *session = g_object_new (TEST_TYPE_SESSION, NULL);

  td_window_show_session (window, TD_SESSION (session));
  td_session_set_state (TD_SESSION (session), TD_SESSION_STATE_SIGNALING);
  spin (50);

  return session;
}

static void
test_connect_progress (void)
{
  TdWindow *window = show_main_window ();
  TdConnectPage *page = td_window_get_connect_page (window);
  g_autoptr(TestSession) session = NULL;
  GtkWidget *form = template_child (page, TD_TYPE_CONNECT_PAGE, "form_box");
  GtkWidget *end_box = template_child (page, TD_TYPE_CONNECT_PAGE, "end_box");
  GtkWidget *cancel_button = template_child (page, TD_TYPE_CONNECT_PAGE, "cancel_button");
  GtkWidget *spinner = template_child (page, TD_TYPE_CONNECT_PAGE, "progress_spinner");
  guint cancels = 0;

  session = start_session (window);
  g_signal_connect (page, "cancel-requested", G_CALLBACK (count_signal_cb), &cancels);

  g_assert_cmpstr (td_window_get_page (window), ==, TD_WINDOW_PAGE_HELP_SOMEONE);
  g_assert_true (td_connect_page_get_session (page) == TD_SESSION (session));
  g_assert_false (gtk_widget_is_sensitive (form));
  g_assert_true (gtk_widget_get_mapped (spinner));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  g_assert_cmpstr (label_text (page, TD_TYPE_CONNECT_PAGE, "progress_label"), ==,
                   "Finding your partner");

  td_session_set_path (TD_SESSION (session), TD_PATH_RELAYED);
  td_session_set_state (TD_SESSION (session), TD_SESSION_STATE_SECURING);
  g_assert_cmpstr (label_text (page, TD_TYPE_CONNECT_PAGE, "progress_label"), ==,
                   "Connecting through relay");
  td_session_set_state (TD_SESSION (session), TD_SESSION_STATE_AUTHENTICATING);
  g_assert_cmpstr (label_text (page, TD_TYPE_CONNECT_PAGE, "progress_label"), ==,
                   "Checking the password");

  /* Cancel ends the session; cancelling needs no explanation. */
  spin (50);
  click (cancel_button);
  g_assert_cmpuint (cancels, ==, 1);
  g_assert_true (td_session_is_ended (TD_SESSION (session)));
  g_assert_cmpint (td_session_get_end_reason (TD_SESSION (session)), ==, TD_END_REASON_LOCAL);
  g_assert_cmpuint (session->shutdowns, ==, 1);
  g_assert_null (td_connect_page_get_session (page));
  g_assert_null (td_window_get_session (window));
  g_assert_true (gtk_widget_is_sensitive (form));
  g_assert_false (gtk_widget_get_visible (end_box));
  spin (300);
  g_assert_false (gtk_widget_get_mapped (spinner));

  destroy_all_windows ();
}

static void
test_connect_failed (void)
{
  TdWindow *window = show_main_window ();
  TdConnectPage *page = td_window_get_connect_page (window);
  g_autoptr(TestSession) session = NULL;
  g_autoptr(TestSession) second = NULL;
  GtkWidget *end_box = template_child (page, TD_TYPE_CONNECT_PAGE, "end_box");
  GtkWidget *password_row = template_child (page, TD_TYPE_CONNECT_PAGE, "password_row");

  session = start_session (window);
  td_session_set_state (TD_SESSION (session), TD_SESSION_STATE_AUTHENTICATING);
  td_session_end (TD_SESSION (session), TD_END_REASON_AUTH_FAILED, NULL);
  spin (300);

  /* Said in words, and it stays. */
  g_assert_true (gtk_widget_get_mapped (end_box));
  g_assert_true (gtk_widget_has_css_class (end_box, "error"));
  g_assert_cmpstr (label_text (page, TD_TYPE_CONNECT_PAGE, "end_label"), ==,
                   "The password is not right.");
  g_assert_true (gtk_widget_is_sensitive (template_child (page, TD_TYPE_CONNECT_PAGE, "form_box")));
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)), password_row));
  spin (1000);
  g_assert_true (gtk_widget_get_mapped (end_box));

  /* The next attempt clears it. */
  second = start_session (window);
  g_assert_false (gtk_widget_get_visible (end_box));
  td_session_end (TD_SESSION (second), TD_END_REASON_TIMEOUT, NULL);
  g_assert_cmpstr (label_text (page, TD_TYPE_CONNECT_PAGE, "end_label"), ==,
                   "Your partner did not answer in time.");

  destroy_all_windows ();
}

static void
test_window_session (void)
{
  TdWindow *window = show_main_window ();
  TdSessionView *view = td_window_get_session_view (window);
  TdConnectPage *page = td_window_get_connect_page (window);
  GtkWidget *main_stack = template_child (window, TD_TYPE_WINDOW, "main_stack");
  GtkWidget *end_box = template_child (page, TD_TYPE_CONNECT_PAGE, "end_box");
  GtkWidget *title = template_child (view, TD_TYPE_SESSION_VIEW, "window_title");
  g_autoptr(TestSession) session = NULL;
  g_autoptr(TestSession) second = NULL;
  guint ends = 0;

  session = start_session (window);
  g_signal_connect (view, "end-requested", G_CALLBACK (count_signal_cb), &ends);
  td_session_set_peer (TD_SESSION (session), 123456782, "Anna", "ab12");
  td_session_set_path (TD_SESSION (session), TD_PATH_DIRECT);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), ==, "home");

  td_session_set_state (TD_SESSION (session), TD_SESSION_STATE_CONNECTED);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), ==, "session");
  spin (300);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (title)), ==, "Anna");
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)), ==, "ID 123 456 782");
  g_assert_cmpstr (label_text (view, TD_TYPE_SESSION_VIEW, "path_label"), ==, "Direct connection");
  td_session_set_path (TD_SESSION (session), TD_PATH_RELAYED);
  g_assert_cmpstr (label_text (view, TD_TYPE_SESSION_VIEW, "path_label"), ==, "Through a relay");

  /* End, and back to "Help someone", which says so. */
  click (template_child (view, TD_TYPE_SESSION_VIEW, "end_button"));
  g_assert_cmpuint (ends, ==, 1);
  g_assert_cmpint (td_session_get_end_reason (TD_SESSION (session)), ==, TD_END_REASON_LOCAL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), ==, "home");
  g_assert_cmpstr (td_window_get_page (window), ==, TD_WINDOW_PAGE_HELP_SOMEONE);
  g_assert_null (td_session_view_get_session (view));
  spin (300);
  g_assert_true (gtk_widget_get_mapped (end_box));
  g_assert_false (gtk_widget_has_css_class (end_box, "error"));
  g_assert_cmpstr (label_text (page, TD_TYPE_CONNECT_PAGE, "end_label"), ==, "You ended the session.");

  /* The partner ends the next one; closing the window ends a third. */
  second = start_session (window);
  td_session_set_state (TD_SESSION (second), TD_SESSION_STATE_CONNECTED);
  td_session_end (TD_SESSION (second), TD_END_REASON_PEER, NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), ==, "home");
  g_assert_cmpstr (label_text (page, TD_TYPE_CONNECT_PAGE, "end_label"), ==,
                   "Your partner ended the session.");

  g_clear_object (&session);
  session = start_session (window);
  g_assert_false (g_cancellable_is_cancelled (td_window_get_cancellable (window)));
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (td_session_is_ended (TD_SESSION (session)));
  g_assert_cmpint (td_session_get_end_reason (TD_SESSION (session)), ==, TD_END_REASON_LOCAL);

  destroy_all_windows ();
}

/* The session view on its own. */

typedef struct
{
  guint         n_calls;
  TdPermissions last;
} Tools;

static void
on_tool_activated (TdSessionView *view,
                   TdPermissions  permission,
                   Tools         *tools)
{
  tools->n_calls++;
  tools->last = permission;
}

static void
test_session_view_basic (void)
{
  GtkWidget *window = gtk_window_new ();
  TdSessionView *view = TD_SESSION_VIEW (td_session_view_new ());
  GtkWidget *stack = template_child (view, TD_TYPE_SESSION_VIEW, "content_stack");
  GtkWidget *files_button = template_child (view, TD_TYPE_SESSION_VIEW, "files_button");
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) pixels = NULL;
  Tools tools = { 0 };
  guchar data[4 * 2 * 2];
  int minimum;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (is_mapped, window);
  g_signal_connect (view, "tool-activated", G_CALLBACK (on_tool_activated), &tools);

  /* Nothing shared yet. */
  g_assert_false (td_session_view_get_has_screen (view));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");

  /* The tools the partner did not allow are greyed out, and say why. */
  g_assert_false (gtk_widget_is_sensitive (files_button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (files_button), ==, "Your partner has not allowed files");
  td_session_view_set_permissions (view, TD_PERMISSION_VIEW | TD_PERMISSION_FILES);
  g_assert_true (gtk_widget_is_sensitive (files_button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (files_button), ==, "Send Files");
  g_assert_false (gtk_widget_is_sensitive (template_child (view, TD_TYPE_SESSION_VIEW, "control_button")));
  click (files_button);
  g_assert_cmpuint (tools.n_calls, ==, 1);
  g_assert_cmpuint (tools.last, ==, TD_PERMISSION_FILES);

  /* A picture arrives. */
  memset (data, 0x80, sizeof data);
  pixels = g_bytes_new (data, sizeof data);
  texture = gdk_memory_texture_new (2, 2, GDK_MEMORY_DEFAULT, pixels, 2 * 4);
  td_session_view_set_paintable (view, GDK_PAINTABLE (texture));
  g_assert_true (td_session_view_get_has_screen (view));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "screen");
  g_assert_true (gtk_picture_get_paintable (GTK_PICTURE (template_child (view, TD_TYPE_SESSION_VIEW, "picture")))
                 == GDK_PAINTABLE (texture));
  td_session_view_set_paintable (view, NULL);
  g_assert_false (td_session_view_get_has_screen (view));

  /* It fits a phone. */
  gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 360);

  gtk_window_destroy (GTK_WINDOW (window));
  spin (10);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL || !gtk_init_check ())
    {
      g_printerr ("No X display: run this test through tests/ui/xvfb-session.sh "
                  "(meson test does)\n");
      return 1;
    }

  application = td_application_new ();
  g_application_set_flags (G_APPLICATION (application), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (application), NULL, &error))
    g_error ("Could not register the application: %s", error->message);

  /* Before any notification: GIO picks its notification backend once. */
  start_notification_service ();

  g_test_add_func ("/ui/consent/accept-subset", test_consent_accept_subset);
  g_test_add_func ("/ui/consent/deny", test_consent_deny);
  g_test_add_func ("/ui/consent/timeout", test_consent_timeout);
  g_test_add_func ("/ui/consent/cancel", test_consent_cancel);
  g_test_add_func ("/ui/banner/permissions", test_banner_permissions);
  g_test_add_func ("/ui/banner/end", test_banner_end);
  g_test_add_func ("/ui/banner/keep-above", test_banner_keep_above);
  g_test_add_func ("/ui/banner/permission-request", test_banner_permission_request);
  g_test_add_func ("/ui/connect-page/progress", test_connect_progress);
  g_test_add_func ("/ui/connect-page/failed", test_connect_failed);
  g_test_add_func ("/ui/window/session", test_window_session);
  g_test_add_func ("/ui/session-view/basic", test_session_view_basic);

  ret = g_test_run ();

  g_clear_pointer (&notifications.last_id, g_free);
  g_clear_pointer (&notifications.last_notification, g_variant_unref);
  g_object_unref (application);

  return ret;
}
