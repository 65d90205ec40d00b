/* test-report.c: the session report model and its HTML page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "td-report.h"

#define NASTY_NOTES \
  "Printer queue was stuck.\n" \
  "<script>alert(\"owned\")</script> & 'quotes' \"double\"\n" \
  "  indented line, tab\there\n" \
  "Umlauts: äöü, CJK: 漢字, emoji: 😀"

static TdReport *
make_report (void)
{
  g_autoptr(GDateTime) started = g_date_time_new_utc (2024, 3, 5, 14, 3, 0);
  const char *permissions[] = { "view", "control", "files", "future-flag", NULL };
  TdReport *report = td_report_new ();

  td_report_set_started_at (report, started);
  td_report_set_duration (report, 3725);
  td_report_set_host (report, "Anna <Laptop>", "123 456 789");
  td_report_set_viewer (report, "Ben & Co", "987 654 321");
  td_report_set_permissions (report, permissions);
  td_report_add_file (report, "invoice <2024>.pdf", 123456, TD_REPORT_DIRECTION_TO_HOST);
  td_report_add_file (report, "logs & traces.tar.gz", 42, TD_REPORT_DIRECTION_FROM_HOST);
  td_report_set_terminal_used (report, TRUE);
  td_report_set_notes (report, NASTY_NOTES);
  td_report_set_end_reason (report, "You ended the session.");

  return report;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *n_notifies)
{
  (*n_notifies)++;
}

static void
test_properties (void)
{
  g_autoptr(TdReport) report = td_report_new ();
  g_autoptr(GDateTime) started = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) same = g_date_time_add (started, 0);
  const char *permissions[] = { "view", NULL };
  guint n_notifies = 0;

  g_signal_connect (report, "notify", G_CALLBACK (notify_cb), &n_notifies);

  g_assert_null (td_report_get_started_at (report));
  g_assert_nonnull (td_report_get_permissions (report));
  g_assert_null (td_report_get_permissions (report)[0]);

  td_report_set_started_at (report, started);
  td_report_set_started_at (report, same);
  g_assert_cmpuint (n_notifies, ==, 1);

  td_report_set_notes (report, "a");
  td_report_set_notes (report, "a");
  g_assert_cmpuint (n_notifies, ==, 2);

  td_report_set_host (report, "Anna", "1");
  td_report_set_host (report, "Anna", "1");
  g_assert_cmpuint (n_notifies, ==, 4);

  td_report_set_permissions (report, permissions);
  td_report_set_permissions (report, permissions);
  g_assert_cmpuint (n_notifies, ==, 5);

  td_report_set_terminal_used (report, TRUE);
  td_report_set_terminal_used (report, 2);
  g_assert_cmpuint (n_notifies, ==, 6);

  g_object_set (report, "host-id", "2", NULL);
  g_assert_cmpstr (td_report_get_host_name (report), ==, "Anna");
  g_assert_cmpstr (td_report_get_host_id (report), ==, "2");
  g_assert_cmpuint (n_notifies, ==, 7);
}

static void
test_variant_round_trip (void)
{
  g_autoptr(TdReport) report = make_report ();
  g_autoptr(TdReport) copy = NULL;
  g_autoptr(GVariant) fields = g_variant_ref_sink (td_report_to_variant (report));
  g_autoptr(GVariant) copy_fields = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GVariant) received = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  g_autofree char *copy_html = NULL;

  g_assert_true (g_variant_is_normal_form (fields));

  /* Through bytes, as over the control channel. */
  wire = g_variant_get_data_as_bytes (fields);
  received = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, wire, FALSE));

  copy = td_report_new_from_variant (received, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);

  copy_fields = g_variant_ref_sink (td_report_to_variant (copy));
  g_assert_true (g_variant_equal (fields, copy_fields));

  g_assert_cmpstr (td_report_get_notes (copy), ==, NASTY_NOTES);
  g_assert_cmpuint (td_report_get_n_files (copy), ==, 2);
  g_assert_cmpuint (td_report_get_duration (copy), ==, 3725);
  g_assert_true (td_report_get_terminal_used (copy));
  g_assert_cmpint (g_date_time_to_unix (td_report_get_started_at (copy)), ==,
                   g_date_time_to_unix (td_report_get_started_at (report)));

  html = td_report_to_html (report);
  copy_html = td_report_to_html (copy);
  g_assert_cmpstr (html, ==, copy_html);
}

static void
check_invalid (const char *text,
               const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) fields = g_variant_parse (NULL, text, NULL, NULL, &error);
  g_autoptr(TdReport) report = NULL;

  g_assert_no_error (error);
  report = td_report_new_from_variant (fields, &error);
  g_assert_null (report);
  g_assert_error (error, TD_REPORT_ERROR, TD_REPORT_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, message_part));
}

static void
test_variant_invalid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(TdReport) report = NULL;

  check_invalid ("@a{sv} {'notes': <42>}", "notes");
  check_invalid ("@a{sv} {'duration': <'long'>}", "duration");
  check_invalid ("@a{sv} {'permissions': <'view'>}", "permissions");
  check_invalid ("@a{sv} {'files': <[{'name': <'a'>, 'direction': <'sideways'>}]>}", "sideways");
  check_invalid ("@a{sv} {'files': <[{'size': <@t 1>}]>}", "no name");
  check_invalid ("@a{sv} {'started-at': <@x 9223372036854775807>}", "not a date");
  check_invalid ("('not', 'a dict')", "dictionary");

  /* Unknown keys from a newer peer are ignored; missing ones are empty. */
  fields = g_variant_parse (NULL, "@a{sv} {'future': <true>, 'notes': <'hi'>}", NULL, NULL, &error);
  g_assert_no_error (error);
  report = td_report_new_from_variant (fields, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (td_report_get_notes (report), ==, "hi");
  g_assert_null (td_report_get_host_name (report));
  g_assert_cmpuint (td_report_get_n_files (report), ==, 0);
}

