/* test-password.c: one-time passwords
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-password.h"

static void
test_alphabet_has_no_look_alikes (void)
{
  const char *confusing = "0O1lI";

  for (const char *c = confusing; *c; c++)
    g_assert_null (strchr (TD_PASSWORD_ALPHABET, *c));
  g_assert_cmpuint (strlen (TD_PASSWORD_ALPHABET), ==, 32);
}

static void
test_new_one_time (void)
{
  guint counts[32] = { 0 };
  const guint n = 20000;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *pw = td_password_new_one_time ();

      g_assert_cmpuint (strlen (pw), ==, TD_PASSWORD_LENGTH);
      g_assert_true (td_password_is_one_time_format (pw));
      for (guint j = 0; j < TD_PASSWORD_LENGTH; j++)
        counts[strchr (TD_PASSWORD_ALPHABET, pw[j]) - TD_PASSWORD_ALPHABET]++;
    }

  /* Each symbol is expected n*8/32 = 5000 times; a 10% band is > 7 sigma. */
  for (guint k = 0; k < 32; k++)
    {
      g_assert_cmpuint (counts[k], >, 4500);
      g_assert_cmpuint (counts[k], <, 5500);
    }
}

static void
test_format (void)
{
  g_autofree char *a = td_password_format ("abcd2345");
  g_autofree char *b = td_password_format ("not-one-time");

  g_assert_cmpstr (a, ==, "abcd 2345");
  g_assert_cmpstr (b, ==, "not-one-time");
}

static void
test_normalize (void)
{
  struct {
    const char *typed;
    const char *expected;
  } cases[] = {
    { "abcd 2345", "abcd2345" },
    { " ABCD 2345 ", "abcd2345" },
    { "abcd\t2345\n", "abcd2345" },
    { "Correct-Horse", "Correct-Horse" },
    { "Mein Passwort", "MeinPasswort" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = td_password_normalize (cases[i].typed);

      g_assert_cmpstr (out, ==, cases[i].expected);
    }

  g_assert_null (td_password_normalize ("ab\xc3"));
}

static void
test_acceptable (void)
{
  g_assert_true (td_password_is_acceptable ("abcd 2345"));
  g_assert_true (td_password_is_acceptable ("a long permanent one"));
  g_assert_false (td_password_is_acceptable (""));
  g_assert_false (td_password_is_acceptable ("abcd 234"));
  g_assert_false (td_password_is_acceptable ("        "));
  g_assert_false (td_password_is_acceptable ("\xff\xff\xff\xff\xff\xff\xff\xff"));
  /* eight characters, not eight bytes */
  g_assert_true (td_password_is_acceptable ("äöüßéèàç"));
  g_assert_false (td_password_is_acceptable ("äöüßéèà"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/password/alphabet", test_alphabet_has_no_look_alikes);
  g_test_add_func ("/password/new-one-time", test_new_one_time);
  g_test_add_func ("/password/format", test_format);
  g_test_add_func ("/password/normalize", test_normalize);
  g_test_add_func ("/password/acceptable", test_acceptable);

  return g_test_run ();
}
