#define G_LOG_DOMAIN "td-ui"
/* td-preferences-window.c: the server address and this computer's name
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both rows write to GSettings when their apply button is pressed, not on
 * every key: whoever watches the server address reconnects when it changes,
 * and should not do so for each character of a host name.
 */

#include <glib/gi18n.h>

#include "td-preferences-window.h"

struct _TdPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwEntryRow          *display_name_row;
  AdwEntryRow          *server_address_row;
};

G_DEFINE_FINAL_TYPE (TdPreferencesWindow, td_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static TdApplication *
get_application (TdPreferencesWindow *self)
{
  return TD_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static void
on_display_name_apply (TdPreferencesWindow *self)
{
  TdApplication *application = get_application (self);
  GSettings *settings = td_application_get_settings (application);
  g_autofree char *name = NULL;
  g_autofree char *default_name = NULL;
  g_autofree char *shown = NULL;

  g_assert (TD_IS_PREFERENCES_WINDOW (self));

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->display_name_row))));
  default_name = td_application_dup_default_display_name (application);

  /* The default is stored as "", so that it follows the account's real
   * name or the host name when they change. */
  g_settings_set_string (settings, "display-name",
                         g_strcmp0 (name, default_name) == 0 ? "" : name);

  shown = td_application_dup_display_name (application);
  gtk_editable_set_text (GTK_EDITABLE (self->display_name_row), shown);
}

static void
on_server_address_apply (TdPreferencesWindow *self)
{
  TdApplication *application = get_application (self);
  g_autofree char *address = NULL;

  g_assert (TD_IS_PREFERENCES_WINDOW (self));

  address = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_address_row))));
  g_settings_set_string (td_application_get_settings (application), "server-address", address);
  gtk_editable_set_text (GTK_EDITABLE (self->server_address_row), address);
}

static void
td_preferences_window_load (TdPreferencesWindow *self)
{
  TdApplication *application = get_application (self);
  g_autofree char *display_name = NULL;
  g_autofree char *server_address = NULL;

  g_assert (TD_IS_PREFERENCES_WINDOW (self));

  display_name = td_application_dup_display_name (application);
  server_address = g_settings_get_string (td_application_get_settings (application),
                                          "server-address");

  gtk_editable_set_text (GTK_EDITABLE (self->display_name_row), display_name);
  gtk_editable_set_text (GTK_EDITABLE (self->server_address_row), server_address);
}

static void
td_preferences_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TD_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (td_preferences_window_parent_class)->dispose (object);
}

static void
td_preferences_window_class_init (TdPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = td_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tandemdesk/Tandem/td-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TdPreferencesWindow, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, TdPreferencesWindow, server_address_row);
  gtk_widget_class_bind_template_callback (widget_class, on_display_name_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_server_address_apply);
}

static void
td_preferences_window_init (TdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * td_preferences_window_new:
 * @application: the application, whose settings the window edits
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer full): a new preferences window
 */
TdPreferencesWindow *
td_preferences_window_new (TdApplication *application,
                           GtkWindow     *parent)
{
  TdPreferencesWindow *self;

  g_return_val_if_fail (TD_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (TD_TYPE_PREFERENCES_WINDOW,
                       "application", application,
                       "transient-for", parent,
                       NULL);
  td_preferences_window_load (self);

  return self;
}
