/* td-capture.c: where the host's screen pictures come from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A capture backend makes a GStreamer source (an element or a bin with one
 * "src" pad of raw video). The host pipeline puts a frame-rate caps filter
 * after it and drops frames that did not change: through the backend's
 * frame_changed() (X11 asks XDamage) or by comparing pixels.
 *
 * td_capture_new_async() picks a backend from the environment
 * (WAYLAND_DISPLAY: portal, DISPLAY: X11, else the test pattern), tries a
 * preferred one first, and falls back when one cannot work here, logging
 * why. The portal answers asynchronously (it may ask the user), so only
 * the async variant can choose it; td_capture_new_auto() is the
 * synchronous one for X11 and tests.
 */
#define G_LOG_DOMAIN "td-media"

#include "td-capture.h"
#include "td-capture-test.h"
#include "td-capture-x11.h"
#include "td-media-error.h"

#include "td-media-config.h"

#if TD_HAVE_PORTAL
# include "td-capture-portal.h"
#endif

G_DEFINE_INTERFACE (TdCapture, td_capture, G_TYPE_OBJECT)

static void
td_capture_default_init (TdCaptureInterface *iface)
{
}

/**
 * td_capture_get_kind:
 * @self: a #TdCapture
 *
 * Returns: the backend's kind
 */
TdCaptureKind
td_capture_get_kind (TdCapture *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE (self), TD_CAPTURE_KIND_AUTO);

  return TD_CAPTURE_GET_IFACE (self)->get_kind (self);
}

/**
 * td_capture_create_source:
 * @self: a #TdCapture
 * @error: return location for a #GError
 *
 * Makes the source element: one "src" pad of raw video at the negotiated
 * frame rate. Each call makes a new element.
 *
 * Returns: (transfer floating) (nullable): the source
 */
GstElement *
td_capture_create_source (TdCapture  *self,
                          GError    **error)
{
  g_return_val_if_fail (TD_IS_CAPTURE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return TD_CAPTURE_GET_IFACE (self)->create_source (self, error);
}

/**
 * td_capture_get_monitors:
 * @self: a #TdCapture
 *
 * Returns: (transfer full) (element-type TdCaptureMonitor): the monitors
 *   the source shows, in the source's pixel coordinates; one entry covering
 *   the whole picture when the backend cannot tell
 */
GArray *
td_capture_get_monitors (TdCapture *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE (self), NULL);

  return TD_CAPTURE_GET_IFACE (self)->get_monitors (self);
}

/**
 * td_capture_has_change_detection:
 * @self: a #TdCapture
 *
 * Returns: %TRUE if the backend tells changed frames apart itself
 */
gboolean
td_capture_has_change_detection (TdCapture *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE (self), FALSE);

  return TD_CAPTURE_GET_IFACE (self)->frame_changed != NULL;
}

/**
 * td_capture_frame_changed:
 * @self: a #TdCapture
 * @buffer: the frame the source just produced
 *
 * Called on the streaming thread for every frame. Only valid when
 * td_capture_has_change_detection() is %TRUE.
 *
 * Returns: %TRUE if the screen may have changed since the last call
 */
gboolean
td_capture_frame_changed (TdCapture *self,
                          GstBuffer *buffer)
{
  TdCaptureInterface *iface;

  g_return_val_if_fail (TD_IS_CAPTURE (self), TRUE);

  iface = TD_CAPTURE_GET_IFACE (self);
  if (iface->frame_changed == NULL)
    return TRUE;

  return iface->frame_changed (self, buffer);
}

const char *
td_capture_kind_to_string (TdCaptureKind kind)
{
  switch (kind)
    {
    case TD_CAPTURE_KIND_AUTO:
      return "auto";
    case TD_CAPTURE_KIND_TEST:
      return "test";
    case TD_CAPTURE_KIND_X11:
      return "x11";
    case TD_CAPTURE_KIND_PORTAL:
      return "portal";
    default:
      return "auto";
    }
}

/**
 * td_capture_kind_from_string:
 * @name: (nullable): "auto", "test", "x11" or "portal"
 *
 * Returns: the kind, %TD_CAPTURE_KIND_AUTO for anything else
 */
TdCaptureKind
td_capture_kind_from_string (const char *name)
{
  if (g_strcmp0 (name, "test") == 0)
    return TD_CAPTURE_KIND_TEST;
  if (g_strcmp0 (name, "x11") == 0)
    return TD_CAPTURE_KIND_X11;
  if (g_strcmp0 (name, "portal") == 0)
    return TD_CAPTURE_KIND_PORTAL;
  return TD_CAPTURE_KIND_AUTO;
}

/**
 * td_capture_kind_for_environment:
 *
 * Returns: %TD_CAPTURE_KIND_PORTAL under Wayland, %TD_CAPTURE_KIND_X11
 *   under X11, else %TD_CAPTURE_KIND_TEST
 */
TdCaptureKind
td_capture_kind_for_environment (void)
{
  const char *wayland = g_getenv ("WAYLAND_DISPLAY");
  const char *x11 = g_getenv ("DISPLAY");

  if (wayland != NULL && *wayland != '\0')
    return TD_CAPTURE_KIND_PORTAL;
  if (x11 != NULL && *x11 != '\0')
    return TD_CAPTURE_KIND_X11;
  return TD_CAPTURE_KIND_TEST;
}

