/* test-wire.c: control-channel framing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "td-wire-private.h"

static GVariant *
sample_fields (void)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  static const guint8 blob[] = { 0, 1, 2, 3, 0xff };

  g_variant_dict_insert (&dict, "text", "s", "héllo");
  g_variant_dict_insert (&dict, "n", "u", 42u);
  g_variant_dict_insert (&dict, "big", "t", G_GUINT64_CONSTANT (1) << 40);
  g_variant_dict_insert (&dict, "small", "y", (guchar) 7);
  g_variant_dict_insert (&dict, "neg", "i", -5);
  g_variant_dict_insert (&dict, "flag", "b", TRUE);
  g_variant_dict_insert (&dict, "x", "d", 0.25);
  g_variant_dict_insert_value (&dict, "blob",
                               g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, blob,
                                                          sizeof blob, 1));
  return g_variant_dict_end (&dict);
}

static GBytes *
frame_from_payload (const guint8 *payload,
                    gsize         length)
{
  guint8 *frame = g_malloc (length + 4);

  frame[0] = (length >> 24) & 0xff;
  frame[1] = (length >> 16) & 0xff;
  frame[2] = (length >> 8) & 0xff;
  frame[3] = length & 0xff;
  memcpy (frame + 4, payload, length);
  return g_bytes_new_take (frame, length + 4);
}

static void
assert_decode_error (GBytes *frame,
                     gint    code)
{
  g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) fields = NULL;
  guint16 type = 0;
  gsize size;
  const guint8 *data = g_bytes_get_data (frame, &size);

  if (td_wire_decoder_feed (decoder, data, size, &error))
    g_assert_false (td_wire_decoder_pop (decoder, &type, &fields, &error));
  g_assert_error (error, TD_WIRE_ERROR, code);
  g_assert_null (fields);
  g_test_message ("expected error: %s", error->message);
}

static void
test_round_trip (void)
{
  g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (0);
  g_autoptr(GBytes) frame = td_wire_encode (TD_WIRE_TYPE_CHAT, sample_fields ());
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GVariant) expected = g_variant_ref_sink (sample_fields ());
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  guint16 type = 0;
  gsize size;

  data = g_bytes_get_data (frame, &size);
  g_assert_cmpuint (size, >, 4);
  /* Big-endian payload length in front. */
  g_assert_cmpuint (((gsize) data[0] << 24 | data[1] << 16 | data[2] << 8 | data[3]), ==, size - 4);

  g_assert_true (td_wire_decoder_feed (decoder, data, size, &error));
  g_assert_no_error (error);
  g_assert_true (td_wire_decoder_pop (decoder, &type, &fields, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (type, ==, TD_WIRE_TYPE_CHAT);
  g_assert_true (g_variant_equal (fields, expected));
  g_assert_cmpuint (td_wire_decoder_get_buffered (decoder), ==, 0);

  /* Nothing more. */
  g_clear_pointer (&fields, g_variant_unref);
  g_assert_false (td_wire_decoder_pop (decoder, &type, &fields, &error));
  g_assert_no_error (error);
  g_assert_null (fields);
}

static void
test_empty_fields (void)
{
  g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (0);
  g_autoptr(GBytes) frame = td_wire_encode (TD_WIRE_TYPE_KEYFRAME_REQUEST, NULL);
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GError) error = NULL;
  guint16 type = 0;

  g_assert_true (td_wire_decoder_feed (decoder, g_bytes_get_data (frame, NULL),
                                       g_bytes_get_size (frame), &error));
  g_assert_true (td_wire_decoder_pop (decoder, &type, &fields, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (type, ==, TD_WIRE_TYPE_KEYFRAME_REQUEST);
  g_assert_cmpuint (g_variant_n_children (fields), ==, 0);
}

static void
test_split_frames (void)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (0);
  g_autoptr(GError) error = NULL;
  guint n_messages = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GBytes) frame = NULL;
      g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

      g_variant_dict_insert (&dict, "id", "t", (guint64) i);
      frame = td_wire_encode (TD_WIRE_TYPE_PING, g_variant_dict_end (&dict));
      g_byte_array_append (stream, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
    }

  /* One byte at a time: a message pops exactly when its last byte arrives. */
  for (guint i = 0; i < stream->len; i++)
    {
      g_autoptr(GVariant) fields = NULL;
      guint16 type;

      g_assert_true (td_wire_decoder_feed (decoder, stream->data + i, 1, &error));
      g_assert_no_error (error);
      while (td_wire_decoder_pop (decoder, &type, &fields, &error))
        {
          guint64 id = G_MAXUINT64;

          g_assert_cmpuint (type, ==, TD_WIRE_TYPE_PING);
          g_assert_true (td_wire_lookup_uint (fields, "id", 100, &id, &error));
          g_assert_cmpuint (id, ==, n_messages);
          n_messages++;
          g_clear_pointer (&fields, g_variant_unref);
        }
      g_assert_no_error (error);
    }
  g_assert_cmpuint (n_messages, ==, 5);
}

