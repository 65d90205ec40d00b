#define G_LOG_DOMAIN "td-ui"
/* td-session-view.c: the helper's view of a partner's screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A header bar with the partner's name and ID, End, and the tools the
 * partner allowed (control, files, clipboard, voice; the others are
 * greyed out and say why); a line that says how the session is protected
 * and which way it goes; and the partner's screen, a GdkPaintable that
 * the media code delivers. Until that paintable has a picture, the view
 * says it is waiting for one.
 *
 * The view only shows: End emits ::end-requested and the tools emit
 * ::tool-activated, and whoever owns the session acts on them.
 */

#include <glib/gi18n.h>

#include "td-session-view.h"
#include "td-ui-util.h"

struct _TdSessionView
{
  GtkWidget       parent_instance;

  AdwWindowTitle *window_title;
  GtkLabel       *path_label;
  GtkStack       *content_stack;
  GtkPicture     *picture;
  GtkWidget      *control_button;
  GtkWidget      *files_button;
  GtkWidget      *clipboard_button;
  GtkWidget      *voice_button;
  GtkWidget      *end_button;

  TdSession      *session;
  GdkPaintable   *paintable;
  TdPermissions   permissions;
  gboolean        has_screen;
};

G_DEFINE_FINAL_TYPE (TdSessionView, td_session_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_PAINTABLE,
  PROP_PERMISSIONS,
  PROP_HAS_SCREEN,
  N_PROPS
};

enum {
  END_REQUESTED,
  TOOL_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The tools, the permission each needs, and what its button says. */
static const struct {
  const char    *action;
  TdPermissions  permission;
  const char    *allowed;
  const char    *not_allowed;
} tools[] = {
  { "session.control", TD_PERMISSION_CONTROL,
    N_("Use Your Partner’s Mouse and Keyboard"),
    N_("Your partner has not allowed you to use their mouse and keyboard") },
  { "session.send-files", TD_PERMISSION_FILES,
    N_("Send Files"),
    N_("Your partner has not allowed files") },
  { "session.clipboard", TD_PERMISSION_CLIPBOARD,
    N_("Share the Clipboard"),
    N_("Your partner has not allowed the clipboard") },
  { "session.voice", TD_PERMISSION_AUDIO,
    N_("Talk"),
    N_("Your partner has not allowed voice") },
};

static GtkWidget *
td_session_view_get_tool_button (TdSessionView *self,
                                 guint          index)
{
  GtkWidget *buttons[] = {
    self->control_button, self->files_button, self->clipboard_button, self->voice_button,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (buttons) == G_N_ELEMENTS (tools));
  g_assert (index < G_N_ELEMENTS (buttons));

  return buttons[index];
}

static void
td_session_view_update_tools (TdSessionView *self)
{
  g_assert (TD_IS_SESSION_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    {
      gboolean allowed = (self->permissions & tools[i].permission) != 0;
      GtkWidget *button = td_session_view_get_tool_button (self, i);
      const char *text = _(allowed ? tools[i].allowed : tools[i].not_allowed);

      gtk_widget_action_set_enabled (GTK_WIDGET (self), tools[i].action, allowed);
      gtk_widget_set_tooltip_text (button, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _(tools[i].allowed),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                      -1);
    }
}

static void
td_session_view_update_header (TdSessionView *self)
{
  g_autofree char *id = NULL;
  const char *name = NULL;
  TdPath path = TD_PATH_UNKNOWN;

  g_assert (TD_IS_SESSION_VIEW (self));

  if (self->session != NULL)
    {
      name = td_session_get_peer_name (self->session);
      path = td_session_get_path (self->session);
      id = td_ui_format_partner_id (td_session_get_peer_id (self->session));
    }

  adw_window_title_set_title (ADW_WINDOW_TITLE (self->window_title),
                              name != NULL && *name != '\0' ? name : _("Your Partner"));
  adw_window_title_set_subtitle (ADW_WINDOW_TITLE (self->window_title), id != NULL ? id : "");

  switch (path)
    {
    case TD_PATH_DIRECT:
      gtk_label_set_label (self->path_label, _("Direct connection"));
      break;

    case TD_PATH_RELAYED:
      gtk_label_set_label (self->path_label, _("Through a relay"));
      break;

    case TD_PATH_UNKNOWN:
    default:
      gtk_label_set_label (self->path_label, "");
      break;
    }
}

static void
td_session_view_update_screen (TdSessionView *self)
{
  gboolean has_screen;

  g_assert (TD_IS_SESSION_VIEW (self));

  /* A paintable with no size has no frame yet. */
  has_screen = self->paintable != NULL &&
               gdk_paintable_get_intrinsic_width (self->paintable) > 0 &&
               gdk_paintable_get_intrinsic_height (self->paintable) > 0;

  gtk_stack_set_visible_child_name (self->content_stack, has_screen ? "screen" : "empty");

  if (self->has_screen != has_screen)
    {
      self->has_screen = has_screen;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_SCREEN]);
    }
}

