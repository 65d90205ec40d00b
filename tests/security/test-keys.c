/* test-keys.c: SRTP keys from the ISK by HKDF-SHA256
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-keys.h"

static void
fill (guint8 *buffer,
      gsize   length,
      guint8  first)
{
  for (gsize i = 0; i < length; i++)
    buffer[i] = (guint8) (first + i);
}

/* Expected values computed independently from RFC 5869 with Python's
 * hmac module: ISK = 00..3f, exporter = a0..bf. */
static void
test_known_answer (void)
{
  static const guint8 h2v[30] = {
    0x29, 0xb5, 0x59, 0xd8, 0xcc, 0x3c, 0xe3, 0x58, 0x79, 0x7a, 0x57, 0xc8, 0xb8, 0x2c, 0x28,
    0x44, 0x4d, 0xf4, 0xc0, 0x29, 0x42, 0x54, 0x77, 0xf3, 0x2b, 0xce, 0xd2, 0xa8, 0xcd, 0xb4,
  };
  static const guint8 v2h[30] = {
    0x8b, 0x97, 0x1d, 0x6f, 0xbd, 0xda, 0x26, 0x6b, 0x63, 0xd4, 0x89, 0x0b, 0x21, 0xed, 0x71,
    0x6a, 0x43, 0x5d, 0xe6, 0x68, 0x2e, 0xf0, 0x06, 0x91, 0x68, 0x62, 0x08, 0xbb, 0xdf, 0xdd,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TdKeys) keys = NULL;
  guint8 isk[64], exporter[32];

  fill (isk, sizeof isk, 0x00);
  fill (exporter, sizeof exporter, 0xa0);

  keys = td_keys_new_from_isk (isk, sizeof isk, exporter, sizeof exporter, &error);
  g_assert_no_error (error);

  g_assert_cmpmem (td_keys_get_srtp_key_and_salt (keys, TD_KEYS_HOST_TO_VIEWER), 30, h2v, 30);
  g_assert_cmpmem (td_keys_get_srtp_key_and_salt (keys, TD_KEYS_VIEWER_TO_HOST), 30, v2h, 30);
  g_assert_cmpmem (td_keys_get_srtp_master_key (keys, TD_KEYS_HOST_TO_VIEWER), 16, h2v, 16);
  g_assert_cmpmem (td_keys_get_srtp_master_salt (keys, TD_KEYS_HOST_TO_VIEWER), 14, h2v + 16, 14);
  g_assert_cmpmem (td_keys_get_srtp_master_key (keys, TD_KEYS_VIEWER_TO_HOST), 16, v2h, 16);
  g_assert_cmpmem (td_keys_get_srtp_master_salt (keys, TD_KEYS_VIEWER_TO_HOST), 14, v2h + 16, 14);
}

static void
test_inputs_matter (void)
{
  g_autoptr(TdKeys) a = NULL;
  g_autoptr(TdKeys) b = NULL;
  g_autoptr(TdKeys) c = NULL;
  guint8 isk[64], exporter[32];

  fill (isk, sizeof isk, 1);
  fill (exporter, sizeof exporter, 2);
  a = td_keys_new_from_isk (isk, sizeof isk, exporter, sizeof exporter, NULL);
  exporter[31] ^= 1;
  b = td_keys_new_from_isk (isk, sizeof isk, exporter, sizeof exporter, NULL);
  isk[0] ^= 1;
  c = td_keys_new_from_isk (isk, sizeof isk, exporter, sizeof exporter, NULL);

  for (TdKeysDirection d = TD_KEYS_HOST_TO_VIEWER; d <= TD_KEYS_VIEWER_TO_HOST; d++)
    {
      g_assert_true (memcmp (td_keys_get_srtp_key_and_salt (a, d),
                             td_keys_get_srtp_key_and_salt (b, d), 30) != 0);
      g_assert_true (memcmp (td_keys_get_srtp_key_and_salt (b, d),
                             td_keys_get_srtp_key_and_salt (c, d), 30) != 0);
    }
  g_assert_true (memcmp (td_keys_get_srtp_master_key (a, TD_KEYS_HOST_TO_VIEWER),
                         td_keys_get_srtp_master_key (a, TD_KEYS_VIEWER_TO_HOST), 16) != 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/keys/known-answer", test_known_answer);
  g_test_add_func ("/keys/inputs-matter", test_inputs_matter);

  return g_test_run ();
}