static void
test_many_in_one_buffer (void)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) fields = NULL;
  guint n_messages = 0;
  guint16 type;

  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GBytes) frame = td_wire_encode (TD_WIRE_TYPE_POINTER, sample_fields ());

      g_byte_array_append (stream, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
    }

  g_assert_true (td_wire_decoder_feed (decoder, stream->data, stream->len, &error));
  while (td_wire_decoder_pop (decoder, &type, &fields, &error))
    {
      g_assert_cmpuint (type, ==, TD_WIRE_TYPE_POINTER);
      n_messages++;
      g_clear_pointer (&fields, g_variant_unref);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n_messages, ==, 1000);
  g_assert_cmpuint (td_wire_decoder_get_buffered (decoder), ==, 0);
}

static void
test_too_large (void)
{
  g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (1024);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) fields = NULL;
  g_autofree guint8 *big = g_malloc0 (2048);
  g_autoptr(GBytes) frame = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const guint8 header[4] = { 0x7f, 0xff, 0xff, 0xff };
  guint16 type;

  g_assert_cmpuint (td_wire_decoder_get_max_frame_size (decoder), ==, 1024);

  /* Refused as soon as the header is in: nothing is buffered for it. */
  g_assert_false (td_wire_decoder_feed (decoder, header, sizeof header, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* And the decoder stays failed. */
  g_assert_false (td_wire_decoder_pop (decoder, &type, &fields, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_false (td_wire_decoder_feed (decoder, header, 1, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* The default limit is 1 MiB. */
  g_variant_dict_insert_value (&dict, "data",
                               g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, big, 2048, 1));
  frame = td_wire_encode (TD_WIRE_TYPE_FILE_CHUNK, g_variant_dict_end (&dict));
  {
    g_autoptr(TdWireDecoder) small = td_wire_decoder_new (2000);
    g_autoptr(TdWireDecoder) normal = td_wire_decoder_new (0);

    g_assert_false (td_wire_decoder_feed (small, g_bytes_get_data (frame, NULL),
                                          g_bytes_get_size (frame), &error));
    g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_TOO_LARGE);
    g_clear_error (&error);

    g_assert_cmpuint (td_wire_decoder_get_max_frame_size (normal), ==, 1024 * 1024);
    g_assert_true (td_wire_decoder_feed (normal, g_bytes_get_data (frame, NULL),
                                         g_bytes_get_size (frame), &error));
    g_assert_true (td_wire_decoder_pop (normal, &type, &fields, &error));
    g_assert_no_error (error);
  }
}

static void
test_empty_frame (void)
{
  static const guint8 zero[4] = { 0, 0, 0, 0 };
  g_autoptr(GBytes) frame = g_bytes_new_static (zero, sizeof zero);

  assert_decode_error (frame, TD_WIRE_ERROR_MALFORMED);
}

static void
test_not_normal (void)
{
  g_autoptr(GBytes) good = td_wire_encode (TD_WIRE_TYPE_CHAT, sample_fields ());
  g_autofree guint8 *payload = NULL;
  gsize size;

  size = g_bytes_get_size (good) - 4;
  payload = g_memdup2 ((const guint8 *) g_bytes_get_data (good, NULL) + 4, size);

  /* The padding between the type and the dictionary must be zero. */
  {
    g_autofree guint8 *copy = g_memdup2 (payload, size);
    g_autoptr(GBytes) frame = NULL;

    g_assert_cmpuint (copy[2], ==, 0);
    copy[2] = 0xaa;
    frame = frame_from_payload (copy, size);
    assert_decode_error (frame, TD_WIRE_ERROR_NOT_NORMAL);
  }

  /* A truncated payload, with a consistent frame length. */
  {
    g_autoptr(GBytes) frame = frame_from_payload (payload, size - 3);

    assert_decode_error (frame, TD_WIRE_ERROR_NOT_NORMAL);
  }

  /* One byte: too short to be a (qa{sv}). */
  {
    g_autoptr(GBytes) frame = frame_from_payload (payload, 1);

    assert_decode_error (frame, TD_WIRE_ERROR_NOT_NORMAL);
  }

  /* Two bytes: the type alone. GLib 2.74 reads one byte past such a
   * value when checking it; valgrind watches that this stays inside the
   * decoder's own zeroed slack. */
  {
    static const guint8 type_only[] = { 0x71, 0x00 };
    g_autoptr(GBytes) frame = frame_from_payload (type_only, sizeof type_only);

    assert_decode_error (frame, TD_WIRE_ERROR_NOT_NORMAL);
  }

  /* An invalid UTF-8 key. */
  {
    g_autofree guint8 *copy = g_memdup2 (payload, size);
    g_autoptr(GBytes) frame = NULL;
    guint8 *p = NULL;

    for (gsize i = 0; i + 4 <= size && p == NULL; i++)
      {
        if (memcmp (copy + i, "text", 4) == 0)
          p = copy + i;
      }
    g_assert_nonnull (p);
    p[0] = 0xc3;
    p[1] = 0x28;
    frame = frame_from_payload (copy, size);
    assert_decode_error (frame, TD_WIRE_ERROR_NOT_NORMAL);
  }
}

static GBytes *
large_frame (void)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autofree guint8 *data = g_malloc (40000);

  for (guint i = 0; i < 40000; i++)
    data[i] = i * 7;
  g_variant_dict_insert (&dict, "offset", "t", (guint64) 123);
  g_variant_dict_insert (&dict, "name", "s", "report.pdf");
  g_variant_dict_insert_value (&dict, "data",
                               g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, 40000, 1));
  g_variant_dict_insert_value (&dict, "nested", g_variant_new_parsed ("[(1, 'a'), (2, 'b')]"));
  return td_wire_encode (TD_WIRE_TYPE_FILE_CHUNK, g_variant_dict_end (&dict));
}

static void
assert_checks_agree (const guint8 *payload,
                     gsize         size,
                     gboolean      expected)
{
  g_autoptr(GBytes) bytes = g_bytes_new (payload, size);
  g_autoptr(GVariant) message =
    g_variant_ref_sink (g_variant_new_from_bytes (TD_WIRE_PAYLOAD_TYPE, bytes, FALSE));

  g_assert_cmpint (g_variant_is_normal_form (message), ==, expected);
  g_assert_cmpint (td_wire_is_normal_by_rebuilding (message), ==, expected);
}

/* Frames over TD_WIRE_DIRECT_CHECK_MAX take the rebuilding check. */
static void
test_large_frames (void)
{
  g_autoptr(GBytes) good = large_frame ();
  g_autofree guint8 *payload = NULL;
  gsize size = g_bytes_get_size (good) - 4;

  g_assert_cmpuint (size, >, TD_WIRE_DIRECT_CHECK_MAX);
  payload = g_memdup2 ((const guint8 *) g_bytes_get_data (good, NULL) + 4, size);

  {
    g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (0);
    g_autoptr(GVariant) fields = NULL;
    g_autoptr(GBytes) data = NULL;
    g_autoptr(GError) error = NULL;
    guint16 type;

    g_assert_true (td_wire_decoder_feed (decoder, g_bytes_get_data (good, NULL),
                                         g_bytes_get_size (good), &error));
    g_assert_true (td_wire_decoder_pop (decoder, &type, &fields, &error));
    g_assert_no_error (error);
    g_assert_true (td_wire_lookup_bytes (fields, "data", 0, &data, &error));
    g_assert_cmpuint (g_bytes_get_size (data), ==, 40000);
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (data, NULL))[39999], ==, (guint8) (39999 * 7));
  }
  assert_checks_agree (payload, size, TRUE);

  /* Non-zero padding after the type. */
  {
    g_autofree guint8 *copy = g_memdup2 (payload, size);
    g_autoptr(GBytes) frame = NULL;

    copy[3] = 1;
    assert_checks_agree (copy, size, FALSE);
    frame = frame_from_payload (copy, size);
    assert_decode_error (frame, TD_WIRE_ERROR_NOT_NORMAL);
  }

  /* Each single-byte change anywhere in the structure (after the data
   * bytes, where keys, type strings and framing offsets are) is caught
   * by both checks alike. */
  for (gsize i = 0; i < size; i += (i < 64 || i > size - 200) ? 1 : 997)
    {
      g_autofree guint8 *copy = g_memdup2 (payload, size);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GVariant) message = NULL;

      copy[i] ^= 0x5a;
      bytes = g_bytes_new (copy, size);
      message = g_variant_ref_sink (g_variant_new_from_bytes (TD_WIRE_PAYLOAD_TYPE, bytes, FALSE));
      g_assert_cmpint (g_variant_is_normal_form (message), ==,
                       td_wire_is_normal_by_rebuilding (message));
    }

  /* Truncated. */
  assert_checks_agree (payload, size - 1, FALSE);
}

