#define G_LOG_DOMAIN "td-ui"
/* td-consent-dialog.c: asks the person helped whether a partner may connect
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The host's TdConsentPrompt. Shown once the partner's password checked
 * out: who asks, one switch per permission they ask for (all on, so that
 * Accept gives what was asked), Deny and Accept, and a countdown after
 * which the request counts as denied.
 *
 * Deny is the safe answer and the easy one: it has the focus, it is the
 * window's default widget, Escape and the window manager's close button
 * give it. Accept takes a click or Tab first, so that an Enter typed into
 * another window as the dialog appears cannot let anybody in.
 *
 * One dialog answers one request at a time and hides once answered, so
 * the host can keep it and ask again; a second request while one is open
 * fails with G_IO_ERROR_PENDING. Destroying the dialog cancels the
 * request it shows.
 */

#include <string.h>

#include <glib/gi18n.h>

#include "td-consent-dialog.h"
#include "td-ui-util.h"

#define N_PERMISSION_BITS 8

struct _TdConsentDialog
{
  AdwWindow         parent_instance;

  AdwAvatar        *avatar;
  GtkLabel         *heading_label;
  GtkLabel         *id_label;
  GtkLabel         *body_label;
  GtkListBox       *permission_list;
  GtkLabel         *countdown_label;
  GtkButton        *deny_button;
  GtkButton        *accept_button;

  /* The request being answered; NULL while the dialog is idle. */
  GTask            *task;
  TdConsentRequest *request;
  GSource          *cancelled_source;
  guint             countdown_id;
  gint64            deadline;
  guint             seconds_left;
  TdPermissions     selected;

  /* One switch per requested permission, by bit number. */
  GtkSwitch        *switches[N_PERMISSION_BITS];
};

static void td_consent_prompt_iface_init (TdConsentPromptInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdConsentDialog, td_consent_dialog, ADW_TYPE_WINDOW,
                               G_IMPLEMENT_INTERFACE (TD_TYPE_CONSENT_PROMPT,
                                                      td_consent_prompt_iface_init))

enum {
  PROP_0,
  PROP_REQUEST,
  PROP_SELECTED,
  PROP_SECONDS_LEFT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
permission_index (TdPermissions permission)
{
  return (guint) g_bit_nth_lsf ((gulong) permission, -1);
}

static void
td_consent_dialog_set_seconds_left (TdConsentDialog *self,
                                    guint            seconds_left)
{
  g_autofree char *text = NULL;

  g_assert (TD_IS_CONSENT_DIALOG (self));

  /* Translators: a countdown, updated every second; "s" is the symbol
   * for seconds. */
  text = g_strdup_printf (_("Denied automatically in %u s"), seconds_left);
  gtk_label_set_label (self->countdown_label, text);

  if (self->seconds_left != seconds_left)
    {
      self->seconds_left = seconds_left;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDS_LEFT]);
    }
}

static void
td_consent_dialog_update_selected (TdConsentDialog *self)
{
  TdPermissions selected = TD_PERMISSION_NONE;
  GtkSwitch *view_switch;
  GtkSwitch *control_switch;

  g_assert (TD_IS_CONSENT_DIALOG (self));

  for (guint i = 0; i < N_PERMISSION_BITS; i++)
    if (self->switches[i] != NULL && gtk_switch_get_active (self->switches[i]))
      selected |= (TdPermissions) (1u << i);

  /* Control without view means acting on a screen one cannot see: the
   * core drops it (td_permissions_sanitize()), so the dialog shows it. */
  view_switch = self->switches[permission_index (TD_PERMISSION_VIEW)];
  control_switch = self->switches[permission_index (TD_PERMISSION_CONTROL)];
  if (control_switch != NULL && view_switch != NULL)
    gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (control_switch),
                                                       ADW_TYPE_ACTION_ROW),
                              gtk_switch_get_active (view_switch));
  selected = td_permissions_sanitize (selected);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "consent.accept",
                                 self->task != NULL && selected != TD_PERMISSION_NONE);

  if (self->selected != selected)
    {
      self->selected = selected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
    }
}

static void
td_consent_dialog_clear_rows (TdConsentDialog *self)
{
  GtkWidget *row;

  g_assert (TD_IS_CONSENT_DIALOG (self));

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->permission_list))) != NULL)
    gtk_list_box_remove (self->permission_list, row);
  memset (self->switches, 0, sizeof self->switches);
}

