/* td-context.c: what a Tandem instance shares, passed explicitly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * There are no singletons in Tandem: the app, each test and each bench
 * make their own context, so two peers can live in one process.
 */
#define G_LOG_DOMAIN "td-context"

#include <errno.h>
#include <glib/gstdio.h>

#include "td-context.h"

struct _TdContext
{
  GObject  parent_instance;
  char    *data_dir;
};

G_DEFINE_FINAL_TYPE (TdContext, td_context, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATA_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
td_context_finalize (GObject *object)
{
  TdContext *self = (TdContext *) object;

  g_clear_pointer (&self->data_dir, g_free);

  G_OBJECT_CLASS (td_context_parent_class)->finalize (object);
}

static void
td_context_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TdContext *self = TD_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_context_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TdContext *self = TD_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      if (self->data_dir == NULL)
        self->data_dir = g_build_filename (g_get_user_data_dir (), "tandem", NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_context_class_init (TdContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = td_context_finalize;
  object_class->get_property = td_context_get_property;
  object_class->set_property = td_context_set_property;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
td_context_init (TdContext *self)
{
}

/**
 * td_context_new:
 * @data_dir: (nullable): where this instance keeps its device key, logs
 *   and state; %NULL for `$XDG_DATA_HOME/tandem`
 *
 * Returns: (transfer full): a new context
 */
TdContext *
td_context_new (const char *data_dir)
{
  return g_object_new (TD_TYPE_CONTEXT,
                       "data-dir", data_dir,
                       NULL);
}

const char *
td_context_get_data_dir (TdContext *self)
{
  g_return_val_if_fail (TD_IS_CONTEXT (self), NULL);

  return self->data_dir;
}

/**
 * td_context_ensure_data_dir:
 * @self: a #TdContext
 * @error: a #GError
 *
 * Creates the data directory, readable by this user only.
 *
 * Returns: %TRUE if the directory exists
 */
gboolean
td_context_ensure_data_dir (TdContext  *self,
                            GError    **error)
{
  g_return_val_if_fail (TD_IS_CONTEXT (self), FALSE);

  if (g_mkdir_with_parents (self->data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create “%s”: %s",
                   self->data_dir, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}
