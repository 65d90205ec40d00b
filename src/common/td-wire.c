/* td-wire.c: control-channel framing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here reads bytes a partner chose, so it trusts nothing: the
 * length is checked against a limit before anything is buffered for it,
 * the payload goes through GLib's GVariant validation (normal form only,
 * which also rules out invalid UTF-8 and overdeep nesting) and the fields
 * are checked for duplicate and unknown required keys. Once a decoder has
 * failed it stays failed: a byte stream that went wrong once cannot be
 * trusted to find its frame boundaries again.
 */
#define G_LOG_DOMAIN "td-wire"

#include <math.h>
#include <string.h>

#include "td-wire-private.h"

struct _TdWireDecoder
{
  GByteArray *buffer;
  gsize       offset;
  gsize       max_frame_size;
  GHashTable *known_fields;
  GError     *error;
};

G_DEFINE_QUARK (td-wire-error-quark, td_wire_error)

static const struct
{
  guint16     type;
  const char *name;
} wire_types[] = {
  { TD_WIRE_TYPE_HELLO, "hello" },
  { TD_WIRE_TYPE_CPACE, "cpace" },
  { TD_WIRE_TYPE_CPACE_CONFIRM, "cpace-confirm" },
  { TD_WIRE_TYPE_CONSENT_REQUEST, "consent-request" },
  { TD_WIRE_TYPE_CONSENT_ANSWER, "consent-answer" },
  { TD_WIRE_TYPE_SESSION_START, "session-start" },
  { TD_WIRE_TYPE_PERMISSIONS, "permissions" },
  { TD_WIRE_TYPE_POINTER, "pointer" },
  { TD_WIRE_TYPE_BUTTONS, "buttons" },
  { TD_WIRE_TYPE_SCROLL, "scroll" },
  { TD_WIRE_TYPE_KEYS, "keys" },
  { TD_WIRE_TYPE_CURSOR_SHAPE, "cursor-shape" },
  { TD_WIRE_TYPE_CURSOR_POSITION, "cursor-position" },
  { TD_WIRE_TYPE_CHAT, "chat" },
  { TD_WIRE_TYPE_CLIPBOARD, "clipboard" },
  { TD_WIRE_TYPE_FILE_OFFER, "file-offer" },
  { TD_WIRE_TYPE_FILE_ACCEPT, "file-accept" },
  { TD_WIRE_TYPE_FILE_CHUNK, "file-chunk" },
  { TD_WIRE_TYPE_FILE_ACK, "file-ack" },
  { TD_WIRE_TYPE_FILE_DONE, "file-done" },
  { TD_WIRE_TYPE_FILE_CANCEL, "file-cancel" },
  { TD_WIRE_TYPE_KEYFRAME_REQUEST, "keyframe-request" },
  { TD_WIRE_TYPE_QUALITY, "quality" },
  { TD_WIRE_TYPE_STATS, "stats" },
  { TD_WIRE_TYPE_PING, "ping" },
  { TD_WIRE_TYPE_BYE, "bye" },
  { TD_WIRE_TYPE_BULK, "bulk" },
  { TD_WIRE_TYPE_BULK_ACK, "bulk-ack" },
};

/**
 * td_wire_type_to_string:
 * @type: a message type
 *
 * Returns: (nullable): a short name for @type, for logs, or %NULL if this
 *   version does not know it
 */
const char *
td_wire_type_to_string (guint type)
{
  for (guint i = 0; i < G_N_ELEMENTS (wire_types); i++)
    {
      if (wire_types[i].type == type)
        return wire_types[i].name;
    }

  return NULL;
}

/**
 * td_wire_type_is_known:
 * @type: a message type
 *
 * Returns: %TRUE if this version knows @type
 */
gboolean
td_wire_type_is_known (guint type)
{
  return td_wire_type_to_string (type) != NULL;
}

/**
 * td_wire_encode:
 * @type: the message type
 * @fields: (nullable): an `a{sv}` dictionary; a floating reference is taken
 *
 * Serializes a message in normal form and puts the frame header in front.
 * The size is not checked here: the sender compares it with the limit it
 * has agreed with its partner.
 *
 * Returns: (transfer full): the frame
 */
