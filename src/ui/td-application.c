#define G_LOG_DOMAIN "td-ui"
/* td-application.c: the Tandem application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "td-application.h"
#include "td-preferences-window.h"
#include "td-app-services.h"
#include "td-window.h"

#define SCHEMA_ID "org.tandemdesk.Tandem"

struct _TdApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  TdAppServices  *services;
};

G_DEFINE_FINAL_TYPE (TdApplication, td_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "page", 'p', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
    N_("Show a page: “get-help” or “help-someone”"), N_("PAGE") },
  { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

static TdWindow *
td_application_get_main_window (TdApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (TD_IS_WINDOW (l->data))
      return l->data;

  return NULL;
}

static void
update_color_scheme (TdApplication *self)
{
  AdwColorScheme scheme;
  g_autofree char *value = NULL;

  g_assert (TD_IS_APPLICATION (self));

  value = g_settings_get_string (self->settings, "color-scheme");
  if (g_strcmp0 (value, "light") == 0)
    scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_strcmp0 (value, "dark") == 0)
    scheme = ADW_COLOR_SCHEME_FORCE_DARK;
  else
    scheme = ADW_COLOR_SCHEME_DEFAULT;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), scheme);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GList *windows;

  /* Close rather than quit outright, so windows save their state; the
   * application ends with its last window. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (user_data)));
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  TdApplication *self = TD_APPLICATION (user_data);
  TdPreferencesWindow *preferences;

  preferences = td_preferences_window_new (self,
                                           gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  TdApplication *self = TD_APPLICATION (user_data);
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "application", self,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("Tandem"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Tandem developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Help someone with their computer, or get help with yours"),
                        "website", "https://github.com/tandemdesk/tandem",
                        "issue-url", "https://github.com/tandemdesk/tandem/issues",
                        "copyright", _("© 2026 The Tandem developers"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your names, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "preferences", preferences_activated },
  { "about", about_activated },
};

static gint
td_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  const char *page = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "page", "&s", &page) &&
      g_strcmp0 (page, TD_WINDOW_PAGE_GET_HELP) != 0 &&
      g_strcmp0 (page, TD_WINDOW_PAGE_HELP_SOMEONE) != 0)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("Unknown page “%s”: use “%s” or “%s”"),
                                 page, TD_WINDOW_PAGE_GET_HELP, TD_WINDOW_PAGE_HELP_SOMEONE);
      g_printerr ("%s\n", message);
      return 1;
    }

  /* g_settings_new() aborts on a missing schema: say what to do instead. */
  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                            SCHEMA_ID, TRUE);
  if (schema == NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The settings schema “%s” is not installed. Install Tandem, "
                                   "or run it from the build directory with “meson devenv”."),
                                 SCHEMA_ID);
      g_printerr ("%s\n", message);
      return 1;
    }

  return G_APPLICATION_CLASS (td_application_parent_class)->handle_local_options (application,
                                                                                 options);
}

static void
td_application_startup (GApplication *application)
{
  TdApplication *self = TD_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *get_help_accels[] = { "<Alt>1", NULL };
  static const char *help_someone_accels[] = { "<Alt>2", NULL };
  g_autoptr(GAction) color_scheme_action = NULL;

  G_APPLICATION_CLASS (td_application_parent_class)->startup (application);

  gtk_window_set_default_icon_name (APP_ID);

  self->settings = g_settings_new (SCHEMA_ID);
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (update_color_scheme), self, G_CONNECT_SWAPPED);
  update_color_scheme (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  color_scheme_action = g_settings_create_action (self->settings, "color-scheme");
  g_action_map_add_action (G_ACTION_MAP (self), color_scheme_action);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.page::get-help",
                                         get_help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.page::help-someone",
                                         help_someone_accels);
}

static void
td_application_activate (GApplication *application)
{
  TdApplication *self = TD_APPLICATION (application);
  TdWindow *window;

  if (self->services == NULL)
    {
      self->services = td_app_services_new (self->settings);
      td_app_services_start (self->services);
    }

  window = td_application_get_main_window (self);
  if (window == NULL)
    {
      window = td_window_new (self);
      td_window_set_services (window, self->services);
    }

  gtk_window_present (GTK_WINDOW (window));
}

static int
td_application_command_line (GApplication            *application,
                             GApplicationCommandLine *command_line)
{
  TdApplication *self = TD_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *page = NULL;

  g_application_activate (application);

  /* handle_local_options() has checked the name. */
  if (g_variant_dict_lookup (options, "page", "&s", &page))
    td_window_set_page (td_application_get_main_window (self), page);

  return 0;
}

static void
td_application_dispose (GObject *object)
{
  TdApplication *self = TD_APPLICATION (object);

  g_clear_object (&self->services);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (td_application_parent_class)->dispose (object);
}

static void
td_application_class_init (TdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = td_application_dispose;

  application_class->handle_local_options = td_application_handle_local_options;
  application_class->startup = td_application_startup;
  application_class->activate = td_application_activate;
  application_class->command_line = td_application_command_line;
}

static void
td_application_init (TdApplication *self)
{
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

/**
 * td_application_new:
 *
 * Returns: (transfer full): the application
 */
TdApplication *
td_application_new (void)
{
  return g_object_new (TD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE |
                                (g_getenv ("TD_DATA_DIR") != NULL ? G_APPLICATION_NON_UNIQUE : 0),
                       /* Fixed, so the .Devel build finds the same resources. */
                       "resource-base-path", "/org/tandemdesk/Tandem",
                       NULL);
}

/**
 * td_application_get_settings:
 * @self: a #TdApplication
 *
 * Returns: (transfer none): the `org.tandemdesk.Tandem` settings; valid
 *   from startup on
 */
GSettings *
td_application_get_settings (TdApplication *self)
{
  g_return_val_if_fail (TD_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * td_application_dup_default_display_name:
 * @self: a #TdApplication
 *
 * Returns: (transfer full): the name this computer goes by when the user
 *   has not chosen one: their full name, or else the host name
 */
char *
td_application_dup_default_display_name (TdApplication *self)
{
  const char *real_name;

  g_return_val_if_fail (TD_IS_APPLICATION (self), NULL);

  /* GLib says "Unknown" when the account has no full name. */
  real_name = g_get_real_name ();
  if (real_name != NULL && *real_name != '\0' && g_strcmp0 (real_name, "Unknown") != 0)
    return g_strdup (real_name);

  return g_strdup (g_get_host_name ());
}

/**
 * td_application_dup_display_name:
 * @self: a #TdApplication
 *
 * Returns: (transfer full): the name partners see for this computer
 */
char *
td_application_dup_display_name (TdApplication *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (TD_IS_APPLICATION (self), NULL);

  name = g_settings_get_string (self->settings, "display-name");
  if (*g_strstrip (name) != '\0')
    return g_steal_pointer (&name);

  return td_application_dup_default_display_name (self);
}
