/* td-app-services.h: what the app runs behind its windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "td-device-key.h"
#include "td-host-service.h"
#include "td-rendezvous-client.h"

G_BEGIN_DECLS

#define TD_TYPE_APP_SERVICES (td_app_services_get_type ())

G_DECLARE_FINAL_TYPE (TdAppServices, td_app_services, TD, APP_SERVICES, GObject)

TdAppServices      *td_app_services_new                 (GSettings     *settings);
void                td_app_services_start               (TdAppServices *self);
TdRendezvousClient *td_app_services_get_client          (TdAppServices *self);
TdDeviceKey        *td_app_services_get_device_key      (TdAppServices *self);
TdHostService      *td_app_services_get_host_service    (TdAppServices *self);
const char         *td_app_services_get_server_uri      (TdAppServices *self);
const GError       *td_app_services_get_error           (TdAppServices *self);

G_END_DECLS
