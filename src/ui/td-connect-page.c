#define G_LOG_DOMAIN "td-ui"
/* td-connect-page.c: "Help someone", where the helper types a partner's ID and password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page only collects and checks what the helper types. Connecting is
 * somebody else's job: Connect emits ::connect-requested with the ID and the
 * normalized password, and whoever listens starts the session.
 *
 * That session comes back with td_connect_page_set_session(): while it
 * runs, the form is greyed out and the page says what is happening, in
 * the session's own words, with a Cancel button (::cancel-requested).
 * When it ends, the page says why in a box that stays until the next
 * attempt, and the form can be used again.
 */

#include <string.h>

#include <glib/gi18n.h>

#include "td-id.h"
#include "td-password.h"
#include "td-session.h"
#include "td-util.h"

#include "td-connect-page.h"
#include "td-id-entry-row.h"

struct _TdConnectPage
{
  GtkWidget            parent_instance;

  TdIdEntryRow        *id_row;
  AdwPasswordEntryRow *password_row;
  GtkLabel            *id_error_label;
  GtkWidget           *form_box;
  GtkWidget           *end_box;
  GtkImage            *end_icon;
  GtkLabel            *end_label;
  GtkStack            *action_stack;
  GtkSpinner          *progress_spinner;
  GtkLabel            *progress_label;
  GtkWidget           *cancel_button;

  /* The session being set up, until it ends. */
  TdSession           *session;

  guint                can_connect : 1;
  guint                session_connected : 1;
  /* The helper pressed Enter on an ID that is not complete yet: say what
   * is wrong with it until they type again. */
  guint                id_error_requested : 1;
};

G_DEFINE_FINAL_TYPE (TdConnectPage, td_connect_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CAN_CONNECT,
  PROP_SESSION,
  N_PROPS
};

enum {
  CONNECT_REQUESTED,
  CANCEL_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
td_connect_page_update (TdConnectPage *self)
{
  g_autoptr(GError) error = NULL;
  const char *password;
  gboolean can_connect;
  gboolean id_valid;

  g_assert (TD_IS_CONNECT_PAGE (self));

  id_valid = td_id_entry_row_get_id (self->id_row) != 0;

  /* Half an ID is not a mistake yet: complain once all nine digits are
   * there, or when the helper presses Enter. */
  if (!id_valid &&
      (self->id_error_requested ||
       td_id_entry_row_get_n_digits (self->id_row) >= TD_ID_DIGITS))
    td_id_entry_row_validate (self->id_row, &error);

  gtk_label_set_label (self->id_error_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->id_error_label), error != NULL);
  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->id_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->id_row), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->id_row),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               error != NULL ? GTK_ACCESSIBLE_INVALID_TRUE
                                             : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  can_connect = id_valid && td_password_is_acceptable (password);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.connect",
                                 can_connect && self->session == NULL);

  if (self->can_connect != can_connect)
    {
      self->can_connect = can_connect;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CONNECT]);
    }
}

static void
on_id_changed (TdConnectPage *self)
{
  g_assert (TD_IS_CONNECT_PAGE (self));

  self->id_error_requested = FALSE;
  td_connect_page_update (self);
}

static void
on_password_changed (TdConnectPage *self)
{
  g_assert (TD_IS_CONNECT_PAGE (self));

  td_connect_page_update (self);
}

static void
on_id_activated (TdConnectPage *self)
{
  g_assert (TD_IS_CONNECT_PAGE (self));

  if (td_id_entry_row_get_id (self->id_row) != 0)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  self->id_error_requested = TRUE;
  td_connect_page_update (self);
  gtk_widget_error_bell (GTK_WIDGET (self->id_row));
}

