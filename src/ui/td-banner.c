#define G_LOG_DOMAIN "td-ui"
/* td-banner.c: the host's window for the whole of a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While a partner is connected, the person helped always sees this small
 * window: who is connected, what they may do right now (one switch per
 * permission, which the person can flip at any time), a switch that
 * pauses the partner's input, a line when the session is recorded, and
 * a large End Session button, which has the keyboard focus.
 *
 * It cannot be closed: the partner may be holding the mouse, and must
 * not be able to make the window go away while the session runs. There
 * is no close button, and a close request (Alt+F4, the window list) is
 * refused with a bell. The only ways out are End Session, which emits
 * ::end-requested, and the session ending, after which the owner
 * destroys the banner with gtk_window_destroy().
 *
 * Staying in sight: on X11 the banner asks to stay above other windows
 * (_NET_WM_STATE_ABOVE, td_window_keep_above()). Wayland lets no
 * application do that, so there it is a normal window; on every system
 * the banner also sends an urgent notification, which GNOME Shell keeps
 * until it is dismissed, with an End Session button (app.end-session,
 * which the banner adds to its application while it is shown unless the
 * application has one). It is withdrawn when the banner is destroyed.
 */

#include <string.h>

#include <glib/gi18n.h>

#include "td-util.h"

#include "td-banner.h"
#include "td-ui-util.h"

#define N_PERMISSION_BITS 8
#define END_SESSION_ACTION "end-session"

struct _TdBanner
{
  AdwWindow            parent_instance;

  AdwAvatar           *avatar;
  GtkLabel            *title_label;
  GtkLabel            *id_label;
  GtkWidget           *recording_box;
  GtkRevealer         *request_revealer;
  GtkLabel            *request_label;
  GtkLabel            *request_detail_label;
  AdwPreferencesGroup *permission_group;
  GtkListBox          *permission_list;
  AdwActionRow        *pause_row;
  GtkSwitch           *pause_switch;
  GtkButton           *end_button;

  AdwActionRow        *rows[N_PERMISSION_BITS];
  GtkSwitch           *switches[N_PERMISSION_BITS];

  char                *partner_name;
  guint                partner_id;
  TdPermissions        permissions;
  /* Every permission the partner held at some point: its row stays, so
   * that the person can give it back. */
  TdPermissions        shown;
  TdPermissions        pending_request;

  /* The application this banner added app.end-session to, if it did. */
  GApplication        *end_action_owner;
  /* The application the notification went through: gtk_window_destroy()
   * lets go of the window's application before dispose runs. */
  GApplication        *notification_application;

  guint                input_paused : 1;
  guint                recording : 1;
  guint                syncing : 1;
};

G_DEFINE_FINAL_TYPE (TdBanner, td_banner, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_PARTNER_NAME,
  PROP_PARTNER_ID,
  PROP_PERMISSIONS,
  PROP_INPUT_PAUSED,
  PROP_RECORDING,
  N_PROPS
};

enum {
  END_REQUESTED,
  PERMISSION_REQUEST_ANSWERED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
has_name (TdBanner *self)
{
  return self->partner_name != NULL && *self->partner_name != '\0';
}

static char *
td_banner_dup_title (TdBanner *self)
{
  if (!has_name (self))
    return g_strdup (_("Someone is helping you"));

  /* Translators: %s is the name of the partner's computer or its user. */
  return g_strdup_printf (_("%s is helping you"), self->partner_name);
}

static GNotification *
td_banner_create_notification (TdBanner *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = td_banner_dup_title (self);

  notification = g_notification_new (title);
  g_notification_set_body (notification,
                           _("They are connected to this computer until you end the session."));
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
  g_notification_add_button (notification, _("End Session"), "app." END_SESSION_ACTION);

  return g_steal_pointer (&notification);
}

static void
td_banner_update_notification (TdBanner *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GNotification) notification = NULL;

  g_assert (TD_IS_BANNER (self));

  if (application == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  notification = td_banner_create_notification (self);
  g_application_send_notification (G_APPLICATION (application),
                                    TD_BANNER_NOTIFICATION_ID, notification);
  g_set_object (&self->notification_application, G_APPLICATION (application));
}

static void
td_banner_update_texts (TdBanner *self)
{
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;
  g_autofree char *group_title = NULL;
  g_autofree char *granted = NULL;
  g_autofree char *description = NULL;

  g_assert (TD_IS_BANNER (self));

  title = td_banner_dup_title (self);
  id = td_ui_format_partner_id (self->partner_id);

  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->id_label, id);
  gtk_widget_set_visible (GTK_WIDGET (self->id_label), *id != '\0');
  adw_avatar_set_text (self->avatar, self->partner_name);

