/* td-capture-portal.c: the ScreenCast portal as the shared screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Wayland and Flatpak: xdg-desktop-portal asks the user which monitor to
 * share (or restores an earlier choice from a restore token), then hands
 * out a PipeWire remote and a stream node, read with
 * "pipewiresrc fd=<dup(fd)> path=<node>". The fd is duplicated for every
 * source because pipewiresrc closes it when it goes away.
 *
 * With remote_desktop the session is a RemoteDesktop session with a
 * ScreenCast source (keyboard and pointer), whose XdpSession an input
 * injector can share. The portal answers asynchronously (it may show a
 * dialog), so this backend is made with td_capture_portal_new_async().
 *
 * Compositors send frames only when something changed; keepalive-time
 * repeats the last one every 100 ms, which the host pipeline's pixel
 * comparison then drops.
 */
#define G_LOG_DOMAIN "td-media"

#include <unistd.h>

#include "td-capture-portal.h"
#include "td-media-error.h"

struct _TdCapturePortal
{
  GObject     parent_instance;

  XdpPortal  *portal;
  XdpSession *session;
  int         fd;
  guint       node_id;
  int         width;
  int         height;
};

static void capture_iface_init (TdCaptureInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdCapturePortal, td_capture_portal, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TD_TYPE_CAPTURE, capture_iface_init))

static TdCaptureKind
td_capture_portal_get_kind (TdCapture *capture)
{
  return TD_CAPTURE_KIND_PORTAL;
}

static GstElement *
td_capture_portal_create_source (TdCapture  *capture,
                                 GError    **error)
{
  TdCapturePortal *self = TD_CAPTURE_PORTAL (capture);
  g_autofree char *path = g_strdup_printf ("%u", self->node_id);
  GstElement *src;
  int fd;

  if ((src = td_media_make_element ("pipewiresrc", "portal-src", error)) == NULL)
    return NULL;

  fd = dup (self->fd);
  if (fd < 0)
    {
      gst_object_unref (gst_object_ref_sink (src));
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_FAILED,
                   "The screen sharing connection to PipeWire is closed.");
      return NULL;
    }

  g_object_set (src,
                "fd", fd,
                "path", path,
                "do-timestamp", TRUE,
                "keepalive-time", 100,
                "always-copy", TRUE,
                NULL);
  return src;
}

static GArray *
td_capture_portal_get_monitors (TdCapture *capture)
{
  TdCapturePortal *self = TD_CAPTURE_PORTAL (capture);
  GArray *monitors = g_array_new (FALSE, TRUE, sizeof (TdCaptureMonitor));
  TdCaptureMonitor monitor = { 0, 0, self->width, self->height, TRUE };

  g_array_append_val (monitors, monitor);
  return monitors;
}

static void
capture_iface_init (TdCaptureInterface *iface)
{
  iface->get_kind = td_capture_portal_get_kind;
  iface->create_source = td_capture_portal_create_source;
  iface->get_monitors = td_capture_portal_get_monitors;
}

static void
td_capture_portal_dispose (GObject *object)
{
  TdCapturePortal *self = TD_CAPTURE_PORTAL (object);

  if (self->session != NULL)
    xdp_session_close (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->portal);

  G_OBJECT_CLASS (td_capture_portal_parent_class)->dispose (object);
}

static void
td_capture_portal_finalize (GObject *object)
{
  TdCapturePortal *self = TD_CAPTURE_PORTAL (object);

  if (self->fd >= 0)
    close (self->fd);

  G_OBJECT_CLASS (td_capture_portal_parent_class)->finalize (object);
}

static void
td_capture_portal_class_init (TdCapturePortalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_capture_portal_dispose;
  object_class->finalize = td_capture_portal_finalize;
}

static void
td_capture_portal_init (TdCapturePortal *self)
{
  self->fd = -1;
}

