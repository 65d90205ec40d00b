/* test-report-pdf.c: the session report as a PDF, read back by poppler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Needs pdftoppm (poppler-utils): exits 77, "skipped", without it.
 */
#include <string.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>

#include "td-report.h"

typedef struct {
  char *dir;
  char *pdf;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("td-report-pdf-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->pdf = g_build_filename (f->dir, "report.pdf", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->pdf);
  g_free (f->dir);
}

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *standard_error = NULL;
  char *standard_output = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &standard_output, &standard_error, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("%s: %s", argv[0], standard_error);
      g_assert_no_error (error);
    }

  return standard_output;
}

static TdReport *
make_report (const char *notes)
{
  g_autoptr(GDateTime) started = g_date_time_new_utc (2024, 3, 5, 14, 3, 0);
  const char *permissions[] = { "view", "control", "clipboard", NULL };
  TdReport *report = td_report_new ();

  td_report_set_started_at (report, started);
  td_report_set_duration (report, 754);
  td_report_set_host (report, "Anna's Laptop", "123 456 789");
  td_report_set_viewer (report, "Helpdesk <Ben>", "987 654 321");
  td_report_set_permissions (report, permissions);
  td_report_add_file (report, "driver & setup.exe", 5 * 1000 * 1000, TD_REPORT_DIRECTION_TO_HOST);
  td_report_set_terminal_used (report, FALSE);
  td_report_set_notes (report, notes);

  return report;
}

static void
check_png (const char *path)
{
  cairo_surface_t *image;
  const guint8 *data;
  int width, height, stride;
  guint dark = 0;
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);

  image = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  width = cairo_image_surface_get_width (image);
  height = cairo_image_surface_get_height (image);
  stride = cairo_image_surface_get_stride (image);
  data = cairo_image_surface_get_data (image);

  /* A4 at 50 dpi. */
  g_assert_cmpint (ABS (width - 413), <=, 2);
  g_assert_cmpint (ABS (height - 585), <=, 2);

  /* Text was drawn: some pixels are far from white. */
  for (int y = 0; y < height; y++)
    {
      const guint32 *row = (const guint32 *) (gconstpointer) (data + y * stride);

      for (int x = 0; x < width; x++)
        {
          guint32 pixel = row[x];
          guint luma = (((pixel >> 16) & 0xff) + ((pixel >> 8) & 0xff) + (pixel & 0xff)) / 3;

          if (luma < 128)
            dark++;
        }
    }
  g_test_message ("%s: %d×%d, %u dark pixels", path, width, height, dark);
  g_assert_cmpuint (dark, >, 500);

  cairo_surface_destroy (image);
}

