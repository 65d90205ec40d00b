/* test-cpace.c: the CPace PAKE with random scalars and bad input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-cpace.h"

static const guint8 sid[16] = "0123456789abcdef";
static const guint8 ci[] = "\x0b" "A_initiator" "\x0b" "B_responder";

static TdCpace *
party (TdCpaceRole  role,
       const char  *password,
       const guint8 *the_sid,
       const char  *ad)
{
  return td_cpace_new (role, (const guint8 *) password, strlen (password),
                       ci, sizeof ci - 1, the_sid, 16,
                       (const guint8 *) ad, strlen (ad));
}

static gboolean
run (TdCpace *a,
     TdCpace *b)
{
  g_autoptr(GError) error = NULL;
  GBytes *msg_a = td_cpace_get_message (a);
  GBytes *msg_b = td_cpace_get_message (b);

  g_assert_true (td_cpace_set_peer_message (b, g_bytes_get_data (msg_a, NULL),
                                            g_bytes_get_size (msg_a), &error));
  g_assert_no_error (error);
  g_assert_true (td_cpace_set_peer_message (a, g_bytes_get_data (msg_b, NULL),
                                            g_bytes_get_size (msg_b), &error));
  g_assert_no_error (error);

  return memcmp (td_cpace_get_isk (a), td_cpace_get_isk (b), TD_CPACE_ISK_SIZE) == 0;
}

static void
test_same_password (void)
{
  g_autoptr(TdCpace) a = party (TD_CPACE_ROLE_INITIATOR, "abcd efgh", sid, "ADa");
  g_autoptr(TdCpace) b = party (TD_CPACE_ROLE_RESPONDER, "abcd efgh", sid, "ADb");
  g_autoptr(TdCpace) c = party (TD_CPACE_ROLE_INITIATOR, "abcd efgh", sid, "ADa");

  g_assert_cmpint (td_cpace_get_role (a), ==, TD_CPACE_ROLE_INITIATOR);
  /* Fresh scalars: the same inputs never give the same message twice. */
  g_assert_false (g_bytes_equal (td_cpace_get_message (a), td_cpace_get_message (c)));
  g_assert_true (run (a, b));
}

static void
test_symmetric (void)
{
  g_autoptr(TdCpace) a = party (TD_CPACE_ROLE_SYMMETRIC, "pw", sid, "x");
  g_autoptr(TdCpace) b = party (TD_CPACE_ROLE_SYMMETRIC, "pw", sid, "y");

  g_assert_true (run (a, b));
  g_assert_true (g_bytes_equal (td_cpace_get_transcript (a), td_cpace_get_transcript (b)));
}

static void
test_mismatches (void)
{
  static const guint8 other_sid[16] = "0123456789abcdeF";

  {
    g_autoptr(TdCpace) a = party (TD_CPACE_ROLE_INITIATOR, "password", sid, "ADa");
    g_autoptr(TdCpace) b = party (TD_CPACE_ROLE_RESPONDER, "passwore", sid, "ADb");
    g_assert_false (run (a, b));
  }
  {
    g_autoptr(TdCpace) a = party (TD_CPACE_ROLE_INITIATOR, "password", sid, "ADa");
    g_autoptr(TdCpace) b = party (TD_CPACE_ROLE_RESPONDER, "password", other_sid, "ADb");
    g_assert_false (run (a, b));
  }
  {
    /* Both think they are the initiator: the transcripts differ. */
    g_autoptr(TdCpace) a = party (TD_CPACE_ROLE_INITIATOR, "password", sid, "ADa");
    g_autoptr(TdCpace) b = party (TD_CPACE_ROLE_INITIATOR, "password", sid, "ADb");
    g_assert_false (run (a, b));
  }
  {
    g_autoptr(TdCpace) a = party (TD_CPACE_ROLE_INITIATOR, "password", sid, "ADa");
    g_autoptr(TdCpace) b = td_cpace_new (TD_CPACE_ROLE_RESPONDER,
                                         (const guint8 *) "password", 8,
                                         ci, sizeof ci - 2, sid, 16,
                                         (const guint8 *) "ADb", 3);
    g_assert_false (run (a, b));
  }
}

static void
test_long_inputs (void)
{
  /* A PRS longer than a hash block leaves no zero padding; lengths of
   * 128 and more take two LEB128 bytes. */
  g_autofree char *long_pw = g_strnfill (300, 'p');
  g_autofree char *long_ad = g_strnfill (200, 'a');
  g_autoptr(TdCpace) a = party (TD_CPACE_ROLE_INITIATOR, long_pw, sid, long_ad);
  g_autoptr(TdCpace) b = party (TD_CPACE_ROLE_RESPONDER, long_pw, sid, "");
  GBytes *msg = td_cpace_get_message (a);
  const guint8 *data = g_bytes_get_data (msg, NULL);

  g_assert_cmpuint (g_bytes_get_size (msg), ==, 1 + 32 + 2 + 200);
  g_assert_cmpuint (data[33], ==, 0x80 | (200 & 0x7f));
  g_assert_cmpuint (data[34], ==, 200 >> 7);
  g_assert_true (run (a, b));
  g_assert_cmpuint (g_bytes_get_size (td_cpace_get_peer_ad (b)), ==, 200);
  g_assert_cmpuint (g_bytes_get_size (td_cpace_get_peer_ad (a)), ==, 0);
}

