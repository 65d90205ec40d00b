#define G_LOG_DOMAIN "td-ui"
/* td-window.c: the main window, with "Get help" and "Help someone"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two pages in an AdwViewStack: the switcher sits in the header bar when the
 * window is wide and moves to a bar at the bottom when it is not, down to
 * 360 pixels.
 *
 * A helper's session lives in this window too, as GNOME Connections does
 * it: td_window_show_session() shows its progress on "Help someone"; once
 * it is connected the whole window becomes the session view (its own
 * header bar, End, the partner's screen), and when it ends the window
 * goes back to "Help someone", which says why it ended. Closing the
 * window ends the session.
 */

#include <glib/gi18n.h>

#include "td-app-services.h"
#include "td-banner.h"
#include "td-consent-dialog.h"
#include "td-host-page.h"
#include "td-session-view.h"
#include "td-viewer-session.h"
#include "td-window.h"

struct _TdWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwViewStack         *stack;
  TdHostPage           *host_page;
  TdConnectPage        *connect_page;
  TdSessionView        *session_view;

  GSettings            *settings;
  /* Cancelled when the window closes: for the work it starts. */
  GCancellable         *cancellable;
  /* The helper's session shown, until it ends. */
  TdSession            *session;

  /* What runs behind the window: rendezvous client and host service. */
  TdAppServices        *services;
  TdConsentDialog      *consent_dialog;
  TdBanner             *banner;
};

G_DEFINE_FINAL_TYPE (TdWindow, td_window, ADW_TYPE_APPLICATION_WINDOW)

static void
on_connect_requested (TdWindow      *self,
                      guint          id,
                      const char    *password,
                      TdConnectPage *page)
{
  g_autoptr(TdViewerSession) session = NULL;
  g_autofree char *name = NULL;
  TdRendezvousClient *client;
  AdwToast *toast;

  g_assert (TD_IS_WINDOW (self));

  client = self->services != NULL ? td_app_services_get_client (self->services) : NULL;
  if (client == NULL)
    {
      /* Say so rather than pretend: there is no server to ask yet. */
      toast = adw_toast_new (_("Tandem is not connected to a server yet. Try again in a moment."));
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }

  name = g_strdup (td_rendezvous_client_get_display_name (client));
  session = td_viewer_session_new (client, td_app_services_get_device_key (self->services), name);
  td_window_show_session (self, TD_SESSION (session));
  /* Progress and the end are followed through the session's properties. */
  td_viewer_session_connect_async (session, id, password, self->cancellable, NULL, NULL);
}

static void
update_host_page (TdWindow *self)
{
  TdRendezvousClient *client = td_app_services_get_client (self->services);
  TdServerStatus status = TD_SERVER_STATUS_CONNECTING;
  guint32 id = 0;

  if (client != NULL)
    {
      switch (td_rendezvous_client_get_state (client))
        {
        case TD_RENDEZVOUS_STATE_REGISTERED:
          status = TD_SERVER_STATUS_CONNECTED;
          id = td_rendezvous_client_get_id (client);
          break;

        case TD_RENDEZVOUS_STATE_DISCONNECTED:
        case TD_RENDEZVOUS_STATE_RETRYING:
          status = TD_SERVER_STATUS_DISCONNECTED;
          break;

        case TD_RENDEZVOUS_STATE_CONNECTING:
        case TD_RENDEZVOUS_STATE_CONNECTED:
        case TD_RENDEZVOUS_STATE_REGISTERING:
        default:
          status = TD_SERVER_STATUS_CONNECTING;
          break;
        }
    }
  else if (td_app_services_get_error (self->services) != NULL)
    status = TD_SERVER_STATUS_DISCONNECTED;

  td_host_page_set_server_status (self->host_page, status);
  td_host_page_set_id (self->host_page, id);
}

static void
on_page_password_changed (TdWindow *self)
{
  TdHostService *service = td_app_services_get_host_service (self->services);
  const char *password = td_host_page_get_password (self->host_page);

  if (service != NULL && password != NULL &&
      g_strcmp0 (password, td_host_service_get_password (service)) != 0)
    td_host_service_set_password (service, password);
}

