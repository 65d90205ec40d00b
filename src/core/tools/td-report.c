#define G_LOG_DOMAIN "td-tools"
/* td-report.c: what happened in a session, for the record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session report: when, how long, who helped whom, what they were allowed
 * to do, which files moved, whether a terminal was opened, and the
 * technician's notes. It is filled with setters or from a GVariant a{sv}
 * (the same dictionary td_report_to_variant() gives, so it can cross the
 * control channel), and printed as a self-contained HTML page or a PDF.
 *
 * The dictionary; every key is optional, unknown keys are ignored:
 *
 *   "started-at"     x    Unix time, seconds
 *   "duration"       t    seconds
 *   "host-name"      s    the helped computer: device or person name
 *   "host-id"        s    its Tandem ID, "123 456 789"
 *   "viewer-name"    s    the helper
 *   "viewer-id"      s
 *   "permissions"    as   what was allowed: "view", "control", "clipboard",
 *                         "files", "audio" (others are printed as they are)
 *   "files"          aa{sv}  "name" s, "size" t,
 *                            "direction" s: "to-host" or "from-host"
 *   "terminal-used"  b
 *   "notes"          s    the technician's notes, plain text
 *   "end-reason"     s    how the session ended, for people
 *
 * Everything that comes from outside is escaped (g_markup_escape_text())
 * before it goes into HTML or Pango markup; the page also forbids scripts
 * in its Content-Security-Policy, in case.
 */

#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <glib/gi18n.h>

#include "td-report.h"
#include "td-util.h"

/* A4 in points, and its margins. */
#define PAGE_WIDTH    595.276
#define PAGE_HEIGHT   841.890
#define MARGIN        56.0
#define FOOTER_SPACE  28.0
#define LABEL_WIDTH   150.0

typedef struct
{
  char              *name;
  guint64            size;
  TdReportDirection  direction;
} FileEntry;

struct _TdReport
{
  GObject     parent_instance;

  GDateTime  *started_at;
  guint64     duration;
  char       *host_name;
  char       *host_id;
  char       *viewer_name;
  char       *viewer_id;
  GStrv       permissions;
  GPtrArray  *files;
  gboolean    terminal_used;
  char       *notes;
  char       *end_reason;
};

G_DEFINE_FINAL_TYPE (TdReport, td_report, G_TYPE_OBJECT)

G_DEFINE_QUARK (td-report-error-quark, td_report_error)

enum {
  PROP_0,
  PROP_STARTED_AT,
  PROP_DURATION,
  PROP_HOST_NAME,
  PROP_HOST_ID,
  PROP_VIEWER_NAME,
  PROP_VIEWER_ID,
  PROP_PERMISSIONS,
  PROP_TERMINAL_USED,
  PROP_NOTES,
  PROP_END_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
file_entry_free (gpointer data)
{
  FileEntry *entry = data;

  g_free (entry->name);
  g_free (entry);
}

static void
td_report_finalize (GObject *object)
{
  TdReport *self = (TdReport *) object;

  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->host_name, g_free);
  g_clear_pointer (&self->host_id, g_free);
  g_clear_pointer (&self->viewer_name, g_free);
  g_clear_pointer (&self->viewer_id, g_free);
  g_clear_pointer (&self->permissions, g_strfreev);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->notes, g_free);
  g_clear_pointer (&self->end_reason, g_free);

  G_OBJECT_CLASS (td_report_parent_class)->finalize (object);
}