static void
test_garbage (void)
{
  GRand *rand = g_rand_new_with_seed (1234);

  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (4096);
      g_autoptr(GError) error = NULL;
      guint8 garbage[256];
      guint length = g_rand_int_range (rand, 0, sizeof garbage);
      guint16 type;

      for (guint j = 0; j < length; j++)
        garbage[j] = g_rand_int_range (rand, 0, 256);
      /* Mostly plausible lengths, so the payload reaches the parser. */
      if (length >= 4 && (i % 2) == 0)
        {
          guint32 plen = length - 4;

          garbage[0] = 0;
          garbage[1] = 0;
          garbage[2] = plen >> 8;
          garbage[3] = plen & 0xff;
        }

      if (td_wire_decoder_feed (decoder, garbage, length, &error))
        {
          g_autoptr(GVariant) fields = NULL;

          while (td_wire_decoder_pop (decoder, &type, &fields, &error))
            g_clear_pointer (&fields, g_variant_unref);
        }
      if (error != NULL)
        g_assert_true (error->domain == TD_WIRE_ERROR);
    }

  g_rand_free (rand);
}

static void
test_required_fields (void)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GError) error = NULL;
  guint16 type;

  g_variant_dict_insert (&dict, "text", "s", "hi");
  g_variant_dict_insert (&dict, "future-optional", "u", 1u);
  g_variant_dict_insert (&dict, "!future-required", "u", 1u);
  frame = td_wire_encode (TD_WIRE_TYPE_CHAT, g_variant_dict_end (&dict));

  /* Not known: refused. */
  assert_decode_error (frame, TD_WIRE_ERROR_UNKNOWN_REQUIRED);

  /* Known: accepted; the unknown optional field is just there. */
  {
    g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (0);

    td_wire_decoder_add_known_field (decoder, TD_WIRE_TYPE_CHAT, "!future-required");
    g_assert_true (td_wire_decoder_feed (decoder, g_bytes_get_data (frame, NULL),
                                         g_bytes_get_size (frame), &error));
    g_assert_true (td_wire_decoder_pop (decoder, &type, &fields, &error));
    g_assert_no_error (error);
    g_assert_true (td_wire_has_field (fields, "!future-required"));
  }

  /* Known for another type only: refused. */
  {
    g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (0);
    g_autoptr(GVariant) other = NULL;

    td_wire_decoder_add_known_field (decoder, TD_WIRE_TYPE_HELLO, "!future-required");
    g_assert_true (td_wire_decoder_feed (decoder, g_bytes_get_data (frame, NULL),
                                         g_bytes_get_size (frame), &error));
    g_assert_false (td_wire_decoder_pop (decoder, &type, &other, &error));
    g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_UNKNOWN_REQUIRED);
  }
}