  if (has_name (self))
    /* Translators: a heading above the list of permissions. */
    group_title = g_strdup_printf (_("What %s may do"), self->partner_name);
  else
    group_title = g_strdup (_("What your partner may do"));
  adw_preferences_group_set_title (self->permission_group, group_title);

  /* What a screen reader says about the window as it gets the focus. */
  granted = td_permissions_describe (self->permissions);
  if (*id != '\0')
    /* Translators: read out by screen readers: "Anna is helping you, ID
     * 123 456 782. Allowed: See your screen, Talk with you" */
    description = g_strdup_printf (_("%s, %s. Allowed: %s"), title, id, granted);
  else
    description = g_strdup_printf (_("%s. Allowed: %s"), title, granted);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);

  if (self->notification_application != NULL)
    td_banner_update_notification (self);
}

/* Shows the permissions on the switches, without reacting to it. */
static void
td_banner_sync_switches (TdBanner *self)
{
  g_assert (TD_IS_BANNER (self));

  self->syncing = TRUE;

  for (guint i = 0; i < N_PERMISSION_BITS; i++)
    {
      TdPermissions bit = (TdPermissions) (1u << i);

      gtk_widget_set_visible (GTK_WIDGET (self->rows[i]), (self->shown & bit) != 0);
      gtk_switch_set_active (self->switches[i], (self->permissions & bit) != 0);
    }

  /* Control needs the screen; pausing input needs control. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->rows[g_bit_nth_lsf (TD_PERMISSION_CONTROL, -1)]),
                            (self->permissions & TD_PERMISSION_VIEW) != 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pause_row),
                            (self->permissions & TD_PERMISSION_CONTROL) != 0);
  gtk_switch_set_active (self->pause_switch, self->input_paused);

  self->syncing = FALSE;
}

static void
on_permission_switched (TdBanner  *self,
                        GParamSpec *pspec,
                        GtkSwitch  *toggle)
{
  TdPermissions permissions = self->permissions;

  g_assert (TD_IS_BANNER (self));

  if (self->syncing)
    return;

  for (guint i = 0; i < N_PERMISSION_BITS; i++)
    {
      if (self->switches[i] != toggle)
        continue;

      if (gtk_switch_get_active (toggle))
        permissions |= (TdPermissions) (1u << i);
      else
        permissions &= ~(TdPermissions) (1u << i);
    }

  td_banner_set_permissions (self, permissions);
}

static void
on_pause_switched (TdBanner *self)
{
  g_assert (TD_IS_BANNER (self));

  if (self->syncing)
    return;

  td_banner_set_input_paused (self, gtk_switch_get_active (self->pause_switch));
}

static void
td_banner_add_rows (TdBanner *self)
{
  g_assert (TD_IS_BANNER (self));

  for (guint i = 0; i < N_PERMISSION_BITS; i++)
    {
      TdPermissions bit = (TdPermissions) (1u << i);
      GtkWidget *row;
      GtkWidget *icon;
      GtkWidget *toggle;

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), td_permission_get_label (bit));

      icon = gtk_image_new_from_icon_name (td_permission_get_icon_name (bit));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, "",
                                      -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

      toggle = gtk_switch_new ();
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (toggle),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL,
                                      -1);
      g_signal_connect_object (toggle, "notify::active",
                               G_CALLBACK (on_permission_switched), self,
                               G_CONNECT_SWAPPED);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);

      self->rows[i] = ADW_ACTION_ROW (row);
      self->switches[i] = GTK_SWITCH (toggle);
      gtk_list_box_append (self->permission_list, row);
    }
}

static void
td_banner_answer_request (TdBanner      *self,
                          TdPermissions  granted)
{
  g_assert (TD_IS_BANNER (self));

  if (self->pending_request == TD_PERMISSION_NONE)
    return;

  self->pending_request = TD_PERMISSION_NONE;
  gtk_revealer_set_reveal_child (self->request_revealer, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "banner.allow-request", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "banner.deny-request", FALSE);

  if (granted != TD_PERMISSION_NONE)
    td_banner_set_permissions (self, self->permissions | granted);

  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->end_button));
  g_signal_emit (self, signals[PERMISSION_REQUEST_ANSWERED], 0, granted);
}

static void
allow_request_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TdBanner *self = TD_BANNER (widget);

  td_banner_answer_request (self, self->pending_request);
}

static void
deny_request_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  td_banner_answer_request (TD_BANNER (widget), TD_PERMISSION_NONE);
}

static void
end_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  g_signal_emit (widget, signals[END_REQUESTED], 0);
}

static void
on_end_session_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  g_signal_emit (TD_BANNER (user_data), signals[END_REQUESTED], 0);
}

static void
td_banner_map (GtkWidget *widget)
{
  TdBanner *self = TD_BANNER (widget);
  GtkApplication *application;

  GTK_WIDGET_CLASS (td_banner_parent_class)->map (widget);

  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->end_button));

  application = gtk_window_get_application (GTK_WINDOW (self));
  if (application == NULL)
    return;

  if (self->end_action_owner == NULL &&
      g_action_map_lookup_action (G_ACTION_MAP (application), END_SESSION_ACTION) == NULL)
    {
      g_autoptr(GSimpleAction) action = g_simple_action_new (END_SESSION_ACTION, NULL);

      g_signal_connect_object (action, "activate",
                               G_CALLBACK (on_end_session_activated), self, 0);
      g_action_map_add_action (G_ACTION_MAP (application), G_ACTION (action));
      g_set_object (&self->end_action_owner, G_APPLICATION (application));
    }

  td_banner_update_notification (self);
}

static gboolean
td_banner_close_request (GtkWindow *window)
{
  /* Only End Session ends the session; see the top of this file. */
  gtk_widget_error_bell (GTK_WIDGET (window));
  gtk_window_set_focus (window, GTK_WIDGET (TD_BANNER (window)->end_button));

  return TRUE;
}

