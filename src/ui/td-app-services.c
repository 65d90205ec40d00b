/* td-app-services.c: what the app runs behind its windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The device key, the rendezvous client (to the configured server, or to
 * the embedded local one when none is configured), and the host service
 * that answers incoming connects. Windows observe it; it owns no widget.
 *
 * TD_DATA_DIR, when set, replaces the data folder, so that two instances
 * (two identities) can run side by side on one machine.
 */
#define G_LOG_DOMAIN "td-ui"

#include <glib/gi18n.h>

#include "td-app-services.h"
#include "td-audit-log.h"
#include "td-context.h"
#include "td-embedded-server.h"

struct _TdAppServices
{
  GObject             parent_instance;

  GSettings          *settings;
  TdContext          *context;
  TdDeviceKey        *key;
  TdEmbeddedServer   *embedded;
  TdRendezvousClient *client;
  TdHostService      *host_service;
  TdAuditLog         *audit_log;
  GCancellable       *cancellable;
  GError             *error;
  char               *server_uri;
};

G_DEFINE_FINAL_TYPE (TdAppServices, td_app_services, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_HOST_SERVICE,
  PROP_SERVER_URI,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
td_app_services_dispose (GObject *object)
{
  TdAppServices *self = (TdAppServices *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->host_service);
  if (self->client != NULL)
    td_rendezvous_client_stop (self->client);
  g_clear_object (&self->client);
  if (self->embedded != NULL)
    td_embedded_server_stop (self->embedded);
  g_clear_object (&self->embedded);
  g_clear_object (&self->key);
  g_clear_object (&self->audit_log);
  g_clear_object (&self->context);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (td_app_services_parent_class)->dispose (object);
}

static void
td_app_services_finalize (GObject *object)
{
  TdAppServices *self = (TdAppServices *) object;

  g_clear_error (&self->error);
  g_clear_pointer (&self->server_uri, g_free);

  G_OBJECT_CLASS (td_app_services_parent_class)->finalize (object);
}

static void
td_app_services_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TdAppServices *self = TD_APP_SERVICES (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_HOST_SERVICE:
      g_value_set_object (value, self->host_service);
      break;

    case PROP_SERVER_URI:
      g_value_set_string (value, self->server_uri);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_app_services_class_init (TdAppServicesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = td_app_services_dispose;
  object_class->finalize = td_app_services_finalize;
  object_class->get_property = td_app_services_get_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, TD_TYPE_RENDEZVOUS_CLIENT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST_SERVICE] =
    g_param_spec_object ("host-service", NULL, NULL, TD_TYPE_HOST_SERVICE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URI] =
    g_param_spec_string ("server-uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
td_app_services_init (TdAppServices *self)
{
  self->cancellable = g_cancellable_new ();
}

TdAppServices *
td_app_services_new (GSettings *settings)
{
  TdAppServices *self = g_object_new (TD_TYPE_APP_SERVICES, NULL);

  self->settings = g_object_ref (settings);
  self->context = td_context_new (g_getenv ("TD_DATA_DIR"));

  return self;
}

static void
set_error (TdAppServices *self,
           const GError  *error)
{
  g_warning ("%s", error->message);
  g_clear_error (&self->error);
  self->error = g_error_copy (error);
}

static void
on_registered (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TdAppServices) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The client keeps trying by itself after a failure; its state says. */
  if (!td_rendezvous_client_register_finish (TD_RENDEZVOUS_CLIENT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Not registered yet: %s", error->message);
}

static void
connect_to (TdAppServices *self,
            const char    *uri)
{
  g_autofree char *name = g_settings_get_string (self->settings, "display-name");

  if (name[0] == '\0')
    {
      g_free (name);
      name = g_strdup (g_get_real_name ());
    }

  g_free (self->server_uri);
  self->server_uri = g_strdup (uri);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URI]);

  self->client = td_rendezvous_client_new (uri, self->key);
  td_rendezvous_client_set_display_name (self->client, name);
  self->host_service = td_host_service_new (self->client, self->key, self->audit_log);
  td_host_service_set_display_name (self->host_service, name);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_SERVICE]);

  td_rendezvous_client_register_async (self->client, self->cancellable,
                                       on_registered, g_object_ref (self));
}

static void
on_embedded_started (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TdAppServices) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!td_embedded_server_start_finish (TD_EMBEDDED_SERVER (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_error (self, error);
      return;
    }

  connect_to (self, td_embedded_server_get_uri (self->embedded));
}

/**
 * td_app_services_start:
 * @self: a #TdAppServices
 *
 * Loads (or makes) the device key, starts the embedded server when no
 * server is configured, and registers this computer.
 */
void
td_app_services_start (TdAppServices *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *address = NULL;
  const char *data_dir;

  g_return_if_fail (TD_IS_APP_SERVICES (self));

  if (self->key != NULL)
    return;

  if (!td_context_ensure_data_dir (self->context, &error))
    {
      set_error (self, error);
      return;
    }

  data_dir = td_context_get_data_dir (self->context);
  key_path = g_build_filename (data_dir, "device-key.pem", NULL);
  log_path = g_build_filename (data_dir, "sessions.jsonl", NULL);
  self->audit_log = td_audit_log_new (log_path);

  if (!(self->key = td_device_key_load_or_create (key_path, &error)))
    {
      set_error (self, error);
      return;
    }

  address = g_settings_get_string (self->settings, "server-address");
  if (address[0] != '\0')
    {
      connect_to (self, address);
      return;
    }

  {
    g_autofree char *db = g_build_filename (data_dir, "local-server.db", NULL);
    g_autofree char *runtime = g_build_filename (g_get_user_runtime_dir (), "tandem", NULL);

    self->embedded = td_embedded_server_new (db, runtime);
    td_embedded_server_start_async (self->embedded, self->cancellable,
                                    on_embedded_started, g_object_ref (self));
  }
}

/**
 * td_app_services_get_client:
 *
 * Returns: (transfer none) (nullable): the rendezvous client, once started
 */
TdRendezvousClient *
td_app_services_get_client (TdAppServices *self)
{
  g_return_val_if_fail (TD_IS_APP_SERVICES (self), NULL);
  return self->client;
}

TdDeviceKey *
td_app_services_get_device_key (TdAppServices *self)
{
  g_return_val_if_fail (TD_IS_APP_SERVICES (self), NULL);
  return self->key;
}

/**
 * td_app_services_get_host_service:
 *
 * Returns: (transfer none) (nullable): the host service, once started
 */
TdHostService *
td_app_services_get_host_service (TdAppServices *self)
{
  g_return_val_if_fail (TD_IS_APP_SERVICES (self), NULL);
  return self->host_service;
}

const char *
td_app_services_get_server_uri (TdAppServices *self)
{
  g_return_val_if_fail (TD_IS_APP_SERVICES (self), NULL);
  return self->server_uri;
}

const GError *
td_app_services_get_error (TdAppServices *self)
{
  g_return_val_if_fail (TD_IS_APP_SERVICES (self), NULL);
  return self->error;
}
