/* test-audit-log.c: the local session log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "td-audit-log.h"

typedef struct {
  char *dir;
  char *path;
  TdAuditLog *log;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("td-audit-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "logs", "audit.jsonl", NULL);
  f->log = td_audit_log_new (f->path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *logs = g_build_filename (f->dir, "logs", NULL);

  g_unlink (f->path);
  g_rmdir (logs);
  g_rmdir (f->dir);
  g_clear_object (&f->log);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_append_and_read (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  GVariantDict dict;
  JsonObject *o;
  GStatBuf st;

  entries = td_audit_log_read (f->log, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
  g_clear_pointer (&entries, g_ptr_array_unref);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "partner-id", "u", 123456782);
  g_variant_dict_insert (&dict, "partner-name", "s", "Anna \"quoted\"\n");
  g_variant_dict_insert (&dict, "relayed", "b", TRUE);
  g_assert_true (td_audit_log_append (f->log, "session-started", g_variant_dict_end (&dict), &error));
  g_assert_no_error (error);
  g_assert_true (td_audit_log_append (f->log, "session-ended", NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  entries = td_audit_log_read (f->log, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  o = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "event"), ==, "session-started");
  g_assert_cmpint (json_object_get_int_member (o, "partner-id"), ==, 123456782);
  g_assert_cmpstr (json_object_get_string_member (o, "partner-name"), ==, "Anna \"quoted\"\n");
  g_assert_true (json_object_get_boolean_member (o, "relayed"));
  g_assert_true (json_object_has_member (o, "time"));
  o = g_ptr_array_index (entries, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "event"), ==, "session-ended");
  g_clear_pointer (&entries, g_ptr_array_unref);

  entries = td_audit_log_read (f->log, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (entries, 0), "event"), ==,
                   "session-ended");
}

static void
test_torn_line_is_skipped (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *torn = NULL;

  g_assert_true (td_audit_log_append (f->log, "one", NULL, &error));
  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  torn = g_strconcat (contents, "{\"time\": \"2026-", NULL);
  g_assert_true (g_file_set_contents (f->path, torn, -1, NULL));

  entries = td_audit_log_read (f->log, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);

  /* the next append starts on a fresh line */
  g_assert_true (td_audit_log_append (f->log, "two", NULL, &error));
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = td_audit_log_read (f->log, 0, &error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (entries, 0), "event"), ==, "one");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (entries, 1), "event"), ==, "two");
}

static void
test_unwritable (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdAuditLog) log = td_audit_log_new ("/proc/td-no-such-dir/audit.jsonl");

  g_assert_false (td_audit_log_append (log, "x", NULL, &error));
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/audit-log/append-and-read", Fixture, NULL, fixture_set_up, test_append_and_read, fixture_tear_down);
  g_test_add ("/audit-log/torn-line", Fixture, NULL, fixture_set_up, test_torn_line_is_skipped, fixture_tear_down);
  g_test_add ("/audit-log/unwritable", Fixture, NULL, fixture_set_up, test_unwritable, fixture_tear_down);

  return g_test_run ();
}
