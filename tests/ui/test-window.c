/* test-window.c: the real main window on a private X server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run through xvfb-session.sh (meson does). Typing goes through GtkText's
 * own keybinding signals (insert-at-cursor, backspace, delete-from-cursor,
 * paste-clipboard), the same code paths a key press takes after the input
 * method, so the ID grouping is tested as people use it. g_test_init()
 * makes every warning and critical fatal: a window that realizes with a
 * GTK warning fails.
 */
#include <adwaita.h>

#include "td-id.h"
#include "td-password.h"

#include "td-application.h"
#include "td-id-entry-row.h"
#include "td-preferences-window.h"
#include "td-window.h"

static TdApplication *application;

typedef struct
{
  TdWindow *window;
} Fixture;

typedef gboolean (*Predicate) (gpointer data);

/* Spins the main context until @predicate holds, for at most five seconds. */
static void
wait_for (Predicate predicate,
          gpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for the window");
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* Lets pending layout and drawing happen. */
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
has_width_360 (gpointer data)
{
  return gtk_widget_get_width (data) == 360;
}

static void
show_window (Fixture *f,
             int      width,
             int      height)
{
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_for (is_mapped, f->window);
  spin (100);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->window = td_window_new (application);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (application)));

  for (GList *l = windows; l; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
  spin (10);

  g_assert_null (f->window);
}

/* Widget tree helpers. */

typedef gboolean (*WidgetMatch) (GtkWidget  *widget,
                                 gconstpointer data);

static GtkWidget *
find_widget (GtkWidget     *root,
             WidgetMatch    match,
             gconstpointer  data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
collect_widgets (GtkWidget  *root,
                 GPtrArray  *out)
{
  g_ptr_array_add (out, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, out);
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

static gboolean
match_action (GtkWidget     *widget,
              gconstpointer  data)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

static gboolean
match_mapped_label (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_LABEL (widget) &&
         gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), data) == 0;
}

static gboolean
match_nonempty_label (GtkWidget     *widget,
                      gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && *gtk_label_get_label (GTK_LABEL (widget)) != '\0';
}

static GtkWidget *
find_by_type (gpointer root,
              GType    type)
{
  GtkWidget *widget = find_widget (GTK_WIDGET (root), match_type, GSIZE_TO_POINTER (type));

  g_assert_nonnull (widget);
  return widget;
}

static GtkWidget *
find_by_action (gpointer    root,
                const char *action_name)
{
  GtkWidget *widget = find_widget (GTK_WIDGET (root), match_action, action_name);

  g_assert_nonnull (widget);
  return widget;
}

static GtkWidget *
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static GtkWidget *
find_window (GType type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;

  return NULL;
}

/* A click, as the mouse gives it: gtk_widget_activate() would wait for the
 * button's pressed look to time out first. */
static void
click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Typing, through the keybinding signals of the GtkText inside a row. */

static GtkWidget *
text_of (gpointer row)
{
  return GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (row)));
}

static void
type_text (gpointer    row,
           const char *text)
{
  GtkWidget *delegate = text_of (row);

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      char c[8] = { 0 };

      g_unichar_to_utf8 (g_utf8_get_char (p), c);
      g_signal_emit_by_name (delegate, "insert-at-cursor", c);
    }
}

static void
press_backspace (gpointer row)
{
  g_signal_emit_by_name (text_of (row), "backspace");
}

static void
press_delete (gpointer row)
{
  g_signal_emit_by_name (text_of (row), "delete-from-cursor", GTK_DELETE_CHARS, 1);
}

static void
press_enter (gpointer row)
{
  g_signal_emit_by_name (text_of (row), "activate");
}

static void
set_cursor (gpointer row,
            int      position)
{
  gtk_editable_set_position (GTK_EDITABLE (text_of (row)), position);
}

static int
get_cursor (gpointer row)
{
  return gtk_editable_get_position (GTK_EDITABLE (text_of (row)));
}

static const char *
get_text (gpointer row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
clear_text (gpointer row)
{
  gtk_editable_set_text (GTK_EDITABLE (row), "");
}

/* Clipboard. */

typedef struct
{
  char     *text;
  gboolean  done;
} ClipboardRead;

static void
clipboard_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ClipboardRead *read = user_data;
  g_autoptr(GError) error = NULL;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
  read->done = TRUE;
}

