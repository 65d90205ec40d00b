#define G_LOG_DOMAIN "td-ui"
/* td-ui-util.c: small helpers shared by the session windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>
#include <gtk/gtk.h>

/* After gtk.h, which says which windowing systems GDK was built with. */
#ifdef GDK_WINDOWING_X11
# include <gdk/x11/gdkx.h>
# include <X11/Xatom.h>
#endif

#include "td-id.h"

#include "td-ui-util.h"

/**
 * td_permission_get_icon_name:
 * @permission: a single permission
 *
 * Returns: (transfer none): a symbolic icon for it, from the Adwaita theme
 */
const char *
td_permission_get_icon_name (TdPermissions permission)
{
  switch ((guint) permission)
    {
    case TD_PERMISSION_VIEW:
      return "view-reveal-symbolic";
    case TD_PERMISSION_CONTROL:
      return "input-mouse-symbolic";
    case TD_PERMISSION_CLIPBOARD:
      return "edit-paste-symbolic";
    case TD_PERMISSION_FILES:
      return "folder-documents-symbolic";
    case TD_PERMISSION_AUDIO:
      return "audio-input-microphone-symbolic";
    case TD_PERMISSION_TERMINAL:
      return "utilities-terminal-symbolic";
    case TD_PERMISSION_SYSINFO:
      return "computer-symbolic";
    case TD_PERMISSION_RESTART:
      return "system-reboot-symbolic";
    default:
      return "dialog-question-symbolic";
    }
}

/**
 * td_ui_format_partner_id:
 * @partner_id: the partner's ID, or 0
 *
 * Returns: (transfer full): "ID 123 456 782", or "" when there is no
 *   valid ID to show
 */
char *
td_ui_format_partner_id (guint partner_id)
{
  g_autofree char *id = NULL;

  if (partner_id == 0 || !td_id_is_valid (partner_id))
    return g_strdup ("");

  id = td_id_format (partner_id);
  /* Translators: a partner's ID, as in "ID 123 456 782". */
  return g_strdup_printf (_("ID %s"), id);
}

#ifdef GDK_WINDOWING_X11
static void
keep_above_x11 (GtkWindow *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));
  Display *xdisplay = gdk_x11_display_get_xdisplay (display);
  Window xid = gdk_x11_surface_get_xid (surface);
  Atom wm_state = gdk_x11_get_xatom_by_name_for_display (display, "_NET_WM_STATE");
  Atom above = gdk_x11_get_xatom_by_name_for_display (display, "_NET_WM_STATE_ABOVE");

  if (gdk_x11_screen_supports_net_wm_hint (gdk_x11_display_get_screen (display),
                                           "_NET_WM_STATE_ABOVE"))
    {
      XClientMessageEvent event = { 0 };

      /* A mapped window asks its window manager (EWMH, _NET_WM_STATE). */
      event.type = ClientMessage;
      event.window = xid;
      event.message_type = wm_state;
      event.format = 32;
      event.data.l[0] = 1; /* _NET_WM_STATE_ADD */
      event.data.l[1] = (long) above;
      event.data.l[2] = 0;
      event.data.l[3] = 1; /* from a normal application */

      XSendEvent (xdisplay, DefaultRootWindow (xdisplay), False,
                  SubstructureRedirectMask | SubstructureNotifyMask,
                  (XEvent *) &event);
    }
  else
    {
      g_autofree Atom *atoms = NULL;
      Atom type = None;
      int format = 0;
      unsigned long n_items = 0, bytes_after = 0;
      unsigned char *data = NULL;
      gsize n = 0;

      /* No window manager that could be asked: write the state ourselves,
       * where one that starts later reads it. GDK wrote the property (or
       * deleted it) when it mapped the window, so add to what is there. */
      gdk_x11_display_error_trap_push (display);
      if (XGetWindowProperty (xdisplay, xid, wm_state, 0, 64, False, XA_ATOM,
                              &type, &format, &n_items, &bytes_after,
                              &data) != Success || type != XA_ATOM || format != 32)
        n_items = 0;

      atoms = g_new0 (Atom, n_items + 1);
      for (unsigned long i = 0; i < n_items; i++)
        {
          Atom atom = ((Atom *) data)[i];

          if (atom != above)
            atoms[n++] = atom;
        }
      atoms[n++] = above;
      if (data != NULL)
        XFree (data);

      XChangeProperty (xdisplay, xid, wm_state, XA_ATOM, 32, PropModeReplace,
                       (unsigned char *) atoms, (int) n);
      gdk_x11_display_error_trap_pop_ignored (display);
    }

  XFlush (xdisplay);
}
#endif

static void
on_keep_above_map (GtkWindow *window)
{
#ifdef GDK_WINDOWING_X11
  if (GDK_IS_X11_SURFACE (gtk_native_get_surface (GTK_NATIVE (window))))
    keep_above_x11 (window);
#endif
  /* Wayland has no way for an application to stay above others: the
   * caller shows a persistent notification as well. */
}

/**
 * td_window_keep_above:
 * @window: a #GtkWindow
 *
 * Keeps @window above other windows whenever it is shown, where the
 * windowing system lets an application ask for it: on X11, through
 * _NET_WM_STATE_ABOVE. GTK 4 has no API for it any more.
 */
void
td_window_keep_above (GtkWindow *window)
{
  g_return_if_fail (GTK_IS_WINDOW (window));

  g_signal_connect (window, "map", G_CALLBACK (on_keep_above_map), NULL);
  if (gtk_widget_get_mapped (GTK_WIDGET (window)))
    on_keep_above_map (window);
}