static void
assert_refused (const guint8 *msg,
                gsize         len)
{
  g_autoptr(TdCpace) b = party (TD_CPACE_ROLE_RESPONDER, "password", sid, "ADb");
  g_autoptr(GError) error = NULL;

  g_assert_false (td_cpace_set_peer_message (b, msg, len, &error));
  g_assert_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_PROTOCOL);
  g_assert_null (td_cpace_get_isk (b));
  g_assert_null (td_cpace_get_peer_ad (b));
}

static void
test_malformed (void)
{
  g_autoptr(TdCpace) a = party (TD_CPACE_ROLE_INITIATOR, "password", sid, "ADa");
  GBytes *good = td_cpace_get_message (a);
  gsize len = g_bytes_get_size (good);
  g_autofree guint8 *msg = g_malloc0 (TD_CPACE_MAX_MESSAGE_SIZE + 16);
  /* The draft's examples of invalid length fields */
  static const struct { const char *bytes; gsize len; } draft[] = {
    { "\xff\xff\xff", 3 },
    { "\xff\xff\x03", 3 },
    { "\x00\xff\xff\x03", 4 },
    { "\x00\xff\xff\xff", 4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (draft); i++)
    assert_refused ((const guint8 *) draft[i].bytes, draft[i].len);

  assert_refused (NULL, 0);

  /* every truncation */
  for (gsize i = 0; i < len; i++)
    {
      memcpy (msg, g_bytes_get_data (good, NULL), i);
      assert_refused (msg, i);
    }

  /* a byte too many */
  memcpy (msg, g_bytes_get_data (good, NULL), len);
  msg[len] = 0;
  assert_refused (msg, len + 1);

  /* a point that is not 32 bytes long */
  msg[0] = 31;
  assert_refused (msg, len - 1);
  msg[0] = 33;
  assert_refused (msg, len + 1);

  /* a non-minimal length: 0xa0 0x00 is 32 in two bytes */
  msg[0] = 0xa0;
  msg[1] = 0x00;
  memcpy (msg + 2, (const guint8 *) g_bytes_get_data (good, NULL) + 1, len - 1);
  assert_refused (msg, len + 1);

  /* associated data longer than allowed, with a correct length field */
  msg[0] = 32;
  memcpy (msg + 1, (const guint8 *) g_bytes_get_data (good, NULL) + 1, 32);
  msg[33] = 0x80 | ((TD_CPACE_MAX_AD_SIZE + 1) & 0x7f);
  msg[34] = (TD_CPACE_MAX_AD_SIZE + 1) >> 7;
  memset (msg + 35, 'x', TD_CPACE_MAX_AD_SIZE + 1);
  assert_refused (msg, 35 + TD_CPACE_MAX_AD_SIZE + 1);

  /* the neutral element */
  memset (msg + 1, 0, 32);
  msg[33] = 0;
  assert_refused (msg, 34);

  /* non-canonical encodings: p = 2^255 - 19 itself, and a negative one */
  memset (msg + 1, 0xff, 32);
  msg[1] = 0xed;
  msg[32] = 0x7f;
  assert_refused (msg, 34);
  memset (msg + 1, 0, 32);
  msg[1] = 0x01;
  assert_refused (msg, 34);
}

static void
test_parse (void)
{
  g_autoptr(TdCpace) a = party (TD_CPACE_ROLE_INITIATOR, "password", sid, "hello");
  g_autoptr(GError) error = NULL;
  GBytes *msg = td_cpace_get_message (a);
  const guint8 *data = g_bytes_get_data (msg, NULL);
  const guint8 *point = NULL, *ad = NULL;
  gsize ad_len = 0;

  g_assert_true (td_cpace_parse_message (data, g_bytes_get_size (msg), &point, &ad, &ad_len, &error));
  g_assert_no_error (error);
  g_assert_true (point == data + 1);
  g_assert_cmpmem (ad, ad_len, "hello", 5);

  g_assert_true (td_cpace_parse_message (data, g_bytes_get_size (msg), NULL, NULL, NULL, NULL));
  g_assert_false (td_cpace_parse_message (data, 3, NULL, NULL, NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cpace/same-password", test_same_password);
  g_test_add_func ("/cpace/symmetric", test_symmetric);
  g_test_add_func ("/cpace/mismatches", test_mismatches);
  g_test_add_func ("/cpace/long-inputs", test_long_inputs);
  g_test_add_func ("/cpace/malformed", test_malformed);
  g_test_add_func ("/cpace/parse", test_parse);

  return g_test_run ();
}
