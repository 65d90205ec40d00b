/* td-device-key.c: this installation's long-term Ed25519 identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The key is kept as PKCS#8 PEM in the user's data dir, readable by the
 * user only. Its self-signed certificate is made on load and is the
 * device's TLS certificate; there is no CA. A device is named by the
 * SHA-256 of its raw public key (the fingerprint), which stays the same
 * whatever certificate carries the key.
 */
#define G_LOG_DOMAIN "td-key"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>

#include "td-device-key.h"
#include "td-gnutls-util.h"
#include "td-util.h"

struct _TdDeviceKey
{
  GObject            parent_instance;
  gnutls_privkey_t   privkey;
  gnutls_x509_crt_t  certificate;
  GBytes            *public_key;
  GBytes            *fingerprint;
  char              *fingerprint_hex;
};

G_DEFINE_FINAL_TYPE (TdDeviceKey, td_device_key, G_TYPE_OBJECT)
G_DEFINE_QUARK (td-key-error-quark, td_key_error)

static void
td_device_key_finalize (GObject *object)
{
  TdDeviceKey *self = (TdDeviceKey *) object;

  g_clear_pointer (&self->privkey, gnutls_privkey_deinit);
  g_clear_pointer (&self->certificate, gnutls_x509_crt_deinit);
  g_clear_pointer (&self->public_key, g_bytes_unref);
  g_clear_pointer (&self->fingerprint, g_bytes_unref);
  g_clear_pointer (&self->fingerprint_hex, g_free);

  G_OBJECT_CLASS (td_device_key_parent_class)->finalize (object);
}

static void
td_device_key_class_init (TdDeviceKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = td_device_key_finalize;
}

static void
td_device_key_init (TdDeviceKey *self)
{
}

static gboolean
set_gnutls_error (GError     **error,
                  int          code,
                  int          ret,
                  const char  *what)
{
  g_set_error (error, TD_KEY_ERROR, code, "%s: %s", what, gnutls_strerror (ret));
  return FALSE;
}

static GBytes *
datum_to_bytes (gnutls_datum_t *datum)
{
  GBytes *bytes = g_bytes_new (datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;

  return bytes;
}

/**
 * td_device_key_fingerprint_of:
 * @public_key: a raw Ed25519 public key
 *
 * Returns: (transfer full): SHA-256 of @public_key
 */
GBytes *
td_device_key_fingerprint_of (GBytes *public_key)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[TD_DEVICE_KEY_FINGERPRINT_SIZE];
  gsize digest_len = sizeof digest;
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (public_key != NULL, NULL);

  data = g_bytes_get_data (public_key, &len);
  g_checksum_update (checksum, data, len);
  g_checksum_get_digest (checksum, digest, &digest_len);

  return g_bytes_new (digest, digest_len);
}

