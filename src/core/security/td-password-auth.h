/* td-password-auth.h: Tandem's password authentication over CPace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "td-auth-error.h"
#include "td-keys.h"

G_BEGIN_DECLS

#define TD_TYPE_PASSWORD_AUTH (td_password_auth_get_type ())

#define TD_PASSWORD_AUTH_VERSION               1

/* The CPace sid: 16 bytes exported from the control channel's TLS session
 * with this label and no context. */
#define TD_PASSWORD_AUTH_SID_EXPORTER_LABEL    "EXPORTER-tandem-cpace-sid"
#define TD_PASSWORD_AUTH_SID_SIZE              16

#define TD_PASSWORD_AUTH_FINGERPRINT_SIZE      32
#define TD_PASSWORD_AUTH_TAG_SIZE              64

/* Permanent passwords: PRS = Argon2id (password, salt), 32 bytes. About
 * 0.2 s and 64 MiB on a 2-core laptop; libsodium runs one lane. */
#define TD_PASSWORD_AUTH_SALT_SIZE             16
#define TD_PASSWORD_AUTH_PERMANENT_PRS_SIZE    32
#define TD_PASSWORD_AUTH_ARGON2ID_OPSLIMIT     3
#define TD_PASSWORD_AUTH_ARGON2ID_MEMLIMIT     (64 * 1024 * 1024)

/**
 * TdPasswordKind:
 * @TD_PASSWORD_KIND_ONE_TIME: the host's one-time password; PRS is the
 *   normalized password (td_password_normalize()) as UTF-8 bytes
 * @TD_PASSWORD_KIND_PERMANENT: the host's permanent password for
 *   unattended access; PRS is td_password_auth_derive_permanent_prs()
 */
typedef enum
{
  TD_PASSWORD_KIND_ONE_TIME = 1,
  TD_PASSWORD_KIND_PERMANENT = 2,
} TdPasswordKind;

typedef enum
{
  TD_PASSWORD_AUTH_ROLE_HOST,
  TD_PASSWORD_AUTH_ROLE_VIEWER,
} TdPasswordAuthRole;

/**
 * TdPasswordAuthState:
 * @TD_PASSWORD_AUTH_STATE_NEW: nothing sent or received yet
 * @TD_PASSWORD_AUTH_STATE_WAIT_REPLY: the viewer sent its share and waits
 *   for the host's reply
 * @TD_PASSWORD_AUTH_STATE_WAIT_CONFIRM: the host replied and waits for the
 *   viewer's confirmation
 * @TD_PASSWORD_AUTH_STATE_SUCCEEDED: both hold the password; keys can be
 *   derived
 * @TD_PASSWORD_AUTH_STATE_FAILED: this attempt is over
 */
typedef enum
{
  TD_PASSWORD_AUTH_STATE_NEW,
  TD_PASSWORD_AUTH_STATE_WAIT_REPLY,
  TD_PASSWORD_AUTH_STATE_WAIT_CONFIRM,
  TD_PASSWORD_AUTH_STATE_SUCCEEDED,
  TD_PASSWORD_AUTH_STATE_FAILED,
} TdPasswordAuthState;

G_DECLARE_FINAL_TYPE (TdPasswordAuth, td_password_auth, TD, PASSWORD_AUTH, GObject)

TdPasswordAuth      *td_password_auth_new_viewer  (TdPasswordKind   kind,
                                                   const guint8    *prs,
                                                   gsize            prs_len,
                                                   GBytes          *host_fingerprint,
                                                   GBytes          *viewer_fingerprint,
                                                   const guint8    *sid,
                                                   gsize            sid_len);
TdPasswordAuth      *td_password_auth_new_host    (const guint8    *one_time_prs,
                                                   gsize            one_time_prs_len,
                                                   const guint8    *permanent_prs,
                                                   gsize            permanent_prs_len,
                                                   GBytes          *host_fingerprint,
                                                   GBytes          *viewer_fingerprint,
                                                   const guint8    *sid,
                                                   gsize            sid_len);
TdPasswordAuthRole   td_password_auth_get_role    (TdPasswordAuth  *self);
TdPasswordAuthState  td_password_auth_get_state   (TdPasswordAuth  *self);
TdPasswordKind       td_password_auth_get_kind    (TdPasswordAuth  *self);
GBytes              *td_password_auth_start       (TdPasswordAuth  *self);
gboolean             td_password_auth_receive     (TdPasswordAuth  *self,
                                                   const guint8    *message,
                                                   gsize            length,
                                                   GBytes         **reply,
                                                   GError         **error);
TdKeys              *td_password_auth_derive_keys (TdPasswordAuth  *self,
                                                   const guint8    *exporter,
                                                   gsize            exporter_len,
                                                   GError         **error);

gboolean             td_password_auth_derive_permanent_prs (const char    *password,
                                                            const guint8  *salt,
                                                            gsize          salt_len,
                                                            guint8        *prs,
                                                            GError       **error);

G_END_DECLS
