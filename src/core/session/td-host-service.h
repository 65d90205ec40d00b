/* td-host-service.h: this computer, ready to be helped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-audit-log.h"
#include "td-consent-prompt.h"
#include "td-device-key.h"
#include "td-host-session.h"
#include "td-rendezvous-client.h"
#include "td-throttler.h"

G_BEGIN_DECLS

#define TD_TYPE_HOST_SERVICE (td_host_service_get_type ())

G_DECLARE_FINAL_TYPE (TdHostService, td_host_service, TD, HOST_SERVICE, GObject)

TdHostService *td_host_service_new                (TdRendezvousClient *client,
                                                   TdDeviceKey        *key,
                                                   TdAuditLog         *audit_log);
const char    *td_host_service_get_password       (TdHostService      *self);
void           td_host_service_new_password       (TdHostService      *self);
gboolean       td_host_service_set_password       (TdHostService      *self,
                                                   const char         *password);
const char    *td_host_service_get_display_name   (TdHostService      *self);
void           td_host_service_set_display_name   (TdHostService      *self,
                                                   const char         *name);
void           td_host_service_set_consent_prompt (TdHostService      *self,
                                                   TdConsentPrompt    *prompt);
TdHostSession *td_host_service_get_session        (TdHostService      *self);
TdThrottler   *td_host_service_get_throttler      (TdHostService      *self);

G_END_DECLS
