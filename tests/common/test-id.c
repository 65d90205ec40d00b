/* test-id.c: partner IDs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-id.h"

/* Luhn: the full nine digits of a valid ID sum to a multiple of ten. */
static gboolean
luhn_ok (guint32 id)
{
  guint sum = 0;
  gboolean dbl = FALSE;

  for (; id > 0; id /= 10, dbl = !dbl)
    {
      guint d = id % 10;

      if (dbl && (d *= 2) > 9)
        d -= 9;
      sum += d;
    }

  return sum % 10 == 0;
}

static void
test_check_digit_known (void)
{
  /* 7992739871 + 3 is the textbook Luhn example; with eight digits: */
  g_assert_cmpuint (td_id_check_digit (12345678), ==, 2);
  g_assert_cmpuint (td_id_from_payload (12345678), ==, 123456782);
  g_assert_true (td_id_is_valid (123456782));
  g_assert_false (td_id_is_valid (123456781));
  g_assert_false (td_id_is_valid (12345678));
  g_assert_false (td_id_is_valid (1234567820u));
}

static void
test_check_digit_all_payloads_sampled (void)
{
  for (guint32 payload = TD_ID_PAYLOAD_MIN; payload <= TD_ID_PAYLOAD_MAX; payload += 9973)
    {
      guint32 id = td_id_from_payload (payload);

      g_assert_true (luhn_ok (id));
      g_assert_true (td_id_is_valid (id));
      /* every single-digit change of the check digit is caught */
      for (guint d = 1; d < 10; d++)
        g_assert_false (td_id_is_valid (id - id % 10 + (id % 10 + d) % 10));
    }
}

static void
test_catches_single_errors_and_swaps (void)
{
  guint32 id = td_id_from_payload (31415926);
  char digits[10];

  g_snprintf (digits, sizeof digits, "%u", id);

  for (guint pos = 0; pos < 9; pos++)
    {
      for (char c = '0'; c <= '9'; c++)
        {
          char copy[10];

          if (c == digits[pos])
            continue;
          memcpy (copy, digits, sizeof copy);
          copy[pos] = c;
          g_assert_false (td_id_parse (copy, NULL, NULL));
        }
    }

  /* adjacent transpositions, except 09 <-> 90 which Luhn cannot see */
  for (guint pos = 0; pos < 8; pos++)
    {
      char copy[10];

      memcpy (copy, digits, sizeof copy);
      if (copy[pos] == copy[pos + 1] ||
          (copy[pos] == '0' && copy[pos + 1] == '9') ||
          (copy[pos] == '9' && copy[pos + 1] == '0'))
        continue;
      copy[pos] = digits[pos + 1];
      copy[pos + 1] = digits[pos];
      g_assert_false (td_id_parse (copy, NULL, NULL));
    }
}

static void
test_random (void)
{
  guint32 first = td_id_new_random ();
  gboolean differs = FALSE;

  for (guint i = 0; i < 1000; i++)
    {
      guint32 id = td_id_new_random ();

      g_assert_true (td_id_is_valid (id));
      g_assert_cmpuint (id, >=, TD_ID_MIN);
      g_assert_cmpuint (id, <=, TD_ID_MAX);
      differs |= id != first;
    }
  g_assert_true (differs);
}

static void
test_format (void)
{
  g_autofree char *a = td_id_format (123456782);
  g_autofree char *b = td_id_format (100000009);

  g_assert_cmpstr (a, ==, "123 456 782");
  g_assert_cmpstr (b, ==, "100 000 009");
}

static void
test_parse (void)
{
  struct {
    const char *text;
    gboolean ok;
    int code;
  } cases[] = {
    { "123456782", TRUE, 0 },
    { "123 456 782", TRUE, 0 },
    { " 123-456-782 ", TRUE, 0 },
    { "123\u00a0456\u202f782", TRUE, 0 },
    { "", FALSE, TD_ID_ERROR_EMPTY },
    { "   ", FALSE, TD_ID_ERROR_EMPTY },
    { "12345678", FALSE, TD_ID_ERROR_TOO_SHORT },
    { "012345678", FALSE, TD_ID_ERROR_TOO_SHORT },
    { "1234567820", FALSE, TD_ID_ERROR_TOO_LONG },
    { "123456781", FALSE, TD_ID_ERROR_CHECK_DIGIT },
    { "12345678a", FALSE, TD_ID_ERROR_INVALID_CHARACTER },
    { "１２３４５６７８２", FALSE, TD_ID_ERROR_INVALID_CHARACTER },
    { "123\xff" "456782", FALSE, TD_ID_ERROR_INVALID_CHARACTER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint32 id = 0;
      gboolean ok = td_id_parse (cases[i].text, &id, &error);

      g_test_message ("case %u", i);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpuint (id, ==, 123456782);
        }
      else
        {
          g_assert_error (error, TD_ID_ERROR, cases[i].code);
          g_assert_false (ok);
          g_assert_nonnull (error->message);
          g_assert_cmpstr (error->message, !=, "");
        }
    }
}

static void
test_format_partial (void)
{
  struct {
    const char *text;
    int cursor_in;
    const char *expected;
    int cursor_out;
  } cases[] = {
    { "", 0, "", 0 },
    { "1", 1, "1", 1 },
    { "123", 3, "123", 3 },
    { "1234", 4, "123 4", 5 },
    { "123 4567", 8, "123 456 7", 9 },
    { "123456782", 9, "123 456 782", 11 },
    { "123456782", 3, "123 456 782", 3 },
    { "123456782", 4, "123 456 782", 5 },
    { "12a3", 4, "123", 3 },
    { "123 45", 0, "123 45", 0 },
    { "1234567890", 10, "123 456 789 0", 13 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int cursor = cases[i].cursor_in;
      g_autofree char *out = td_id_format_partial (cases[i].text, &cursor);

      g_test_message ("case %u: “%s”", i, cases[i].text);
      g_assert_cmpstr (out, ==, cases[i].expected);
      g_assert_cmpint (cursor, ==, cases[i].cursor_out);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/id/check-digit/known", test_check_digit_known);
  g_test_add_func ("/id/check-digit/sampled", test_check_digit_all_payloads_sampled);
  g_test_add_func ("/id/check-digit/errors-and-swaps", test_catches_single_errors_and_swaps);
  g_test_add_func ("/id/random", test_random);
  g_test_add_func ("/id/format", test_format);
  g_test_add_func ("/id/parse", test_parse);
  g_test_add_func ("/id/format-partial", test_format_partial);

  return g_test_run ();
}