static void
td_report_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TdReport *self = TD_REPORT (object);

  switch (prop_id)
    {
    case PROP_STARTED_AT:
      g_value_set_boxed (value, self->started_at);
      break;

    case PROP_DURATION:
      g_value_set_uint64 (value, self->duration);
      break;

    case PROP_HOST_NAME:
      g_value_set_string (value, self->host_name);
      break;

    case PROP_HOST_ID:
      g_value_set_string (value, self->host_id);
      break;

    case PROP_VIEWER_NAME:
      g_value_set_string (value, self->viewer_name);
      break;

    case PROP_VIEWER_ID:
      g_value_set_string (value, self->viewer_id);
      break;

    case PROP_PERMISSIONS:
      g_value_set_boxed (value, self->permissions);
      break;

    case PROP_TERMINAL_USED:
      g_value_set_boolean (value, self->terminal_used);
      break;

    case PROP_NOTES:
      g_value_set_string (value, self->notes);
      break;

    case PROP_END_REASON:
      g_value_set_string (value, self->end_reason);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_report_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TdReport *self = TD_REPORT (object);

  switch (prop_id)
    {
    case PROP_STARTED_AT:
      td_report_set_started_at (self, g_value_get_boxed (value));
      break;

    case PROP_DURATION:
      td_report_set_duration (self, g_value_get_uint64 (value));
      break;

    case PROP_HOST_NAME:
      td_report_set_host (self, g_value_get_string (value), self->host_id);
      break;

    case PROP_HOST_ID:
      td_report_set_host (self, self->host_name, g_value_get_string (value));
      break;

    case PROP_VIEWER_NAME:
      td_report_set_viewer (self, g_value_get_string (value), self->viewer_id);
      break;

    case PROP_VIEWER_ID:
      td_report_set_viewer (self, self->viewer_name, g_value_get_string (value));
      break;

    case PROP_PERMISSIONS:
      td_report_set_permissions (self, g_value_get_boxed (value));
      break;

    case PROP_TERMINAL_USED:
      td_report_set_terminal_used (self, g_value_get_boolean (value));
      break;

    case PROP_NOTES:
      td_report_set_notes (self, g_value_get_string (value));
      break;

    case PROP_END_REASON:
      td_report_set_end_reason (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_report_class_init (TdReportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = td_report_finalize;
  object_class->get_property = td_report_get_property;
  object_class->set_property = td_report_set_property;

  properties[PROP_STARTED_AT] =
    g_param_spec_boxed ("started-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_DURATION] =
    g_param_spec_uint64 ("duration", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_HOST_NAME] =
    g_param_spec_string ("host-name", NULL, NULL, NULL, flags);
  properties[PROP_HOST_ID] =
    g_param_spec_string ("host-id", NULL, NULL, NULL, flags);
  properties[PROP_VIEWER_NAME] =
    g_param_spec_string ("viewer-name", NULL, NULL, NULL, flags);
  properties[PROP_VIEWER_ID] =
    g_param_spec_string ("viewer-id", NULL, NULL, NULL, flags);
  properties[PROP_PERMISSIONS] =
    g_param_spec_boxed ("permissions", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_TERMINAL_USED] =
    g_param_spec_boolean ("terminal-used", NULL, NULL, FALSE, flags);
  properties[PROP_NOTES] =
    g_param_spec_string ("notes", NULL, NULL, NULL, flags);
  properties[PROP_END_REASON] =
    g_param_spec_string ("end-reason", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
td_report_init (TdReport *self)
{
  self->files = g_ptr_array_new_with_free_func (file_entry_free);
  self->permissions = g_new0 (char *, 1);
}

/**
 * td_report_new:
 *
 * Returns: (transfer full): an empty report
 */
TdReport *
td_report_new (void)
{
  return g_object_new (TD_TYPE_REPORT, NULL);
}

static gboolean
lookup_typed (GVariant            *fields,
              const char          *key,
              const GVariantType  *type,
              GVariant           **value,
              GError             **error)
{
  g_autoptr(GVariant) any = g_variant_lookup_value (fields, key, NULL);

  *value = NULL;

  if (any == NULL)
    return TRUE;

  if (!g_variant_is_of_type (any, type))
    {
      g_set_error (error, TD_REPORT_ERROR, TD_REPORT_ERROR_INVALID,
                   "The session report’s “%s” is a “%s” where a “%.*s” was expected; "
                   "the partner’s Tandem may be too old or too new",
                   key, g_variant_get_type_string (any),
                   (int) g_variant_type_get_string_length (type),
                   g_variant_type_peek_string (type));
      return FALSE;
    }

  *value = g_steal_pointer (&any);
  return TRUE;
}

static gboolean
lookup_string (GVariant    *fields,
               const char  *key,
               char       **out,
               GError     **error)
{
  g_autoptr(GVariant) value = NULL;

  if (!lookup_typed (fields, key, G_VARIANT_TYPE_STRING, &value, error))
    return FALSE;

  if (value != NULL)
    td_set_str (out, g_variant_get_string (value, NULL));

  return TRUE;
}

/**
 * td_report_new_from_variant:
 * @fields: an a{sv} dictionary, described at the top of td-report.c
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the report, or %NULL if a field has
 *   the wrong type or value
 */
TdReport *
td_report_new_from_variant (GVariant  *fields,
                            GError   **error)
{
  g_autoptr(TdReport) self = NULL;
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (fields != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_variant_is_of_type (fields, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, TD_REPORT_ERROR, TD_REPORT_ERROR_INVALID,
                   "A session report must be a dictionary (a{sv}), not a “%s”",
                   g_variant_get_type_string (fields));
      return NULL;
    }

  self = td_report_new ();

  if (!lookup_typed (fields, "started-at", G_VARIANT_TYPE_INT64, &value, error))
    return NULL;
  if (value != NULL)
    {
      self->started_at = g_date_time_new_from_unix_utc (g_variant_get_int64 (value));
      if (self->started_at == NULL)
        {
          g_set_error (error, TD_REPORT_ERROR, TD_REPORT_ERROR_INVALID,
                       "The session report’s start time %" G_GINT64_FORMAT " is not a date",
                       g_variant_get_int64 (value));
          return NULL;
        }
      g_clear_pointer (&value, g_variant_unref);
    }

  if (!lookup_typed (fields, "duration", G_VARIANT_TYPE_UINT64, &value, error))
    return NULL;
  if (value != NULL)
    {
      self->duration = g_variant_get_uint64 (value);
      g_clear_pointer (&value, g_variant_unref);
    }

  if (!lookup_string (fields, "host-name", &self->host_name, error) ||
      !lookup_string (fields, "host-id", &self->host_id, error) ||
      !lookup_string (fields, "viewer-name", &self->viewer_name, error) ||
      !lookup_string (fields, "viewer-id", &self->viewer_id, error) ||
      !lookup_string (fields, "notes", &self->notes, error) ||
      !lookup_string (fields, "end-reason", &self->end_reason, error))
    return NULL;

  if (!lookup_typed (fields, "permissions", G_VARIANT_TYPE_STRING_ARRAY, &value, error))
    return NULL;
  if (value != NULL)
    {
      g_strfreev (self->permissions);
      self->permissions = g_variant_dup_strv (value, NULL);
      g_clear_pointer (&value, g_variant_unref);
    }

  if (!lookup_typed (fields, "terminal-used", G_VARIANT_TYPE_BOOLEAN, &value, error))
    return NULL;
  if (value != NULL)
    {
      self->terminal_used = g_variant_get_boolean (value);
      g_clear_pointer (&value, g_variant_unref);
    }

  if (!lookup_typed (fields, "files", G_VARIANT_TYPE ("aa{sv}"), &value, error))
    return NULL;
  if (value != NULL)
    {
      GVariantIter iter;
      GVariant *file;

      g_variant_iter_init (&iter, value);
      while ((file = g_variant_iter_next_value (&iter)) != NULL)
        {
          g_autoptr(GVariant) owned = file;
          const char *name = NULL;
          const char *direction = NULL;
          guint64 size = 0;
          TdReportDirection dir;

          if (!g_variant_lookup (file, "name", "&s", &name) ||
              !g_variant_lookup (file, "direction", "&s", &direction))
            {
              g_set_error_literal (error, TD_REPORT_ERROR, TD_REPORT_ERROR_INVALID,
                                   "A file in the session report has no name or direction");
              return NULL;
            }

          if (g_str_equal (direction, "to-host"))
            dir = TD_REPORT_DIRECTION_TO_HOST;
          else if (g_str_equal (direction, "from-host"))
            dir = TD_REPORT_DIRECTION_FROM_HOST;
          else
            {
              g_set_error (error, TD_REPORT_ERROR, TD_REPORT_ERROR_INVALID,
                           "A file in the session report went “%s”, which is neither "
                           "“to-host” nor “from-host”", direction);
              return NULL;
            }

          g_variant_lookup (file, "size", "t", &size);
          td_report_add_file (self, name, size, dir);
        }
    }

  return g_steal_pointer (&self);
}

/**
 * td_report_to_variant:
 * @self: a #TdReport
 *
 * Returns: (transfer floating): the report as the a{sv} that
 *   td_report_new_from_variant() reads
 */
GVariant *
td_report_to_variant (TdReport *self)
{
  GVariantBuilder builder;
  GVariantBuilder files;

  g_return_val_if_fail (TD_IS_REPORT (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);

  if (self->started_at != NULL)
    g_variant_builder_add (&builder, "{sv}", "started-at",
                           g_variant_new_int64 (g_date_time_to_unix (self->started_at)));
  g_variant_builder_add (&builder, "{sv}", "duration", g_variant_new_uint64 (self->duration));

#define ADD_STRING(key, field) \
  if (field != NULL) \
    g_variant_builder_add (&builder, "{sv}", key, g_variant_new_string (field))

  ADD_STRING ("host-name", self->host_name);
  ADD_STRING ("host-id", self->host_id);
  ADD_STRING ("viewer-name", self->viewer_name);
  ADD_STRING ("viewer-id", self->viewer_id);
  ADD_STRING ("notes", self->notes);
  ADD_STRING ("end-reason", self->end_reason);

#undef ADD_STRING

  g_variant_builder_add (&builder, "{sv}", "permissions",
                         g_variant_new_strv ((const char * const *) self->permissions, -1));
  g_variant_builder_add (&builder, "{sv}", "terminal-used",
                         g_variant_new_boolean (self->terminal_used));

  g_variant_builder_init (&files, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->files->len; i++)
    {
      const FileEntry *entry = g_ptr_array_index (self->files, i);
      GVariantBuilder file;

      g_variant_builder_init (&file, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&file, "{sv}", "name", g_variant_new_string (entry->name));
      g_variant_builder_add (&file, "{sv}", "size", g_variant_new_uint64 (entry->size));
      g_variant_builder_add (&file, "{sv}", "direction",
                             g_variant_new_string (entry->direction == TD_REPORT_DIRECTION_TO_HOST
                                                   ? "to-host" : "from-host"));
      g_variant_builder_add (&files, "a{sv}", &file);
    }
  g_variant_builder_add (&builder, "{sv}", "files", g_variant_builder_end (&files));

  return g_variant_builder_end (&builder);
}

/* Getters and setters */

/**
 * td_report_get_started_at:
 * @self: a #TdReport
 *
 * Returns: (transfer none) (nullable): when the session started
 */
GDateTime *
td_report_get_started_at (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), NULL);

  return self->started_at;
}

void
td_report_set_started_at (TdReport  *self,
                          GDateTime *started_at)
{
  g_return_if_fail (TD_IS_REPORT (self));

  if (self->started_at == started_at ||
      (self->started_at != NULL && started_at != NULL &&
       g_date_time_equal (self->started_at, started_at)))
    return;

  g_clear_pointer (&self->started_at, g_date_time_unref);
  if (started_at != NULL)
    self->started_at = g_date_time_ref (started_at);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTED_AT]);
}

guint64
td_report_get_duration (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), 0);

  return self->duration;
}

void
td_report_set_duration (TdReport *self,
                        guint64   seconds)
{
  g_return_if_fail (TD_IS_REPORT (self));

  if (self->duration == seconds)
    return;

  self->duration = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
}

const char *
td_report_get_host_name (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), NULL);

  return self->host_name;
}