GBytes *
td_wire_encode (guint16   type,
                GVariant *fields)
{
  g_autoptr(GVariant) message = NULL;
  g_autoptr(GVariant) normal = NULL;
  guint8 *frame;
  gsize size;

  g_return_val_if_fail (fields == NULL ||
                        g_variant_is_of_type (fields, G_VARIANT_TYPE_VARDICT), NULL);

  if (fields == NULL)
    fields = g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0);

  message = g_variant_ref_sink (g_variant_new ("(q@a{sv})", type, fields));
  normal = g_variant_get_normal_form (message);
  size = g_variant_get_size (normal);
  g_return_val_if_fail (size <= G_MAXUINT32, NULL);

  frame = g_malloc (TD_WIRE_HEADER_SIZE + size);
  frame[0] = (size >> 24) & 0xff;
  frame[1] = (size >> 16) & 0xff;
  frame[2] = (size >> 8) & 0xff;
  frame[3] = size & 0xff;
  /* Not g_variant_store(): it wants the destination aligned for the type. */
  memcpy (frame + TD_WIRE_HEADER_SIZE, g_variant_get_data (normal), size);

  return g_bytes_new_take (frame, TD_WIRE_HEADER_SIZE + size);
}

/**
 * td_wire_decoder_new:
 * @max_frame_size: the largest payload to accept, or 0 for
 *   %TD_WIRE_DEFAULT_MAX_FRAME_SIZE
 *
 * Returns: (transfer full): a decoder that takes a byte stream and gives
 *   back messages
 */
TdWireDecoder *
td_wire_decoder_new (gsize max_frame_size)
{
  TdWireDecoder *self = g_new0 (TdWireDecoder, 1);

  self->buffer = g_byte_array_new ();
  self->max_frame_size = max_frame_size ? max_frame_size : TD_WIRE_DEFAULT_MAX_FRAME_SIZE;
  self->known_fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return self;
}

void
td_wire_decoder_free (TdWireDecoder *self)
{
  if (self == NULL)
    return;

  g_byte_array_unref (self->buffer);
  g_hash_table_unref (self->known_fields);
  g_clear_error (&self->error);
  g_free (self);
}

gsize
td_wire_decoder_get_max_frame_size (TdWireDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->max_frame_size;
}

static char *
known_field_key (guint16     type,
                 const char *key)
{
  return g_strdup_printf ("%04x:%s", type, key);
}

/**
 * td_wire_decoder_add_known_field:
 * @self: a #TdWireDecoder
 * @type: a message type
 * @key: a required field name, starting with '!'
 *
 * Tells the decoder that whoever reads its messages understands the
 * required field @key in messages of @type, so that such messages are
 * accepted. Optional fields need no such declaration.
 */
void
td_wire_decoder_add_known_field (TdWireDecoder *self,
                                 guint16        type,
                                 const char    *key)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL && key[0] == TD_WIRE_REQUIRED_PREFIX);

  g_hash_table_add (self->known_fields, known_field_key (type, key));
}

static gboolean
fail (TdWireDecoder  *self,
      GError        **error)
{
  if (error != NULL)
    *error = g_error_copy (self->error);
  return FALSE;
}

static gsize
buffered (TdWireDecoder *self)
{
  return self->buffer->len - self->offset;
}

