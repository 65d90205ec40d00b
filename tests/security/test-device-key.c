/* test-device-key.c: the device's Ed25519 identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "td-device-key.h"

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("td-key-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir,
            const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_sign_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key = td_device_key_new_ephemeral (&error);
  g_autoptr(TdDeviceKey) other = td_device_key_new_ephemeral (&error);
  g_autoptr(GBytes) sig = NULL;
  const guint8 msg[] = "nonce from the server";
  guint8 tampered[sizeof msg];

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (td_device_key_get_public_key (key)), ==, 32);
  g_assert_cmpuint (g_bytes_get_size (td_device_key_get_fingerprint (key)), ==, 32);
  g_assert_cmpuint (strlen (td_device_key_get_fingerprint_hex (key)), ==, 64);
  g_assert_false (g_bytes_equal (td_device_key_get_public_key (key),
                                 td_device_key_get_public_key (other)));

  sig = td_device_key_sign (key, msg, sizeof msg, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (sig), ==, 64);

  g_assert_true (td_device_key_verify (td_device_key_get_public_key (key), msg, sizeof msg, sig, &error));
  g_assert_no_error (error);

  memcpy (tampered, msg, sizeof msg);
  tampered[0] ^= 1;
  g_assert_false (td_device_key_verify (td_device_key_get_public_key (key), tampered, sizeof msg, sig, &error));
  g_assert_error (error, TD_KEY_ERROR, TD_KEY_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  g_assert_false (td_device_key_verify (td_device_key_get_public_key (other), msg, sizeof msg, sig, &error));
  g_assert_error (error, TD_KEY_ERROR, TD_KEY_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  {
    g_autoptr(GBytes) short_key = g_bytes_new ("abc", 3);

    g_assert_false (td_device_key_verify (short_key, msg, sizeof msg, sig, &error));
    g_assert_error (error, TD_KEY_ERROR, TD_KEY_ERROR_BAD_SIGNATURE);
  }
}

static void
test_persist (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "sub", "device-key.pem", NULL);
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  g_autoptr(TdDeviceKey) first = td_device_key_load_or_create (path, &error);
  g_autoptr(TdDeviceKey) second = NULL;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  second = td_device_key_load_or_create (path, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (td_device_key_get_public_key (first),
                                td_device_key_get_public_key (second)));
  g_assert_cmpstr (td_device_key_get_fingerprint_hex (first), ==,
                   td_device_key_get_fingerprint_hex (second));

  remove_dir (sub, "device-key.pem");
  g_rmdir (dir);
}

static void
test_corrupt_file_is_kept (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "device-key.pem", NULL);
  g_autofree char *after = NULL;
  g_autoptr(TdDeviceKey) key = NULL;

  g_assert_true (g_file_set_contents (path, "not a key", -1, NULL));
  key = td_device_key_load_or_create (path, &error);
  g_assert_null (key);
  g_assert_error (error, TD_KEY_ERROR, TD_KEY_ERROR_CORRUPT);

  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "not a key");

  remove_dir (dir, "device-key.pem");
}

static void
test_certificate_carries_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key = td_device_key_new_ephemeral (&error);
  g_autoptr(GBytes) pub = NULL;
  gnutls_datum_t der = { NULL, 0 };
  gnutls_datum_t junk = { (unsigned char *) "junk", 4 };

  g_assert_no_error (error);
  g_assert_cmpint (gnutls_x509_crt_export2 (td_device_key_get_certificate (key),
                                            GNUTLS_X509_FMT_DER, &der), ==, 0);
  pub = td_device_key_public_key_of_certificate (&der, &error);
  gnutls_free (der.data);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (pub, td_device_key_get_public_key (key)));

  g_assert_null (td_device_key_public_key_of_certificate (&junk, &error));
  g_assert_error (error, TD_KEY_ERROR, TD_KEY_ERROR_BAD_CERTIFICATE);
}

static void
test_credentials (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdDeviceKey) key = td_device_key_new_ephemeral (&error);
  gnutls_certificate_credentials_t creds = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (gnutls_certificate_allocate_credentials (&creds), ==, 0);
  g_assert_true (td_device_key_add_to_credentials (key, creds, &error));
  g_assert_no_error (error);
  gnutls_certificate_free_credentials (creds);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/device-key/sign-verify", test_sign_verify);
  g_test_add_func ("/device-key/persist", test_persist);
  g_test_add_func ("/device-key/corrupt-file-is-kept", test_corrupt_file_is_kept);
  g_test_add_func ("/device-key/certificate-carries-key", test_certificate_carries_key);
  g_test_add_func ("/device-key/credentials", test_credentials);

  return g_test_run ();
}
