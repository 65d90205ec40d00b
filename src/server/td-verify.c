/* td-verify.c: Ed25519 signature checks for the server, with GnuTLS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server links src/common only; this is the one piece of the device
 * key code it needs, kept small on purpose.
 */
#define G_LOG_DOMAIN "td-verify"

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "td-verify.h"

#define PUBLIC_KEY_SIZE 32
#define SIGNATURE_SIZE  64

/**
 * td_verify_ed25519:
 * @public_key: a raw 32-byte Ed25519 public key
 * @data: the signed message
 * @signature: a 64-byte signature
 *
 * Returns: %TRUE if @signature is @public_key's signature of @data
 */
gboolean
td_verify_ed25519 (GBytes *public_key,
                   GBytes *data,
                   GBytes *signature)
{
  gnutls_pubkey_t pubkey = NULL;
  gnutls_datum_t x, msg, sig;
  gsize size;
  gboolean ok = FALSE;

  g_return_val_if_fail (public_key != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  x.data = (unsigned char *) g_bytes_get_data (public_key, &size);
  x.size = (unsigned int) size;
  if (size != PUBLIC_KEY_SIZE)
    return FALSE;

  sig.data = (unsigned char *) g_bytes_get_data (signature, &size);
  sig.size = (unsigned int) size;
  if (size != SIGNATURE_SIZE)
    return FALSE;

  msg.data = (unsigned char *) g_bytes_get_data (data, &size);
  msg.size = (unsigned int) size;

  if (gnutls_pubkey_init (&pubkey) >= 0 &&
      gnutls_pubkey_import_ecc_raw (pubkey, GNUTLS_ECC_CURVE_ED25519, &x, NULL) >= 0 &&
      gnutls_pubkey_verify_data2 (pubkey, GNUTLS_SIGN_EDDSA_ED25519, 0, &msg, &sig) >= 0)
    ok = TRUE;

  g_clear_pointer (&pubkey, gnutls_pubkey_deinit);
  return ok;
}