static gboolean
clipboard_read_done (gpointer data)
{
  return ((ClipboardRead *) data)->done;
}

static char *
read_clipboard (GtkWidget *widget)
{
  ClipboardRead read = { NULL, FALSE };

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL,
                                 clipboard_read_cb, &read);
  wait_for (clipboard_read_done, &read);

  return read.text;
}

/* Counting notifications and signals. */

static void
count_cb (gpointer  instance,
          gpointer  pspec_or_data,
          guint    *counter)
{
  (*counter)++;
}

/* The window at phone width: it fits, and the page switcher moves to the
 * bottom bar. */
static void
test_window_narrow (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *switcher_title;
  GtkWidget *switcher_bar;
  int minimum, natural;
  int border;

  show_window (f, 360, 640);

  /* Without a compositor the default size also covers the resize border
   * GTK draws around the window (none with one): make the window itself,
   * the part the user works in, 360 pixels wide. */
  border = 360 - gtk_widget_get_width (GTK_WIDGET (f->window));
  g_assert_cmpint (border, >=, 0);
  g_assert_cmpint (border, <=, 20);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 360 + border, 640);
  wait_for (has_width_360, f->window);
  spin (50);

  gtk_widget_measure (adw_application_window_get_content (ADW_APPLICATION_WINDOW (f->window)),
                      GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, <=, 360);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window)), ==, 360);

  switcher_title = find_by_type (f->window, ADW_TYPE_VIEW_SWITCHER_TITLE);
  switcher_bar = find_by_type (f->window, ADW_TYPE_VIEW_SWITCHER_BAR);
  g_assert_true (adw_view_switcher_title_get_title_visible (ADW_VIEW_SWITCHER_TITLE (switcher_title)));
  g_assert_true (adw_view_switcher_bar_get_reveal (ADW_VIEW_SWITCHER_BAR (switcher_bar)));

  /* Both pages lay out in 360 pixels without complaint. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (td_window_get_host_page (f->window))), <=, 360);
  td_window_set_page (f->window, TD_WINDOW_PAGE_HELP_SOMEONE);
  spin (100);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (td_window_get_connect_page (f->window))));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (td_window_get_connect_page (f->window))), <=, 360);
}

static void
test_window_wide (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *switcher_title;
  GtkWidget *switcher_bar;

  show_window (f, 800, 640);

  switcher_title = find_by_type (f->window, ADW_TYPE_VIEW_SWITCHER_TITLE);
  switcher_bar = find_by_type (f->window, ADW_TYPE_VIEW_SWITCHER_BAR);
  g_assert_false (adw_view_switcher_title_get_title_visible (ADW_VIEW_SWITCHER_TITLE (switcher_title)));
  g_assert_false (adw_view_switcher_bar_get_reveal (ADW_VIEW_SWITCHER_BAR (switcher_bar)));

  /* win.page, which Alt+1 and Alt+2 and --page use. */
  g_assert_cmpstr (td_window_get_page (f->window), ==, TD_WINDOW_PAGE_GET_HELP);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "page",
                                  g_variant_new_string (TD_WINDOW_PAGE_HELP_SOMEONE));
  g_assert_cmpstr (td_window_get_page (f->window), ==, TD_WINDOW_PAGE_HELP_SOMEONE);
}

/* The size the window had when it was closed comes back next time. */
static void
test_window_state (Fixture       *f,
                   gconstpointer  data)
{
  GSettings *settings = td_application_get_settings (application);
  int width, height;

  show_window (f, 500, 600);
  gtk_window_get_default_size (GTK_WINDOW (f->window), &width, &height);
  gtk_window_close (GTK_WINDOW (f->window));
  spin (10);
  g_assert_null (f->window);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, width);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, height);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  f->window = td_window_new (application);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_get_default_size (GTK_WINDOW (f->window), &width, &height);
  g_assert_cmpint (width, ==, g_settings_get_int (settings, "window-width"));
  g_assert_cmpint (height, ==, g_settings_get_int (settings, "window-height"));

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

/* Every button says what it does: a label, or a tooltip for icon buttons;
 * every entry row has a title. */
