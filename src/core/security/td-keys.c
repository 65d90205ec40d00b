/* td-keys.c: session keys derived from the CPace ISK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * HKDF-SHA256 (RFC 5869) through GnuTLS:
 *
 *   PRK = HKDF-Extract (salt = exporter, IKM = ISK)
 *   host -> viewer: key (16) || salt (14) = HKDF-Expand (PRK, "tandem srtp v1 host-to-viewer", 30)
 *   viewer -> host: key (16) || salt (14) = HKDF-Expand (PRK, "tandem srtp v1 viewer-to-host", 30)
 *
 * The exporter is TD_KEYS_SRTP_EXPORTER_LABEL from the control channel's
 * TLS session, so the media keys depend on both the password run (ISK)
 * and the TLS session the password run was bound to. Each direction has
 * its own master key and salt: the two sides never encrypt with the same
 * keystream.
 */
#define G_LOG_DOMAIN "td-auth"

#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <sodium.h>

#include "td-keys.h"

#define INFO_HOST_TO_VIEWER "tandem srtp v1 host-to-viewer"
#define INFO_VIEWER_TO_HOST "tandem srtp v1 viewer-to-host"

struct _TdKeys
{
  GObject parent_instance;

  guint8  srtp[2][TD_KEYS_SRTP_KEY_SALT_SIZE];
};

G_DEFINE_FINAL_TYPE (TdKeys, td_keys, G_TYPE_OBJECT)

static void
td_keys_finalize (GObject *object)
{
  TdKeys *self = (TdKeys *) object;

  sodium_memzero (self->srtp, sizeof self->srtp);

  G_OBJECT_CLASS (td_keys_parent_class)->finalize (object);
}

static void
td_keys_class_init (TdKeysClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = td_keys_finalize;

  if (sodium_init () < 0)
    g_critical ("libsodium could not be initialised");
}

static void
td_keys_init (TdKeys *self)
{
}

static gboolean
expand (const gnutls_datum_t  *prk,
        const char            *info,
        guint8                *out,
        gsize                  out_len,
        GError               **error)
{
  gnutls_datum_t info_datum = { (unsigned char *) info, (unsigned int) strlen (info) };
  int ret;

  ret = gnutls_hkdf_expand (GNUTLS_MAC_SHA256, prk, &info_datum, out, out_len);
  if (ret < 0)
    {
      g_set_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_FAILED,
                   "Could not derive the session keys: %s", gnutls_strerror (ret));
      return FALSE;
    }

  return TRUE;
}

/**
 * td_keys_new_from_isk:
 * @isk: (array length=isk_len): the CPace ISK of a confirmed run
 * @isk_len: its length
 * @exporter: (array length=exporter_len): the TLS exporter value for
 *   %TD_KEYS_SRTP_EXPORTER_LABEL
 * @exporter_len: its length
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the session keys, or %NULL with
 *   %TD_AUTH_ERROR_FAILED if GnuTLS refuses
 */
TdKeys *
td_keys_new_from_isk (const guint8  *isk,
                      gsize          isk_len,
                      const guint8  *exporter,
                      gsize          exporter_len,
                      GError       **error)
{
  g_autoptr(TdKeys) self = NULL;
  guint8 prk[32];
  gnutls_datum_t ikm = { (unsigned char *) isk, (unsigned int) isk_len };
  gnutls_datum_t salt = { (unsigned char *) exporter, (unsigned int) exporter_len };
  gnutls_datum_t prk_datum = { prk, sizeof prk };
  gboolean ok;
  int ret;

  g_return_val_if_fail (isk != NULL && isk_len > 0, NULL);
  g_return_val_if_fail (exporter != NULL || exporter_len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TD_TYPE_KEYS, NULL);

  ret = gnutls_hkdf_extract (GNUTLS_MAC_SHA256, &ikm, &salt, prk);
  if (ret < 0)
    {
      g_set_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_FAILED,
                   "Could not derive the session keys: %s", gnutls_strerror (ret));
      return NULL;
    }

  ok = expand (&prk_datum, INFO_HOST_TO_VIEWER,
               self->srtp[TD_KEYS_HOST_TO_VIEWER], TD_KEYS_SRTP_KEY_SALT_SIZE, error) &&
       expand (&prk_datum, INFO_VIEWER_TO_HOST,
               self->srtp[TD_KEYS_VIEWER_TO_HOST], TD_KEYS_SRTP_KEY_SALT_SIZE, error);
  sodium_memzero (prk, sizeof prk);

  if (!ok)
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * td_keys_get_srtp_master_key:
 * @self: a #TdKeys
 * @direction: which way the media flows
 *
 * Returns: (transfer none): %TD_KEYS_SRTP_MASTER_KEY_SIZE bytes, valid as
 *   long as @self
 */
const guint8 *
td_keys_get_srtp_master_key (TdKeys          *self,
                             TdKeysDirection  direction)
{
  g_return_val_if_fail (TD_IS_KEYS (self), NULL);
  g_return_val_if_fail (direction <= TD_KEYS_VIEWER_TO_HOST, NULL);

  return self->srtp[direction];
}

/**
 * td_keys_get_srtp_master_salt:
 * @self: a #TdKeys
 * @direction: which way the media flows
 *
 * Returns: (transfer none): %TD_KEYS_SRTP_MASTER_SALT_SIZE bytes, valid as
 *   long as @self
 */
const guint8 *
td_keys_get_srtp_master_salt (TdKeys          *self,
                              TdKeysDirection  direction)
{
  g_return_val_if_fail (TD_IS_KEYS (self), NULL);
  g_return_val_if_fail (direction <= TD_KEYS_VIEWER_TO_HOST, NULL);

  return self->srtp[direction] + TD_KEYS_SRTP_MASTER_KEY_SIZE;
}

/**
 * td_keys_get_srtp_key_and_salt:
 * @self: a #TdKeys
 * @direction: which way the media flows
 *
 * The master key followed by the master salt, the 30 bytes GStreamer's
 * srtpenc and srtpdec take as their key.
 *
 * Returns: (transfer none): %TD_KEYS_SRTP_KEY_SALT_SIZE bytes, valid as
 *   long as @self
 */
const guint8 *
td_keys_get_srtp_key_and_salt (TdKeys          *self,
                               TdKeysDirection  direction)
{
  g_return_val_if_fail (TD_IS_KEYS (self), NULL);
  g_return_val_if_fail (direction <= TD_KEYS_VIEWER_TO_HOST, NULL);

  return self->srtp[direction];
}
