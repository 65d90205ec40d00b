/* td-registry.c: the lasting binding of IDs to device keys, in SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One table: an ID, the raw Ed25519 public key it belongs to (each unique),
 * when it was made and when it was last seen (coarsely, to find IDs nobody
 * uses any more without a write per registration). The database is in WAL
 * mode with synchronous=FULL: a binding the server has answered with is on
 * disk, whatever happens to the process or the machine afterwards. Several
 * tandem-server processes on one host may share the file.
 */
#define G_LOG_DOMAIN "td-registry"

#include <errno.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "td-id.h"
#include "td-registry.h"

#define SCHEMA_VERSION     1
#define BUSY_TIMEOUT_MS    5000
#define TOUCH_INTERVAL_S   (24 * 3600)
#define MAX_ID_ATTEMPTS    64

struct _TdRegistry
{
  GObject       parent_instance;
  char         *path;
  sqlite3      *db;
  sqlite3_stmt *select_by_key;
  sqlite3_stmt *select_by_id;
  sqlite3_stmt *insert;
  sqlite3_stmt *touch;
  sqlite3_stmt *count;
  sqlite3_stmt *begin;
  sqlite3_stmt *commit;
  sqlite3_stmt *rollback;
};

G_DEFINE_FINAL_TYPE (TdRegistry, td_registry, G_TYPE_OBJECT)
G_DEFINE_QUARK (td-registry-error-quark, td_registry_error)

static void
td_registry_finalize (GObject *object)
{
  TdRegistry *self = (TdRegistry *) object;

  g_clear_pointer (&self->select_by_key, sqlite3_finalize);
  g_clear_pointer (&self->select_by_id, sqlite3_finalize);
  g_clear_pointer (&self->insert, sqlite3_finalize);
  g_clear_pointer (&self->touch, sqlite3_finalize);
  g_clear_pointer (&self->count, sqlite3_finalize);
  g_clear_pointer (&self->begin, sqlite3_finalize);
  g_clear_pointer (&self->commit, sqlite3_finalize);
  g_clear_pointer (&self->rollback, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (td_registry_parent_class)->finalize (object);
}

static void
td_registry_class_init (TdRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = td_registry_finalize;
}

static void
td_registry_init (TdRegistry *self)
{
}

static gboolean
set_sqlite_error (TdRegistry  *self,
                  GError     **error,
                  const char  *what)
{
  int rc = sqlite3_extended_errcode (self->db);
  int code = TD_REGISTRY_ERROR_FAILED;

  if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
    code = TD_REGISTRY_ERROR_CORRUPT;

  g_set_error (error, TD_REGISTRY_ERROR, code, "%s in “%s”: %s",
               what, self->path, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (TdRegistry  *self,
      const char  *sql,
      const char  *what,
      GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, what);
  return TRUE;
}

static gboolean
prepare (TdRegistry    *self,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, "Could not prepare the registry");
  return TRUE;
}

/* Runs a statement that returns no rows, and resets it. */
static int
step_once (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return rc;
}

static gint64
pragma_int (TdRegistry *self,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
setup_schema (TdRegistry  *self,
              GError     **error)
{
  gint64 version;

  if (!exec (self, "PRAGMA journal_mode=WAL", "Could not open the registry", error) ||
      !exec (self, "PRAGMA synchronous=FULL", "Could not open the registry", error))
    return FALSE;

  version = pragma_int (self, "PRAGMA user_version");
  if (version < 0)
    return set_sqlite_error (self, error, "Could not read the registry");

  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, TD_REGISTRY_ERROR, TD_REGISTRY_ERROR_TOO_NEW,
                   "The registry “%s” was written by a newer tandem-server (schema %" G_GINT64_FORMAT "); "
                   "upgrade this server or point --db at another file",
                   self->path, version);
      return FALSE;
    }

  if (version < SCHEMA_VERSION)
    {
      if (!exec (self,
                 "BEGIN IMMEDIATE;"
                 "CREATE TABLE IF NOT EXISTS bindings ("
                 "  id INTEGER PRIMARY KEY,"
                 "  public_key BLOB NOT NULL UNIQUE,"
                 "  created INTEGER NOT NULL,"
                 "  last_seen INTEGER NOT NULL"
                 ");"
                 "PRAGMA user_version=1;"
                 "COMMIT;",
                 "Could not create the registry", error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  return prepare (self, "SELECT id FROM bindings WHERE public_key = ?1", &self->select_by_key, error) &&
         prepare (self, "SELECT public_key FROM bindings WHERE id = ?1", &self->select_by_id, error) &&
         prepare (self, "INSERT INTO bindings (id, public_key, created, last_seen) VALUES (?1, ?2, ?3, ?3)", &self->insert, error) &&
         prepare (self, "UPDATE bindings SET last_seen = ?2 WHERE id = ?1 AND last_seen < ?2 - " G_STRINGIFY (TOUCH_INTERVAL_S), &self->touch, error) &&
         prepare (self, "SELECT COUNT(*) FROM bindings", &self->count, error) &&
         prepare (self, "BEGIN IMMEDIATE", &self->begin, error) &&
         prepare (self, "COMMIT", &self->commit, error) &&
         prepare (self, "ROLLBACK", &self->rollback, error);
}

/**
 * td_registry_open:
 * @path: the database file, made with its folder if missing; or
 *   ":memory:" for a registry that lives as long as the object
 * @error: a #GError
 *
 * Returns: (transfer full): the registry, or %NULL
 */
TdRegistry *
td_registry_open (const char  *path,
                  GError     **error)
{
  g_autoptr(TdRegistry) self = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (TD_TYPE_REGISTRY, NULL);
  self->path = g_strdup (path);

  if (g_strcmp0 (path, ":memory:") != 0)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Could not create the folder “%s” for the registry: %s",
                       dir, g_strerror (saved_errno));
          return NULL;
        }
    }

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      if (self->db == NULL)
        {
          g_set_error (error, TD_REGISTRY_ERROR, TD_REGISTRY_ERROR_FAILED,
                       "Could not open the registry “%s”: out of memory", path);
          return NULL;
        }
      set_sqlite_error (self, error, "Could not open the registry");
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  if (!setup_schema (self, error))
    return NULL;

  g_debug ("Registry %s open with %" G_GINT64_FORMAT " bindings", path,
           td_registry_count (self, NULL));

  return g_steal_pointer (&self);
}