static void
test_window_accessible_names (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  guint n_buttons = 0;

  show_window (f, 600, 680);
  collect_widgets (GTK_WIDGET (f->window), widgets);

  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = widgets->pdata[i];
      const char *name = NULL;

      /* The toggle inside a GtkMenuButton is named by the menu button;
       * GTK names the window's own buttons for assistive technologies. */
      if (GTK_IS_MENU_BUTTON (gtk_widget_get_parent (widget)) ||
          GTK_IS_WINDOW_CONTROLS (gtk_widget_get_parent (widget)))
        continue;

      if (GTK_IS_BUTTON (widget))
        name = gtk_button_get_label (GTK_BUTTON (widget));
      else if (GTK_IS_MENU_BUTTON (widget))
        name = gtk_menu_button_get_label (GTK_MENU_BUTTON (widget));
      else if (ADW_IS_ENTRY_ROW (widget))
        name = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
      else
        continue;

      if (name == NULL || *name == '\0')
        name = gtk_widget_get_tooltip_text (widget);
      if (name == NULL || *name == '\0')
        {
          /* A button that shows a label is named by it. */
          GtkWidget *label = find_widget (widget, match_nonempty_label, NULL);

          if (label != NULL)
            name = gtk_label_get_label (GTK_LABEL (label));
        }

      if (name == NULL || *name == '\0')
        g_error ("%s %p in %s has no label or tooltip",
                 G_OBJECT_TYPE_NAME (widget), widget,
                 G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)));
      n_buttons++;
    }

  g_assert_cmpuint (n_buttons, >=, 6);
}

/* Until the rendezvous server lands there is no ID, and the page says so. */
static void
test_host_page_not_connected (Fixture       *f,
                              gconstpointer  data)
{
  TdHostPage *page;
  GtkWidget *id_label;
  GtkWidget *status_label;
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  g_autoptr(GRegex) id_pattern = g_regex_new ("[0-9]{3} ?[0-9]{3} ?[0-9]{3}", 0, 0, NULL);
  g_autofree char *copied = NULL;
  guint id_notifies = 0;

  show_window (f, 600, 680);
  page = td_window_get_host_page (f->window);

  g_assert_cmpuint (td_host_page_get_id (page), ==, 0);
  g_assert_cmpint (td_host_page_get_server_status (page), ==, TD_SERVER_STATUS_DISCONNECTED);

  status_label = template_child (page, TD_TYPE_HOST_PAGE, "status_label");
  g_assert_true (gtk_widget_get_mapped (status_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (status_label)), ==,
                   "Not connected to a Tandem server");
  g_assert_nonnull (find_widget (GTK_WIDGET (page), match_mapped_label, "No ID yet"));

  id_label = template_child (page, TD_TYPE_HOST_PAGE, "id_label");
  g_assert_false (gtk_widget_get_mapped (id_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (id_label)), ==, "");
  g_assert_false (gtk_widget_is_sensitive (find_by_action (page, "host.copy-id")));

  /* No digits that could pass for an ID anywhere on screen. */
  collect_widgets (GTK_WIDGET (f->window), widgets);
  for (guint i = 0; i < widgets->len; i++)
    if (GTK_IS_LABEL (widgets->pdata[i]) && gtk_widget_get_mapped (widgets->pdata[i]))
      g_assert_false (g_regex_match (id_pattern,
                                     gtk_label_get_label (widgets->pdata[i]), 0, NULL));

  /* What the rendezvous client will do once it has an ID. */
  g_signal_connect (page, "notify::id", G_CALLBACK (count_cb), &id_notifies);
  g_object_set (page,
                "id", 123456782,
                "server-status", TD_SERVER_STATUS_CONNECTED,
                NULL);
  td_host_page_set_id (page, 123456782);
  g_assert_cmpuint (id_notifies, ==, 1);
  spin (50);

  g_assert_true (gtk_widget_get_mapped (id_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (id_label)), ==, "123 456 782");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (status_label)), ==,
                   "Connected to the Tandem server");

  click (find_by_action (page, "host.copy-id"));
  copied = read_clipboard (GTK_WIDGET (page));
  g_assert_cmpstr (copied, ==, "123 456 782");

  td_host_page_set_server_status (page, TD_SERVER_STATUS_CONNECTING);
  td_host_page_set_id (page, 0);
  spin (50);
  g_assert_false (gtk_widget_get_mapped (id_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (status_label)), ==,
                   "Connecting to the Tandem server…");
  g_assert_true (gtk_widget_get_mapped (template_child (page, TD_TYPE_HOST_PAGE, "status_spinner")));
}