const char *
td_report_get_host_id (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), NULL);

  return self->host_id;
}

/**
 * td_report_set_host:
 * @self: a #TdReport
 * @name: (nullable): the helped computer's or person's name
 * @id: (nullable): its Tandem ID
 */
void
td_report_set_host (TdReport   *self,
                    const char *name,
                    const char *id)
{
  g_return_if_fail (TD_IS_REPORT (self));

  if (td_set_str (&self->host_name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_NAME]);
  if (td_set_str (&self->host_id, id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_ID]);
}

const char *
td_report_get_viewer_name (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), NULL);

  return self->viewer_name;
}

const char *
td_report_get_viewer_id (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), NULL);

  return self->viewer_id;
}

/**
 * td_report_set_viewer:
 * @self: a #TdReport
 * @name: (nullable): the helper's name
 * @id: (nullable): the helper's Tandem ID
 */
void
td_report_set_viewer (TdReport   *self,
                      const char *name,
                      const char *id)
{
  g_return_if_fail (TD_IS_REPORT (self));

  if (td_set_str (&self->viewer_name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEWER_NAME]);
  if (td_set_str (&self->viewer_id, id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEWER_ID]);
}

/**
 * td_report_get_permissions:
 * @self: a #TdReport
 *
 * Returns: (transfer none): the permissions used, never %NULL
 */