static void
test_duplicate_keys (void)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
  g_autoptr(GBytes) frame = NULL;

  g_variant_builder_add (builder, "{sv}", "reason", g_variant_new_string ("user"));
  g_variant_builder_add (builder, "{sv}", "reason", g_variant_new_string ("other"));
  frame = td_wire_encode (TD_WIRE_TYPE_BYE, g_variant_builder_end (builder));
  assert_decode_error (frame, TD_WIRE_ERROR_MALFORMED);
}

static void
test_empty_key (void)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
  g_autoptr(GBytes) frame = NULL;

  g_variant_builder_add (builder, "{sv}", "", g_variant_new_string ("user"));
  frame = td_wire_encode (TD_WIRE_TYPE_BYE, g_variant_builder_end (builder));
  assert_decode_error (frame, TD_WIRE_ERROR_MALFORMED);
}

static void
test_unknown_types (void)
{
  g_autoptr(GBytes) unknown = td_wire_encode (0x1234, NULL);
  g_autoptr(GBytes) extension = td_wire_encode (0x8123, NULL);
  g_autoptr(TdWireDecoder) decoder = td_wire_decoder_new (0);
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GError) error = NULL;
  guint16 type;

  assert_decode_error (unknown, TD_WIRE_ERROR_UNKNOWN_REQUIRED);

  g_assert_true (td_wire_decoder_feed (decoder, g_bytes_get_data (extension, NULL),
                                       g_bytes_get_size (extension), &error));
  g_assert_true (td_wire_decoder_pop (decoder, &type, &fields, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (type, ==, 0x8123);

  g_assert_cmpstr (td_wire_type_to_string (TD_WIRE_TYPE_BYE), ==, "bye");
  g_assert_cmpstr (td_wire_type_to_string (TD_WIRE_TYPE_FILE_CHUNK), ==, "file-chunk");
  g_assert_null (td_wire_type_to_string (0x1234));
  g_assert_true (td_wire_type_is_known (TD_WIRE_TYPE_HELLO));
  g_assert_false (td_wire_type_is_known (0));
}

static void
test_lookup (void)
{
  g_autoptr(GVariant) fields = g_variant_ref_sink (sample_fields ());
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) blob = NULL;
  guint64 u = 0;
  gint64 i = 0;
  gboolean b = FALSE;
  double d = 0;

  g_assert_true (td_wire_lookup_string (fields, "text", 64, &text, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "héllo");

  g_assert_false (td_wire_lookup_string (fields, "text", 3, NULL, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD);
  g_clear_error (&error);

  g_assert_true (td_wire_lookup_uint (fields, "n", 100, &u, &error));
  g_assert_cmpuint (u, ==, 42);
  g_assert_true (td_wire_lookup_uint (fields, "small", 255, &u, &error));
  g_assert_cmpuint (u, ==, 7);
  g_assert_true (td_wire_lookup_uint (fields, "big", G_MAXUINT64, &u, &error));
  g_assert_cmpuint (u, ==, G_GUINT64_CONSTANT (1) << 40);
  g_assert_no_error (error);

  g_assert_false (td_wire_lookup_uint (fields, "n", 41, &u, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD);
  g_clear_error (&error);

  g_assert_false (td_wire_lookup_uint (fields, "neg", 100, &u, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD);
  g_clear_error (&error);

  g_assert_true (td_wire_lookup_int (fields, "neg", -10, 10, &i, &error));
  g_assert_cmpint (i, ==, -5);
  g_assert_false (td_wire_lookup_int (fields, "neg", 0, 10, &i, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD);
  g_clear_error (&error);

  g_assert_true (td_wire_lookup_boolean (fields, "flag", &b, &error));
  g_assert_true (b);
  g_assert_false (td_wire_lookup_boolean (fields, "text", &b, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD);
  g_clear_error (&error);

  g_assert_true (td_wire_lookup_double (fields, "x", 0.0, 1.0, &d, &error));
  g_assert_cmpfloat (d, ==, 0.25);
  g_assert_false (td_wire_lookup_double (fields, "x", 0.5, 1.0, &d, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD);
  g_clear_error (&error);

  g_assert_true (td_wire_lookup_bytes (fields, "blob", 16, &blob, &error));
  g_assert_cmpuint (g_bytes_get_size (blob), ==, 5);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (blob, NULL))[4], ==, 0xff);
  g_assert_false (td_wire_lookup_bytes (fields, "blob", 4, NULL, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD);
  g_clear_error (&error);

  g_assert_false (td_wire_lookup_string (fields, "nope", 0, &text, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_MISSING_FIELD);
  g_clear_error (&error);

  g_assert_true (td_wire_has_field (fields, "flag"));
  g_assert_false (td_wire_has_field (fields, "nope"));
}

static void
test_lookup_nan (void)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GError) error = NULL;
  double d;

  g_variant_dict_insert (&dict, "x", "d", NAN);
  g_variant_dict_insert (&dict, "y", "d", INFINITY);
  fields = g_variant_ref_sink (g_variant_dict_end (&dict));

  g_assert_false (td_wire_lookup_double (fields, "x", -G_MAXDOUBLE, G_MAXDOUBLE, &d, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD);
  g_clear_error (&error);
  g_assert_false (td_wire_lookup_double (fields, "y", -G_MAXDOUBLE, G_MAXDOUBLE, &d, &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_BAD_FIELD);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/round-trip", test_round_trip);
  g_test_add_func ("/wire/empty-fields", test_empty_fields);
  g_test_add_func ("/wire/split-frames", test_split_frames);
  g_test_add_func ("/wire/many-in-one-buffer", test_many_in_one_buffer);
  g_test_add_func ("/wire/too-large", test_too_large);
  g_test_add_func ("/wire/empty-frame", test_empty_frame);
  g_test_add_func ("/wire/not-normal", test_not_normal);
  g_test_add_func ("/wire/large-frames", test_large_frames);
  g_test_add_func ("/wire/garbage", test_garbage);
  g_test_add_func ("/wire/required-fields", test_required_fields);
  g_test_add_func ("/wire/duplicate-keys", test_duplicate_keys);
  g_test_add_func ("/wire/empty-key", test_empty_key);
  g_test_add_func ("/wire/unknown-types", test_unknown_types);
  g_test_add_func ("/wire/lookup", test_lookup);
  g_test_add_func ("/wire/lookup-nan", test_lookup_nan);

  return g_test_run ();
}