static void
td_consent_dialog_add_row (TdConsentDialog *self,
                           TdPermissions    permission)
{
  GtkWidget *row;
  GtkWidget *icon;
  GtkWidget *toggle;

  g_assert (TD_IS_CONSENT_DIALOG (self));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), td_permission_get_label (permission));

  icon = gtk_image_new_from_icon_name (td_permission_get_icon_name (permission));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "",
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  toggle = gtk_switch_new ();
  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (toggle),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL,
                                  -1);
  g_signal_connect_object (toggle, "notify::active",
                           G_CALLBACK (td_consent_dialog_update_selected), self,
                           G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);

  self->switches[permission_index (permission)] = GTK_SWITCH (toggle);
  gtk_list_box_append (self->permission_list, row);
}

static void
td_consent_dialog_show_request (TdConsentDialog  *self,
                                TdConsentRequest *request)
{
  g_autofree char *heading = NULL;
  g_autofree char *id = NULL;
  const char *name;
  TdPermissions requested;

  g_assert (TD_IS_CONSENT_DIALOG (self));

  name = td_consent_request_get_partner_name (request);
  if (name == NULL || *name == '\0')
    {
      heading = g_strdup (_("Someone wants to help you"));
      adw_avatar_set_text (self->avatar, NULL);
    }
  else
    {
      /* Translators: the heading of the consent dialog; %s is the name
       * of the partner's computer or its user, "Anna" say. */
      heading = g_strdup_printf (_("%s wants to help you"), name);
      adw_avatar_set_text (self->avatar, name);
    }
  gtk_label_set_label (self->heading_label, heading);
  gtk_window_set_title (GTK_WINDOW (self), heading);

  id = td_ui_format_partner_id (td_consent_request_get_partner_id (request));
  gtk_label_set_label (self->id_label, id);
  gtk_widget_set_visible (GTK_WIDGET (self->id_label), *id != '\0');

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, heading,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_label_get_label (self->body_label),
                                  -1);

  td_consent_dialog_clear_rows (self);
  requested = td_consent_request_get_requested (request) & TD_PERMISSIONS_ALL;
  for (guint i = 0; i < N_PERMISSION_BITS; i++)
    if (requested & (1u << i))
      td_consent_dialog_add_row (self, (TdPermissions) (1u << i));
  gtk_widget_set_visible (GTK_WIDGET (self->permission_list), requested != TD_PERMISSION_NONE);

  td_consent_dialog_update_selected (self);
}

static void
td_consent_dialog_stop (TdConsentDialog *self)
{
  g_assert (TD_IS_CONSENT_DIALOG (self));

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  if (self->cancelled_source != NULL)
    {
      g_source_destroy (self->cancelled_source);
      g_clear_pointer (&self->cancelled_source, g_source_unref);
    }
}

/* Answers the pending request, with @granted or with @error, and hides. */
static void
td_consent_dialog_answer (TdConsentDialog *self,
                          TdPermissions    granted,
                          GError          *error)
{
  g_autoptr(GTask) task = NULL;

  g_assert (TD_IS_CONSENT_DIALOG (self));

  if (self->task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  task = g_steal_pointer (&self->task);
  td_consent_dialog_stop (self);

  if (error != NULL)
    g_debug ("Consent request closed: %s", error->message);
  else
    g_debug ("Consent request answered: 0x%x", granted);

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  td_consent_dialog_update_selected (self);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, granted);

  g_clear_pointer (&self->request, td_consent_request_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST]);
}

static gboolean
on_countdown (gpointer user_data)
{
  TdConsentDialog *self = TD_CONSENT_DIALOG (user_data);
  gint64 left = self->deadline - g_get_monotonic_time ();

  if (left <= 0)
    {
      self->countdown_id = 0;
      td_consent_dialog_set_seconds_left (self, 0);
      td_consent_dialog_answer (self, TD_PERMISSION_NONE, NULL);
      return G_SOURCE_REMOVE;
    }

  /* Rounded up: "1 s" until the very end, never "0 s" while still open. */
  td_consent_dialog_set_seconds_left (self, (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));

  return G_SOURCE_CONTINUE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  TdConsentDialog *self = TD_CONSENT_DIALOG (user_data);

  td_consent_dialog_answer (self, TD_PERMISSION_NONE,
                            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 _("Your partner is no longer waiting")));

  return G_SOURCE_REMOVE;
}

