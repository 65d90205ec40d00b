/* td-audit-log.c: the local record of who connected and what happened
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One JSON object per line, appended with O_APPEND and fsync'ed, so that
 * lines from one process are never interleaved and a crash loses at most
 * the line being written. A torn last line is skipped when reading.
 * Callers pass only what may be kept: never a password, key or content.
 */
#define G_LOG_DOMAIN "td-audit"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "td-audit-log.h"

struct _TdAuditLog
{
  GObject  parent_instance;
  char    *path;
};

G_DEFINE_FINAL_TYPE (TdAuditLog, td_audit_log, G_TYPE_OBJECT)

static void
td_audit_log_finalize (GObject *object)
{
  TdAuditLog *self = (TdAuditLog *) object;

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (td_audit_log_parent_class)->finalize (object);
}

static void
td_audit_log_class_init (TdAuditLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = td_audit_log_finalize;
}

static void
td_audit_log_init (TdAuditLog *self)
{
}

/**
 * td_audit_log_new:
 * @path: the JSON-lines file; its folder is made when needed
 *
 * Returns: (transfer full): a new #TdAuditLog
 */
TdAuditLog *
td_audit_log_new (const char *path)
{
  TdAuditLog *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (TD_TYPE_AUDIT_LOG, NULL);
  self->path = g_strdup (path);

  return self;
}

const char *
td_audit_log_get_path (TdAuditLog *self)
{
  g_return_val_if_fail (TD_IS_AUDIT_LOG (self), NULL);

  return self->path;
}

static gboolean
write_all (int            fd,
           const char    *data,
           gsize          len,
           GError       **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Could not write to the session log: %s", g_strerror (saved_errno));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }

  return TRUE;
}

/**
 * td_audit_log_append:
 * @self: a #TdAuditLog
 * @event: what happened, e.g. "auth-failed"
 * @fields: (nullable): an `a{sv}` with the details; floating refs are sunk
 * @error: a #GError
 *
 * Appends one line: `{"time": ISO 8601, "event": ..., ...fields}`.
 *
 * Returns: %TRUE if the line is on disk
 */
gboolean
td_audit_log_append (TdAuditLog  *self,
                     const char  *event,
                     GVariant    *fields,
                     GError     **error)
{
  g_autoptr(GVariant) owned = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time_str = g_date_time_format_iso8601 (now);
  g_autofree char *dir = NULL;
  g_autofree char *line = NULL;
  g_autofree char *text = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (TD_IS_AUDIT_LOG (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  if (fields != NULL)
    {
      g_return_val_if_fail (g_variant_is_of_type (fields, G_VARIANT_TYPE_VARDICT), FALSE);
      owned = g_variant_ref_sink (fields);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, time_str);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  if (owned != NULL)
    {
      GVariantIter iter;
      const char *key;
      GVariant *value;

      g_variant_iter_init (&iter, owned);
      while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
        {
          JsonNode *node = json_gvariant_serialize (value);

          if (g_strcmp0 (key, "time") != 0 && g_strcmp0 (key, "event") != 0)
            {
              json_builder_set_member_name (builder, key);
              json_builder_add_value (builder, node);
            }
          else
            json_node_unref (node);
          g_variant_unref (value);
        }
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  line = g_strconcat (text, "\n", NULL);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create “%s”: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_open (self->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not open the session log “%s”: %s", self->path, g_strerror (saved_errno));
      return FALSE;
    }

  /* After a crash mid-line, start on a fresh line so only the torn one is lost. */
  {
    struct stat st;
    char last;

    if (fstat (fd, &st) == 0 && st.st_size > 0 &&
        pread (fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
      {
        g_autofree char *fresh = g_strconcat ("\n", line, NULL);

        g_free (g_steal_pointer (&line));
        line = g_steal_pointer (&fresh);
      }
  }

  ok = write_all (fd, line, strlen (line), error);
  if (ok && fsync (fd) != 0 && errno != EINVAL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not save the session log: %s", g_strerror (saved_errno));
      ok = FALSE;
    }
  close (fd);

  return ok;
}

/**
 * td_audit_log_read:
 * @self: a #TdAuditLog
 * @max_entries: keep only the newest this many, 0 for all
 * @error: a #GError
 *
 * Returns: (transfer full) (element-type JsonObject): the entries, oldest
 *   first; a missing file is an empty log
 */
GPtrArray *
td_audit_log_read (TdAuditLog  *self,
                   guint        max_entries,
                   GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (TD_IS_AUDIT_LOG (self), NULL);

  if (!g_file_get_contents (self->path, &contents, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&entries);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (lines[i][0] == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, NULL))
        {
          g_debug ("Skipping an unreadable line %u of %s", i + 1, self->path);
          continue;
        }
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        continue;
      g_ptr_array_add (entries, json_object_ref (json_node_get_object (root)));
    }

  if (max_entries > 0 && entries->len > max_entries)
    g_ptr_array_remove_range (entries, 0, entries->len - max_entries);

  return g_steal_pointer (&entries);
}