/* A parse of the page as XML: elements, classes and the text in each. */
typedef struct
{
  GPtrArray *stack;
  GString   *all_text;
  GString   *notes_text;
  guint      in_notes;
  guint      n_scripts;
  guint      n_elements;
  gboolean   has_style;
  gboolean   has_title;
} Page;

static void
page_start (GMarkupParseContext  *context,
            const char           *element,
            const char          **names,
            const char          **values,
            gpointer              user_data,
            GError              **error)
{
  Page *page = user_data;

  page->n_elements++;
  if (g_str_equal (element, "script") || g_str_equal (element, "iframe") ||
      g_str_equal (element, "img") || g_str_equal (element, "link"))
    page->n_scripts++;
  if (g_str_equal (element, "style"))
    page->has_style = TRUE;
  if (g_str_equal (element, "title"))
    page->has_title = TRUE;

  for (guint i = 0; names[i] != NULL; i++)
    {
      /* No event handlers, no outside sources. */
      g_assert_false (g_str_has_prefix (names[i], "on"));
      g_assert_cmpstr (names[i], !=, "src");
      g_assert_cmpstr (names[i], !=, "href");

      if (g_str_equal (names[i], "class") && g_str_equal (values[i], "notes"))
        page->in_notes = page->stack->len + 1;
    }

  g_ptr_array_add (page->stack, g_strdup (element));
}

static void
page_end (GMarkupParseContext  *context,
          const char           *element,
          gpointer              user_data,
          GError              **error)
{
  Page *page = user_data;

  if (page->in_notes == page->stack->len)
    page->in_notes = 0;
  g_ptr_array_remove_index (page->stack, page->stack->len - 1);
}

static void
page_text (GMarkupParseContext  *context,
           const char           *text,
           gsize                 length,
           gpointer              user_data,
           GError              **error)
{
  Page *page = user_data;

  g_string_append_len (page->all_text, text, length);
  if (page->in_notes > 0)
    g_string_append_len (page->notes_text, text, length);
}

static void
parse_page (const char *html,
            Page       *page)
{
  static const GMarkupParser parser = { page_start, page_end, page_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;

  page->stack = g_ptr_array_new_with_free_func (g_free);
  page->all_text = g_string_new (NULL);
  page->notes_text = g_string_new (NULL);

  context = g_markup_parse_context_new (&parser, 0, page, NULL);
  g_markup_parse_context_parse (context, html, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->stack->len, ==, 0);
}

static void
page_clear (Page *page)
{
  g_ptr_array_unref (page->stack);
  g_string_free (page->all_text, TRUE);
  g_string_free (page->notes_text, TRUE);
}

static void
test_html (void)
{
  g_autoptr(TdReport) report = make_report ();
  g_autofree char *html = td_report_to_html (report);
  Page page = { 0, };
  const char *expected[] = {
    "Anna <Laptop> (123 456 789)",
    "Ben & Co (987 654 321)",
    "1 h 2 min",
    "See the screen",
    "Use the mouse and keyboard",
    "Send and receive files",
    "future-flag",
    "invoice <2024>.pdf",
    "123.5\xc2\xa0kB",
    "logs & traces.tar.gz",
    "To the helped computer",
    "From the helped computer",
    "A terminal was opened",
    "You ended the session.",
    "2024",
  };

  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>\n"));
  g_assert_true (g_utf8_validate (html, -1, NULL));

  /* The raw page never holds the markup from the fields. */
  g_assert_null (strstr (html, "<script"));
  g_assert_null (strstr (html, "<Laptop>"));
  g_assert_nonnull (strstr (html, "&lt;script&gt;alert("));
  g_assert_nonnull (strstr (html, "Content-Security-Policy"));

  parse_page (html, &page);
  g_assert_cmpuint (page.n_scripts, ==, 0);
  g_assert_true (page.has_style);
  g_assert_true (page.has_title);

  /* The notes come back exactly, as text. */
  g_assert_cmpstr (page.notes_text->str, ==, NASTY_NOTES);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      if (strstr (page.all_text->str, expected[i]) == NULL)
        g_test_fail_printf ("“%s” is not in the page", expected[i]);
    }

  page_clear (&page);
}

static void
test_html_empty (void)
{
  g_autoptr(TdReport) report = td_report_new ();
  g_autofree char *html = td_report_to_html (report);
  Page page = { 0, };

  parse_page (html, &page);
  g_assert_nonnull (strstr (page.all_text->str, "No files were moved."));
  g_assert_nonnull (strstr (page.all_text->str, "No notes."));
  g_assert_nonnull (strstr (page.all_text->str, "No terminal was opened"));
  g_assert_nonnull (strstr (page.all_text->str, "Unknown"));
  g_assert_cmpstr (page.notes_text->str, ==, "");
  page_clear (&page);
}

static void
test_write_html (void)
{
  g_autoptr(TdReport) report = make_report ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("td-report-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "report.html", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "missing", "report.html", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *html = td_report_to_html (report);

  g_assert_true (td_report_write_html (report, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, html);

  g_assert_false (td_report_write_html (report, bad_path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "missing"));

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* Dates and sizes as the assertions expect them. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tools/report/properties", test_properties);
  g_test_add_func ("/tools/report/variant-round-trip", test_variant_round_trip);
  g_test_add_func ("/tools/report/variant-invalid", test_variant_invalid);
  g_test_add_func ("/tools/report/html", test_html);
  g_test_add_func ("/tools/report/html-empty", test_html_empty);
  g_test_add_func ("/tools/report/write-html", test_write_html);

  return g_test_run ();
}
