#define G_LOG_DOMAIN "td-ui"
/* td-host-page.c: "Get help", which shows this computer's ID and one-time password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page shows what it is told: the ID comes from the rendezvous server
 * through the :id property, and until there is one the page says so plainly
 * instead of showing digits. The one-time password is made here, on this
 * computer, and never leaves it except through the person reading it out.
 */

#include <string.h>

#include <glib/gi18n.h>

#include "td-id.h"
#include "td-password.h"
#include "td-util.h"

#include "td-host-page.h"

struct _TdHostPage
{
  GtkWidget       parent_instance;

  GtkStack       *id_stack;
  GtkLabel       *id_label;
  GtkImage       *status_image;
  GtkSpinner     *status_spinner;
  GtkLabel       *status_label;
  GtkLabel       *password_label;

  char           *password;
  guint           id;
  TdServerStatus  server_status;
};

G_DEFINE_ENUM_TYPE (TdServerStatus, td_server_status,
                    G_DEFINE_ENUM_VALUE (TD_SERVER_STATUS_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (TD_SERVER_STATUS_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (TD_SERVER_STATUS_CONNECTED, "connected"))

G_DEFINE_FINAL_TYPE (TdHostPage, td_host_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ID,
  PROP_SERVER_STATUS,
  PROP_PASSWORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
clear_password (char **password)
{
  if (*password != NULL)
    td_memzero (*password, strlen (*password));
  g_clear_pointer (password, g_free);
}

static void
show_toast (TdHostPage *self,
            const char *title)
{
  GtkWidget *overlay;

  g_assert (TD_IS_HOST_PAGE (self));

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (title));
}

static void
td_host_page_update_id (TdHostPage *self)
{
  g_autofree char *text = NULL;

  g_assert (TD_IS_HOST_PAGE (self));

  if (self->id != 0)
    text = td_id_format (self->id);

  gtk_label_set_label (self->id_label, text != NULL ? text : "");
  gtk_stack_set_visible_child_name (self->id_stack, text != NULL ? "id" : "none");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "host.copy-id", text != NULL);
}

static void
td_host_page_update_server_status (TdHostPage *self)
{
  const char *icon_name = NULL;
  const char *text = NULL;
  gboolean connecting = FALSE;

  g_assert (TD_IS_HOST_PAGE (self));

  switch (self->server_status)
    {
    case TD_SERVER_STATUS_DISCONNECTED:
      icon_name = "network-offline-symbolic";
      text = _("Not connected to a Tandem server");
      break;

    case TD_SERVER_STATUS_CONNECTING:
      connecting = TRUE;
      text = _("Connecting to the Tandem server…");
      break;

    case TD_SERVER_STATUS_CONNECTED:
      icon_name = "network-transmit-receive-symbolic";
      text = _("Connected to the Tandem server");
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_image_set_from_icon_name (self->status_image, icon_name);
  gtk_widget_set_visible (GTK_WIDGET (self->status_image), !connecting);
  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), connecting);
  gtk_spinner_set_spinning (self->status_spinner, connecting);
  gtk_label_set_label (self->status_label, text);
}

static void
copy_id_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TdHostPage *self = TD_HOST_PAGE (widget);
  g_autofree char *text = NULL;

  if (self->id == 0)
    return;

  text = td_id_format (self->id);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  show_toast (self, _("ID copied"));
}

static void
copy_password_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TdHostPage *self = TD_HOST_PAGE (widget);
  g_autofree char *text = td_password_format (self->password);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  td_memzero (text, strlen (text));
  show_toast (self, _("Password copied"));
}

static void
new_password_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  td_host_page_new_password (TD_HOST_PAGE (widget));
}