static void
end_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  g_signal_emit (widget, signals[END_REQUESTED], 0);
}

static void
tool_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TdSessionView *self = TD_SESSION_VIEW (widget);

  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    if (g_str_equal (action_name, tools[i].action) && (self->permissions & tools[i].permission))
      g_signal_emit (self, signals[TOOL_ACTIVATED], 0, tools[i].permission);
}

static void
td_session_view_dispose (GObject *object)
{
  TdSessionView *self = TD_SESSION_VIEW (object);
  GtkWidget *child;

  td_session_view_set_session (self, NULL);
  td_session_view_set_paintable (self, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), TD_TYPE_SESSION_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (td_session_view_parent_class)->dispose (object);
}

static void
td_session_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TdSessionView *self = TD_SESSION_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_PAINTABLE:
      g_value_set_object (value, self->paintable);
      break;

    case PROP_PERMISSIONS:
      g_value_set_flags (value, self->permissions);
      break;

    case PROP_HAS_SCREEN:
      g_value_set_boolean (value, self->has_screen);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_session_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TdSessionView *self = TD_SESSION_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      td_session_view_set_session (self, g_value_get_object (value));
      break;

    case PROP_PAINTABLE:
      td_session_view_set_paintable (self, g_value_get_object (value));
      break;

    case PROP_PERMISSIONS:
      td_session_view_set_permissions (self, g_value_get_flags (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_session_view_class_init (TdSessionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = td_session_view_dispose;
  object_class->get_property = td_session_view_get_property;
  object_class->set_property = td_session_view_set_property;

  /**
   * TdSessionView:session:
   *
   * The session shown: its partner and the way it goes.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         TD_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdSessionView:paintable:
   *
   * The partner's screen, from the media code.
   */
  properties[PROP_PAINTABLE] =
    g_param_spec_object ("paintable", NULL, NULL,
                         GDK_TYPE_PAINTABLE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdSessionView:permissions:
   *
   * What the partner allows; the tools they did not allow are greyed out.
   */
  properties[PROP_PERMISSIONS] =
    g_param_spec_flags ("permissions", NULL, NULL,
                        TD_TYPE_PERMISSIONS, TD_PERMISSION_NONE,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdSessionView:has-screen:
   *
   * Whether the partner's screen is shown, rather than the waiting page.
   */
  properties[PROP_HAS_SCREEN] =
    g_param_spec_boolean ("has-screen", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdSessionView::end-requested:
   * @self: the view
   *
   * The helper pressed End.
   */
  signals[END_REQUESTED] =
    g_signal_new ("end-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * TdSessionView::tool-activated:
   * @self: the view
   * @permission: the tool, by the permission it needs:
   *   %TD_PERMISSION_CONTROL, %TD_PERMISSION_FILES,
   *   %TD_PERMISSION_CLIPBOARD or %TD_PERMISSION_AUDIO
   *
   * The helper pressed one of the tools the partner allowed.
   */
  signals[TOOL_ACTIVATED] =
    g_signal_new ("tool-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, TD_TYPE_PERMISSIONS);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tandemdesk/Tandem/td-session-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TdSessionView, window_title);
  gtk_widget_class_bind_template_child (widget_class, TdSessionView, path_label);
  gtk_widget_class_bind_template_child (widget_class, TdSessionView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TdSessionView, picture);
  gtk_widget_class_bind_template_child (widget_class, TdSessionView, control_button);
  gtk_widget_class_bind_template_child (widget_class, TdSessionView, files_button);
  gtk_widget_class_bind_template_child (widget_class, TdSessionView, clipboard_button);
  gtk_widget_class_bind_template_child (widget_class, TdSessionView, voice_button);
  gtk_widget_class_bind_template_child (widget_class, TdSessionView, end_button);

  gtk_widget_class_install_action (widget_class, "session.end", NULL, end_action);
  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    gtk_widget_class_install_action (widget_class, tools[i].action, NULL, tool_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
td_session_view_init (TdSessionView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  td_session_view_update_header (self);
  td_session_view_update_tools (self);
  td_session_view_update_screen (self);
}

GtkWidget *
td_session_view_new (void)
{
  return g_object_new (TD_TYPE_SESSION_VIEW, NULL);
}

/**
 * td_session_view_get_session:
 * @self: a #TdSessionView
 *
 * Returns: (transfer none) (nullable): the session shown
 */
TdSession *
td_session_view_get_session (TdSessionView *self)
{
  g_return_val_if_fail (TD_IS_SESSION_VIEW (self), NULL);

  return self->session;
}

/**
 * td_session_view_set_session:
 * @self: a #TdSessionView
 * @session: (nullable): the session to show
 */
void
td_session_view_set_session (TdSessionView *self,
                             TdSession     *session)
{
  g_return_if_fail (TD_IS_SESSION_VIEW (self));
  g_return_if_fail (session == NULL || TD_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::peer-name",
                               G_CALLBACK (td_session_view_update_header), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::peer-id",
                               G_CALLBACK (td_session_view_update_header), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::path",
                               G_CALLBACK (td_session_view_update_header), self,
                               G_CONNECT_SWAPPED);
    }

  td_session_view_update_header (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/**
 * td_session_view_get_paintable:
 * @self: a #TdSessionView
 *
 * Returns: (transfer none) (nullable): the partner's screen
 */
GdkPaintable *
td_session_view_get_paintable (TdSessionView *self)
{
  g_return_val_if_fail (TD_IS_SESSION_VIEW (self), NULL);

  return self->paintable;
}

/**
 * td_session_view_set_paintable:
 * @self: a #TdSessionView
 * @paintable: (nullable): the partner's screen
 *
 * Shows @paintable. While it has no size, which a video paintable has
 * before its first frame, the view says it is waiting for the screen.
 */
void
td_session_view_set_paintable (TdSessionView *self,
                               GdkPaintable  *paintable)
{
  g_return_if_fail (TD_IS_SESSION_VIEW (self));
  g_return_if_fail (paintable == NULL || GDK_IS_PAINTABLE (paintable));

  if (self->paintable == paintable)
    return;

  if (self->paintable != NULL)
    g_signal_handlers_disconnect_by_data (self->paintable, self);
  g_set_object (&self->paintable, paintable);
  if (paintable != NULL &&
      !(gdk_paintable_get_flags (paintable) & GDK_PAINTABLE_STATIC_SIZE))
    g_signal_connect_object (paintable, "invalidate-size",
                             G_CALLBACK (td_session_view_update_screen), self,
                             G_CONNECT_SWAPPED);

  gtk_picture_set_paintable (self->picture, paintable);
  td_session_view_update_screen (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAINTABLE]);
}

/**
 * td_session_view_get_permissions:
 * @self: a #TdSessionView
 *
 * Returns: what the partner allows
 */
TdPermissions
td_session_view_get_permissions (TdSessionView *self)
{
  g_return_val_if_fail (TD_IS_SESSION_VIEW (self), TD_PERMISSION_NONE);

  return self->permissions;
}

/**
 * td_session_view_set_permissions:
 * @self: a #TdSessionView
 * @permissions: what the partner allows, as the host last said
 */
void
td_session_view_set_permissions (TdSessionView *self,
                                 TdPermissions  permissions)
{
  g_return_if_fail (TD_IS_SESSION_VIEW (self));

  if (self->permissions == permissions)
    return;

  self->permissions = permissions;
  td_session_view_update_tools (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERMISSIONS]);
}

/**
 * td_session_view_get_has_screen:
 * @self: a #TdSessionView
 *
 * Returns: whether the partner's screen is shown
 */
gboolean
td_session_view_get_has_screen (TdSessionView *self)
{
  g_return_val_if_fail (TD_IS_SESSION_VIEW (self), FALSE);

  return self->has_screen;
}
