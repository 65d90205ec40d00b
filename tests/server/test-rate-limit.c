/* test-rate-limit.c: token buckets, TURN credentials, signatures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-rate-limit.h"
#include "td-turn.h"
#include "td-verify.h"

#define S(x) ((gint64) ((x) * G_USEC_PER_SEC))

static void
test_bucket (void)
{
  g_autoptr(TdRateLimit) limit = td_rate_limit_new (0.5, 3, 100);
  guint retry = 0;

  /* A burst of three, then one every two seconds */
  g_assert_true (td_rate_limit_take (limit, "192.0.2.1", S (0), &retry));
  g_assert_true (td_rate_limit_take (limit, "192.0.2.1", S (0), &retry));
  g_assert_true (td_rate_limit_take (limit, "192.0.2.1", S (0), &retry));
  g_assert_false (td_rate_limit_take (limit, "192.0.2.1", S (0), &retry));
  g_assert_cmpuint (retry, ==, 2000);
  g_assert_false (td_rate_limit_take (limit, "192.0.2.1", S (1), &retry));
  g_assert_cmpuint (retry, ==, 1000);
  g_assert_true (td_rate_limit_take (limit, "192.0.2.1", S (2), &retry));

  /* Others are not affected. */
  g_assert_true (td_rate_limit_take (limit, "192.0.2.2", S (2), &retry));

  /* A long pause refills to the burst, not beyond. */
  for (guint i = 0; i < 3; i++)
    g_assert_true (td_rate_limit_take (limit, "192.0.2.1", S (1000), &retry));
  g_assert_false (td_rate_limit_take (limit, "192.0.2.1", S (1000), &retry));
}

static void
test_bounded (void)
{
  g_autoptr(TdRateLimit) limit = td_rate_limit_new (1, 2, 8);

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *key = g_strdup_printf ("198.51.100.%u/%u", i % 256, i);

      td_rate_limit_take (limit, key, S (0), NULL);
      g_assert_cmpuint (td_rate_limit_get_size (limit), <=, 8);
    }

  /* The most recent are remembered: this one is empty. */
  td_rate_limit_take (limit, "last", S (0), NULL);
  td_rate_limit_take (limit, "last", S (0), NULL);
  g_assert_false (td_rate_limit_take (limit, "last", S (0), NULL));

  /* Buckets that refilled are forgotten. */
  td_rate_limit_prune (limit, S (100));
  g_assert_cmpuint (td_rate_limit_get_size (limit), ==, 0);
}

static void
test_address_key (void)
{
  const struct { const char *address; const char *key; } cases[] = {
    { "192.0.2.7", "192.0.2.7" },
    { "::ffff:192.0.2.7", "192.0.2.7" },
    { "2001:db8:1:2:3:4:5:6", "2001:0db8:0001:0002::/64" },
    { "2001:db8:1:2:ffff::1", "2001:0db8:0001:0002::/64" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (cases[i].address);
      g_autofree char *key = td_rate_limit_address_key (address);

      g_assert_cmpstr (key, ==, cases[i].key);
    }
}

static void
test_turn_credentials (void)
{
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;

  /* Worked out with: printf '%s' '1700000600:tag' | openssl dgst -sha1 -hmac secret -binary | base64 */
  td_turn_make_credentials ("secret", "tag", 600, 1700000000, &username, &password);
  g_assert_cmpstr (username, ==, "1700000600:tag");
  g_assert_cmpstr (password, ==, "WAaZqgzmzcLppAs67HACHqJaRp0=");
}

static void
test_verify (void)
{
  /* RFC 8032, section 7.1, TEST 2 */
  static const guint8 public_key[32] = {
    0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a, 0x92, 0xb7, 0x0a, 0xa7, 0x4d, 0x1b, 0x7e, 0xbc,
    0x9c, 0x98, 0x2c, 0xcf, 0x2e, 0xc4, 0x96, 0x8c, 0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4, 0x66, 0x0c,
  };
  static const guint8 message[1] = { 0x72 };
  static const guint8 signature[64] = {
    0x92, 0xa0, 0x09, 0xa9, 0xf0, 0xd4, 0xca, 0xb8, 0x72, 0x0e, 0x82, 0x0b, 0x5f, 0x64, 0x25, 0x40,
    0xa2, 0xb2, 0x7b, 0x54, 0x16, 0x50, 0x3f, 0x8f, 0xb3, 0x76, 0x22, 0x23, 0xeb, 0xdb, 0x69, 0xda,
    0x08, 0x5a, 0xc1, 0xe4, 0x3e, 0x15, 0x99, 0x6e, 0x45, 0x8f, 0x36, 0x13, 0xd0, 0xf1, 0x1d, 0x8c,
    0x38, 0x7b, 0x2e, 0xae, 0xb4, 0x30, 0x2a, 0xee, 0xb0, 0x0d, 0x29, 0x16, 0x12, 0xbb, 0x0c, 0x00,
  };
  g_autoptr(GBytes) key = g_bytes_new_static (public_key, sizeof public_key);
  g_autoptr(GBytes) data = g_bytes_new_static (message, sizeof message);
  g_autoptr(GBytes) sig = g_bytes_new_static (signature, sizeof signature);
  g_autoptr(GBytes) other = g_bytes_new_static ("s", 1);
  g_autoptr(GBytes) short_key = g_bytes_new_static (public_key, 31);

  g_assert_true (td_verify_ed25519 (key, data, sig));
  g_assert_false (td_verify_ed25519 (key, other, sig));
  g_assert_false (td_verify_ed25519 (short_key, data, sig));
  g_assert_false (td_verify_ed25519 (key, data, key));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rate-limit/bucket", test_bucket);
  g_test_add_func ("/rate-limit/bounded", test_bounded);
  g_test_add_func ("/rate-limit/address-key", test_address_key);
  g_test_add_func ("/turn/credentials", test_turn_credentials);
  g_test_add_func ("/verify/ed25519", test_verify);

  return g_test_run ();
}