static void
on_password_activated (TdConnectPage *self)
{
  g_assert (TD_IS_CONNECT_PAGE (self));

  if (self->can_connect)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "connect.connect", NULL);
    }
  else if (td_id_entry_row_get_id (self->id_row) == 0)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->id_row));
      on_id_activated (self);
    }
  else
    {
      gtk_widget_error_bell (GTK_WIDGET (self->password_row));
    }
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TdConnectPage *self = TD_CONNECT_PAGE (widget);
  g_autofree char *password = NULL;

  if (!self->can_connect || self->session != NULL)
    return;

  password = td_password_normalize (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  g_return_if_fail (password != NULL);

  g_signal_emit (self, signals[CONNECT_REQUESTED], 0,
                 td_id_entry_row_get_id (self->id_row), password);

  td_memzero (password, strlen (password));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TdConnectPage *self = TD_CONNECT_PAGE (widget);

  if (self->session != NULL)
    g_signal_emit (self, signals[CANCEL_REQUESTED], 0);
}

static void
td_connect_page_show_end (TdConnectPage *self,
                          TdSession     *session,
                          gboolean       was_connected)
{
  g_autofree char *message = NULL;
  TdEndReason reason;
  gboolean failed;

  g_assert (TD_IS_CONNECT_PAGE (self));
  g_assert (TD_IS_SESSION (session));

  reason = td_session_get_end_reason (session);

  /* The helper pressed Cancel: nothing to explain. */
  if (reason == TD_END_REASON_LOCAL && !was_connected)
    {
      gtk_widget_set_visible (self->end_box, FALSE);
      return;
    }

  failed = reason != TD_END_REASON_LOCAL && reason != TD_END_REASON_PEER;
  message = td_session_describe_end (session);

  gtk_label_set_label (self->end_label, message);
  gtk_image_set_from_icon_name (self->end_icon,
                                failed ? "dialog-error-symbolic" : "dialog-information-symbolic");
  if (failed)
    gtk_widget_add_css_class (self->end_box, "error");
  else
    gtk_widget_remove_css_class (self->end_box, "error");
  gtk_widget_set_visible (self->end_box, TRUE);
}

static void
td_connect_page_update_session (TdConnectPage *self)
{
  TdSessionState state;

  g_assert (TD_IS_CONNECT_PAGE (self));

  if (self->session == NULL)
    return;

  state = td_session_get_state (self->session);
  if (state == TD_SESSION_STATE_CONNECTED)
    self->session_connected = TRUE;

  if (td_session_is_ended (self->session))
    {
      g_autoptr(TdSession) session = g_object_ref (self->session);
      gboolean had_focus = gtk_widget_has_focus (self->cancel_button);
      gboolean was_connected = self->session_connected;

      td_connect_page_set_session (self, NULL);
      td_connect_page_show_end (self, session, was_connected);

      /* A wrong password is fixed where it was typed. */
      if (td_session_get_end_reason (session) == TD_END_REASON_AUTH_FAILED)
        gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      else if (had_focus)
        gtk_widget_grab_focus (GTK_WIDGET (self));
      return;
    }

  gtk_label_set_label (self->progress_label,
                       td_session_state_describe (state, td_session_get_path (self->session)));
}

