/* td-capture-x11.c: an X11 screen as the shared screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ximagesrc grabs the root window (or one monitor's rectangle of it) with
 * MIT-SHM, without the pointer (the viewer draws it from cursor messages).
 * Its own use-damage mode is off: on a full-motion 1080p screen it halves
 * the frame rate. Instead this backend keeps its own X connection with an
 * XDamage object on the root window and tells the host pipeline whether
 * anything was drawn since the last frame, so an idle screen sends nothing.
 *
 * The damage check runs on the streaming thread and is the only user of
 * its Display, behind a mutex. A damage event read while checking frame N
 * may belong to drawing that happened just after frame N was grabbed, so a
 * frame with damage also lets the next one through.
 */
#define G_LOG_DOMAIN "td-media"

#include <X11/Xlib.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/Xrandr.h>

#include "td-capture-x11.h"
#include "td-media-error.h"
#include "td-util.h"

struct _TdCaptureX11
{
  GObject   parent_instance;

  char     *display_name;
  int       monitor;
  GArray   *monitors;

  GMutex    damage_lock;
  Display  *damage_display;
  Damage    damage;
  int       damage_event_base;
  gboolean  changed_last;
};

enum {
  PROP_0,
  PROP_DISPLAY_NAME,
  PROP_MONITOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void capture_iface_init (TdCaptureInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdCaptureX11, td_capture_x11, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TD_TYPE_CAPTURE, capture_iface_init))

static GArray *
query_monitors (Display *display)
{
  GArray *monitors = g_array_new (FALSE, TRUE, sizeof (TdCaptureMonitor));
  Window root = DefaultRootWindow (display);
  int event_base, error_base, major = 0, minor = 0;

  if (XRRQueryExtension (display, &event_base, &error_base) &&
      XRRQueryVersion (display, &major, &minor) &&
      (major > 1 || (major == 1 && minor >= 5)))
    {
      XRRMonitorInfo *info;
      int n = 0;

      info = XRRGetMonitors (display, root, True, &n);
      for (int i = 0; info != NULL && i < n; i++)
        {
          TdCaptureMonitor monitor = {
            info[i].x, info[i].y, info[i].width, info[i].height, info[i].primary,
          };
          g_array_append_val (monitors, monitor);
        }
      if (info != NULL)
        XRRFreeMonitors (info);
    }

  if (monitors->len == 0)
    {
      TdCaptureMonitor whole = {
        0, 0, DisplayWidth (display, DefaultScreen (display)),
        DisplayHeight (display, DefaultScreen (display)), TRUE,
      };
      g_array_append_val (monitors, whole);
    }

  return monitors;
}

static Display *
open_display (const char  *display_name,
              GError     **error)
{
  Display *display = XOpenDisplay (display_name);

  if (display == NULL)
    g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_NO_DISPLAY,
                 "Cannot open the X display “%s”. Is the X server running, and may this user connect to it?",
                 display_name != NULL ? display_name : g_getenv ("DISPLAY") ?: "");
  return display;
}

static TdCaptureKind
td_capture_x11_get_kind (TdCapture *capture)
{
  return TD_CAPTURE_KIND_X11;
}

static GstElement *
td_capture_x11_create_source (TdCapture  *capture,
                              GError    **error)
{
  TdCaptureX11 *self = TD_CAPTURE_X11 (capture);
  GstElement *src;

  if ((src = td_media_make_element ("ximagesrc", "x11-src", error)) == NULL)
    return NULL;

  g_object_set (src,
                "display-name", self->display_name,
                "use-damage", FALSE,
                "show-pointer", FALSE,
                NULL);

  if (self->monitor >= 0 && (guint) self->monitor < self->monitors->len)
    {
      const TdCaptureMonitor *m = &g_array_index (self->monitors, TdCaptureMonitor, self->monitor);

      g_object_set (src,
                    "startx", (guint) m->x,
                    "starty", (guint) m->y,
                    "endx", (guint) (m->x + m->width - 1),
                    "endy", (guint) (m->y + m->height - 1),
                    NULL);
    }

  return src;
}

static GArray *
td_capture_x11_get_monitors (TdCapture *capture)
{
  TdCaptureX11 *self = TD_CAPTURE_X11 (capture);
  GArray *monitors = g_array_new (FALSE, TRUE, sizeof (TdCaptureMonitor));

  if (self->monitor >= 0 && (guint) self->monitor < self->monitors->len)
    {
      TdCaptureMonitor m = g_array_index (self->monitors, TdCaptureMonitor, self->monitor);

      m.x = m.y = 0;
      g_array_append_val (monitors, m);
    }
  else
    {
      g_array_append_vals (monitors, self->monitors->data, self->monitors->len);
    }

  return monitors;
}

static gboolean
td_capture_x11_frame_changed (TdCapture *capture,
                              GstBuffer *buffer)
{
  TdCaptureX11 *self = TD_CAPTURE_X11 (capture);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->damage_lock);
  gboolean changed = FALSE;
  gboolean result;

  if (self->damage_display == NULL)
    return TRUE;

  while (XPending (self->damage_display) > 0)
    {
      XEvent event;

      XNextEvent (self->damage_display, &event);
      if (event.type == self->damage_event_base + XDamageNotify)
        changed = TRUE;
    }

  if (changed)
    {
      XDamageSubtract (self->damage_display, self->damage, None, None);
      XFlush (self->damage_display);
    }

  result = changed || self->changed_last;
  self->changed_last = changed;
  return result;
}