static guint32
peek_length (TdWireDecoder *self)
{
  const guint8 *p = self->buffer->data + self->offset;

  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Checks the header of the frame at the read position, if it is there. */
static gboolean
check_header (TdWireDecoder *self)
{
  guint32 length;

  if (buffered (self) < TD_WIRE_HEADER_SIZE)
    return TRUE;

  length = peek_length (self);
  if (length > self->max_frame_size)
    {
      g_set_error (&self->error, TD_WIRE_ERROR, TD_WIRE_ERROR_TOO_LARGE,
                   "The partner sent a message of %u bytes; the limit is %" G_GSIZE_FORMAT " bytes",
                   length, self->max_frame_size);
      return FALSE;
    }
  if (length == 0)
    {
      g_set_error_literal (&self->error, TD_WIRE_ERROR, TD_WIRE_ERROR_MALFORMED,
                           "The partner sent an empty message");
      return FALSE;
    }

  return TRUE;
}

/**
 * td_wire_decoder_feed:
 * @self: a #TdWireDecoder
 * @data: bytes received
 * @length: their number
 * @error: a #GError
 *
 * Adds bytes from the stream. Frames are taken out with
 * td_wire_decoder_pop().
 *
 * Returns: %FALSE if the stream is already known to be bad (a frame over
 *   the size limit, or an earlier error)
 */
gboolean
td_wire_decoder_feed (TdWireDecoder  *self,
                      const void     *data,
                      gsize           length,
                      GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (self->error != NULL)
    return fail (self, error);

  /* Drop what was read before growing the buffer. */
  if (self->offset > 0 && (self->offset == self->buffer->len || self->offset >= 65536))
    {
      g_byte_array_remove_range (self->buffer, 0, self->offset);
      self->offset = 0;
    }

  g_byte_array_append (self->buffer, data, length);

  if (!check_header (self))
    return fail (self, error);

  return TRUE;
}

gsize
td_wire_decoder_get_buffered (TdWireDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return buffered (self);
}

static gboolean
check_fields (TdWireDecoder *self,
              guint16        type,
              GVariant      *fields)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, fields);
  while (g_variant_iter_next (&iter, "{&s@v}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;

      if (key[0] == '\0')
        {
          g_set_error (&self->error, TD_WIRE_ERROR, TD_WIRE_ERROR_MALFORMED,
                       "The partner sent a “%s” message with an unnamed field",
                       td_wire_type_to_string (type) ?: "?");
          return FALSE;
        }

      if (!g_hash_table_add (seen, (gpointer) key))
        {
          g_set_error (&self->error, TD_WIRE_ERROR, TD_WIRE_ERROR_MALFORMED,
                       "The partner sent a “%s” message with the field “%s” twice",
                       td_wire_type_to_string (type) ?: "?", key);
          return FALSE;
        }

      if (key[0] == TD_WIRE_REQUIRED_PREFIX)
        {
          g_autofree char *known = known_field_key (type, key);

          if (!g_hash_table_contains (self->known_fields, known))
            {
              g_set_error (&self->error, TD_WIRE_ERROR, TD_WIRE_ERROR_UNKNOWN_REQUIRED,
                           "The partner’s “%s” message needs “%s”, which this version of "
                           "Tandem does not understand; update Tandem on both computers",
                           td_wire_type_to_string (type) ?: "?", key + 1);
              return FALSE;
            }
        }
    }

  return TRUE;
}

/*
 * g_variant_is_normal_form() in GLib 2.74 checks a byte array one byte
 * at a time through a function call, about 17 ms per MB: it would halve
 * the throughput of file transfers. For large frames, which are mostly
 * such bytes, normal form is checked another way with the same answer.
 *
 * A value has exactly one serialization in normal form. The value GLib
 * reads from the payload (it reads even non-normal data, safely) is
 * rebuilt as a trusted tree, byte arrays taken as they are (any bytes
 * are a valid "ay"), everything else through g_variant_get_normal_form();
 * its serialization equals the payload exactly when the payload is that
 * normal form. The fuzz target checks this agrees with
 * g_variant_is_normal_form() on every input.
 */
gboolean
td_wire_is_normal_by_rebuilding (GVariant *message)
{
  g_autoptr(GVariant) type = NULL;
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GVariant) rebuilt = NULL;
  GVariantBuilder builder;
  gsize n_fields;

  g_return_val_if_fail (g_variant_is_of_type (message, TD_WIRE_PAYLOAD_TYPE), FALSE);

  type = g_variant_get_child_value (message, 0);
  fields = g_variant_get_child_value (message, 1);
  n_fields = g_variant_n_children (fields);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (gsize i = 0; i < n_fields; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (fields, i);
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
      g_autoptr(GVariant) value = g_variant_get_variant (boxed);
      GVariant *normal;

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
        {
          g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes (value);

          normal = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING,
                                                                 bytes, TRUE));
        }
      else
        {
          normal = g_variant_get_normal_form (value);
        }

      g_variant_builder_add (&builder, "{sv}", g_variant_get_string (key, NULL), normal);
      g_variant_unref (normal);
    }

  rebuilt = g_variant_ref_sink (g_variant_new ("(q@a{sv})", g_variant_get_uint16 (type),
                                               g_variant_builder_end (&builder)));

  return g_variant_get_size (rebuilt) == g_variant_get_size (message) &&
         memcmp (g_variant_get_data (rebuilt), g_variant_get_data (message),
                 g_variant_get_size (message)) == 0;
}