static void
td_banner_dispose (GObject *object)
{
  TdBanner *self = TD_BANNER (object);

  if (self->notification_application != NULL)
    {
      g_application_withdraw_notification (self->notification_application,
                                           TD_BANNER_NOTIFICATION_ID);
      g_clear_object (&self->notification_application);
    }

  if (self->end_action_owner != NULL)
    {
      g_action_map_remove_action (G_ACTION_MAP (self->end_action_owner), END_SESSION_ACTION);
      g_clear_object (&self->end_action_owner);
    }

  memset (self->rows, 0, sizeof self->rows);
  memset (self->switches, 0, sizeof self->switches);

  gtk_widget_dispose_template (GTK_WIDGET (self), TD_TYPE_BANNER);

  G_OBJECT_CLASS (td_banner_parent_class)->dispose (object);
}

static void
td_banner_finalize (GObject *object)
{
  TdBanner *self = TD_BANNER (object);

  g_clear_pointer (&self->partner_name, g_free);

  G_OBJECT_CLASS (td_banner_parent_class)->finalize (object);
}

static void
td_banner_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TdBanner *self = TD_BANNER (object);

  switch (prop_id)
    {
    case PROP_PARTNER_NAME:
      g_value_set_string (value, self->partner_name);
      break;

    case PROP_PARTNER_ID:
      g_value_set_uint (value, self->partner_id);
      break;

    case PROP_PERMISSIONS:
      g_value_set_flags (value, self->permissions);
      break;

    case PROP_INPUT_PAUSED:
      g_value_set_boolean (value, self->input_paused);
      break;

    case PROP_RECORDING:
      g_value_set_boolean (value, self->recording);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_banner_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TdBanner *self = TD_BANNER (object);

  switch (prop_id)
    {
    case PROP_PARTNER_NAME:
      td_banner_set_partner_name (self, g_value_get_string (value));
      break;

    case PROP_PARTNER_ID:
      td_banner_set_partner_id (self, g_value_get_uint (value));
      break;

    case PROP_PERMISSIONS:
      td_banner_set_permissions (self, g_value_get_flags (value));
      break;

    case PROP_INPUT_PAUSED:
      td_banner_set_input_paused (self, g_value_get_boolean (value));
      break;

    case PROP_RECORDING:
      td_banner_set_recording (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_banner_class_init (TdBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = td_banner_dispose;
  object_class->finalize = td_banner_finalize;
  object_class->get_property = td_banner_get_property;
  object_class->set_property = td_banner_set_property;

  widget_class->map = td_banner_map;

  window_class->close_request = td_banner_close_request;

  /**
   * TdBanner:partner-name:
   *
   * The name of the partner's computer or its user.
   */
  properties[PROP_PARTNER_NAME] =
    g_param_spec_string ("partner-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdBanner:partner-id:
   *
   * The partner's ID, or 0.
   */
  properties[PROP_PARTNER_ID] =
    g_param_spec_uint ("partner-id", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdBanner:permissions:
   *
   * What the partner may do right now. The session sets it; the person
   * helped changes it with the switches, and whoever enforces the
   * permissions follows notify::permissions.
   */
  properties[PROP_PERMISSIONS] =
    g_param_spec_flags ("permissions", NULL, NULL,
                        TD_TYPE_PERMISSIONS, TD_PERMISSION_NONE,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdBanner:input-paused:
   *
   * Whether the person helped paused the partner's mouse and keyboard.
   */
  properties[PROP_INPUT_PAUSED] =
    g_param_spec_boolean ("input-paused", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdBanner:recording:
   *
   * Whether the session is being recorded, which the banner then says.
   */
  properties[PROP_RECORDING] =
    g_param_spec_boolean ("recording", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdBanner::end-requested:
   * @self: the banner
   *
   * The person helped pressed End Session, in the banner or in its
   * notification. The handler ends the session and destroys the banner.
   */
  signals[END_REQUESTED] =
    g_signal_new ("end-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * TdBanner::permission-request-answered:
   * @self: the banner
   * @granted: the permissions allowed, which #TdBanner:permissions now
   *   holds; %TD_PERMISSION_NONE when the request was denied
   *
   * The person helped answered td_banner_show_permission_request().
   */
  signals[PERMISSION_REQUEST_ANSWERED] =
    g_signal_new ("permission-request-answered",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, TD_TYPE_PERMISSIONS);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tandemdesk/Tandem/td-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, TdBanner, avatar);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, title_label);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, id_label);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, recording_box);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, request_revealer);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, request_label);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, request_detail_label);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, permission_group);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, permission_list);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, pause_row);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, pause_switch);
  gtk_widget_class_bind_template_child (widget_class, TdBanner, end_button);
  gtk_widget_class_bind_template_callback (widget_class, on_pause_switched);

  gtk_widget_class_install_action (widget_class, "banner.end", NULL, end_action);
  gtk_widget_class_install_action (widget_class, "banner.allow-request", NULL, allow_request_action);
  gtk_widget_class_install_action (widget_class, "banner.deny-request", NULL, deny_request_action);
}