static gboolean
make_certificate (TdDeviceKey  *self,
                  GError      **error)
{
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  gnutls_datum_t x = { NULL, 0 };
  gnutls_ecc_curve_t curve;
  guint8 serial[16];
  time_t now = time (NULL);
  int ret;

  if ((ret = gnutls_pubkey_init (&pubkey)) < 0 ||
      (ret = gnutls_pubkey_import_privkey (pubkey, self->privkey, 0, 0)) < 0)
    return set_gnutls_error (error, TD_KEY_ERROR_FAILED, ret, "Could not read the device key");

  if ((ret = gnutls_pubkey_export_ecc_raw2 (pubkey, &curve, &x, NULL, 0)) < 0)
    return set_gnutls_error (error, TD_KEY_ERROR_FAILED, ret, "Could not read the device key");

  if (curve != GNUTLS_ECC_CURVE_ED25519 || x.size != TD_DEVICE_KEY_PUBLIC_SIZE)
    {
      gnutls_free (x.data);
      g_set_error (error, TD_KEY_ERROR, TD_KEY_ERROR_CORRUPT,
                   "The device key is not an Ed25519 key");
      return FALSE;
    }

  self->public_key = datum_to_bytes (&x);
  self->fingerprint = td_device_key_fingerprint_of (self->public_key);
  self->fingerprint_hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, self->public_key);

  td_random_bytes (serial, sizeof serial);
  serial[0] &= 0x7f; /* a positive INTEGER */

  if ((ret = gnutls_x509_crt_init (&self->certificate)) < 0 ||
      (ret = gnutls_x509_crt_set_version (self->certificate, 3)) < 0 ||
      (ret = gnutls_x509_crt_set_serial (self->certificate, serial, sizeof serial)) < 0 ||
      (ret = gnutls_x509_crt_set_activation_time (self->certificate, now - 24 * 3600)) < 0 ||
      (ret = gnutls_x509_crt_set_expiration_time (self->certificate, now + 20 * 365 * 24 * 3600L)) < 0 ||
      (ret = gnutls_x509_crt_set_dn_by_oid (self->certificate, GNUTLS_OID_X520_COMMON_NAME, 0,
                                            "Tandem device", strlen ("Tandem device"))) < 0 ||
      (ret = gnutls_x509_crt_set_pubkey (self->certificate, pubkey)) < 0 ||
      (ret = gnutls_x509_crt_set_key_usage (self->certificate, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
      (ret = gnutls_x509_crt_privkey_sign (self->certificate, self->certificate, self->privkey,
                                           GNUTLS_DIG_SHA512, 0)) < 0)
    return set_gnutls_error (error, TD_KEY_ERROR_FAILED, ret, "Could not make the device certificate");

  return TRUE;
}

static TdDeviceKey *
device_key_new_from_privkey (gnutls_privkey_t   privkey,
                             GError           **error)
{
  g_autoptr(TdDeviceKey) self = g_object_new (TD_TYPE_DEVICE_KEY, NULL);

  self->privkey = privkey;
  if (!make_certificate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static gnutls_privkey_t
generate_privkey (GError **error)
{
  gnutls_privkey_t privkey = NULL;
  int ret;

  if ((ret = gnutls_privkey_init (&privkey)) < 0 ||
      (ret = gnutls_privkey_generate2 (privkey, GNUTLS_PK_EDDSA_ED25519, 0, 0, NULL, 0)) < 0)
    {
      g_clear_pointer (&privkey, gnutls_privkey_deinit);
      set_gnutls_error (error, TD_KEY_ERROR_FAILED, ret, "Could not make a device key");
      return NULL;
    }

  return privkey;
}

/**
 * td_device_key_new_ephemeral:
 * @error: a #GError
 *
 * Returns: (transfer full): a new key kept in memory only (tests, benches)
 */
TdDeviceKey *
td_device_key_new_ephemeral (GError **error)
{
  gnutls_privkey_t privkey = generate_privkey (error);

  if (privkey == NULL)
    return NULL;

  return device_key_new_from_privkey (privkey, error);
}

static gboolean
save_privkey (gnutls_privkey_t   privkey,
              const char        *path,
              GError           **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  gnutls_x509_privkey_t x509 = NULL;
  gnutls_datum_t pem = { NULL, 0 };
  gboolean ok;
  int ret;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create “%s”: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  if ((ret = gnutls_privkey_export_x509 (privkey, &x509)) < 0 ||
      (ret = gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL,
                                                GNUTLS_PKCS_PLAIN, &pem)) < 0)
    {
      g_clear_pointer (&x509, gnutls_x509_privkey_deinit);
      return set_gnutls_error (error, TD_KEY_ERROR_FAILED, ret, "Could not save the device key");
    }
  gnutls_x509_privkey_deinit (x509);

  /* Written to a temporary file, synced and renamed: never half a key. */
  ok = g_file_set_contents_full (path, (const char *) pem.data, pem.size,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  td_memzero (pem.data, pem.size);
  gnutls_free (pem.data);

  return ok;
}

/**
 * td_device_key_load_or_create:
 * @path: the PEM file
 * @error: a #GError
 *
 * Loads the device key from @path, or makes a new one and saves it there
 * (mode 0600) when the file does not exist yet. A file that exists but
 * cannot be read as a key is an error and is left alone: replacing it
 * would silently give this computer a new identity.
 *
 * Returns: (transfer full): the key, or %NULL
 */
TdDeviceKey *
td_device_key_load_or_create (const char  *path,
                              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gnutls_privkey_t privkey = NULL;
  gsize len = 0;
  int ret;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      g_debug ("No device key at %s yet, making one", path);
      if (!(privkey = generate_privkey (error)))
        return NULL;

      if (!save_privkey (privkey, path, error))
        {
          gnutls_privkey_deinit (privkey);
          return NULL;
        }

      return device_key_new_from_privkey (privkey, error);
    }
  else
    {
      gnutls_datum_t pem = { (unsigned char *) contents, (unsigned int) len };

      if ((ret = gnutls_privkey_init (&privkey)) < 0 ||
          (ret = gnutls_privkey_import_x509_raw (privkey, &pem, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
        {
          g_clear_pointer (&privkey, gnutls_privkey_deinit);
          td_memzero (contents, len);
          g_set_error (error, TD_KEY_ERROR, TD_KEY_ERROR_CORRUPT,
                       "The device key in “%s” cannot be read (%s); move it away to make a new one",
                       path, gnutls_strerror (ret));
          return NULL;
        }
      td_memzero (contents, len);

      if (gnutls_privkey_get_pk_algorithm (privkey, NULL) != GNUTLS_PK_EDDSA_ED25519)
        {
          gnutls_privkey_deinit (privkey);
          g_set_error (error, TD_KEY_ERROR, TD_KEY_ERROR_CORRUPT,
                       "The device key in “%s” is not an Ed25519 key", path);
          return NULL;
        }

      return device_key_new_from_privkey (privkey, error);
    }
}

/**
 * td_device_key_get_public_key:
 *
 * Returns: (transfer none): the raw 32-byte Ed25519 public key
 */
GBytes *
td_device_key_get_public_key (TdDeviceKey *self)
{
  g_return_val_if_fail (TD_IS_DEVICE_KEY (self), NULL);

  return self->public_key;
}

/**
 * td_device_key_get_fingerprint:
 *
 * Returns: (transfer none): SHA-256 of the raw public key, 32 bytes
 */
GBytes *
td_device_key_get_fingerprint (TdDeviceKey *self)
{
  g_return_val_if_fail (TD_IS_DEVICE_KEY (self), NULL);

  return self->fingerprint;
}

const char *
td_device_key_get_fingerprint_hex (TdDeviceKey *self)
{
  g_return_val_if_fail (TD_IS_DEVICE_KEY (self), NULL);

  return self->fingerprint_hex;
}

gnutls_privkey_t
td_device_key_get_privkey (TdDeviceKey *self)
{
  g_return_val_if_fail (TD_IS_DEVICE_KEY (self), NULL);

  return self->privkey;
}

gnutls_x509_crt_t
td_device_key_get_certificate (TdDeviceKey *self)
{
  g_return_val_if_fail (TD_IS_DEVICE_KEY (self), NULL);

  return self->certificate;
}

/**
 * td_device_key_sign:
 * @self: a #TdDeviceKey
 * @data: the message
 * @length: its size
 * @error: a #GError
 *
 * Returns: (transfer full): a 64-byte Ed25519 signature of @data
 */
GBytes *
td_device_key_sign (TdDeviceKey   *self,
                    const guint8  *data,
                    gsize          length,
                    GError       **error)
{
  gnutls_datum_t msg = { (unsigned char *) data, (unsigned int) length };
  gnutls_datum_t sig = { NULL, 0 };
  int ret;

  g_return_val_if_fail (TD_IS_DEVICE_KEY (self), NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if ((ret = gnutls_privkey_sign_data2 (self->privkey, GNUTLS_SIGN_EDDSA_ED25519, 0, &msg, &sig)) < 0)
    {
      set_gnutls_error (error, TD_KEY_ERROR_FAILED, ret, "Could not sign");
      return NULL;
    }

  return datum_to_bytes (&sig);
}

/**
 * td_device_key_add_to_credentials:
 * @self: a #TdDeviceKey
 * @credentials: GnuTLS certificate credentials
 * @error: a #GError
 *
 * Makes @credentials present this device's certificate and key.
 *
 * Returns: %TRUE on success
 */
gboolean
td_device_key_add_to_credentials (TdDeviceKey                       *self,
                                  gnutls_certificate_credentials_t   credentials,
                                  GError                           **error)
{
  gnutls_pcert_st pcert[1];
  gnutls_privkey_t key_copy = NULL;
  gnutls_x509_privkey_t x509 = NULL;
  int ret;

  g_return_val_if_fail (TD_IS_DEVICE_KEY (self), FALSE);

  /* GnuTLS takes ownership of what it is given: hand it copies. */
  if ((ret = gnutls_pcert_import_x509 (pcert, self->certificate, 0)) < 0)
    return set_gnutls_error (error, TD_KEY_ERROR_FAILED, ret, "Could not use the device certificate");

  if ((ret = gnutls_privkey_export_x509 (self->privkey, &x509)) < 0 ||
      (ret = gnutls_privkey_init (&key_copy)) < 0 ||
      (ret = gnutls_privkey_import_x509 (key_copy, x509, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0)
    {
      g_clear_pointer (&key_copy, gnutls_privkey_deinit);
      g_clear_pointer (&x509, gnutls_x509_privkey_deinit);
      gnutls_pcert_deinit (pcert);
      return set_gnutls_error (error, TD_KEY_ERROR_FAILED, ret, "Could not use the device key");
    }

  if ((ret = gnutls_certificate_set_key (credentials, NULL, 0, pcert, 1, key_copy)) < 0)
    {
      gnutls_privkey_deinit (key_copy);
      gnutls_pcert_deinit (pcert);
      return set_gnutls_error (error, TD_KEY_ERROR_FAILED, ret, "Could not use the device key");
    }

  /* The certificate's contents and the key now belong to @credentials. */
  return TRUE;
}

/**
 * td_device_key_verify:
 * @public_key: a raw Ed25519 public key
 * @data: the signed message
 * @length: its size
 * @signature: the signature
 * @error: a #GError
 *
 * Returns: %TRUE if @signature is @public_key's signature of @data
 */
gboolean
td_device_key_verify (GBytes        *public_key,
                      const guint8  *data,
                      gsize          length,
                      GBytes        *signature,
                      GError       **error)
{
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  gnutls_datum_t x, msg, sig;
  gsize size;
  int ret;

  g_return_val_if_fail (public_key != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  x.data = (unsigned char *) g_bytes_get_data (public_key, &size);
  x.size = (unsigned int) size;
  if (size != TD_DEVICE_KEY_PUBLIC_SIZE)
    {
      g_set_error (error, TD_KEY_ERROR, TD_KEY_ERROR_BAD_SIGNATURE,
                   "A device public key has %d bytes", TD_DEVICE_KEY_PUBLIC_SIZE);
      return FALSE;
    }

  sig.data = (unsigned char *) g_bytes_get_data (signature, &size);
  sig.size = (unsigned int) size;
  msg.data = (unsigned char *) data;
  msg.size = (unsigned int) length;

  if ((ret = gnutls_pubkey_init (&pubkey)) < 0 ||
      (ret = gnutls_pubkey_import_ecc_raw (pubkey, GNUTLS_ECC_CURVE_ED25519, &x, NULL)) < 0)
    return set_gnutls_error (error, TD_KEY_ERROR_BAD_SIGNATURE, ret, "Not a valid device key");

  if ((ret = gnutls_pubkey_verify_data2 (pubkey, GNUTLS_SIGN_EDDSA_ED25519, 0, &msg, &sig)) < 0)
    return set_gnutls_error (error, TD_KEY_ERROR_BAD_SIGNATURE, ret, "The signature does not match");

  return TRUE;
}

/**
 * td_device_key_public_key_of_certificate:
 * @der: a DER certificate, as the TLS peer presented it
 * @error: a #GError
 *
 * Returns: (transfer full): the raw Ed25519 public key it carries, or
 *   %NULL if it is not a Tandem device certificate
 */
GBytes *
td_device_key_public_key_of_certificate (const gnutls_datum_t  *der,
                                         GError               **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  gnutls_datum_t x = { NULL, 0 };
  gnutls_ecc_curve_t curve;
  unsigned int verify = 0;
  int ret;

  g_return_val_if_fail (der != NULL, NULL);

  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_import (crt, der, GNUTLS_X509_FMT_DER)) < 0 ||
      (ret = gnutls_pubkey_init (&pubkey)) < 0 ||
      (ret = gnutls_pubkey_import_x509 (pubkey, crt, 0)) < 0)
    {
      set_gnutls_error (error, TD_KEY_ERROR_BAD_CERTIFICATE, ret, "The partner’s certificate cannot be read");
      return NULL;
    }

  if (gnutls_pubkey_get_pk_algorithm (pubkey, NULL) != GNUTLS_PK_EDDSA_ED25519 ||
      (ret = gnutls_pubkey_export_ecc_raw2 (pubkey, &curve, &x, NULL, 0)) < 0 ||
      curve != GNUTLS_ECC_CURVE_ED25519 || x.size != TD_DEVICE_KEY_PUBLIC_SIZE)
    {
      gnutls_free (x.data);
      g_set_error (error, TD_KEY_ERROR, TD_KEY_ERROR_BAD_CERTIFICATE,
                   "The partner’s certificate does not carry a device key");
      return NULL;
    }

  /* Self-signed: the signature proves the peer made it with this key. */
  if ((ret = gnutls_x509_crt_verify (crt, &crt, 1, GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &verify)) < 0 ||
      verify != 0)
    {
      gnutls_free (x.data);
      g_set_error (error, TD_KEY_ERROR, TD_KEY_ERROR_BAD_CERTIFICATE,
                   "The partner’s certificate is not signed by its own key");
      return NULL;
    }

  return datum_to_bytes (&x);
}