const char * const *
td_report_get_permissions (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), NULL);

  return (const char * const *) self->permissions;
}

/**
 * td_report_set_permissions:
 * @self: a #TdReport
 * @permissions: (nullable) (array zero-terminated=1): what the helper was
 *   allowed to do: "view", "control", "clipboard", "files", "audio"
 */
void
td_report_set_permissions (TdReport           *self,
                           const char * const *permissions)
{
  static const char * const none[] = { NULL };

  g_return_if_fail (TD_IS_REPORT (self));

  if (permissions == NULL)
    permissions = none;

  if (g_strv_equal ((const char * const *) self->permissions, permissions))
    return;

  g_strfreev (self->permissions);
  self->permissions = g_strdupv ((char **) permissions);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERMISSIONS]);
}

/**
 * td_report_add_file:
 * @self: a #TdReport
 * @name: the file's name (not its content)
 * @size: its size in bytes
 * @direction: which way it went
 */
void
td_report_add_file (TdReport          *self,
                    const char        *name,
                    guint64            size,
                    TdReportDirection  direction)
{
  FileEntry *entry;

  g_return_if_fail (TD_IS_REPORT (self));
  g_return_if_fail (name != NULL && g_utf8_validate (name, -1, NULL));

  entry = g_new0 (FileEntry, 1);
  entry->name = g_strdup (name);
  entry->size = size;
  entry->direction = direction;
  g_ptr_array_add (self->files, entry);
}

guint
td_report_get_n_files (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), 0);

  return self->files->len;
}

gboolean
td_report_get_terminal_used (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), FALSE);

  return self->terminal_used;
}

void
td_report_set_terminal_used (TdReport *self,
                             gboolean  terminal_used)
{
  g_return_if_fail (TD_IS_REPORT (self));

  terminal_used = !!terminal_used;
  if (self->terminal_used == terminal_used)
    return;

  self->terminal_used = terminal_used;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TERMINAL_USED]);
}

const char *
td_report_get_notes (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), NULL);

  return self->notes;
}

/**
 * td_report_set_notes:
 * @self: a #TdReport
 * @notes: (nullable): the technician's notes, plain UTF-8 text
 */
void
td_report_set_notes (TdReport   *self,
                     const char *notes)
{
  g_return_if_fail (TD_IS_REPORT (self));
  g_return_if_fail (notes == NULL || g_utf8_validate (notes, -1, NULL));

  if (td_set_str (&self->notes, notes))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTES]);
}

const char *
td_report_get_end_reason (TdReport *self)
{
  g_return_val_if_fail (TD_IS_REPORT (self), NULL);

  return self->end_reason;
}

void
td_report_set_end_reason (TdReport   *self,
                          const char *end_reason)
{
  g_return_if_fail (TD_IS_REPORT (self));
  g_return_if_fail (end_reason == NULL || g_utf8_validate (end_reason, -1, NULL));

  if (td_set_str (&self->end_reason, end_reason))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_END_REASON]);
}

/* What both renderings print */

static char *
format_started_at (TdReport *self)
{
  g_autoptr(GDateTime) local = NULL;

  if (self->started_at == NULL)
    return g_strdup (_("Unknown"));

  local = g_date_time_to_local (self->started_at);
  /* Translators: the session's start, see g_date_time_format() */
  return g_date_time_format (local, _("%A %-d %B %Y, %H:%M"));
}