static void
td_consent_dialog_ask_async (TdConsentPrompt     *prompt,
                             TdConsentRequest    *request,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  TdConsentDialog *self = TD_CONSENT_DIALOG (prompt);
  g_autoptr(GTask) task = NULL;
  guint timeout;

  g_assert (TD_IS_CONSENT_DIALOG (self));
  g_assert (request != NULL);
  g_assert (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_consent_dialog_ask_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Another partner is already asking to connect"));
      return;
    }

  self->task = g_steal_pointer (&task);
  self->request = td_consent_request_ref (request);
  td_consent_dialog_show_request (self, request);

  timeout = td_consent_request_get_timeout_seconds (request);
  if (timeout == 0)
    timeout = TD_CONSENT_DIALOG_DEFAULT_TIMEOUT;
  self->deadline = g_get_monotonic_time () + timeout * G_USEC_PER_SEC;
  td_consent_dialog_set_seconds_left (self, timeout);
  /* Ticks of a quarter second, so the count never skips a number. */
  self->countdown_id = g_timeout_add (250, on_countdown, self);

  if (cancellable != NULL)
    {
      /* A source rather than ::cancelled, which runs in whatever thread
       * cancels: the dialog answers on its own main context. */
      self->cancelled_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancelled_source, G_SOURCE_FUNC (on_cancelled), self, NULL);
      g_source_attach (self->cancelled_source, g_main_context_get_thread_default ());
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST]);

  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->deny_button));
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->deny_button));
  gtk_window_present (GTK_WINDOW (self));
}

static TdPermissions
td_consent_dialog_ask_finish (TdConsentPrompt  *prompt,
                              GAsyncResult     *result,
                              GError          **error)
{
  gssize granted;

  g_return_val_if_fail (g_task_is_valid (result, prompt), TD_PERMISSION_NONE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_consent_dialog_ask_async,
                        TD_PERMISSION_NONE);

  granted = g_task_propagate_int (G_TASK (result), error);
  if (granted < 0)
    return TD_PERMISSION_NONE;

  return (TdPermissions) granted;
}

static void
td_consent_prompt_iface_init (TdConsentPromptInterface *iface)
{
  iface->ask_async = td_consent_dialog_ask_async;
  iface->ask_finish = td_consent_dialog_ask_finish;
}

static void
accept_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TdConsentDialog *self = TD_CONSENT_DIALOG (widget);
  TdPermissions granted;

  if (self->task == NULL)
    return;

  /* Only what was asked for, whatever the switches say. */
  granted = self->selected & td_consent_request_get_requested (self->request);
  td_consent_dialog_answer (self, granted, NULL);
}

static void
deny_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  td_consent_dialog_answer (TD_CONSENT_DIALOG (widget), TD_PERMISSION_NONE, NULL);
}

static gboolean
td_consent_dialog_close_request (GtkWindow *window)
{
  TdConsentDialog *self = TD_CONSENT_DIALOG (window);

  /* Closing the window is saying no. */
  td_consent_dialog_answer (self, TD_PERMISSION_NONE, NULL);

  return GTK_WINDOW_CLASS (td_consent_dialog_parent_class)->close_request (window);
}

static void
td_consent_dialog_unrealize (GtkWidget *widget)
{
  /* gtk_window_destroy(): the pending task holds a reference, so this
   * comes well before dispose. */
  td_consent_dialog_answer (TD_CONSENT_DIALOG (widget), TD_PERMISSION_NONE,
                            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 _("The consent dialog was closed")));

  GTK_WIDGET_CLASS (td_consent_dialog_parent_class)->unrealize (widget);
}

static void
td_consent_dialog_dispose (GObject *object)
{
  TdConsentDialog *self = TD_CONSENT_DIALOG (object);

  td_consent_dialog_answer (self, TD_PERMISSION_NONE,
                            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 _("The consent dialog was closed")));
  td_consent_dialog_stop (self);
  memset (self->switches, 0, sizeof self->switches);

  gtk_widget_dispose_template (GTK_WIDGET (self), TD_TYPE_CONSENT_DIALOG);

  G_OBJECT_CLASS (td_consent_dialog_parent_class)->dispose (object);
}

static void
td_consent_dialog_finalize (GObject *object)
{
  TdConsentDialog *self = TD_CONSENT_DIALOG (object);

  g_clear_pointer (&self->request, td_consent_request_unref);

  G_OBJECT_CLASS (td_consent_dialog_parent_class)->finalize (object);
}