static gboolean
is_normal_form (GVariant *message)
{
  if (g_variant_get_size (message) <= TD_WIRE_DIRECT_CHECK_MAX)
    return g_variant_is_normal_form (message);

  return td_wire_is_normal_by_rebuilding (message);
}

static gboolean
parse_payload (TdWireDecoder  *self,
               GBytes         *payload,
               guint16        *out_type,
               GVariant      **out_fields)
{
  g_autoptr(GVariant) message = NULL;
  g_autoptr(GVariant) fields = NULL;
  guint16 type;

  message = g_variant_ref_sink (g_variant_new_from_bytes (TD_WIRE_PAYLOAD_TYPE, payload, FALSE));

  /* Normal form is the only accepted encoding: one value, one byte string,
   * no room for parsers that disagree about padding or offsets. */
  if (!is_normal_form (message))
    {
      g_set_error_literal (&self->error, TD_WIRE_ERROR, TD_WIRE_ERROR_NOT_NORMAL,
                           "The partner sent a message that is not in normal form");
      return FALSE;
    }

  g_variant_get (message, "(q@a{sv})", &type, &fields);

  if (type < TD_WIRE_TYPE_EXTENSION_MIN && !td_wire_type_is_known (type))
    {
      g_set_error (&self->error, TD_WIRE_ERROR, TD_WIRE_ERROR_UNKNOWN_REQUIRED,
                   "The partner sent a message of type 0x%04x, which this version of Tandem "
                   "does not know; update Tandem on both computers", type);
      return FALSE;
    }

  if (!check_fields (self, type, fields))
    return FALSE;

  *out_type = type;
  *out_fields = g_steal_pointer (&fields);
  return TRUE;
}

/* GLib 2.74's normal-form check of a tuple reads the byte just past the
 * end of a too-short value (the padding loop tests `offset > size` before
 * reading data[offset]). The payload gets zeroed slack behind it, so that
 * byte is ours and zero, and the answer stays "not normal". */
#define PAYLOAD_SLACK 8

static GBytes *
copy_payload (const guint8 *data,
              gsize         length)
{
  guint8 *copy = g_malloc (length + PAYLOAD_SLACK);
  g_autoptr(GBytes) whole = NULL;

  memcpy (copy, data, length);
  memset (copy + length, 0, PAYLOAD_SLACK);
  whole = g_bytes_new_take (copy, length + PAYLOAD_SLACK);

  return g_bytes_new_from_bytes (whole, 0, length);
}

/**
 * td_wire_decoder_pop:
 * @self: a #TdWireDecoder
 * @out_type: (out): the message type
 * @out_fields: (out) (transfer full): the fields, an `a{sv}`
 * @error: a #GError
 *
 * Takes the next complete message out of the buffer. Messages of an
 * extension type this version does not know (%TD_WIRE_TYPE_EXTENSION_MIN
 * and up) are returned too; the caller ignores them.
 *
 * Returns: %TRUE if a message was returned; %FALSE with @error set if the
 *   stream is bad, %FALSE without an error if more bytes are needed
 */
gboolean
td_wire_decoder_pop (TdWireDecoder  *self,
                     guint16        *out_type,
                     GVariant      **out_fields,
                     GError        **error)
{
  g_autoptr(GBytes) payload = NULL;
  guint32 length;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_type != NULL, FALSE);
  g_return_val_if_fail (out_fields != NULL, FALSE);

  if (self->error != NULL)
    return fail (self, error);

  if (buffered (self) < TD_WIRE_HEADER_SIZE)
    return FALSE;

  if (!check_header (self))
    return fail (self, error);

  length = peek_length (self);
  if (buffered (self) < TD_WIRE_HEADER_SIZE + (gsize) length)
    return FALSE;

  payload = copy_payload (self->buffer->data + self->offset + TD_WIRE_HEADER_SIZE, length);
  self->offset += TD_WIRE_HEADER_SIZE + length;

  if (!parse_payload (self, payload, out_type, out_fields))
    return fail (self, error);

  return TRUE;
}

/**
 * td_wire_has_field:
 * @fields: an `a{sv}`
 * @key: a field name
 *
 * Returns: %TRUE if @fields has @key, whatever its type
 */