const char *
td_registry_get_path (TdRegistry *self)
{
  g_return_val_if_fail (TD_IS_REGISTRY (self), NULL);

  return self->path;
}

/**
 * td_registry_lookup_key:
 * @self: a #TdRegistry
 * @public_key: a raw device public key
 * @out_id: (out): its ID, or 0 if it has none
 * @error: a #GError
 *
 * Returns: %FALSE on a database error
 */
gboolean
td_registry_lookup_key (TdRegistry  *self,
                        GBytes      *public_key,
                        guint32     *out_id,
                        GError     **error)
{
  gsize len;
  const void *data;
  int rc;

  g_return_val_if_fail (TD_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);
  g_return_val_if_fail (out_id != NULL, FALSE);

  *out_id = 0;
  data = g_bytes_get_data (public_key, &len);
  sqlite3_bind_blob (self->select_by_key, 1, data, (int) len, SQLITE_STATIC);
  rc = sqlite3_step (self->select_by_key);
  if (rc == SQLITE_ROW)
    *out_id = (guint32) sqlite3_column_int64 (self->select_by_key, 0);
  sqlite3_reset (self->select_by_key);
  sqlite3_clear_bindings (self->select_by_key);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (self, error, "Could not read the registry");

  return TRUE;
}

/**
 * td_registry_lookup_id:
 * @self: a #TdRegistry
 * @id: an ID
 * @out_public_key: (out) (optional) (transfer full): the key it is bound
 *   to, or %NULL if it is free
 * @error: a #GError
 *
 * Returns: %FALSE on a database error
 */
gboolean
td_registry_lookup_id (TdRegistry  *self,
                       guint32      id,
                       GBytes     **out_public_key,
                       GError     **error)
{
  GBytes *key = NULL;
  int rc;

  g_return_val_if_fail (TD_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (out_public_key != NULL, FALSE);

  sqlite3_bind_int64 (self->select_by_id, 1, id);
  rc = sqlite3_step (self->select_by_id);
  if (rc == SQLITE_ROW)
    key = g_bytes_new (sqlite3_column_blob (self->select_by_id, 0),
                       (gsize) sqlite3_column_bytes (self->select_by_id, 0));
  sqlite3_reset (self->select_by_id);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (self, error, "Could not read the registry");

  *out_public_key = key;
  return TRUE;
}

/**
 * td_registry_begin:
 *
 * Starts a transaction that holds the database's write lock, so that
 * several td_registry_bind() calls share one commit (one disk sync).
 */
gboolean
td_registry_begin (TdRegistry  *self,
                   GError     **error)
{
  g_return_val_if_fail (TD_IS_REGISTRY (self), FALSE);

  if (step_once (self->begin) != SQLITE_DONE)
    return set_sqlite_error (self, error, "Could not write to the registry");
  return TRUE;
}

gboolean
td_registry_commit (TdRegistry  *self,
                    GError     **error)
{
  g_return_val_if_fail (TD_IS_REGISTRY (self), FALSE);

  if (step_once (self->commit) != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "Could not write to the registry");
      td_registry_rollback (self);
      return FALSE;
    }
  return TRUE;
}

