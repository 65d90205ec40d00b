/* td-id.c: the 9-digit partner ID with its Luhn check digit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ID is eight payload digits followed by a Luhn check digit, so that a
 * single mistyped digit or a swap of two neighbours is caught before any
 * network traffic. The first digit is never zero, so an ID always reads as
 * nine digits: "123 456 789".
 */
#define G_LOG_DOMAIN "td-id"

#include <glib/gi18n.h>

#include "td-id.h"
#include "td-util.h"

G_DEFINE_QUARK (td-id-error-quark, td_id_error)

/**
 * td_id_check_digit:
 * @payload: the eight payload digits
 *
 * Returns: the Luhn check digit to append to @payload
 */
guint
td_id_check_digit (guint32 payload)
{
  guint sum = 0;
  gboolean dbl = TRUE;

  /* Walk from the rightmost payload digit; it is doubled because the check
   * digit will stand to its right. */
  while (payload > 0)
    {
      guint d = payload % 10;

      if (dbl)
        {
          d *= 2;
          if (d > 9)
            d -= 9;
        }
      sum += d;
      dbl = !dbl;
      payload /= 10;
    }

  return (10 - (sum % 10)) % 10;
}

/**
 * td_id_from_payload:
 * @payload: eight digits, from %TD_ID_PAYLOAD_MIN to %TD_ID_PAYLOAD_MAX
 *
 * Returns: the nine-digit ID
 */
guint32
td_id_from_payload (guint32 payload)
{
  g_return_val_if_fail (payload >= TD_ID_PAYLOAD_MIN && payload <= TD_ID_PAYLOAD_MAX, 0);

  return payload * 10 + td_id_check_digit (payload);
}

/**
 * td_id_new_random:
 *
 * Returns: a valid ID with a random payload, from the system's
 *   cryptographic random number generator (IDs should not be guessable
 *   in sequence)
 */
guint32
td_id_new_random (void)
{
  guint32 span = TD_ID_PAYLOAD_MAX - TD_ID_PAYLOAD_MIN + 1;

  return td_id_from_payload (TD_ID_PAYLOAD_MIN + td_random_uniform (span));
}

/**
 * td_id_is_valid:
 * @id: a number
 *
 * Returns: %TRUE if @id has nine digits and a correct check digit
 */
gboolean
td_id_is_valid (guint32 id)
{
  if (id < TD_ID_MIN || id > TD_ID_MAX)
    return FALSE;

  return td_id_check_digit (id / 10) == id % 10;
}

/**
 * td_id_format:
 * @id: a valid ID
 *
 * Returns: (transfer full): the ID as people read it out: "123 456 789"
 */
char *
td_id_format (guint32 id)
{
  g_return_val_if_fail (id >= TD_ID_MIN && id <= TD_ID_MAX, NULL);

  return g_strdup_printf ("%03u %03u %03u",
                          id / 1000000, (id / 1000) % 1000, id % 1000);
}

/**
 * td_id_format_partial:
 * @text: what the user typed so far
 * @cursor_position: (inout) (optional): a character offset into @text,
 *   moved to the same place in the result
 *
 * Keeps the digits of @text and groups them by three, for an entry that
 * formats the ID while it is typed. Anything that is not a digit is
 * dropped: separators are put back in the right places.
 *
 * Returns: (transfer full): the grouped digits
 */
char *
td_id_format_partial (const char *text,
                      int        *cursor_position)
{
  g_autoptr(GString) out = g_string_new (NULL);
  int digits_before_cursor = 0;
  int n_digits = 0;
  int offset = 0;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    return g_string_free (g_steal_pointer (&out), FALSE);

  for (const char *p = text; *p; p = g_utf8_next_char (p), offset++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c < '0' || c > '9')
        continue;

      if (n_digits > 0 && n_digits % 3 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, (char) c);
      n_digits++;

      if (cursor_position != NULL && offset < *cursor_position)
        digits_before_cursor++;
    }

  if (cursor_position != NULL)
    {
      int n = digits_before_cursor;

      *cursor_position = n == 0 ? 0 : n + (n - 1) / 3;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * td_id_parse:
 * @text: an ID as typed, with or without spaces or dashes
 * @out_id: (out) (optional): the ID
 * @error: a #GError in %TD_ID_ERROR
 *
 * Returns: %TRUE if @text is a valid ID
 */
gboolean
td_id_parse (const char  *text,
             guint32     *out_id,
             GError     **error)
{
  guint32 id = 0;
  guint n_digits = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, TD_ID_ERROR, TD_ID_ERROR_INVALID_CHARACTER,
                   _("A partner ID contains only digits"));
      return FALSE;
    }

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == ' ' || c == '-' || c == '\t' || c == 0x00A0 || c == 0x202F)
        continue;

      if (c < '0' || c > '9')
        {
          g_set_error (error, TD_ID_ERROR, TD_ID_ERROR_INVALID_CHARACTER,
                       _("A partner ID contains only digits"));
          return FALSE;
        }

      if (++n_digits > TD_ID_DIGITS)
        {
          g_set_error (error, TD_ID_ERROR, TD_ID_ERROR_TOO_LONG,
                       _("A partner ID has nine digits; this one has more"));
          return FALSE;
        }

      id = id * 10 + (c - '0');
    }

  if (n_digits == 0)
    {
      g_set_error (error, TD_ID_ERROR, TD_ID_ERROR_EMPTY,
                   _("Enter your partner’s ID"));
      return FALSE;
    }

  if (n_digits < TD_ID_DIGITS || id < TD_ID_MIN)
    {
      g_set_error (error, TD_ID_ERROR, TD_ID_ERROR_TOO_SHORT,
                   _("A partner ID has nine digits"));
      return FALSE;
    }

  if (!td_id_is_valid (id))
    {
      g_set_error (error, TD_ID_ERROR, TD_ID_ERROR_CHECK_DIGIT,
                   _("This ID is not right; please check each digit with your partner"));
      return FALSE;
    }

  if (out_id != NULL)
    *out_id = id;

  return TRUE;
}