static void
test_host_page_new_password (Fixture       *f,
                             gconstpointer  data)
{
  TdHostPage *page;
  GtkWidget *password_label;
  g_autofree char *before = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *copied = NULL;
  guint notifies = 0;

  show_window (f, 600, 680);
  page = td_window_get_host_page (f->window);
  password_label = template_child (page, TD_TYPE_HOST_PAGE, "password_label");

  before = g_strdup (td_host_page_get_password (page));
  g_assert_true (td_password_is_one_time_format (before));
  formatted = td_password_format (before);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (password_label)), ==, formatted);

  g_signal_connect (page, "notify::password", G_CALLBACK (count_cb), &notifies);
  click (find_by_action (page, "host.new-password"));

  g_assert_cmpuint (notifies, ==, 1);
  g_assert_true (td_password_is_one_time_format (td_host_page_get_password (page)));
  g_assert_cmpstr (td_host_page_get_password (page), !=, before);
  g_clear_pointer (&formatted, g_free);
  formatted = td_password_format (td_host_page_get_password (page));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (password_label)), ==, formatted);

  click (find_by_action (page, "host.copy-password"));
  copied = read_clipboard (GTK_WIDGET (page));
  g_assert_cmpstr (copied, ==, formatted);
}

typedef struct
{
  guint  n_calls;
  guint  id;
  char  *password;
} ConnectRequest;

static void
on_connect_requested (TdConnectPage  *page,
                      guint           id,
                      const char     *password,
                      ConnectRequest *request)
{
  request->n_calls++;
  request->id = id;
  g_free (request->password);
  request->password = g_strdup (password);
}

static gboolean
toast_shown (gpointer data)
{
  Fixture *f = data;

  return find_widget (GTK_WIDGET (f->window), match_mapped_label,
                      "Tandem is not connected to a server yet. Try again in a moment.") != NULL;
}

static void
test_connect_page_valid (Fixture       *f,
                         gconstpointer  data)
{
  static const char *grouped[] = {
    "1", "12", "123", "123 4", "123 45", "123 456", "123 456 7", "123 456 78", "123 456 782",
  };
  TdConnectPage *page;
  GtkWidget *id_row;
  GtkWidget *password_row;
  GtkWidget *error_label;
  GtkWidget *connect_button;
  ConnectRequest request = { 0 };

  show_window (f, 600, 680);
  td_window_set_page (f->window, TD_WINDOW_PAGE_HELP_SOMEONE);
  spin (50);

  page = td_window_get_connect_page (f->window);
  id_row = template_child (page, TD_TYPE_CONNECT_PAGE, "id_row");
  password_row = template_child (page, TD_TYPE_CONNECT_PAGE, "password_row");
  error_label = template_child (page, TD_TYPE_CONNECT_PAGE, "id_error_label");
  connect_button = find_by_action (page, "connect.connect");
  g_signal_connect (page, "connect-requested", G_CALLBACK (on_connect_requested), &request);

  /* Opening the page puts the cursor in the ID field. */
  g_assert_true (gtk_widget_is_focus (text_of (id_row)));
  g_assert_false (gtk_widget_is_sensitive (connect_button));

  /* Grouped as it is typed, the cursor staying at the end. */
  for (guint i = 0; i < G_N_ELEMENTS (grouped); i++)
    {
      type_text (id_row, (char[]) { "123456782"[i], '\0' });
      g_assert_cmpstr (get_text (id_row), ==, grouped[i]);
      g_assert_cmpint (get_cursor (id_row), ==, g_utf8_strlen (grouped[i], -1));
      g_assert_false (gtk_widget_get_visible (error_label));
    }
  g_assert_cmpuint (td_id_entry_row_get_id (TD_ID_ENTRY_ROW (id_row)), ==, 123456782);

  /* A valid ID alone is not enough. */
  g_assert_false (gtk_widget_is_sensitive (connect_button));
  g_assert_false (td_connect_page_get_can_connect (page));

  type_text (password_row, "abcd efg");
  g_assert_false (gtk_widget_is_sensitive (connect_button));
  type_text (password_row, "h");
  g_assert_true (gtk_widget_is_sensitive (connect_button));
  g_assert_true (td_connect_page_get_can_connect (page));
  press_backspace (password_row);
  g_assert_false (gtk_widget_is_sensitive (connect_button));
  type_text (password_row, "h");
  g_assert_true (gtk_widget_is_sensitive (connect_button));

  /* Connect hands the ID and the normalized password over, and the window
   * says honestly that it cannot connect yet. */
  click (connect_button);
  g_assert_cmpuint (request.n_calls, ==, 1);
  g_assert_cmpuint (request.id, ==, 123456782);
  g_assert_cmpstr (request.password, ==, "abcdefgh");
  wait_for (toast_shown, f);

  /* Enter in the password field does the same. */
  press_enter (password_row);
  g_assert_cmpuint (request.n_calls, ==, 2);

  /* Breaking the ID takes Connect away again. */
  press_backspace (id_row);
  g_assert_cmpstr (get_text (id_row), ==, "123 456 78");
  g_assert_false (gtk_widget_is_sensitive (connect_button));
  press_enter (password_row);
  g_assert_cmpuint (request.n_calls, ==, 2);

  g_free (request.password);
}