/**
 * td_capture_new_for_kind:
 * @kind: the backend; %TD_CAPTURE_KIND_AUTO means the environment's
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the backend, or %NULL if it cannot
 *   work here
 */
TdCapture *
td_capture_new_for_kind (TdCaptureKind   kind,
                         GError        **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (kind == TD_CAPTURE_KIND_AUTO)
    kind = td_capture_kind_for_environment ();

  switch (kind)
    {
    case TD_CAPTURE_KIND_TEST:
      if (!td_media_check_element ("videotestsrc", error))
        return NULL;
      return TD_CAPTURE (td_capture_test_new (1280, 720, TRUE));

    case TD_CAPTURE_KIND_X11:
      return TD_CAPTURE (td_capture_x11_new (NULL, -1, error));

    case TD_CAPTURE_KIND_PORTAL:
#if TD_HAVE_PORTAL
      /* The portal answers asynchronously, maybe after a dialog. */
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_UNSUPPORTED,
                   "The portal backend is made with td_capture_portal_new_async().");
#else
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_UNSUPPORTED,
                   "Sharing a Wayland screen needs the ScreenCast portal, "
                   "which this build of Tandem does not support.");
#endif
      return NULL;

    case TD_CAPTURE_KIND_AUTO:
    default:
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_UNSUPPORTED,
                   "Unknown screen capture backend %d", kind);
      return NULL;
    }
}

/**
 * td_capture_new_auto:
 * @preference: the backend to try first, or %TD_CAPTURE_KIND_AUTO
 * @error: return location for a #GError
 *
 * Tries @preference, then the environment's backend, then the test
 * pattern; each failure is logged with its reason.
 *
 * Returns: (transfer full) (nullable): a backend, %NULL only when none works
 */
TdCapture *
td_capture_new_auto (TdCaptureKind   preference,
                     GError        **error)
{
  TdCaptureKind order[3];
  g_autoptr(GError) first_error = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  order[0] = preference != TD_CAPTURE_KIND_AUTO ? preference : td_capture_kind_for_environment ();
  order[1] = td_capture_kind_for_environment ();
  order[2] = TD_CAPTURE_KIND_TEST;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr(GError) local_error = NULL;
      TdCapture *capture;

      if (i > 0 && order[i] == order[i - 1])
        continue;

      capture = td_capture_new_for_kind (order[i], &local_error);
      if (capture != NULL)
        return capture;

      g_info ("Screen capture backend “%s” unavailable, falling back: %s",
              td_capture_kind_to_string (order[i]), local_error->message);
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }

  g_propagate_error (error, g_steal_pointer (&first_error));
  return NULL;
}

static void
fall_back (GTask        *task,
           TdCaptureKind first,
           GError       *first_error)
{
  g_autoptr(GError) error = NULL;
  TdCapture *capture;

  g_info ("Screen capture backend “%s” unavailable, falling back: %s",
          td_capture_kind_to_string (first), first_error->message);

  /* Under Wayland, DISPLAY may still lead to XWayland: only X clients
   * show there, which is better than nothing. */
  if (first != TD_CAPTURE_KIND_X11 && g_getenv ("DISPLAY") != NULL)
    {
      capture = td_capture_new_for_kind (TD_CAPTURE_KIND_X11, &error);
      if (capture != NULL)
        {
          g_task_return_pointer (task, capture, g_object_unref);
          return;
        }
      g_info ("Screen capture backend “x11” unavailable, falling back: %s", error->message);
      g_clear_error (&error);
    }

  capture = td_capture_new_for_kind (TD_CAPTURE_KIND_TEST, &error);
  if (capture != NULL)
    g_task_return_pointer (task, capture, g_object_unref);
  else
    g_task_return_error (task, g_error_copy (first_error));
}

#if TD_HAVE_PORTAL
static void
portal_created (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  TdCapturePortal *capture = td_capture_portal_new_finish (result, &error);

  if (capture != NULL)
    g_task_return_pointer (task, capture, g_object_unref);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    fall_back (task, TD_CAPTURE_KIND_PORTAL, error);
}
#endif

/**
 * td_capture_new_async:
 * @preference: the backend to try first, or %TD_CAPTURE_KIND_AUTO for the
 *   environment's
 * @remote_desktop: for the portal, a RemoteDesktop session (screen and
 *   input, see TdInjectorPortal) instead of ScreenCast only
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the backend
 * @user_data: data for @callback
 *
 * Makes the best backend that works here; a failing one falls back to
 * X11 (if DISPLAY is set) and then to the test pattern.
 */
void
td_capture_new_async (TdCaptureKind        preference,
                      gboolean             remote_desktop,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  TdCaptureKind kind;
  TdCapture *capture;

  g_task_set_source_tag (task, td_capture_new_async);

  kind = preference != TD_CAPTURE_KIND_AUTO ? preference : td_capture_kind_for_environment ();

#if TD_HAVE_PORTAL
  if (kind == TD_CAPTURE_KIND_PORTAL)
    {
      td_capture_portal_new_async (remote_desktop, NULL, cancellable,
                                   portal_created, g_steal_pointer (&task));
      return;
    }
#endif

  capture = td_capture_new_for_kind (kind, &error);
  if (capture != NULL)
    g_task_return_pointer (task, capture, g_object_unref);
  else
    fall_back (task, kind, error);
}

/**
 * td_capture_new_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the backend
 */
TdCapture *
td_capture_new_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == td_capture_new_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