static gboolean
td_connect_page_grab_focus (GtkWidget *widget)
{
  TdConnectPage *self = TD_CONNECT_PAGE (widget);

  if (self->session != NULL)
    return gtk_widget_grab_focus (self->cancel_button);

  if (td_id_entry_row_get_id (self->id_row) == 0)
    return gtk_widget_grab_focus (GTK_WIDGET (self->id_row));

  return gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
td_connect_page_dispose (GObject *object)
{
  GtkWidget *child;

  td_connect_page_set_session (TD_CONNECT_PAGE (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), TD_TYPE_CONNECT_PAGE);

  /* The template's top widget has no name, so it is still here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (td_connect_page_parent_class)->dispose (object);
}

static void
td_connect_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TdConnectPage *self = TD_CONNECT_PAGE (object);

  switch (prop_id)
    {
    case PROP_CAN_CONNECT:
      g_value_set_boolean (value, self->can_connect);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_connect_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TdConnectPage *self = TD_CONNECT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      td_connect_page_set_session (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_connect_page_class_init (TdConnectPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = td_connect_page_dispose;
  object_class->get_property = td_connect_page_get_property;
  object_class->set_property = td_connect_page_set_property;

  widget_class->grab_focus = td_connect_page_grab_focus;

  /**
   * TdConnectPage:can-connect:
   *
   * Whether the partner ID is valid and the password can be one, so that
   * Connect is offered.
   */
  properties[PROP_CAN_CONNECT] =
    g_param_spec_boolean ("can-connect", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdConnectPage:session:
   *
   * The session the page shows the progress of, until it ends.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         TD_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdConnectPage::connect-requested:
   * @self: the page
   * @id: the partner's ID, valid
   * @password: the password, normalized with td_password_normalize()
   *
   * The helper asked to connect. The page does nothing more: the handler
   * starts the session and tells the helper how it goes.
   */
  signals[CONNECT_REQUESTED] =
    g_signal_new ("connect-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * TdConnectPage::cancel-requested:
   * @self: the page
   *
   * The helper pressed Cancel while the session was being set up. The
   * handler ends the session, and the page follows.
   */
  signals[CANCEL_REQUESTED] =
    g_signal_new ("cancel-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tandemdesk/Tandem/td-connect-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, id_row);
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, id_error_label);
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, form_box);
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, end_box);
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, end_icon);
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, end_label);
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, action_stack);
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, progress_spinner);
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TdConnectPage, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, on_id_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_id_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_password_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);

  gtk_widget_class_install_action (widget_class, "connect.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "connect.cancel", NULL, cancel_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  g_type_ensure (TD_TYPE_ID_ENTRY_ROW);
}

static void
td_connect_page_init (TdConnectPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.cancel", FALSE);
  td_connect_page_update (self);
}

GtkWidget *
td_connect_page_new (void)
{
  return g_object_new (TD_TYPE_CONNECT_PAGE, NULL);
}

/**
 * td_connect_page_get_can_connect:
 * @self: a #TdConnectPage
 *
 * Returns: whether the ID and password typed so far can be used to connect
 */
gboolean
td_connect_page_get_can_connect (TdConnectPage *self)
{
  g_return_val_if_fail (TD_IS_CONNECT_PAGE (self), FALSE);

  return self->can_connect;
}

/**
 * td_connect_page_get_session:
 * @self: a #TdConnectPage
 *
 * Returns: (transfer none) (nullable): the session being set up
 */
TdSession *
td_connect_page_get_session (TdConnectPage *self)
{
  g_return_val_if_fail (TD_IS_CONNECT_PAGE (self), NULL);

  return self->session;
}

/**
 * td_connect_page_set_session:
 * @self: a #TdConnectPage
 * @session: (nullable): the session started from this page, or %NULL
 *
 * Shows how @session comes along: the form is greyed out, and a spinner
 * with td_session_state_describe() and Cancel take the place of Connect.
 * Once @session ends the page lets go of it, says why it ended with
 * td_session_describe_end() (unless the helper cancelled it before it
 * connected), and the form works again.
 */
void
td_connect_page_set_session (TdConnectPage *self,
                             TdSession     *session)
{
  gboolean running;

  g_return_if_fail (TD_IS_CONNECT_PAGE (self));
  g_return_if_fail (session == NULL || TD_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  self->session_connected = FALSE;

  if (session != NULL)
    {
      gtk_widget_set_visible (self->end_box, FALSE);
      g_signal_connect_object (session, "notify::state",
                               G_CALLBACK (td_connect_page_update_session), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::path",
                               G_CALLBACK (td_connect_page_update_session), self,
                               G_CONNECT_SWAPPED);
    }

  running = session != NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.cancel", running);
  gtk_stack_set_visible_child_name (self->action_stack, running ? "progress" : "connect");
  gtk_spinner_set_spinning (self->progress_spinner, running);
  /* The focus leaves the form before the form is greyed out. */
  if (running && gtk_widget_get_focus_child (GTK_WIDGET (self)) != NULL)
    gtk_widget_grab_focus (self->cancel_button);
  gtk_widget_set_sensitive (self->form_box, !running);

  td_connect_page_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);

  /* An ended session is shown as such at once. */
  if (session != NULL)
    td_connect_page_update_session (self);
}
