/* td-host-session.h: the side of a session that is being helped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "td-session.h"
#include "td-audit-log.h"
#include "td-consent-prompt.h"
#include "td-control-channel.h"
#include "td-device-key.h"
#include "td-keys.h"
#include "td-signaling-peer.h"
#include "td-throttler.h"

G_BEGIN_DECLS

#define TD_TYPE_HOST_SESSION (td_host_session_get_type ())

G_DECLARE_FINAL_TYPE (TdHostSession, td_host_session, TD, HOST_SESSION, TdSession)

TdHostSession    *td_host_session_new             (TdSignalingPeer  *peer,
                                                   TdDeviceKey      *key,
                                                   const char       *display_name,
                                                   const char       *one_time_password,
                                                   TdThrottler      *throttler,
                                                   TdAuditLog       *audit_log);
void              td_host_session_set_consent_prompt (TdHostSession *self,
                                                   TdConsentPrompt  *prompt);
void              td_host_session_start           (TdHostSession    *self);
TdPermissions     td_host_session_get_permissions (TdHostSession    *self);
TdControlChannel *td_host_session_get_channel     (TdHostSession    *self);
TdKeys           *td_host_session_get_keys        (TdHostSession    *self);

G_END_DECLS