void
td_registry_rollback (TdRegistry *self)
{
  g_return_if_fail (TD_IS_REGISTRY (self));

  if (!sqlite3_get_autocommit (self->db))
    step_once (self->rollback);
}

static int
try_insert (TdRegistry *self,
            guint32     id,
            GBytes     *public_key,
            gint64      now)
{
  gsize len;
  const void *data = g_bytes_get_data (public_key, &len);

  sqlite3_bind_int64 (self->insert, 1, id);
  sqlite3_bind_blob (self->insert, 2, data, (int) len, SQLITE_STATIC);
  sqlite3_bind_int64 (self->insert, 3, now);
  return step_once (self->insert);
}

static guint32
bind_locked (TdRegistry  *self,
             GBytes      *public_key,
             guint32      wanted_id,
             gboolean    *out_created,
             GError     **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint32 id = 0;
  int rc;

  if (!td_registry_lookup_key (self, public_key, &id, error))
    return 0;

  if (id != 0)
    {
      /* The key's own ID wins over any it asks for. */
      sqlite3_bind_int64 (self->touch, 1, id);
      sqlite3_bind_int64 (self->touch, 2, now);
      if (step_once (self->touch) != SQLITE_DONE)
        {
          set_sqlite_error (self, error, "Could not write to the registry");
          return 0;
        }
      return id;
    }

  if (wanted_id != 0 && td_id_is_valid (wanted_id))
    {
      rc = try_insert (self, wanted_id, public_key, now);
      if (rc == SQLITE_DONE)
        {
          *out_created = TRUE;
          return wanted_id;
        }
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        {
          g_set_error (error, TD_REGISTRY_ERROR, TD_REGISTRY_ERROR_ID_TAKEN,
                       "The ID %u belongs to another device", wanted_id);
          return 0;
        }
      set_sqlite_error (self, error, "Could not write to the registry");
      return 0;
    }

  for (guint attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++)
    {
      id = td_id_new_random ();
      rc = try_insert (self, id, public_key, now);
      if (rc == SQLITE_DONE)
        {
          *out_created = TRUE;
          return id;
        }
      if ((rc & 0xff) != SQLITE_CONSTRAINT)
        {
          set_sqlite_error (self, error, "Could not write to the registry");
          return 0;
        }
    }

  g_set_error (error, TD_REGISTRY_ERROR, TD_REGISTRY_ERROR_FULL,
               "Could not find a free ID in %d tries; the registry “%s” is nearly full",
               MAX_ID_ATTEMPTS, self->path);
  return 0;
}

/**
 * td_registry_bind:
 * @self: a #TdRegistry
 * @public_key: a raw device public key whose holder proved it holds it
 * @wanted_id: the ID the device had before, or 0
 * @out_created: (out) (optional): set to %TRUE if a binding was made
 * @error: a #GError
 *
 * Gives @public_key its ID: the one it already has; else @wanted_id if it
 * is valid and free (a device keeps its ID if the server lost its
 * database); else a new random one. A @wanted_id bound to another key is
 * %TD_REGISTRY_ERROR_ID_TAKEN: one key can never take another's ID.
 *
 * Inside td_registry_begin() and td_registry_commit() the binding lasts
 * once the commit succeeds; outside, it is committed before returning.
 *
 * Returns: the ID, or 0 on error
 */
guint32
td_registry_bind (TdRegistry  *self,
                  GBytes      *public_key,
                  guint32      wanted_id,
                  gboolean    *out_created,
                  GError     **error)
{
  gboolean own_transaction;
  gboolean created = FALSE;
  guint32 id;

  g_return_val_if_fail (TD_IS_REGISTRY (self), 0);
  g_return_val_if_fail (public_key != NULL, 0);

  own_transaction = sqlite3_get_autocommit (self->db);
  if (own_transaction && !td_registry_begin (self, error))
    return 0;

  id = bind_locked (self, public_key, wanted_id, &created, error);

  if (own_transaction)
    {
      if (id == 0)
        td_registry_rollback (self);
      else if (!td_registry_commit (self, error))
        return 0;
    }

  if (out_created != NULL)
    *out_created = created;

  return id;
}

/**
 * td_registry_count:
 *
 * Returns: how many IDs are bound, or -1 on error
 */
gint64
td_registry_count (TdRegistry  *self,
                   GError     **error)
{
  gint64 n = -1;

  g_return_val_if_fail (TD_IS_REGISTRY (self), -1);

  if (sqlite3_step (self->count) == SQLITE_ROW)
    n = sqlite3_column_int64 (self->count, 0);
  else
    set_sqlite_error (self, error, "Could not read the registry");
  sqlite3_reset (self->count);

  return n;
}
