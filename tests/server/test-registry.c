/* test-registry.c: the SQLite binding of IDs to device keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "td-id.h"
#include "td-registry.h"

static GBytes *
key_of (guint8 seed)
{
  guint8 raw[32];

  for (guint i = 0; i < sizeof raw; i++)
    raw[i] = (guint8) (seed * 31 + i);
  return g_bytes_new (raw, sizeof raw);
}

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("td-registry-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "sub", "registry.db", NULL);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *sub = g_build_filename (f->dir, "sub", NULL);
  const char *suffixes[] = { "", "-wal", "-shm", NULL };

  for (guint i = 0; suffixes[i] != NULL; i++)
    {
      g_autofree char *file = g_strconcat (f->path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (sub);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_bind_and_lookup (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRegistry) registry = td_registry_open (f->path, &error);
  g_autoptr(GBytes) a = key_of (1);
  g_autoptr(GBytes) b = key_of (2);
  g_autoptr(GBytes) found = NULL;
  gboolean created = FALSE;
  guint32 id_a, id_b, looked_up = 1;

  g_assert_no_error (error);
  g_assert_cmpint (td_registry_count (registry, NULL), ==, 0);

  g_assert_true (td_registry_lookup_key (registry, a, &looked_up, &error));
  g_assert_cmpuint (looked_up, ==, 0);

  id_a = td_registry_bind (registry, a, 0, &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_true (td_id_is_valid (id_a));

  /* The same key, the same ID */
  g_assert_cmpuint (td_registry_bind (registry, a, 0, &created, &error), ==, id_a);
  g_assert_false (created);
  g_assert_true (td_registry_lookup_key (registry, a, &looked_up, &error));
  g_assert_cmpuint (looked_up, ==, id_a);
  g_assert_true (td_registry_lookup_id (registry, id_a, &found, &error));
  g_assert_true (g_bytes_equal (found, a));

  /* Another key, another ID; it cannot take the first one's. */
  id_b = td_registry_bind (registry, b, id_a, &created, &error);
  g_assert_cmpuint (id_b, ==, 0);
  g_assert_error (error, TD_REGISTRY_ERROR, TD_REGISTRY_ERROR_ID_TAKEN);
  g_clear_error (&error);
  id_b = td_registry_bind (registry, b, 0, &created, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id_b, !=, id_a);
  g_assert_cmpint (td_registry_count (registry, NULL), ==, 2);

  /* A key's own ID wins over the one it asks for. */
  g_assert_cmpuint (td_registry_bind (registry, a, id_b, NULL, &error), ==, id_a);
  g_assert_no_error (error);

  /* An ID nobody has */
  g_clear_pointer (&found, g_bytes_unref);
  g_assert_true (td_registry_lookup_id (registry, td_id_from_payload (12121212), &found, &error));
  g_assert_null (found);
}

static void
test_wanted_id (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRegistry) registry = td_registry_open (f->path, &error);
  g_autoptr(GBytes) a = key_of (1);
  g_autoptr(GBytes) b = key_of (2);
  guint32 wanted = td_id_from_payload (27182818);

  g_assert_cmpuint (td_registry_bind (registry, a, wanted, NULL, &error), ==, wanted);
  g_assert_no_error (error);

  /* An invalid wanted ID is ignored rather than stored. */
  {
    guint32 id = td_registry_bind (registry, b, wanted + 1, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (td_id_is_valid (id));
    g_assert_cmpuint (id, !=, wanted + 1);
  }
}

static void
test_survives_reopen (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = key_of (7);
  guint32 id, again = 0;

  {
    g_autoptr(TdRegistry) registry = td_registry_open (f->path, &error);

    g_assert_no_error (error);
    id = td_registry_bind (registry, a, 0, NULL, &error);
    g_assert_no_error (error);
  }

  {
    g_autoptr(TdRegistry) registry = td_registry_open (f->path, &error);

    g_assert_no_error (error);
    g_assert_true (td_registry_lookup_key (registry, a, &again, &error));
    g_assert_cmpuint (again, ==, id);
    g_assert_cmpuint (td_registry_bind (registry, a, 0, NULL, &error), ==, id);
  }
}

static void
test_wal_and_two_handles (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRegistry) one = td_registry_open (f->path, &error);
  g_autoptr(TdRegistry) two = td_registry_open (f->path, &error);
  g_autoptr(GBytes) a = key_of (3);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint32 id, seen = 0;

  g_assert_no_error (error);

  /* Like two server processes on one host */
  id = td_registry_bind (one, a, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (td_registry_lookup_key (two, a, &seen, &error));
  g_assert_cmpuint (seen, ==, id);
  g_assert_cmpuint (td_registry_bind (two, a, 0, NULL, &error), ==, id);

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_batch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRegistry) registry = td_registry_open (f->path, &error);
  g_autoptr(GHashTable) ids = g_hash_table_new (NULL, NULL);

  g_assert_true (td_registry_begin (registry, &error));
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GBytes) key = key_of ((guint8) i);
      guint32 id = td_registry_bind (registry, key, 0, NULL, &error);

      g_assert_no_error (error);
      g_assert_false (g_hash_table_contains (ids, GUINT_TO_POINTER (id)));
      g_hash_table_add (ids, GUINT_TO_POINTER (id));
    }
  g_assert_true (td_registry_commit (registry, &error));
  g_assert_cmpint (td_registry_count (registry, NULL), ==, 200);

  /* A rolled back batch leaves nothing. */
  g_assert_true (td_registry_begin (registry, &error));
  {
    g_autoptr(GBytes) key = g_bytes_new ("a different key of 32 bytes.....", 32);

    g_assert_cmpuint (td_registry_bind (registry, key, 0, NULL, &error), !=, 0);
  }
  td_registry_rollback (registry);
  g_assert_cmpint (td_registry_count (registry, NULL), ==, 200);
}

static void
test_corrupt (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = g_path_get_dirname (f->path);
  g_autoptr(TdRegistry) registry = NULL;

  g_mkdir_with_parents (sub, 0700);
  g_assert_true (g_file_set_contents (f->path, "this is not a database, not at all, no sir", -1, NULL));
  registry = td_registry_open (f->path, &error);
  g_assert_null (registry);
  g_assert_error (error, TD_REGISTRY_ERROR, TD_REGISTRY_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, f->path));
}

static void
test_too_new (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRegistry) registry = NULL;
  g_autofree char *sub = g_path_get_dirname (f->path);
  sqlite3 *db = NULL;

  g_mkdir_with_parents (sub, 0700);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version=99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  registry = td_registry_open (f->path, &error);
  g_assert_null (registry);
  g_assert_error (error, TD_REGISTRY_ERROR, TD_REGISTRY_ERROR_TOO_NEW);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/registry/bind-and-lookup", Fixture, NULL, set_up, test_bind_and_lookup, tear_down);
  g_test_add ("/registry/wanted-id", Fixture, NULL, set_up, test_wanted_id, tear_down);
  g_test_add ("/registry/survives-reopen", Fixture, NULL, set_up, test_survives_reopen, tear_down);
  g_test_add ("/registry/wal-and-two-handles", Fixture, NULL, set_up, test_wal_and_two_handles, tear_down);
  g_test_add ("/registry/batch", Fixture, NULL, set_up, test_batch, tear_down);
  g_test_add ("/registry/corrupt", Fixture, NULL, set_up, test_corrupt, tear_down);
  g_test_add ("/registry/too-new", Fixture, NULL, set_up, test_too_new, tear_down);

  return g_test_run ();
}