static void
td_banner_init (TdBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  td_banner_add_rows (self);
  self->shown = TD_PERMISSIONS_SHOWN;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "banner.allow-request", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "banner.deny-request", FALSE);

  td_banner_sync_switches (self);
  td_banner_update_texts (self);

  td_window_keep_above (GTK_WINDOW (self));
}

/**
 * td_banner_new:
 * @application: (nullable): the application, which the banner keeps
 *   running and sends its notification through
 * @partner_name: (nullable): the name of the partner's computer or user
 * @partner_id: the partner's ID, or 0
 * @permissions: what the partner may do
 *
 * Returns: (transfer none): a new banner, not shown yet: present it with
 *   gtk_window_present() and destroy it with gtk_window_destroy()
 */
TdBanner *
td_banner_new (GtkApplication *application,
               const char     *partner_name,
               guint           partner_id,
               TdPermissions   permissions)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (TD_TYPE_BANNER,
                       "application", application,
                       "partner-name", partner_name,
                       "partner-id", partner_id,
                       "permissions", permissions,
                       NULL);
}

const char *
td_banner_get_partner_name (TdBanner *self)
{
  g_return_val_if_fail (TD_IS_BANNER (self), NULL);

  return self->partner_name;
}

void
td_banner_set_partner_name (TdBanner   *self,
                            const char *partner_name)
{
  g_return_if_fail (TD_IS_BANNER (self));

  if (!td_set_str (&self->partner_name, partner_name))
    return;

  td_banner_update_texts (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARTNER_NAME]);
}

guint
td_banner_get_partner_id (TdBanner *self)
{
  g_return_val_if_fail (TD_IS_BANNER (self), 0);

  return self->partner_id;
}