gboolean
td_wire_has_field (GVariant   *fields,
                   const char *key)
{
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (fields != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  value = g_variant_lookup_value (fields, key, NULL);
  return value != NULL;
}

static GVariant *
lookup (GVariant            *fields,
        const char          *key,
        const char          *wanted,
        gboolean           (*type_ok) (const GVariantType *type),
        GError             **error)
{
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (fields != NULL &&
                        g_variant_is_of_type (fields, G_VARIANT_TYPE_VARDICT), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  value = g_variant_lookup_value (fields, key, NULL);
  if (value == NULL)
    {
      g_set_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_MISSING_FIELD,
                   "The partner’s message lacks the field “%s”", key);
      return NULL;
    }

  if (!type_ok (g_variant_get_type (value)))
    {
      g_set_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD,
                   "The field “%s” of the partner’s message should be %s, not of type “%s”",
                   key, wanted, g_variant_get_type_string (value));
      return NULL;
    }

  return g_steal_pointer (&value);
}

static gboolean
is_string (const GVariantType *type)
{
  return g_variant_type_equal (type, G_VARIANT_TYPE_STRING);
}

static gboolean
is_unsigned (const GVariantType *type)
{
  return g_variant_type_equal (type, G_VARIANT_TYPE_BYTE) ||
         g_variant_type_equal (type, G_VARIANT_TYPE_UINT16) ||
         g_variant_type_equal (type, G_VARIANT_TYPE_UINT32) ||
         g_variant_type_equal (type, G_VARIANT_TYPE_UINT64);
}

static gboolean
is_signed (const GVariantType *type)
{
  return g_variant_type_equal (type, G_VARIANT_TYPE_INT16) ||
         g_variant_type_equal (type, G_VARIANT_TYPE_INT32) ||
         g_variant_type_equal (type, G_VARIANT_TYPE_INT64);
}

static gboolean
is_boolean (const GVariantType *type)
{
  return g_variant_type_equal (type, G_VARIANT_TYPE_BOOLEAN);
}

static gboolean
is_double (const GVariantType *type)
{
  return g_variant_type_equal (type, G_VARIANT_TYPE_DOUBLE);
}

static gboolean
is_bytestring (const GVariantType *type)
{
  return g_variant_type_equal (type, G_VARIANT_TYPE_BYTESTRING);
}

/**
 * td_wire_lookup_string:
 * @fields: an `a{sv}`
 * @key: the field name
 * @max_length: the longest acceptable value in bytes, or 0 for no limit
 * @out_value: (out) (transfer full): the value
 * @error: a #GError
 *
 * Returns: %TRUE if @key holds a string (`s`) no longer than @max_length
 */
gboolean
td_wire_lookup_string (GVariant    *fields,
                       const char  *key,
                       gsize        max_length,
                       char       **out_value,
                       GError     **error)
{
  g_autoptr(GVariant) value = lookup (fields, key, "a string", is_string, error);
  const char *str;
  gsize length;

  if (value == NULL)
    return FALSE;

  str = g_variant_get_string (value, &length);
  if (max_length > 0 && length > max_length)
    {
      g_set_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD,
                   "The field “%s” of the partner’s message is longer than %" G_GSIZE_FORMAT " bytes",
                   key, max_length);
      return FALSE;
    }

  if (out_value != NULL)
    *out_value = g_strndup (str, length);
  return TRUE;
}

/**
 * td_wire_lookup_uint:
 * @fields: an `a{sv}`
 * @key: the field name
 * @max_value: the largest acceptable value
 * @out_value: (out): the value
 * @error: a #GError
 *
 * Accepts any unsigned integer type (`y`, `q`, `u`, `t`).
 *
 * Returns: %TRUE if @key holds an unsigned integer up to @max_value
 */
gboolean
td_wire_lookup_uint (GVariant    *fields,
                     const char  *key,
                     guint64      max_value,
                     guint64     *out_value,
                     GError     **error)
{
  g_autoptr(GVariant) value = lookup (fields, key, "an unsigned integer", is_unsigned, error);
  guint64 v;

  if (value == NULL)
    return FALSE;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTE))
    v = g_variant_get_byte (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT16))
    v = g_variant_get_uint16 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    v = g_variant_get_uint32 (value);
  else
    v = g_variant_get_uint64 (value);

  if (v > max_value)
    {
      g_set_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD,
                   "The field “%s” of the partner’s message is %" G_GUINT64_FORMAT
                   ", more than %" G_GUINT64_FORMAT, key, v, max_value);
      return FALSE;
    }

  if (out_value != NULL)
    *out_value = v;
  return TRUE;
}