static void
test_connect_page_invalid (Fixture       *f,
                           gconstpointer  data)
{
  TdConnectPage *page;
  GtkWidget *id_row;
  GtkWidget *password_row;
  GtkWidget *error_label;
  GtkWidget *connect_button;
  g_autoptr(GError) error = NULL;

  show_window (f, 600, 680);
  td_window_set_page (f->window, TD_WINDOW_PAGE_HELP_SOMEONE);
  spin (50);

  page = td_window_get_connect_page (f->window);
  id_row = template_child (page, TD_TYPE_CONNECT_PAGE, "id_row");
  password_row = template_child (page, TD_TYPE_CONNECT_PAGE, "password_row");
  error_label = template_child (page, TD_TYPE_CONNECT_PAGE, "id_error_label");
  connect_button = find_by_action (page, "connect.connect");

  type_text (password_row, "abcdefgh");

  /* No complaint before the ninth digit... */
  type_text (id_row, "12345678");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_has_css_class (id_row, "error"));

  /* ...then the check digit is wrong, and the page says what to do. */
  type_text (id_row, "1");
  g_assert_cmpstr (get_text (id_row), ==, "123 456 781");
  g_assert_false (td_id_parse ("123456781", NULL, &error));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_get_mapped (error_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), ==, error->message);
  g_assert_true (gtk_widget_has_css_class (id_row, "error"));
  g_assert_cmpuint (td_id_entry_row_get_id (TD_ID_ENTRY_ROW (id_row)), ==, 0);
  g_assert_false (gtk_widget_is_sensitive (connect_button));

  /* Editing hides the error until the ID is complete again. */
  press_backspace (id_row);
  g_assert_cmpstr (get_text (id_row), ==, "123 456 78");
  g_assert_false (gtk_widget_get_visible (error_label));

  /* Enter on a short ID explains what is missing. */
  press_enter (id_row);
  g_clear_error (&error);
  g_assert_false (td_id_parse ("12345678", NULL, &error));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), ==, error->message);

  /* And so does Enter in the password field, on an empty ID. */
  clear_text (id_row);
  g_assert_false (gtk_widget_get_visible (error_label));
  press_enter (password_row);
  g_clear_error (&error);
  g_assert_false (td_id_parse ("", NULL, &error));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), ==, error->message);

  /* Ten digits are too many. */
  type_text (id_row, "1234567823");
  g_assert_cmpstr (get_text (id_row), ==, "123 456 782 3");
  g_clear_error (&error);
  g_assert_false (td_id_parse ("1234567823", NULL, &error));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), ==, error->message);

  /* Fixed: the error goes, Connect comes. */
  press_backspace (id_row);
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_has_css_class (id_row, "error"));
  g_assert_true (gtk_widget_is_sensitive (connect_button));
}

static gboolean
has_text (gpointer data)
{
  return g_strcmp0 (get_text (data), "123 456 782") == 0;
}