static void
session_started (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TdCapturePortal *self = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) properties = NULL;
  GVariant *streams;
  GVariantIter iter;

  if (!xdp_session_start_finish (XDP_SESSION (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, TD_MEDIA_ERROR, TD_MEDIA_ERROR_UNSUPPORTED,
                                 "Screen sharing was not allowed: %s", error->message);
      return;
    }

  streams = xdp_session_get_streams (self->session);
  if (streams == NULL || g_variant_n_children (streams) == 0)
    {
      g_task_return_new_error (task, TD_MEDIA_ERROR, TD_MEDIA_ERROR_UNSUPPORTED,
                               "No screen was chosen to share.");
      return;
    }

  g_variant_iter_init (&iter, streams);
  g_variant_iter_next (&iter, "(u@a{sv})", &self->node_id, &properties);
  g_variant_lookup (properties, "size", "(ii)", &self->width, &self->height);

  self->fd = xdp_session_open_pipewire_remote (self->session);
  if (self->fd < 0)
    {
      g_task_return_new_error (task, TD_MEDIA_ERROR, TD_MEDIA_ERROR_FAILED,
                               "The screen cannot be read: PipeWire refused the connection.");
      return;
    }

  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

static void
session_created (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TdCapturePortal *self = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean remote_desktop = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "remote-desktop"));

  if (remote_desktop)
    self->session = xdp_portal_create_remote_desktop_session_finish (XDP_PORTAL (object), result, &error);
  else
    self->session = xdp_portal_create_screencast_session_finish (XDP_PORTAL (object), result, &error);

  if (self->session == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, TD_MEDIA_ERROR, TD_MEDIA_ERROR_UNSUPPORTED,
                                 "The desktop’s screen sharing portal is not available: %s",
                                 error->message);
      return;
    }

  xdp_session_start (self->session, NULL, g_task_get_cancellable (task),
                     session_started, g_object_ref (task));
}

/**
 * td_capture_portal_new_async:
 * @remote_desktop: %TRUE for a RemoteDesktop session (screen, keyboard and
 *   pointer), %FALSE for ScreenCast only
 * @restore_token: (nullable): a token from an earlier ScreenCast session,
 *   to share the same monitor without asking again
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the portal answered
 * @user_data: data for @callback
 *
 * Asks the portal for a monitor to share. The desktop may show a dialog.
 */
void
td_capture_portal_new_async (gboolean             remote_desktop,
                             const char          *restore_token,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(TdCapturePortal) self = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  self = g_object_new (TD_TYPE_CAPTURE_PORTAL, NULL);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, td_capture_portal_new_async);
  g_task_set_task_data (task, g_object_ref (self), g_object_unref);
  g_object_set_data (G_OBJECT (task), "remote-desktop", GINT_TO_POINTER (remote_desktop));

  if (!td_media_check_element ("pipewiresrc", &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* libportal 0.6 has no xdp_portal_initable_new(): check the bus first. */
  {
    g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, cancellable, &error);

    if (bus == NULL)
      {
        g_task_return_new_error (task, TD_MEDIA_ERROR, TD_MEDIA_ERROR_UNSUPPORTED,
                                 "The desktop portal cannot be reached: %s", error->message);
        return;
      }
  }
  self->portal = xdp_portal_new ();

  if (remote_desktop)
    xdp_portal_create_remote_desktop_session (self->portal,
                                              XDP_DEVICE_KEYBOARD | XDP_DEVICE_POINTER,
                                              XDP_OUTPUT_MONITOR, XDP_REMOTE_DESKTOP_FLAG_NONE,
                                              XDP_CURSOR_MODE_HIDDEN, cancellable,
                                              session_created, g_object_ref (task));
  else
    xdp_portal_create_screencast_session (self->portal, XDP_OUTPUT_MONITOR,
                                          XDP_SCREENCAST_FLAG_NONE, XDP_CURSOR_MODE_HIDDEN,
                                          XDP_PERSIST_MODE_PERSISTENT, restore_token,
                                          cancellable, session_created, g_object_ref (task));
}

/**
 * td_capture_portal_new_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the backend
 */
TdCapturePortal *
td_capture_portal_new_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_capture_portal_new_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * td_capture_portal_get_session:
 * @self: a #TdCapturePortal
 *
 * Returns: (transfer none): the portal session, for input injection
 */
XdpSession *
td_capture_portal_get_session (TdCapturePortal *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE_PORTAL (self), NULL);

  return self->session;
}

guint
td_capture_portal_get_node_id (TdCapturePortal *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE_PORTAL (self), 0);

  return self->node_id;
}

/**
 * td_capture_portal_get_restore_token:
 * @self: a #TdCapturePortal
 *
 * Returns: (transfer full) (nullable): a token to share the same monitor
 *   next time without asking (ScreenCast sessions only)
 */
char *
td_capture_portal_get_restore_token (TdCapturePortal *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE_PORTAL (self), NULL);

  return xdp_session_get_restore_token (self->session);
}