static void
capture_iface_init (TdCaptureInterface *iface)
{
  iface->get_kind = td_capture_x11_get_kind;
  iface->create_source = td_capture_x11_create_source;
  iface->get_monitors = td_capture_x11_get_monitors;
  iface->frame_changed = td_capture_x11_frame_changed;
}

static void
td_capture_x11_finalize (GObject *object)
{
  TdCaptureX11 *self = TD_CAPTURE_X11 (object);

  if (self->damage_display != NULL)
    {
      XDamageDestroy (self->damage_display, self->damage);
      XCloseDisplay (self->damage_display);
    }
  g_mutex_clear (&self->damage_lock);
  g_clear_pointer (&self->monitors, g_array_unref);
  g_clear_pointer (&self->display_name, g_free);

  G_OBJECT_CLASS (td_capture_x11_parent_class)->finalize (object);
}

static void
td_capture_x11_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TdCaptureX11 *self = TD_CAPTURE_X11 (object);

  switch (prop_id)
    {
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;

    case PROP_MONITOR:
      g_value_set_int (value, self->monitor);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_capture_x11_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TdCaptureX11 *self = TD_CAPTURE_X11 (object);

  switch (prop_id)
    {
    case PROP_DISPLAY_NAME:
      td_set_str (&self->display_name, g_value_get_string (value));
      break;

    case PROP_MONITOR:
      self->monitor = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_capture_x11_class_init (TdCaptureX11Class *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = td_capture_x11_finalize;
  object_class->get_property = td_capture_x11_get_property;
  object_class->set_property = td_capture_x11_set_property;

  /**
   * TdCaptureX11:display-name:
   *
   * The X display, %NULL for $DISPLAY.
   */
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * TdCaptureX11:monitor:
   *
   * The index of the monitor to share (see td_capture_x11_list_monitors()),
   * or -1 for the whole screen.
   */
  properties[PROP_MONITOR] =
    g_param_spec_int ("monitor", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
td_capture_x11_init (TdCaptureX11 *self)
{
  g_mutex_init (&self->damage_lock);
  self->monitor = -1;
  self->changed_last = TRUE;
}

/**
 * td_capture_x11_list_monitors:
 * @display_name: (nullable): the X display, %NULL for $DISPLAY
 * @error: return location for a #GError
 *
 * Lists monitors with RandR 1.5; one entry for the whole screen without it.
 *
 * Returns: (transfer full) (element-type TdCaptureMonitor) (nullable): the
 *   monitors in root window coordinates
 */
GArray *
td_capture_x11_list_monitors (const char  *display_name,
                              GError     **error)
{
  Display *display;
  GArray *monitors;

  if ((display = open_display (display_name, error)) == NULL)
    return NULL;

  monitors = query_monitors (display);
  XCloseDisplay (display);
  return monitors;
}

/**
 * td_capture_x11_new:
 * @display_name: (nullable): the X display, %NULL for $DISPLAY
 * @monitor: the monitor to share, -1 for the whole screen
 * @error: return location for a #GError
 *
 * Fails when the display cannot be opened or ximagesrc is missing. Without
 * the DAMAGE extension every frame is sent.
 *
 * Returns: (transfer full) (nullable): the backend
 */
TdCaptureX11 *
td_capture_x11_new (const char  *display_name,
                    int          monitor,
                    GError     **error)
{
  g_autoptr(TdCaptureX11) self = NULL;
  Display *display;
  int error_base;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (display_name == NULL)
    display_name = g_getenv ("DISPLAY");
  if (display_name == NULL || *display_name == '\0')
    {
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_NO_DISPLAY,
                   "No X display to share: DISPLAY is not set.");
      return NULL;
    }

  if (!td_media_check_element ("ximagesrc", error))
    return NULL;

  if ((display = open_display (display_name, error)) == NULL)
    return NULL;

  self = g_object_new (TD_TYPE_CAPTURE_X11,
                       "display-name", display_name,
                       "monitor", monitor,
                       NULL);
  self->monitors = query_monitors (display);

  if (monitor >= 0 && (guint) monitor >= self->monitors->len)
    {
      g_set_error (error, TD_MEDIA_ERROR, TD_MEDIA_ERROR_FAILED,
                   "The X display “%s” has no monitor %d (it has %u).",
                   display_name, monitor, self->monitors->len);
      XCloseDisplay (display);
      return NULL;
    }

  if (XDamageQueryExtension (display, &self->damage_event_base, &error_base))
    {
      self->damage_display = display;
      self->damage = XDamageCreate (display, DefaultRootWindow (display),
                                    XDamageReportNonEmpty);
      XFlush (display);
    }
  else
    {
      g_info ("The X server has no DAMAGE extension: every frame is sent");
      XCloseDisplay (display);
    }

  return g_steal_pointer (&self);
}

const char *
td_capture_x11_get_display_name (TdCaptureX11 *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE_X11 (self), NULL);

  return self->display_name;
}

int
td_capture_x11_get_monitor (TdCaptureX11 *self)
{
  g_return_val_if_fail (TD_IS_CAPTURE_X11 (self), -1);

  return self->monitor;
}