static void
on_service_password_changed (TdWindow *self)
{
  TdHostService *service = td_app_services_get_host_service (self->services);

  if (g_strcmp0 (td_host_page_get_password (self->host_page),
                 td_host_service_get_password (service)) != 0)
    td_host_page_set_password (self->host_page, td_host_service_get_password (service));
}

static void
on_banner_end_requested (TdWindow *self)
{
  TdHostService *service = td_app_services_get_host_service (self->services);
  TdHostSession *session = service != NULL ? td_host_service_get_session (service) : NULL;

  if (session != NULL)
    td_session_end (TD_SESSION (session), TD_END_REASON_LOCAL, NULL);
}

static void
on_host_session_ended (TdSession   *session,
                       TdEndReason  reason,
                       GError      *error,
                       TdWindow    *self)
{
  g_signal_handlers_disconnect_by_data (session, self);
  if (self->banner != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (self->banner));
      self->banner = NULL;
    }
}

static void
on_host_session_state (TdSession  *session,
                       GParamSpec *pspec,
                       TdWindow   *self)
{
  if (td_session_get_state (session) != TD_SESSION_STATE_CONNECTED || self->banner != NULL)
    return;

  /* The banner stays for the whole session, whatever the partner does. */
  self->banner = td_banner_new (gtk_window_get_application (GTK_WINDOW (self)),
                                td_session_get_peer_name (session),
                                td_session_get_peer_id (session),
                                td_host_session_get_permissions (TD_HOST_SESSION (session)));
  g_signal_connect_object (self->banner, "end-requested",
                           G_CALLBACK (on_banner_end_requested), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->banner));
}

static void
on_host_session_started (TdHostService *service,
                         TdHostSession *session,
                         TdWindow      *self)
{
  g_signal_connect_object (session, "notify::state", G_CALLBACK (on_host_session_state), self, 0);
  g_signal_connect_object (session, "ended", G_CALLBACK (on_host_session_ended), self, 0);
}