void
td_banner_set_partner_id (TdBanner *self,
                          guint     partner_id)
{
  g_return_if_fail (TD_IS_BANNER (self));

  if (self->partner_id == partner_id)
    return;

  self->partner_id = partner_id;
  td_banner_update_texts (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARTNER_ID]);
}

/**
 * td_banner_get_permissions:
 * @self: a #TdBanner
 *
 * Returns: what the partner may do right now
 */
TdPermissions
td_banner_get_permissions (TdBanner *self)
{
  g_return_val_if_fail (TD_IS_BANNER (self), TD_PERMISSION_NONE);

  return self->permissions;
}

/**
 * td_banner_set_permissions:
 * @self: a #TdBanner
 * @permissions: what the partner may do
 *
 * Shows @permissions on the switches. Control without view is dropped,
 * as td_permissions_sanitize() does.
 */
void
td_banner_set_permissions (TdBanner      *self,
                           TdPermissions  permissions)
{
  g_return_if_fail (TD_IS_BANNER (self));

  permissions = td_permissions_sanitize (permissions);

  if (self->permissions == permissions)
    {
      /* A switch may have moved on its own: put it back. */
      td_banner_sync_switches (self);
      return;
    }

  self->permissions = permissions;
  self->shown |= permissions;
  td_banner_sync_switches (self);
  td_banner_update_texts (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERMISSIONS]);
}

gboolean
td_banner_get_input_paused (TdBanner *self)
{
  g_return_val_if_fail (TD_IS_BANNER (self), FALSE);

  return self->input_paused;
}

void
td_banner_set_input_paused (TdBanner *self,
                            gboolean  input_paused)
{
  g_return_if_fail (TD_IS_BANNER (self));

  input_paused = !!input_paused;
  if (self->input_paused == input_paused)
    return;

  self->input_paused = input_paused;
  td_banner_sync_switches (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INPUT_PAUSED]);
}

gboolean
td_banner_get_recording (TdBanner *self)
{
  g_return_val_if_fail (TD_IS_BANNER (self), FALSE);

  return self->recording;
}

void
td_banner_set_recording (TdBanner *self,
                         gboolean  recording)
{
  g_return_if_fail (TD_IS_BANNER (self));

  recording = !!recording;
  if (self->recording == recording)
    return;

  self->recording = recording;
  gtk_widget_set_visible (self->recording_box, recording);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
}

/**
 * td_banner_show_permission_request:
 * @self: a #TdBanner
 * @asked: the permissions the partner asks for
 *
 * Shows the partner's request for more permissions in the banner, with
 * Allow and Deny, and brings the banner to the front. The answer comes as
 * #TdBanner::permission-request-answered. A request made while another is
 * shown joins it, and one answer covers both. Asking only for what the
 * partner already has is answered at once.
 */
void
td_banner_show_permission_request (TdBanner      *self,
                                   TdPermissions  asked)
{
  g_autofree char *heading = NULL;
  g_autofree char *detail = NULL;

  g_return_if_fail (TD_IS_BANNER (self));

  asked &= TD_PERMISSIONS_ALL;
  if ((asked & ~self->permissions) == TD_PERMISSION_NONE)
    {
      g_signal_emit (self, signals[PERMISSION_REQUEST_ANSWERED], 0, asked);
      return;
    }

  self->pending_request |= asked & ~self->permissions;

  if (has_name (self))
    /* Translators: %s is the partner's name; a list of permissions follows. */
    heading = g_strdup_printf (_("%s asks for more"), self->partner_name);
  else
    heading = g_strdup (_("Your partner asks for more"));
  detail = td_permissions_describe (self->pending_request);

  gtk_label_set_label (self->request_label, heading);
  gtk_label_set_label (self->request_detail_label, detail);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->request_revealer),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, heading,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, detail,
                                  -1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "banner.allow-request", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "banner.deny-request", TRUE);
  gtk_revealer_set_reveal_child (self->request_revealer, TRUE);

  gtk_window_present (GTK_WINDOW (self));
}

/**
 * td_banner_get_pending_request:
 * @self: a #TdBanner
 *
 * Returns: the permissions asked for and not answered yet
 */
TdPermissions
td_banner_get_pending_request (TdBanner *self)
{
  g_return_val_if_fail (TD_IS_BANNER (self), TD_PERMISSION_NONE);

  return self->pending_request;
}
