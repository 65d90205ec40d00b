/* td-session-protocol.h: what host and viewer say before the session starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * After TLS, on the control channel:
 *
 *   viewer -> host   HELLO          "version" u, "name" s
 *   host -> viewer   HELLO          "version" u, "name" s, "salt" ay (only
 *                                   when a permanent password is set)
 *   viewer -> host   CPACE          "data" ay  (CPace share, MSG1)
 *   host -> viewer   CPACE          "data" ay  (share + host tag, MSG2)
 *   viewer -> host   CPACE_CONFIRM  "data" ay  (viewer tag, or failure)
 *   host -> viewer   SESSION_START  "permissions" t
 *
 * Either side may send BYE ("reason" s, "message" s) at any time; the
 * reasons below say why in a way the other side turns into words.
 */
#pragma once

#define TD_SESSION_PROTOCOL_VERSION 1

#define TD_BYE_USER           "user"
#define TD_BYE_AUTH_FAILED    "auth-failed"
#define TD_BYE_THROTTLED      "throttled"
#define TD_BYE_DENIED         "denied"
#define TD_BYE_BUSY           "busy"
#define TD_BYE_VERSION        "version"
#define TD_BYE_PROTOCOL_ERROR "protocol-error"

/* Exporter labels (RFC 5705 / RFC 8446 7.5) */
#define TD_EXPORTER_SRTP       "EXPORTER-tandem-srtp"
#define TD_EXPORTER_SRTP_SIZE  32

/* Nobody waits longer than this from Connect to a session. */
#define TD_SESSION_CONNECT_TIMEOUT_MS 30000
