/* demo-windows.c: shows one session window with sample data, for
 * tools/screenshot.sh
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   demo-windows consent   the consent dialog, as Anna asks to help
 *   demo-windows banner    the banner of a session with Anna
 *   demo-windows session   the helper's window, connected to Anna
 *
 * Runs until killed. Not a test: the screenshots are taken from it.
 */
#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "td-session.h"

#include "td-application.h"
#include "td-banner.h"
#include "td-consent-dialog.h"
#include "td-window.h"

#define DEMO_TYPE_SESSION (demo_session_get_type ())
G_DECLARE_FINAL_TYPE (DemoSession, demo_session, DEMO, SESSION, TdSession)

struct _DemoSession
{
  TdSession parent_instance;
};

G_DEFINE_FINAL_TYPE (DemoSession, demo_session, TD_TYPE_SESSION)

static void
demo_session_class_init (DemoSessionClass *klass)
{
}

static void
demo_session_init (DemoSession *self)
{
}

static void
answered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  td_consent_prompt_ask_finish (TD_CONSENT_PROMPT (source), result, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(TdApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  const char *what = argc > 1 ? argv[1] : "";

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!gtk_init_check ())
    {
      g_printerr ("No display\n");
      return 1;
    }

  application = td_application_new ();
  g_application_set_flags (G_APPLICATION (application), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (application), NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (g_str_equal (what, "consent"))
    {
      g_autoptr(TdConsentRequest) request = NULL;
      TdConsentDialog *dialog = td_consent_dialog_new (NULL);

      request = td_consent_request_new ("Anna", 123456782, "",
                                        TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL |
                                        TD_PERMISSION_CLIPBOARD | TD_PERMISSION_AUDIO,
                                        30);
      td_consent_prompt_ask_async (TD_CONSENT_PROMPT (dialog), request, NULL, answered_cb, NULL);
    }
  else if (g_str_equal (what, "banner"))
    {
      /* No application: the demo sends no notification. */
      TdBanner *banner = td_banner_new (NULL, "Anna", 123456782,
                                        TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL |
                                        TD_PERMISSION_AUDIO);

      gtk_window_present (GTK_WINDOW (banner));
    }
  else if (g_str_equal (what, "session"))
    {
      TdWindow *window = td_window_new (application);
      g_autoptr(DemoSession) session = g_object_new (DEMO_TYPE_SESSION, NULL);

      gtk_window_set_default_size (GTK_WINDOW (window), 800, 560);
      gtk_window_present (GTK_WINDOW (window));
      td_window_show_session (window, TD_SESSION (session));
      td_session_set_peer (TD_SESSION (session), 123456782, "Anna", "");
      td_session_set_path (TD_SESSION (session), TD_PATH_DIRECT);
      td_session_set_state (TD_SESSION (session), TD_SESSION_STATE_CONNECTED);
      td_session_view_set_permissions (td_window_get_session_view (window),
                                       TD_PERMISSION_VIEW | TD_PERMISSION_CONTROL |
                                       TD_PERMISSION_AUDIO);
    }
  else
    {
      g_printerr ("usage: %s consent|banner|session\n", argv[0]);
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);

  return 0;
}