static void
td_consent_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TdConsentDialog *self = TD_CONSENT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_REQUEST:
      g_value_set_boxed (value, self->request);
      break;

    case PROP_SELECTED:
      g_value_set_flags (value, self->selected);
      break;

    case PROP_SECONDS_LEFT:
      g_value_set_uint (value, self->seconds_left);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_consent_dialog_class_init (TdConsentDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = td_consent_dialog_dispose;
  object_class->finalize = td_consent_dialog_finalize;
  object_class->get_property = td_consent_dialog_get_property;

  widget_class->unrealize = td_consent_dialog_unrealize;

  window_class->close_request = td_consent_dialog_close_request;

  /**
   * TdConsentDialog:request:
   *
   * The request being answered, or %NULL while the dialog waits for one.
   */
  properties[PROP_REQUEST] =
    g_param_spec_boxed ("request", NULL, NULL,
                        TD_TYPE_CONSENT_REQUEST,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdConsentDialog:selected:
   *
   * The permissions switched on: what Accept would grant.
   */
  properties[PROP_SELECTED] =
    g_param_spec_flags ("selected", NULL, NULL,
                        TD_TYPE_PERMISSIONS, TD_PERMISSION_NONE,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdConsentDialog:seconds-left:
   *
   * Seconds until the request is denied without an answer.
   */
  properties[PROP_SECONDS_LEFT] =
    g_param_spec_uint ("seconds-left", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tandemdesk/Tandem/td-consent-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TdConsentDialog, avatar);
  gtk_widget_class_bind_template_child (widget_class, TdConsentDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, TdConsentDialog, id_label);
  gtk_widget_class_bind_template_child (widget_class, TdConsentDialog, body_label);
  gtk_widget_class_bind_template_child (widget_class, TdConsentDialog, permission_list);
  gtk_widget_class_bind_template_child (widget_class, TdConsentDialog, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, TdConsentDialog, deny_button);
  gtk_widget_class_bind_template_child (widget_class, TdConsentDialog, accept_button);

  gtk_widget_class_install_action (widget_class, "consent.accept", NULL, accept_action);
  gtk_widget_class_install_action (widget_class, "consent.deny", NULL, deny_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "consent.deny", NULL);

  /* Screen readers announce an alert dialog as soon as it appears. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ALERT_DIALOG);
}

static void
td_consent_dialog_init (TdConsentDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  td_consent_dialog_update_selected (self);
}

/**
 * td_consent_dialog_new:
 * @parent: (nullable): the main window, if one is open
 *
 * Creates the host's consent prompt. With a @parent the dialog is modal
 * and stays above it; without one it is a window of its own, kept above
 * the others where the windowing system allows.
 *
 * Returns: (transfer none): a hidden dialog, owned by GTK's list of
 *   windows until gtk_window_destroy()
 */
TdConsentDialog *
td_consent_dialog_new (GtkWindow *parent)
{
  TdConsentDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (TD_TYPE_CONSENT_DIALOG, NULL);

  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      gtk_window_set_modal (GTK_WINDOW (self), TRUE);
      if (gtk_window_get_application (parent) != NULL)
        gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
    }
  else
    {
      GApplication *application = g_application_get_default ();

      if (GTK_IS_APPLICATION (application))
        gtk_window_set_application (GTK_WINDOW (self), GTK_APPLICATION (application));
      td_window_keep_above (GTK_WINDOW (self));
    }

  return self;
}

/**
 * td_consent_dialog_get_request:
 * @self: a #TdConsentDialog
 *
 * Returns: (transfer none) (nullable): the request being answered
 */
TdConsentRequest *
td_consent_dialog_get_request (TdConsentDialog *self)
{
  g_return_val_if_fail (TD_IS_CONSENT_DIALOG (self), NULL);

  return self->request;
}

/**
 * td_consent_dialog_get_selected:
 * @self: a #TdConsentDialog
 *
 * Returns: the permissions switched on, which Accept would grant
 */
TdPermissions
td_consent_dialog_get_selected (TdConsentDialog *self)
{
  g_return_val_if_fail (TD_IS_CONSENT_DIALOG (self), TD_PERMISSION_NONE);

  return self->selected;
}

/**
 * td_consent_dialog_get_seconds_left:
 * @self: a #TdConsentDialog
 *
 * Returns: the seconds until the request is denied automatically
 */
guint
td_consent_dialog_get_seconds_left (TdConsentDialog *self)
{
  g_return_val_if_fail (TD_IS_CONSENT_DIALOG (self), 0);

  return self->seconds_left;
}
