/* td-keys.h: session keys derived from the CPace ISK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "td-auth-error.h"

G_BEGIN_DECLS

#define TD_TYPE_KEYS (td_keys_get_type ())

/* The TLS exporter that salts the derivation; 32 bytes from the control
 * channel's TLS session with this label and no context. */
#define TD_KEYS_SRTP_EXPORTER_LABEL   "EXPORTER-tandem-srtp"
#define TD_KEYS_SRTP_EXPORTER_SIZE    32

/* SRTP profile AES_CM_128_HMAC_SHA1_80 (RFC 3711) */
#define TD_KEYS_SRTP_MASTER_KEY_SIZE  16
#define TD_KEYS_SRTP_MASTER_SALT_SIZE 14
#define TD_KEYS_SRTP_KEY_SALT_SIZE    (TD_KEYS_SRTP_MASTER_KEY_SIZE + TD_KEYS_SRTP_MASTER_SALT_SIZE)

/**
 * TdKeysDirection:
 * @TD_KEYS_HOST_TO_VIEWER: media the host sends (screen, host's voice)
 * @TD_KEYS_VIEWER_TO_HOST: media the viewer sends (viewer's voice)
 */
typedef enum
{
  TD_KEYS_HOST_TO_VIEWER,
  TD_KEYS_VIEWER_TO_HOST,
} TdKeysDirection;

G_DECLARE_FINAL_TYPE (TdKeys, td_keys, TD, KEYS, GObject)

TdKeys       *td_keys_new_from_isk            (const guint8    *isk,
                                               gsize            isk_len,
                                               const guint8    *exporter,
                                               gsize            exporter_len,
                                               GError         **error);
const guint8 *td_keys_get_srtp_master_key     (TdKeys          *self,
                                               TdKeysDirection  direction);
const guint8 *td_keys_get_srtp_master_salt    (TdKeys          *self,
                                               TdKeysDirection  direction);
const guint8 *td_keys_get_srtp_key_and_salt   (TdKeys          *self,
                                               TdKeysDirection  direction);

G_END_DECLS