static void
td_host_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), TD_TYPE_HOST_PAGE);

  /* The template's top widget has no name, so it is still here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (td_host_page_parent_class)->dispose (object);
}

static void
td_host_page_finalize (GObject *object)
{
  TdHostPage *self = (TdHostPage *) object;

  clear_password (&self->password);

  G_OBJECT_CLASS (td_host_page_parent_class)->finalize (object);
}

static void
td_host_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TdHostPage *self = TD_HOST_PAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;

    case PROP_SERVER_STATUS:
      g_value_set_enum (value, self->server_status);
      break;

    case PROP_PASSWORD:
      g_value_set_string (value, self->password);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_host_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TdHostPage *self = TD_HOST_PAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      td_host_page_set_id (self, g_value_get_uint (value));
      break;

    case PROP_SERVER_STATUS:
      td_host_page_set_server_status (self, g_value_get_enum (value));
      break;

    case PROP_PASSWORD:
      td_host_page_set_password (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_host_page_class_init (TdHostPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = td_host_page_dispose;
  object_class->finalize = td_host_page_finalize;
  object_class->get_property = td_host_page_get_property;
  object_class->set_property = td_host_page_set_property;

  /**
   * TdHostPage:id:
   *
   * This computer's partner ID as the rendezvous server assigned it, or 0
   * while there is none.
   */
  properties[PROP_ID] =
    g_param_spec_uint ("id", NULL, NULL,
                       0, TD_ID_MAX, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdHostPage:server-status:
   *
   * How this computer stands with its Tandem server.
   */
  properties[PROP_SERVER_STATUS] =
    g_param_spec_enum ("server-status", NULL, NULL,
                       TD_TYPE_SERVER_STATUS,
                       TD_SERVER_STATUS_DISCONNECTED,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TdHostPage:password:
   *
   * The one-time password a partner needs, without separators. The page
   * makes one when it is created and a new one when the user asks.
   */
  properties[PROP_PASSWORD] =
    g_param_spec_string ("password", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tandemdesk/Tandem/td-host-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TdHostPage, id_stack);
  gtk_widget_class_bind_template_child (widget_class, TdHostPage, id_label);
  gtk_widget_class_bind_template_child (widget_class, TdHostPage, status_image);
  gtk_widget_class_bind_template_child (widget_class, TdHostPage, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, TdHostPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, TdHostPage, password_label);

  gtk_widget_class_install_action (widget_class, "host.copy-id", NULL, copy_id_action);
  gtk_widget_class_install_action (widget_class, "host.copy-password", NULL, copy_password_action);
  gtk_widget_class_install_action (widget_class, "host.new-password", NULL, new_password_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
td_host_page_init (TdHostPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->server_status = TD_SERVER_STATUS_DISCONNECTED;
  td_host_page_update_id (self);
  td_host_page_update_server_status (self);
  td_host_page_new_password (self);
}

GtkWidget *
td_host_page_new (void)
{
  return g_object_new (TD_TYPE_HOST_PAGE, NULL);
}

/**
 * td_host_page_get_id:
 * @self: a #TdHostPage
 *
 * Returns: the ID shown, or 0 if there is none
 */
guint
td_host_page_get_id (TdHostPage *self)
{
  g_return_val_if_fail (TD_IS_HOST_PAGE (self), 0);

  return self->id;
}

/**
 * td_host_page_set_id:
 * @self: a #TdHostPage
 * @id: a valid partner ID, or 0 if this computer has none (yet)
 *
 * Sets the ID the page tells the user to read out.
 */
void
td_host_page_set_id (TdHostPage *self,
                     guint       id)
{
  g_return_if_fail (TD_IS_HOST_PAGE (self));
  g_return_if_fail (id == 0 || td_id_is_valid (id));

  if (self->id == id)
    return;

  self->id = id;
  td_host_page_update_id (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

TdServerStatus
td_host_page_get_server_status (TdHostPage *self)
{
  g_return_val_if_fail (TD_IS_HOST_PAGE (self), TD_SERVER_STATUS_DISCONNECTED);

  return self->server_status;
}

/**
 * td_host_page_set_server_status:
 * @self: a #TdHostPage
 * @status: how this computer stands with its Tandem server
 */
void
td_host_page_set_server_status (TdHostPage     *self,
                                TdServerStatus  status)
{
  g_return_if_fail (TD_IS_HOST_PAGE (self));
  g_return_if_fail (status <= TD_SERVER_STATUS_CONNECTED);

  if (self->server_status == status)
    return;

  self->server_status = status;
  td_host_page_update_server_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_STATUS]);
}

/**
 * td_host_page_get_password:
 * @self: a #TdHostPage
 *
 * Returns: (transfer none): the one-time password shown, without separators
 */
const char *
td_host_page_get_password (TdHostPage *self)
{
  g_return_val_if_fail (TD_IS_HOST_PAGE (self), NULL);

  return self->password;
}

/**
 * td_host_page_set_password:
 * @self: a #TdHostPage
 * @password: the password to show, as td_password_new_one_time() makes them
 *
 * Replaces the password shown, for instance when a session ends and the
 * one-time password rotates. The previous one is wiped from memory.
 */
void
td_host_page_set_password (TdHostPage *self,
                           const char *password)
{
  g_autofree char *text = NULL;

  g_return_if_fail (TD_IS_HOST_PAGE (self));
  g_return_if_fail (password != NULL && *password != '\0');

  if (g_strcmp0 (self->password, password) == 0)
    return;

  clear_password (&self->password);
  self->password = g_strdup (password);

  text = td_password_format (self->password);
  gtk_label_set_label (self->password_label, text);
  td_memzero (text, strlen (text));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD]);
}

/**
 * td_host_page_new_password:
 * @self: a #TdHostPage
 *
 * Replaces the one-time password with a new random one.
 */
void
td_host_page_new_password (TdHostPage *self)
{
  g_autofree char *password = NULL;

  g_return_if_fail (TD_IS_HOST_PAGE (self));

  password = td_password_new_one_time ();
  td_host_page_set_password (self, password);
  td_memzero (password, strlen (password));
}