/* Editing in the middle of the ID keeps the cursor where the user put it. */
static void
test_connect_page_editing (Fixture       *f,
                           gconstpointer  data)
{
  GtkWidget *id_row;

  show_window (f, 600, 680);
  td_window_set_page (f->window, TD_WINDOW_PAGE_HELP_SOMEONE);
  spin (50);
  id_row = template_child (td_window_get_connect_page (f->window), TD_TYPE_CONNECT_PAGE, "id_row");

  /* Set from code, with other separators. */
  gtk_editable_set_text (GTK_EDITABLE (id_row), "123-456-782");
  g_assert_cmpstr (get_text (id_row), ==, "123 456 782");
  g_assert_cmpuint (td_id_entry_row_get_id (TD_ID_ENTRY_ROW (id_row)), ==, 123456782);

  /* A digit typed after a separator lands after it and pushes the rest. */
  gtk_editable_set_text (GTK_EDITABLE (id_row), "12345678");
  set_cursor (id_row, 4);
  type_text (id_row, "9");
  g_assert_cmpstr (get_text (id_row), ==, "123 945 678");
  g_assert_cmpint (get_cursor (id_row), ==, 5);

  /* Letters and spaces are refused; nothing moves. */
  type_text (id_row, "a ");
  g_assert_cmpstr (get_text (id_row), ==, "123 945 678");
  g_assert_cmpint (get_cursor (id_row), ==, 5);

  /* Backspace just after a separator deletes the digit before it. */
  gtk_editable_set_text (GTK_EDITABLE (id_row), "12345678");
  set_cursor (id_row, 4);
  press_backspace (id_row);
  g_assert_cmpstr (get_text (id_row), ==, "124 567 8");
  g_assert_cmpint (get_cursor (id_row), ==, 2);

  /* Delete just before a separator deletes the digit after it. */
  gtk_editable_set_text (GTK_EDITABLE (id_row), "12345678");
  set_cursor (id_row, 3);
  press_delete (id_row);
  g_assert_cmpstr (get_text (id_row), ==, "123 567 8");
  g_assert_cmpint (get_cursor (id_row), ==, 3);

  /* Backspace in the middle of a group. */
  gtk_editable_set_text (GTK_EDITABLE (id_row), "12345678");
  set_cursor (id_row, 6);
  press_backspace (id_row);
  g_assert_cmpstr (get_text (id_row), ==, "123 467 8");
  g_assert_cmpint (get_cursor (id_row), ==, 5);

  /* A selection replaced by a digit, the way GtkText handles a key press
   * over a selection. */
  gtk_editable_set_text (GTK_EDITABLE (id_row), "123456789");
  gtk_editable_select_region (GTK_EDITABLE (text_of (id_row)), 2, 9);
  gtk_editable_delete_selection (GTK_EDITABLE (text_of (id_row)));
  g_assert_cmpstr (get_text (id_row), ==, "128 9");
  g_assert_cmpint (get_cursor (id_row), ==, 2);
  type_text (id_row, "0");
  g_assert_cmpstr (get_text (id_row), ==, "120 89");
  g_assert_cmpint (get_cursor (id_row), ==, 3);

  /* No undo: it would replay edits through the regrouping. */
  gtk_editable_set_text (GTK_EDITABLE (id_row), "1234");
  set_cursor (id_row, -1);
  type_text (id_row, "5");
  gtk_widget_activate_action (text_of (id_row), "text.undo", NULL);
  g_assert_cmpstr (get_text (id_row), ==, "123 45");

  /* Pasted from a chat message, words and dashes and all. */
  clear_text (id_row);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (id_row), "ID: 123-456-782");
  g_signal_emit_by_name (text_of (id_row), "paste-clipboard");
  wait_for (has_text, id_row);
  g_assert_cmpint (get_cursor (id_row), ==, 11);
}

