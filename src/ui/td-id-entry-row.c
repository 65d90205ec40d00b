#define G_LOG_DOMAIN "td-ui"
/* td-id-entry-row.c: an entry row that groups a partner ID while it is typed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The row keeps its text in the form people read IDs out in, "123 456 789",
 * whatever is typed or pasted: every insertion and deletion is caught in
 * GtkText's ::insert-text and ::delete-text, applied to the digits, and the
 * whole text is regrouped with td_id_format_partial(), which also says where
 * the cursor belongs. Replacing the text from ::changed instead would run
 * before GtkText moves the cursor past what was typed, and the cursor would
 * land in the wrong place.
 */

#include <string.h>

#include "td-id.h"
#include "td-id-entry-row.h"

struct _TdIdEntryRow
{
  AdwEntryRow  parent_instance;

  guint        id;
  guint        formatting : 1;
};

G_DEFINE_FINAL_TYPE (TdIdEntryRow, td_id_entry_row, ADW_TYPE_ENTRY_ROW)

enum {
  PROP_0,
  PROP_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_digit (gunichar c)
{
  return c >= '0' && c <= '9';
}

static gboolean
has_digit (const char *text,
           gssize      length)
{
  const char *end = length < 0 ? text + strlen (text) : text + length;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    if (is_digit (g_utf8_get_char (p)))
      return TRUE;

  return FALSE;
}

static void
td_id_entry_row_update_id (TdIdEntryRow *self)
{
  guint32 id = 0;

  g_assert (TD_IS_ID_ENTRY_ROW (self));

  if (!td_id_parse (gtk_editable_get_text (GTK_EDITABLE (self)), &id, NULL))
    id = 0;

  if (self->id != id)
    {
      self->id = id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }
}

/* Puts @text into the row, our own handlers out of the way. Only the part
 * that differs is replaced, so that undo steps back one keystroke at a
 * time and screen readers hear what was typed, not the whole ID again. */
static void
td_id_entry_row_replace_text (TdIdEntryRow *self,
                              GtkEditable  *delegate,
                              const char   *text)
{
  const char *old = gtk_editable_get_text (delegate);
  const char *old_end = old + strlen (old);
  const char *new_end = text + strlen (text);
  const char *o = old;
  const char *n = text;
  int prefix = 0;
  int position;

  g_assert (TD_IS_ID_ENTRY_ROW (self));

  while (o < old_end && n < new_end && g_utf8_get_char (o) == g_utf8_get_char (n))
    {
      o = g_utf8_next_char (o);
      n = g_utf8_next_char (n);
      prefix++;
    }

  while (old_end > o && new_end > n &&
         g_utf8_get_char (g_utf8_prev_char (old_end)) == g_utf8_get_char (g_utf8_prev_char (new_end)))
    {
      old_end = g_utf8_prev_char (old_end);
      new_end = g_utf8_prev_char (new_end);
    }

  self->formatting = TRUE;
  if (old_end > o)
    gtk_editable_delete_text (delegate, prefix, prefix + g_utf8_strlen (o, old_end - o));
  if (new_end > n)
    {
      position = prefix;
      gtk_editable_insert_text (delegate, n, new_end - n, &position);
    }
  self->formatting = FALSE;
}

static void
on_delegate_insert_text (GtkEditable  *delegate,
                         const char   *text,
                         int           length,
                         int          *position,
                         TdIdEntryRow *self)
{
  g_autoptr(GString) typed = NULL;
  g_autofree char *formatted = NULL;
  const char *current;
  const char *split;
  int n_chars;
  int cursor;

  g_assert (TD_IS_ID_ENTRY_ROW (self));

  if (self->formatting)
    return;

  if (length < 0)
    length = strlen (text);

  current = gtk_editable_get_text (delegate);
  n_chars = g_utf8_strlen (current, -1);
  if (*position < 0 || *position > n_chars)
    *position = n_chars;

  split = g_utf8_offset_to_pointer (current, *position);
  typed = g_string_new_len (current, split - current);
  g_string_append_len (typed, text, length);
  cursor = g_utf8_strlen (typed->str, typed->len);
  g_string_append (typed, split);

  formatted = td_id_format_partial (typed->str, &cursor);

  g_signal_stop_emission_by_name (delegate, "insert-text");

  if (!has_digit (text, length))
    gtk_widget_error_bell (GTK_WIDGET (self));

  td_id_entry_row_replace_text (self, delegate, formatted);
  *position = cursor;
}

static void
on_delegate_delete_text (GtkEditable  *delegate,
                         int           start_pos,
                         int           end_pos,
                         TdIdEntryRow *self)
{
  g_autoptr(GString) remaining = NULL;
  g_autofree char *formatted = NULL;
  const char *current;
  const char *start;
  const char *end;
  int n_chars;
  int cursor;

  g_assert (TD_IS_ID_ENTRY_ROW (self));

  if (self->formatting)
    return;

  current = gtk_editable_get_text (delegate);
  n_chars = g_utf8_strlen (current, -1);
  if (end_pos < 0 || end_pos > n_chars)
    end_pos = n_chars;
  start_pos = CLAMP (start_pos, 0, end_pos);

  start = g_utf8_offset_to_pointer (current, start_pos);
  end = g_utf8_offset_to_pointer (current, end_pos);

  /* Backspace or Delete on the space between two groups would delete only
   * the space, which regrouping puts straight back: the key would seem to
   * do nothing. Take the digit beyond it as well. */
  if (start != end && !has_digit (start, end - start))
    {
      if (gtk_editable_get_position (delegate) >= end_pos)
        {
          while (start > current)
            {
              start = g_utf8_prev_char (start);
              start_pos--;
              if (is_digit (g_utf8_get_char (start)))
                break;
            }
        }
      else
        {
          while (*end != '\0')
            {
              gunichar c = g_utf8_get_char (end);

              end = g_utf8_next_char (end);
              if (is_digit (c))
                break;
            }
        }
    }

  remaining = g_string_new_len (current, start - current);
  g_string_append (remaining, end);
  cursor = start_pos;
  formatted = td_id_format_partial (remaining->str, &cursor);

  g_signal_stop_emission_by_name (delegate, "delete-text");

  td_id_entry_row_replace_text (self, delegate, formatted);
  gtk_editable_set_position (delegate, cursor);
}

/* Connected first, so that :id is right for whoever else listens. */
static void
on_changed (TdIdEntryRow *self)
{
  g_assert (TD_IS_ID_ENTRY_ROW (self));

  td_id_entry_row_update_id (self);
}

static void
td_id_entry_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TdIdEntryRow *self = TD_ID_ENTRY_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_id_entry_row_class_init (TdIdEntryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = td_id_entry_row_get_property;

  /**
   * TdIdEntryRow:id:
   *
   * The partner ID in the row, or 0 while the text is not a valid ID.
   */
  properties[PROP_ID] =
    g_param_spec_uint ("id", NULL, NULL,
                       0, TD_ID_MAX, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
td_id_entry_row_init (TdIdEntryRow *self)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (self));

  adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (self), GTK_INPUT_PURPOSE_DIGITS);
  adw_entry_row_set_input_hints (ADW_ENTRY_ROW (self),
                                 GTK_INPUT_HINT_NO_SPELLCHECK | GTK_INPUT_HINT_NO_EMOJI);
  adw_entry_row_set_enable_emoji_completion (ADW_ENTRY_ROW (self), FALSE);
  /* GtkText's undo replays its history through ::insert-text and
   * ::delete-text, where the regrouping rewrites it: nine digits are
   * better off without undo than with a confused one. */
  gtk_editable_set_enable_undo (GTK_EDITABLE (self), FALSE);