static char *
format_duration (guint64 seconds)
{
  guint64 hours = seconds / 3600;
  guint minutes = (seconds % 3600) / 60;

  if (seconds < 60)
    return g_strdup_printf (_("%u s"), (guint) seconds);
  if (hours == 0)
    return g_strdup_printf (_("%u min %u s"), minutes, (guint) (seconds % 60));
  return g_strdup_printf (_("%u h %u min"), (guint) MIN (hours, G_MAXUINT), minutes);
}

static char *
format_party (const char *name,
              const char *id)
{
  if (name != NULL && name[0] != '\0' && id != NULL && id[0] != '\0')
    return g_strdup_printf ("%s (%s)", name, id);
  if (name != NULL && name[0] != '\0')
    return g_strdup (name);
  if (id != NULL && id[0] != '\0')
    return g_strdup (id);
  return g_strdup (_("Unknown"));
}

static const char *
permission_label (const char *permission)
{
  struct {
    const char *name;
    const char *label;
  } labels[] = {
    { "view", N_("See the screen") },
    { "control", N_("Use the mouse and keyboard") },
    { "clipboard", N_("Share the clipboard") },
    { "files", N_("Send and receive files") },
    { "audio", N_("Talk by voice") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      if (g_str_equal (permission, labels[i].name))
        return _(labels[i].label);
    }

  return permission;
}

static const char *
direction_label (TdReportDirection direction)
{
  switch (direction)
    {
    case TD_REPORT_DIRECTION_TO_HOST:
      return _("To the helped computer");
    case TD_REPORT_DIRECTION_FROM_HOST:
      return _("From the helped computer");
    default:
      g_return_val_if_reached ("");
    }
}

/* HTML */

static const char html_style[] =
  "  :root { color-scheme: light dark; --fg: #1e1e1e; --bg: #fafafa; --card: #ffffff;\n"
  "          --muted: #5e5c64; --line: #deddda; --accent: #1c71d8; }\n"
  "  @media (prefers-color-scheme: dark) {\n"
  "    :root { --fg: #ffffff; --bg: #242424; --card: #303030; --muted: #c0bfbc;\n"
  "            --line: #4a4a4a; --accent: #78aeed; }\n"
  "  }\n"
  "  * { box-sizing: border-box; }\n"
  "  body { margin: 0; background: var(--bg); color: var(--fg);\n"
  "         font: 15px/1.5 system-ui, -apple-system, 'Cantarell', 'Segoe UI', sans-serif; }\n"
  "  main { max-width: 48rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }\n"
  "  h1 { font-size: 1.75rem; margin: 0 0 0.25rem; }\n"
  "  h2 { font-size: 1.1rem; margin: 0 0 0.75rem; color: var(--accent); }\n"
  "  .when { margin: 0 0 1.5rem; color: var(--muted); }\n"
  "  section { background: var(--card); border: 1px solid var(--line); border-radius: 12px;\n"
  "            padding: 1rem 1.25rem; margin: 0 0 1rem; }\n"
  "  dl { display: grid; grid-template-columns: 12rem 1fr; gap: 0.35rem 1rem; margin: 0; }\n"
  "  dt { color: var(--muted); }\n"
  "  dd { margin: 0; overflow-wrap: anywhere; }\n"
  "  ul { margin: 0; padding-left: 1.2rem; }\n"
  "  table { width: 100%; border-collapse: collapse; }\n"
  "  th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line);\n"
  "           overflow-wrap: anywhere; }\n"
  "  td.size { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }\n"
  "  .notes { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0;\n"
  "           font: 14px/1.45 ui-monospace, 'Source Code Pro', monospace; }\n"
  "  .empty { color: var(--muted); margin: 0; }\n"
  "  footer { color: var(--muted); font-size: 0.85rem; text-align: center; }\n"
  "  @media (max-width: 32rem) { dl { grid-template-columns: 1fr; } dd { margin-bottom: 0.5rem; } }\n"
  "  @media print { body { background: #ffffff; color: #000000; }\n"
  "                 section { border-color: #cccccc; break-inside: avoid-page; } }\n";

static void
append_escaped (GString    *html,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (html, escaped);
}

static void
append_row (GString    *html,
            const char *label,
            const char *value)
{
  g_string_append (html, "      <dt>");
  append_escaped (html, label);
  g_string_append (html, "</dt><dd>");
  append_escaped (html, value);
  g_string_append (html, "</dd>\n");
}

/**
 * td_report_to_html:
 * @self: a #TdReport
 *
 * Renders the report as one self-contained page: inline CSS, no scripts,
 * no outside resources. It is also well-formed XML (polyglot XHTML).
 *
 * Returns: (transfer full): the page, UTF-8
 */
char *
td_report_to_html (TdReport *self)
{
  g_autofree char *started = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *host = NULL;
  g_autofree char *viewer = NULL;
  g_autofree char *title = NULL;
  GString *html;

  g_return_val_if_fail (TD_IS_REPORT (self), NULL);

  started = format_started_at (self);
  duration = format_duration (self->duration);
  host = format_party (self->host_name, self->host_id);
  viewer = format_party (self->viewer_name, self->viewer_id);
  /* Translators: the report's title; %s is the start date */
  title = g_strdup_printf (_("Remote help session, %s"), started);

  html = g_string_new ("<!DOCTYPE html>\n"
                       "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n"
                       "<head>\n"
                       "  <meta charset=\"utf-8\" />\n"
                       "  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
                       "  <meta http-equiv=\"Content-Security-Policy\" "
                       "content=\"default-src 'none'; style-src 'unsafe-inline'\" />\n"
                       "  <meta name=\"generator\" content=\"Tandem " PACKAGE_VERSION "\" />\n"
                       "  <title>");
  append_escaped (html, title);
  g_string_append (html, "</title>\n  <style>\n");
  g_string_append (html, html_style);
  g_string_append (html, "  </style>\n</head>\n<body>\n<main>\n");

  g_string_append (html, "  <h1>");
  append_escaped (html, _("Remote help session"));
  g_string_append (html, "</h1>\n  <p class=\"when\">");
  append_escaped (html, started);
  g_string_append (html, " · ");
  append_escaped (html, duration);
  g_string_append (html, "</p>\n");

  /* Who and what */
  g_string_append (html, "  <section id=\"session\">\n    <h2>");
  append_escaped (html, _("Session"));
  g_string_append (html, "</h2>\n    <dl>\n");
  append_row (html, _("Helped computer"), host);
  append_row (html, _("Helper"), viewer);
  append_row (html, _("Started"), started);
  append_row (html, _("Duration"), duration);
  if (self->end_reason != NULL && self->end_reason[0] != '\0')
    append_row (html, _("Ended"), self->end_reason);
  append_row (html, _("Terminal"),
              self->terminal_used ? _("A terminal was opened") : _("No terminal was opened"));
  g_string_append (html, "      <dt>");
  append_escaped (html, _("Allowed"));
  g_string_append (html, "</dt><dd>");
  if (self->permissions[0] == NULL)
    append_escaped (html, _("Nothing"));
  else
    {
      g_string_append (html, "<ul>");
      for (guint i = 0; self->permissions[i] != NULL; i++)
        {
          g_string_append (html, "<li>");
          append_escaped (html, permission_label (self->permissions[i]));
          g_string_append (html, "</li>");
        }
      g_string_append (html, "</ul>");
    }
  g_string_append (html, "</dd>\n    </dl>\n  </section>\n");

  /* Files */
  g_string_append (html, "  <section id=\"files\">\n    <h2>");
  append_escaped (html, _("Files"));
  g_string_append (html, "</h2>\n");
  if (self->files->len == 0)
    {
      g_string_append (html, "    <p class=\"empty\">");
      append_escaped (html, _("No files were moved."));
      g_string_append (html, "</p>\n");
    }
  else
    {
      g_string_append (html, "    <table>\n      <thead><tr><th>");
      append_escaped (html, _("Name"));
      g_string_append (html, "</th><th>");
      append_escaped (html, _("Size"));
      g_string_append (html, "</th><th>");
      append_escaped (html, _("Direction"));
      g_string_append (html, "</th></tr></thead>\n      <tbody>\n");
      for (guint i = 0; i < self->files->len; i++)
        {
          const FileEntry *entry = g_ptr_array_index (self->files, i);
          g_autofree char *size = g_format_size (entry->size);

          g_string_append (html, "        <tr><td>");
          append_escaped (html, entry->name);
          g_string_append (html, "</td><td class=\"size\">");
          append_escaped (html, size);
          g_string_append (html, "</td><td>");
          append_escaped (html, direction_label (entry->direction));
          g_string_append (html, "</td></tr>\n");
        }
      g_string_append (html, "      </tbody>\n    </table>\n");
    }
  g_string_append (html, "  </section>\n");

  /* Notes */
  g_string_append (html, "  <section id=\"notes\">\n    <h2>");
  append_escaped (html, _("Notes"));
  g_string_append (html, "</h2>\n");
  if (self->notes == NULL || self->notes[0] == '\0')
    {
      g_string_append (html, "    <p class=\"empty\">");
      append_escaped (html, _("No notes."));
      g_string_append (html, "</p>\n");
    }
  else
    {
      g_string_append (html, "    <div class=\"notes\">");
      append_escaped (html, self->notes);
      g_string_append (html, "</div>\n");
    }
  g_string_append (html, "  </section>\n");

  g_string_append (html, "  <footer>");
  append_escaped (html, _("Made by Tandem"));
  g_string_append (html, " " PACKAGE_VERSION "</footer>\n</main>\n</body>\n</html>\n");

  return g_string_free (html, FALSE);
}

/**
 * td_report_write_html:
 * @self: a #TdReport
 * @path: the file to write, replaced atomically
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the page was saved
 */
gboolean
td_report_write_html (TdReport    *self,
                      const char  *path,
                      GError     **error)
{
  g_autofree char *html = NULL;

  g_return_val_if_fail (TD_IS_REPORT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  html = td_report_to_html (self);

  return g_file_set_contents (path, html, -1, error);
}

/* PDF */

typedef struct
{
  cairo_t      *cr;
  PangoContext *context;
  gboolean      draw;
  double        y;
  guint         page;
  guint         n_pages;
} Pdf;

static PangoLayout *
pdf_layout (Pdf        *pdf,
            const char *font,
            const char *markup)
{
  PangoLayout *layout = pango_layout_new (pdf->context);
  g_autoptr(PangoFontDescription) description = pango_font_description_from_string (font);

  pango_layout_set_font_description (layout, description);
  pango_layout_set_width (layout, (int) ((PAGE_WIDTH - 2 * MARGIN) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup (layout, markup, -1);

  return layout;
}

static void
pdf_footer (Pdf *pdf)
{
  g_autoptr(PangoLayout) layout = NULL;
  g_autofree char *text = NULL;
  int width, height;

  if (!pdf->draw)
    return;

  /* Translators: the page footer of the PDF report */
  text = g_markup_printf_escaped (_("Tandem session report — page %u of %u"),
                                  pdf->page, pdf->n_pages);
  layout = pdf_layout (pdf, "Sans 8", text);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_get_pixel_size (layout, &width, &height);

  cairo_set_source_rgb (pdf->cr, 0.37, 0.36, 0.39);
  cairo_move_to (pdf->cr, MARGIN, PAGE_HEIGHT - MARGIN + FOOTER_SPACE - height);
  pango_cairo_show_layout (pdf->cr, layout);
}

static void
pdf_new_page (Pdf *pdf)
{
  pdf_footer (pdf);
  if (pdf->draw)
    cairo_show_page (pdf->cr);

  pdf->page++;
  pdf->y = 0;
}

static double
content_height (void)
{
  return PAGE_HEIGHT - 2 * MARGIN - FOOTER_SPACE;
}

/* Places @layout line by line, going to a new page when one does not fit.
 * @keep_with_next: how much room, in points, must be left under the first
 * line, so that a heading is not left alone at the bottom of a page.
 */
static void
pdf_add (Pdf         *pdf,
         PangoLayout *layout,
         double       space_before,
         double       keep_with_next,
         double       r,
         double       g,
         double       b)
{
  PangoLayoutIter *iter;
  gboolean first = TRUE;

  if (pdf->y > 0)
    pdf->y += space_before;

  iter = pango_layout_get_iter (layout);
  do
    {
      PangoLayoutLine *line = pango_layout_iter_get_line_readonly (iter);
      PangoRectangle logical;
      double height, baseline;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      height = (double) logical.height / PANGO_SCALE;
      baseline = (double) (pango_layout_iter_get_baseline (iter) - logical.y) / PANGO_SCALE;

      if (pdf->y > 0 &&
          pdf->y + height + (first ? keep_with_next : 0) > content_height ())
        pdf_new_page (pdf);

      if (pdf->draw)
        {
          cairo_set_source_rgb (pdf->cr, r, g, b);
          cairo_move_to (pdf->cr,
                         MARGIN + (double) logical.x / PANGO_SCALE,
                         MARGIN + pdf->y + baseline);
          pango_cairo_show_layout_line (pdf->cr, line);
        }

      pdf->y += height;
      first = FALSE;
    }
  while (pango_layout_iter_next_line (iter));

  pango_layout_iter_free (iter);
}

static void
pdf_heading (Pdf        *pdf,
             const char *text)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);
  g_autoptr(PangoLayout) layout = pdf_layout (pdf, "Sans Bold 12", markup);

  /* A heading needs about three lines under it on its page. */
  pdf_add (pdf, layout, 18, 45, 0.11, 0.44, 0.85);
  pdf->y += 4;
}

static void
pdf_row (Pdf        *pdf,
         const char *label,
         const char *value)
{
  g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b>\t%s", label, value);
  g_autoptr(PangoLayout) layout = pdf_layout (pdf, "Sans 10", markup);
  g_autoptr(PangoTabArray) tabs = pango_tab_array_new_with_positions (1, TRUE, PANGO_TAB_LEFT,
                                                                       (int) LABEL_WIDTH);

  pango_layout_set_tabs (layout, tabs);
  /* Wrapped lines line up under the value, not the label. */
  pango_layout_set_indent (layout, (int) (-LABEL_WIDTH * PANGO_SCALE));
  pdf_add (pdf, layout, 2, 0, 0.12, 0.12, 0.12);
}

static void
pdf_text (Pdf        *pdf,
          const char *font,
          const char *text)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);
  g_autoptr(PangoLayout) layout = pdf_layout (pdf, font, markup);

  pdf_add (pdf, layout, 2, 0, 0.12, 0.12, 0.12);
}

