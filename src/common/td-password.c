/* td-password.c: one-time passwords people can read out loud
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Eight characters from 32 symbols (40 bits) that cannot be confused when
 * read out or written down: no 0/O, no 1/l/I, and lowercase only so nobody
 * has to say "capital". The password is never sent anywhere: it only feeds
 * the CPace key exchange, where each guess costs one live, throttled
 * attempt, so 40 bits are far more than an attacker can try.
 */
#define G_LOG_DOMAIN "td-password"

#include <string.h>

#include "td-password.h"
#include "td-util.h"

G_STATIC_ASSERT (sizeof TD_PASSWORD_ALPHABET - 1 == 32);

/**
 * td_password_new_one_time:
 *
 * Returns: (transfer full): a new one-time password, 8 characters without
 *   separators, from the cryptographic random number generator
 */
char *
td_password_new_one_time (void)
{
  guint8 random[TD_PASSWORD_LENGTH];
  char *password = g_malloc (TD_PASSWORD_LENGTH + 1);

  /* 32 symbols: the low five bits of each byte are uniform, no bias. */
  td_random_bytes (random, sizeof random);
  for (guint i = 0; i < TD_PASSWORD_LENGTH; i++)
    password[i] = TD_PASSWORD_ALPHABET[random[i] & 0x1f];
  password[TD_PASSWORD_LENGTH] = '\0';
  td_memzero (random, sizeof random);

  return password;
}

/**
 * td_password_is_one_time_format:
 * @password: a normalized password
 *
 * Returns: %TRUE if @password looks like one made by
 *   td_password_new_one_time()
 */
gboolean
td_password_is_one_time_format (const char *password)
{
  g_return_val_if_fail (password != NULL, FALSE);

  if (strlen (password) != TD_PASSWORD_LENGTH)
    return FALSE;

  for (guint i = 0; i < TD_PASSWORD_LENGTH; i++)
    if (strchr (TD_PASSWORD_ALPHABET, password[i]) == NULL)
      return FALSE;

  return TRUE;
}

/**
 * td_password_format:
 * @password: a one-time password
 *
 * Returns: (transfer full): @password as two groups of four ("abcd efgh");
 *   anything else is returned unchanged
 */
char *
td_password_format (const char *password)
{
  g_return_val_if_fail (password != NULL, NULL);

  if (!td_password_is_one_time_format (password))
    return g_strdup (password);

  return g_strdup_printf ("%.4s %.4s", password, password + 4);
}

/**
 * td_password_normalize:
 * @typed: a password as the user typed it
 *
 * Removes white space (the group separator people copy or type along) and,
 * when the result is a one-time password typed with capitals, lowers it.
 * Permanent passwords contain no white space (the settings refuse it), so
 * they pass through otherwise unchanged.
 *
 * Returns: (transfer full) (nullable): the password to authenticate with,
 *   or %NULL if @typed is not valid UTF-8
 */
char *
td_password_normalize (const char *typed)
{
  g_autoptr(GString) out = NULL;
  g_autofree char *lower = NULL;

  g_return_val_if_fail (typed != NULL, NULL);

  if (!g_utf8_validate (typed, -1, NULL))
    return NULL;

  out = g_string_new (NULL);
  for (const char *p = typed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isspace (c) && c != 0x200B)
        g_string_append_unichar (out, c);
    }

  lower = g_ascii_strdown (out->str, out->len);
  if (td_password_is_one_time_format (lower))
    return g_steal_pointer (&lower);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * td_password_is_acceptable:
 * @typed: what the user typed in the password field
 *
 * Whether @typed can be a Tandem password at all: one-time passwords and
 * permanent ones both have at least %TD_PASSWORD_LENGTH characters.
 *
 * Returns: %TRUE if Connect can be offered
 */
gboolean
td_password_is_acceptable (const char *typed)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (typed != NULL, FALSE);

  normalized = td_password_normalize (typed);

  return normalized != NULL && g_utf8_strlen (normalized, -1) >= TD_PASSWORD_LENGTH;
}