static void
test_preferences (Fixture       *f,
                  gconstpointer  data)
{
  GSettings *settings = td_application_get_settings (application);
  GtkWidget *preferences;
  GtkWidget *display_name_row;
  GtkWidget *server_address_row;
  g_autofree char *default_name = td_application_dup_default_display_name (application);
  g_autofree char *value = NULL;

  show_window (f, 600, 680);
  value = g_settings_get_string (settings, "server-address");
  g_assert_cmpstr (value, ==, "");
  g_clear_pointer (&value, g_free);

  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  preferences = find_window (TD_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  wait_for (is_mapped, preferences);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (preferences)) == GTK_WINDOW (f->window));

  display_name_row = template_child (preferences, TD_TYPE_PREFERENCES_WINDOW, "display_name_row");
  server_address_row = template_child (preferences, TD_TYPE_PREFERENCES_WINDOW, "server_address_row");
  g_assert_cmpstr (get_text (display_name_row), ==, default_name);
  g_assert_cmpstr (get_text (server_address_row), ==, "");

  /* Nothing is stored until Apply. */
  gtk_editable_set_text (GTK_EDITABLE (server_address_row), " rendezvous.example.org:8443 ");
  value = g_settings_get_string (settings, "server-address");
  g_assert_cmpstr (value, ==, "");
  g_signal_emit_by_name (server_address_row, "apply");
  g_clear_pointer (&value, g_free);
  value = g_settings_get_string (settings, "server-address");
  g_assert_cmpstr (value, ==, "rendezvous.example.org:8443");

  gtk_editable_set_text (GTK_EDITABLE (display_name_row), "Front desk");
  g_signal_emit_by_name (display_name_row, "apply");
  g_clear_pointer (&value, g_free);
  value = td_application_dup_display_name (application);
  g_assert_cmpstr (value, ==, "Front desk");

  /* Clearing the name goes back to the default, shown in full. */
  clear_text (display_name_row);
  g_signal_emit_by_name (display_name_row, "apply");
  g_clear_pointer (&value, g_free);
  value = g_settings_get_string (settings, "display-name");
  g_assert_cmpstr (value, ==, "");
  g_assert_cmpstr (get_text (display_name_row), ==, default_name);

  g_settings_reset (settings, "server-address");
}

/* The other windows open without warnings. */
static void
test_secondary_windows (Fixture       *f,
                        gconstpointer  data)
{
  GtkWidget *window;

  show_window (f, 600, 680);

  /* Ctrl+? */
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "show-help-overlay", NULL);
  window = GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f->window)));
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (window));
  wait_for (is_mapped, window);
  spin (50);
  gtk_window_close (GTK_WINDOW (window));

  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
  window = find_window (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (window);
  wait_for (is_mapped, window);
  spin (50);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (window)), ==, PACKAGE_VERSION);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (window)) == GTK_WINDOW (f->window));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_color_scheme (Fixture       *f,
                   gconstpointer  data)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();

  show_window (f, 600, 680);

  g_action_group_activate_action (G_ACTION_GROUP (application), "color-scheme",
                                  g_variant_new_string ("dark"));
  g_assert_true (adw_style_manager_get_dark (style_manager));
  spin (50);

  g_action_group_activate_action (G_ACTION_GROUP (application), "color-scheme",
                                  g_variant_new_string ("light"));
  g_assert_false (adw_style_manager_get_dark (style_manager));

  g_action_group_activate_action (G_ACTION_GROUP (application), "color-scheme",
                                  g_variant_new_string ("default"));
  g_assert_cmpint (adw_style_manager_get_color_scheme (style_manager), ==, ADW_COLOR_SCHEME_DEFAULT);
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

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ui/window/narrow", test_window_narrow);
  ADD ("/ui/window/wide", test_window_wide);
  ADD ("/ui/window/state", test_window_state);
  ADD ("/ui/window/accessible-names", test_window_accessible_names);
  ADD ("/ui/host-page/not-connected", test_host_page_not_connected);
  ADD ("/ui/host-page/new-password", test_host_page_new_password);
  ADD ("/ui/connect-page/valid", test_connect_page_valid);
  ADD ("/ui/connect-page/invalid", test_connect_page_invalid);
  ADD ("/ui/connect-page/editing", test_connect_page_editing);
  ADD ("/ui/app/preferences", test_preferences);
  ADD ("/ui/app/secondary-windows", test_secondary_windows);
  ADD ("/ui/app/color-scheme", test_color_scheme);

#undef ADD

  ret = g_test_run ();

  g_object_unref (application);

  return ret;
}
