#define G_LOG_DOMAIN "td-ui"
/* main.c: the tandem app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>

#include <glib/gi18n.h>

#include "td-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TdApplication) application = NULL;

  /* Before the options are parsed, so that --help is translated too. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = td_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