static void
test_render (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(TdReport) report = make_report ("Cleaned the <b>spooler</b> & restarted it.\n"
                                            "Umlauts: äöü, emoji: 😀");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *prefix = g_build_filename (f->dir, "page", NULL);
  g_autofree char *png = g_build_filename (f->dir, "page-1.png", NULL);
  gsize length;

  g_assert_true (td_report_write_pdf (report, f->pdf, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (f->pdf, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));

  g_free (run ((const char *[]) { "pdftoppm", "-png", "-r", "50", f->pdf, prefix, NULL }));
  check_png (png);

  if (have_program ("pdftotext"))
    {
      g_autofree char *text = run ((const char *[]) { "pdftotext", "-layout", f->pdf, "-", NULL });

      g_test_message ("%s", text);
      g_assert_nonnull (strstr (text, "Remote help session"));
      g_assert_nonnull (strstr (text, "Anna's Laptop (123 456 789)"));
      g_assert_nonnull (strstr (text, "Helpdesk <Ben> (987 654 321)"));
      g_assert_nonnull (strstr (text, "12 min 34 s"));
      g_assert_nonnull (strstr (text, "Share the clipboard"));
      g_assert_nonnull (strstr (text, "driver & setup.exe"));
      g_assert_nonnull (strstr (text, "No terminal was opened"));
      /* Markup in the notes is text, not formatting. */
      g_assert_nonnull (strstr (text, "Cleaned the <b>spooler</b> & restarted it."));
      g_assert_nonnull (strstr (text, "page 1 of 1"));
    }
}

static void
test_many_pages (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autoptr(TdReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *info = NULL;
  g_autofree char *prefix = g_build_filename (f->dir, "page", NULL);
  const char *pages_line;
  guint64 n_pages;

  for (guint i = 1; i <= 5000; i++)
    g_string_append_printf (notes, "Line %u of the notes, long enough to be a real line.\n", i);
  /* One line far wider than the page: wrapped, not cut. */
  for (guint i = 0; i < 400; i++)
    g_string_append (notes, "word ");
  g_string_append (notes, "\nLAST-LINE");

  report = make_report (notes->str);
  g_assert_true (td_report_write_pdf (report, f->pdf, &error));
  g_assert_no_error (error);

  if (!have_program ("pdfinfo"))
    {
      g_test_skip ("pdfinfo is not installed");
      return;
    }

  info = run ((const char *[]) { "pdfinfo", f->pdf, NULL });
  pages_line = strstr (info, "\nPages:");
  g_assert_nonnull (pages_line);
  n_pages = g_ascii_strtoull (pages_line + strlen ("\nPages:"), NULL, 10);
  g_test_message ("%" G_GUINT64_FORMAT " pages", n_pages);
  g_assert_cmpuint (n_pages, >, 1);
  /* About 70 lines of notes a page. */
  g_assert_cmpuint (n_pages, >=, 5000 / 100);
  g_assert_cmpuint (n_pages, <=, 5000 / 30);

  /* The first and last pages render. */
  {
    g_autofree char *last = g_strdup_printf ("%" G_GUINT64_FORMAT, n_pages);
    g_autofree char *first_png = NULL;
    g_autofree char *last_png = NULL;
    int digits = (int) strlen (last);

    g_free (run ((const char *[]) { "pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1",
                                    f->pdf, prefix, NULL }));
    g_free (run ((const char *[]) { "pdftoppm", "-png", "-r", "50", "-f", last, "-l", last,
                                    f->pdf, prefix, NULL }));
    /* pdftoppm pads the page number to the width of the last one. */
    first_png = g_strdup_printf ("%s-%0*d.png", prefix, digits, 1);
    last_png = g_strdup_printf ("%s-%s.png", prefix, last);
    check_png (first_png);
    check_png (last_png);
  }

  if (have_program ("pdftotext"))
    {
      g_autofree char *text = run ((const char *[]) { "pdftotext", f->pdf, "-", NULL });
      g_autofree char *footer = g_strdup_printf ("page %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
                                                 n_pages, n_pages);

      g_assert_nonnull (strstr (text, "Line 1 of the notes"));
      g_assert_nonnull (strstr (text, "Line 2500 of the notes"));
      g_assert_nonnull (strstr (text, "Line 5000 of the notes"));
      g_assert_nonnull (strstr (text, "LAST-LINE"));
      g_assert_nonnull (strstr (text, footer));
    }
}

static void
test_unwritable (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(TdReport) report = make_report ("notes");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "missing", "report.pdf", NULL);

  g_assert_false (td_report_write_pdf (report, path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!have_program ("pdftoppm"))
    {
      g_printerr ("pdftoppm (poppler-utils) is not installed: skipped\n");
      return 77;
    }

  g_test_add ("/tools/report/pdf/render", Fixture, NULL,
              fixture_set_up, test_render, fixture_tear_down);
  g_test_add ("/tools/report/pdf/many-pages", Fixture, NULL,
              fixture_set_up, test_many_pages, fixture_tear_down);
  g_test_add ("/tools/report/pdf/unwritable", Fixture, NULL,
              fixture_set_up, test_unwritable, fixture_tear_down);

  status = g_test_run ();

  /* Hand back the font caches, so that valgrind sees them freed. */
  pango_cairo_font_map_set_default (NULL);
  cairo_debug_reset_static_data ();
  FcFini ();

  return status;
}
