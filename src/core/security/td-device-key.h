/* td-device-key.h: this installation's long-term Ed25519 identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

G_BEGIN_DECLS

#define TD_TYPE_DEVICE_KEY (td_device_key_get_type ())
#define TD_KEY_ERROR (td_key_error_quark ())

#define TD_DEVICE_KEY_PUBLIC_SIZE      32
#define TD_DEVICE_KEY_SIGNATURE_SIZE   64
#define TD_DEVICE_KEY_FINGERPRINT_SIZE 32

typedef enum
{
  TD_KEY_ERROR_FAILED,
  TD_KEY_ERROR_CORRUPT,
  TD_KEY_ERROR_BAD_SIGNATURE,
  TD_KEY_ERROR_BAD_CERTIFICATE,
} TdKeyError;

G_DECLARE_FINAL_TYPE (TdDeviceKey, td_device_key, TD, DEVICE_KEY, GObject)

GQuark            td_key_error_quark                 (void);
TdDeviceKey      *td_device_key_new_ephemeral        (GError       **error);
TdDeviceKey      *td_device_key_load_or_create       (const char    *path,
                                                      GError       **error);
GBytes           *td_device_key_get_public_key       (TdDeviceKey   *self);
GBytes           *td_device_key_get_fingerprint      (TdDeviceKey   *self);
const char       *td_device_key_get_fingerprint_hex  (TdDeviceKey   *self);
GBytes           *td_device_key_sign                 (TdDeviceKey   *self,
                                                      const guint8  *data,
                                                      gsize          length,
                                                      GError       **error);
gnutls_privkey_t  td_device_key_get_privkey          (TdDeviceKey   *self);
gnutls_x509_crt_t td_device_key_get_certificate      (TdDeviceKey   *self);
gboolean          td_device_key_add_to_credentials   (TdDeviceKey   *self,
                                                      gnutls_certificate_credentials_t credentials,
                                                      GError       **error);

gboolean          td_device_key_verify               (GBytes        *public_key,
                                                      const guint8  *data,
                                                      gsize          length,
                                                      GBytes        *signature,
                                                      GError       **error);
GBytes           *td_device_key_fingerprint_of       (GBytes        *public_key);
GBytes           *td_device_key_public_key_of_certificate (const gnutls_datum_t *der,
                                                      GError       **error);

G_END_DECLS