  g_signal_connect_object (delegate, "insert-text",
                           G_CALLBACK (on_delegate_insert_text), self, 0);
  g_signal_connect_object (delegate, "delete-text",
                           G_CALLBACK (on_delegate_delete_text), self, 0);
  g_signal_connect (self, "changed", G_CALLBACK (on_changed), NULL);
}

GtkWidget *
td_id_entry_row_new (void)
{
  return g_object_new (TD_TYPE_ID_ENTRY_ROW, NULL);
}

/**
 * td_id_entry_row_get_id:
 * @self: a #TdIdEntryRow
 *
 * Returns: the partner ID typed in @self, or 0 if the text is not a valid ID
 */
guint
td_id_entry_row_get_id (TdIdEntryRow *self)
{
  g_return_val_if_fail (TD_IS_ID_ENTRY_ROW (self), 0);

  return self->id;
}

/**
 * td_id_entry_row_get_n_digits:
 * @self: a #TdIdEntryRow
 *
 * Returns: how many digits have been typed so far
 */
guint
td_id_entry_row_get_n_digits (TdIdEntryRow *self)
{
  const char *text;
  guint n = 0;

  g_return_val_if_fail (TD_IS_ID_ENTRY_ROW (self), 0);

  text = gtk_editable_get_text (GTK_EDITABLE (self));
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (is_digit (g_utf8_get_char (p)))
      n++;

  return n;
}

/**
 * td_id_entry_row_validate:
 * @self: a #TdIdEntryRow
 * @error: a #GError in %TD_ID_ERROR, with a message for the user
 *
 * Returns: %TRUE if the row holds a valid partner ID
 */
gboolean
td_id_entry_row_validate (TdIdEntryRow  *self,
                          GError       **error)
{
  g_return_val_if_fail (TD_IS_ID_ENTRY_ROW (self), FALSE);

  return td_id_parse (gtk_editable_get_text (GTK_EDITABLE (self)), NULL, error);
}