/**
 * td_wire_lookup_int:
 * @fields: an `a{sv}`
 * @key: the field name
 * @min_value: the smallest acceptable value
 * @max_value: the largest acceptable value
 * @out_value: (out): the value
 * @error: a #GError
 *
 * Accepts any signed integer type (`n`, `i`, `x`).
 *
 * Returns: %TRUE if @key holds a signed integer in [@min_value, @max_value]
 */
gboolean
td_wire_lookup_int (GVariant    *fields,
                    const char  *key,
                    gint64       min_value,
                    gint64       max_value,
                    gint64      *out_value,
                    GError     **error)
{
  g_autoptr(GVariant) value = lookup (fields, key, "a signed integer", is_signed, error);
  gint64 v;

  if (value == NULL)
    return FALSE;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT16))
    v = g_variant_get_int16 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    v = g_variant_get_int32 (value);
  else
    v = g_variant_get_int64 (value);

  if (v < min_value || v > max_value)
    {
      g_set_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD,
                   "The field “%s” of the partner’s message is %" G_GINT64_FORMAT
                   ", outside %" G_GINT64_FORMAT "…%" G_GINT64_FORMAT,
                   key, v, min_value, max_value);
      return FALSE;
    }

  if (out_value != NULL)
    *out_value = v;
  return TRUE;
}

/**
 * td_wire_lookup_boolean:
 * @fields: an `a{sv}`
 * @key: the field name
 * @out_value: (out): the value
 * @error: a #GError
 *
 * Returns: %TRUE if @key holds a boolean (`b`)
 */
gboolean
td_wire_lookup_boolean (GVariant    *fields,
                        const char  *key,
                        gboolean    *out_value,
                        GError     **error)
{
  g_autoptr(GVariant) value = lookup (fields, key, "a boolean", is_boolean, error);

  if (value == NULL)
    return FALSE;

  if (out_value != NULL)
    *out_value = g_variant_get_boolean (value);
  return TRUE;
}

/**
 * td_wire_lookup_double:
 * @fields: an `a{sv}`
 * @key: the field name
 * @min_value: the smallest acceptable value
 * @max_value: the largest acceptable value
 * @out_value: (out): the value
 * @error: a #GError
 *
 * Returns: %TRUE if @key holds a finite double (`d`) in [@min_value, @max_value]
 */
gboolean
td_wire_lookup_double (GVariant    *fields,
                       const char  *key,
                       double       min_value,
                       double       max_value,
                       double      *out_value,
                       GError     **error)
{
  g_autoptr(GVariant) value = lookup (fields, key, "a number", is_double, error);
  double v;

  if (value == NULL)
    return FALSE;

  v = g_variant_get_double (value);
  if (!isfinite (v) || v < min_value || v > max_value)
    {
      g_set_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD,
                   "The field “%s” of the partner’s message is %g, outside %g…%g",
                   key, v, min_value, max_value);
      return FALSE;
    }

  if (out_value != NULL)
    *out_value = v;
  return TRUE;
}

/**
 * td_wire_lookup_bytes:
 * @fields: an `a{sv}`
 * @key: the field name
 * @max_length: the largest acceptable size, or 0 for no limit
 * @out_value: (out) (transfer full): the value; it shares the message's memory
 * @error: a #GError
 *
 * Returns: %TRUE if @key holds a byte array (`ay`) no longer than @max_length
 */
gboolean
td_wire_lookup_bytes (GVariant    *fields,
                      const char  *key,
                      gsize        max_length,
                      GBytes     **out_value,
                      GError     **error)
{
  g_autoptr(GVariant) value = lookup (fields, key, "a byte array", is_bytestring, error);
  gsize length;

  if (value == NULL)
    return FALSE;

  length = g_variant_get_size (value);
  if (max_length > 0 && length > max_length)
    {
      g_set_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD,
                   "The field “%s” of the partner’s message is longer than %" G_GSIZE_FORMAT " bytes",
                   key, max_length);
      return FALSE;
    }

  if (out_value != NULL)
    *out_value = g_variant_get_data_as_bytes (value);
  return TRUE;
}