static void
on_services_changed (TdWindow *self)
{
  TdRendezvousClient *client = td_app_services_get_client (self->services);
  TdHostService *service = td_app_services_get_host_service (self->services);

  if (client != NULL && !g_object_get_data (G_OBJECT (client), "td-window-watched"))
    {
      g_object_set_data (G_OBJECT (client), "td-window-watched", self);
      g_signal_connect_object (client, "notify::state", G_CALLBACK (update_host_page),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "notify::id", G_CALLBACK (update_host_page),
                               self, G_CONNECT_SWAPPED);
    }

  if (service != NULL && !g_object_get_data (G_OBJECT (service), "td-window-watched"))
    {
      g_object_set_data (G_OBJECT (service), "td-window-watched", self);
      /* What the person reads out is what the host checks. */
      td_host_service_set_password (service, td_host_page_get_password (self->host_page));
      g_signal_connect_object (service, "notify::password",
                               G_CALLBACK (on_service_password_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (service, "session-started",
                               G_CALLBACK (on_host_session_started), self, 0);
      self->consent_dialog = td_consent_dialog_new (GTK_WINDOW (self));
      td_host_service_set_consent_prompt (service, TD_CONSENT_PROMPT (self->consent_dialog));
    }

  update_host_page (self);
}

/**
 * td_window_set_services:
 * @self: a #TdWindow
 * @services: what the app runs: rendezvous client, host service
 *
 * Shows this computer's ID from @services, keeps the one-time password
 * on "Get help" and the host's in step, asks for consent and shows the
 * banner when a helper connects, and lets Connect start sessions.
 */
void
td_window_set_services (TdWindow      *self,
                        TdAppServices *services)
{
  g_return_if_fail (TD_IS_WINDOW (self));
  g_return_if_fail (TD_IS_APP_SERVICES (services));
  g_return_if_fail (self->services == NULL);

  self->services = g_object_ref (services);
  g_signal_connect_object (services, "notify::client", G_CALLBACK (on_services_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (services, "notify::host-service", G_CALLBACK (on_services_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->host_page, "notify::password",
                           G_CALLBACK (on_page_password_changed), self, G_CONNECT_SWAPPED);
  on_services_changed (self);
}

static void
on_end_requested (TdWindow *self)
{
  g_assert (TD_IS_WINDOW (self));

  if (self->session != NULL)
    td_session_end (self->session, TD_END_REASON_LOCAL, NULL);
}

static void
td_window_update_session (TdWindow *self)
{
  TdSessionState state;

  g_assert (TD_IS_WINDOW (self));

  if (self->session == NULL)
    return;

  state = td_session_get_state (self->session);

  if (td_session_is_ended (self->session))
    {
      gboolean was_shown = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack),
                                      "session") == 0;

      g_signal_handlers_disconnect_by_data (self->session, self);
      g_clear_object (&self->session);

      gtk_stack_set_visible_child_name (self->main_stack, "home");
      td_window_set_page (self, TD_WINDOW_PAGE_HELP_SOMEONE);
      td_session_view_set_session (self->session_view, NULL);
      td_session_view_set_paintable (self->session_view, NULL);
      td_session_view_set_permissions (self->session_view, TD_PERMISSION_NONE);
      if (was_shown)
        gtk_widget_grab_focus (GTK_WIDGET (self->connect_page));
      return;
    }

  if (state == TD_SESSION_STATE_CONNECTED &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "session") != 0)
    {
      gtk_stack_set_visible_child_name (self->main_stack, "session");
      gtk_widget_grab_focus (GTK_WIDGET (self->session_view));
    }
}

static void
on_visible_page_changed (TdWindow *self)
{
  g_assert (TD_IS_WINDOW (self));

  /* Whoever opens "Help someone" is about to type an ID. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) &&
      g_strcmp0 (td_window_get_page (self), TD_WINDOW_PAGE_HELP_SOMEONE) == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->connect_page));
}

static void
td_window_load_state (TdWindow *self)
{
  g_assert (TD_IS_WINDOW (self));

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
td_window_save_state (TdWindow *self)
{
  gboolean maximized;

  g_assert (TD_IS_WINDOW (self));

  maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  g_settings_delay (self->settings);
  if (!maximized)
    {
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  g_settings_apply (self->settings);
}

static gboolean
td_window_close_request (GtkWindow *window)
{
  TdWindow *self = TD_WINDOW (window);

  if (self->settings != NULL)
    td_window_save_state (self);

  g_cancellable_cancel (self->cancellable);
  on_end_requested (self);

  return GTK_WINDOW_CLASS (td_window_parent_class)->close_request (window);
}

static void
td_window_dispose (GObject *object)
{
  TdWindow *self = TD_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      td_session_end (self->session, TD_END_REASON_LOCAL, NULL);
      g_clear_object (&self->session);
    }

  if (self->banner != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (self->banner));
      self->banner = NULL;
    }
  if (self->consent_dialog != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (self->consent_dialog));
      self->consent_dialog = NULL;
    }
  g_clear_object (&self->services);

  gtk_widget_dispose_template (GTK_WIDGET (self), TD_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (td_window_parent_class)->dispose (object);
}

static void
td_window_class_init (TdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = td_window_dispose;

  window_class->close_request = td_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tandemdesk/Tandem/td-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TdWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TdWindow, session_view);
  gtk_widget_class_bind_template_child (widget_class, TdWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TdWindow, host_page);
  gtk_widget_class_bind_template_child (widget_class, TdWindow, connect_page);
  gtk_widget_class_bind_template_callback (widget_class, on_connect_requested);
  gtk_widget_class_bind_template_callback (widget_class, on_end_requested);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_page_changed);

  g_type_ensure (TD_TYPE_HOST_PAGE);
  g_type_ensure (TD_TYPE_CONNECT_PAGE);
  g_type_ensure (TD_TYPE_SESSION_VIEW);
}

static void
td_window_init (TdWindow *self)
{
  g_autoptr(GPropertyAction) page_action = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  /* win.page('help-someone') shows a page, from the keyboard or the
   * command line. */
  page_action = g_property_action_new ("page", self->stack, "visible-child-name");
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (page_action));
}

TdWindow *
td_window_new (TdApplication *application)
{
  TdWindow *self;

  g_return_val_if_fail (TD_IS_APPLICATION (application), NULL);

  self = g_object_new (TD_TYPE_WINDOW,
                       "application", application,
                       NULL);

  /* Here rather than in constructed(): GObject sets :application after
   * that. */
  self->settings = g_object_ref (td_application_get_settings (application));
  td_window_load_state (self);

  return self;
}

/**
 * td_window_get_host_page:
 * @self: a #TdWindow
 *
 * Returns: (transfer none): the "Get help" page
 */
TdHostPage *
td_window_get_host_page (TdWindow *self)
{
  g_return_val_if_fail (TD_IS_WINDOW (self), NULL);

  return self->host_page;
}

/**
 * td_window_get_connect_page:
 * @self: a #TdWindow
 *
 * Returns: (transfer none): the "Help someone" page
 */
TdConnectPage *
td_window_get_connect_page (TdWindow *self)
{
  g_return_val_if_fail (TD_IS_WINDOW (self), NULL);

  return self->connect_page;
}

/**
 * td_window_get_page:
 * @self: a #TdWindow
 *
 * Returns: the name of the page shown: %TD_WINDOW_PAGE_GET_HELP or
 *   %TD_WINDOW_PAGE_HELP_SOMEONE
 */
const char *
td_window_get_page (TdWindow *self)
{
  g_return_val_if_fail (TD_IS_WINDOW (self), NULL);

  return adw_view_stack_get_visible_child_name (self->stack);
}

/**
 * td_window_set_page:
 * @self: a #TdWindow
 * @page: %TD_WINDOW_PAGE_GET_HELP or %TD_WINDOW_PAGE_HELP_SOMEONE
 */
void
td_window_set_page (TdWindow   *self,
                    const char *page)
{
  g_return_if_fail (TD_IS_WINDOW (self));
  g_return_if_fail (page != NULL);
  g_return_if_fail (adw_view_stack_get_child_by_name (self->stack, page) != NULL);

  adw_view_stack_set_visible_child_name (self->stack, page);
}

/**
 * td_window_get_session_view:
 * @self: a #TdWindow
 *
 * Returns: (transfer none): the view of a partner's screen, where the
 *   media code puts its paintable and the session its permissions
 */
TdSessionView *
td_window_get_session_view (TdWindow *self)
{
  g_return_val_if_fail (TD_IS_WINDOW (self), NULL);

  return self->session_view;
}

/**
 * td_window_get_cancellable:
 * @self: a #TdWindow
 *
 * Returns: (transfer none): a cancellable that is cancelled when the
 *   window closes, for the work the window starts (connecting, say)
 */
GCancellable *
td_window_get_cancellable (TdWindow *self)
{
  g_return_val_if_fail (TD_IS_WINDOW (self), NULL);

  return self->cancellable;
}

/**
 * td_window_get_session:
 * @self: a #TdWindow
 *
 * Returns: (transfer none) (nullable): the helper's session shown, until
 *   it ends
 */
TdSession *
td_window_get_session (TdWindow *self)
{
  g_return_val_if_fail (TD_IS_WINDOW (self), NULL);

  return self->session;
}

/**
 * td_window_show_session:
 * @self: a #TdWindow
 * @session: a helper's session, just started
 *
 * Follows @session in the window: its progress on "Help someone" (Cancel
 * ends it), the session view once it is %TD_SESSION_STATE_CONNECTED (End
 * ends it), and back to "Help someone" with the reason once it ended.
 * Ending is td_session_end() with %TD_END_REASON_LOCAL. A session shown
 * before is ended first: a window shows one at a time.
 */
void
td_window_show_session (TdWindow  *self,
                        TdSession *session)
{
  g_return_if_fail (TD_IS_WINDOW (self));
  g_return_if_fail (TD_IS_SESSION (session));

  if (self->session == session)
    return;

  on_end_requested (self);
  g_assert (self->session == NULL);

  self->session = g_object_ref (session);
  g_signal_connect_object (session, "notify::state",
                           G_CALLBACK (td_window_update_session), self,
                           G_CONNECT_SWAPPED);

  td_window_set_page (self, TD_WINDOW_PAGE_HELP_SOMEONE);
  td_connect_page_set_session (self->connect_page, session);
  td_session_view_set_session (self->session_view, session);

  td_window_update_session (self);
}