/* Long text, one layout per paragraph: Pango's cairo renderer counts
 * characters from the start of the layout for every line it shows, which
 * makes one layout of thousands of lines take seconds.
 */
static void
pdf_paragraphs (Pdf        *pdf,
                const char *font,
                const char *text)
{
  g_auto(GStrv) paragraphs = g_strsplit (text, "\n", -1);

  for (guint i = 0; paragraphs[i] != NULL; i++)
    {
      g_autofree char *markup = g_markup_escape_text (paragraphs[i], -1);
      g_autoptr(PangoLayout) layout = pdf_layout (pdf, font, markup);

      pdf_add (pdf, layout, i == 0 ? 2 : 0, 0, 0.12, 0.12, 0.12);
    }
}

static void
pdf_render (TdReport *self,
            Pdf      *pdf)
{
  g_autofree char *started = format_started_at (self);
  g_autofree char *duration = format_duration (self->duration);
  g_autofree char *host = format_party (self->host_name, self->host_id);
  g_autofree char *viewer = format_party (self->viewer_name, self->viewer_id);
  g_autofree char *when = g_strdup_printf ("%s · %s", started, duration);
  g_autofree char *title = g_markup_escape_text (_("Remote help session"), -1);
  g_autoptr(PangoLayout) title_layout = NULL;
  g_autoptr(GString) allowed = g_string_new (NULL);

  pdf->page = 1;
  pdf->y = 0;

  title_layout = pdf_layout (pdf, "Sans Bold 20", title);
  pdf_add (pdf, title_layout, 0, 0, 0.12, 0.12, 0.12);
  pdf_text (pdf, "Sans 11", when);

  pdf_heading (pdf, _("Session"));
  pdf_row (pdf, _("Helped computer"), host);
  pdf_row (pdf, _("Helper"), viewer);
  pdf_row (pdf, _("Started"), started);
  pdf_row (pdf, _("Duration"), duration);
  if (self->end_reason != NULL && self->end_reason[0] != '\0')
    pdf_row (pdf, _("Ended"), self->end_reason);
  pdf_row (pdf, _("Terminal"),
           self->terminal_used ? _("A terminal was opened") : _("No terminal was opened"));

  for (guint i = 0; self->permissions[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (allowed, "\xe2\x80\xa8");  /* U+2028, a line break under the value */
      g_string_append (allowed, permission_label (self->permissions[i]));
    }
  pdf_row (pdf, _("Allowed"), allowed->len > 0 ? allowed->str : _("Nothing"));

  pdf_heading (pdf, _("Files"));
  if (self->files->len == 0)
    pdf_text (pdf, "Sans 10", _("No files were moved."));
  for (guint i = 0; i < self->files->len; i++)
    {
      const FileEntry *entry = g_ptr_array_index (self->files, i);
      g_autofree char *size = g_format_size (entry->size);
      g_autofree char *line = g_strdup_printf ("%s — %s, %s", entry->name, size,
                                               direction_label (entry->direction));

      pdf_text (pdf, "Sans 10", line);
    }

  pdf_heading (pdf, _("Notes"));
  if (self->notes == NULL || self->notes[0] == '\0')
    pdf_text (pdf, "Sans 10", _("No notes."));
  else
    pdf_paragraphs (pdf, "Monospace 9.5", self->notes);

  pdf_footer (pdf);
}

typedef struct
{
  GOutputStream *stream;
  GError        *error;
} StreamClosure;

static cairo_status_t
write_to_stream (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  StreamClosure *sc = closure;

  if (sc->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;

  if (!g_output_stream_write_all (sc->stream, data, length, NULL, NULL, &sc->error))
    return CAIRO_STATUS_WRITE_ERROR;

  return CAIRO_STATUS_SUCCESS;
}

/**
 * td_report_write_pdf:
 * @self: a #TdReport
 * @path: the file to write, replaced only once the PDF is complete
 * @error: return location for a #GError
 *
 * Lays the report out on A4 pages with Pango, as many as the notes need,
 * each with its page number.
 *
 * Returns: %TRUE if the PDF was saved
 */
gboolean
td_report_write_pdf (TdReport    *self,
                     const char  *path,
                     GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GCancellable) abandon = NULL;
  g_autofree char *started = NULL;
  g_autofree char *title = NULL;
  StreamClosure closure = { NULL, NULL };
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_font_options_t *options;
  Pdf pdf = { 0, };

  g_return_val_if_fail (TD_IS_REPORT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
  if (stream == NULL)
    return FALSE;

  closure.stream = G_OUTPUT_STREAM (stream);
  surface = cairo_pdf_surface_create_for_stream (write_to_stream, &closure,
                                                 PAGE_WIDTH, PAGE_HEIGHT);

  started = format_started_at (self);
  title = g_strdup_printf (_("Remote help session, %s"), started);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR,
                                  "Tandem " PACKAGE_VERSION);

  pdf.cr = cairo_create (surface);
  pdf.context = pango_cairo_create_context (pdf.cr);

  /* Metrics as designed, not snapped to a screen's pixels. */
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (pdf.context, options);
  cairo_font_options_destroy (options);

  /* Once to count the pages, once to draw them with "page n of N". */
  pdf.draw = FALSE;
  pdf_render (self, &pdf);
  pdf.n_pages = pdf.page;
  pdf.draw = TRUE;
  pdf_render (self, &pdf);

  g_object_unref (pdf.context);
  status = cairo_status (pdf.cr);
  cairo_destroy (pdf.cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (closure.error != NULL || status != CAIRO_STATUS_SUCCESS)
    {
      /* Leave whatever was at @path as it was. */
      abandon = g_cancellable_new ();
      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (stream), abandon, NULL);

      if (closure.error != NULL)
        g_propagate_error (error, closure.error);
      else
        g_set_error (error, TD_REPORT_ERROR, TD_REPORT_ERROR_RENDER,
                     "Could not draw the report as a PDF: %s",
                     cairo_status_to_string (status));
      return FALSE;
    }

  g_debug ("Wrote a %u-page report", pdf.n_pages);

  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}
