/* fuzz-wire.c: libFuzzer target for the control-channel frame decoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first input byte chooses how the rest is cut into reads (1 to 256
 * bytes each), the way PseudoTCP and TLS hand over a stream in pieces.
 * Every message the decoder accepts goes through each typed lookup helper
 * and is encoded again: since only normal form is accepted, the new frame
 * must be identical to the bytes it came from.
 *
 * Built by tests/transport/run-fuzz-wire.sh (clang, -fsanitize=fuzzer) and,
 * for replaying the corpus in `meson test`, with a plain main().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "td-wire-private.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical from a g_return_if_fail() is a bug the fuzzer should see. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
exercise_fields (GVariant *fields)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, fields);
  while (g_variant_iter_next (&iter, "{&s@v}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;
      g_autofree char *str = NULL;
      g_autoptr(GBytes) bytes = NULL;
      guint64 u;
      gint64 i;
      gboolean b;
      double d;

      g_assert_true (td_wire_has_field (fields, key));
      td_wire_lookup_string (fields, key, 1024, &str, NULL);
      td_wire_lookup_uint (fields, key, G_MAXUINT32, &u, NULL);
      td_wire_lookup_int (fields, key, G_MININT32, G_MAXINT32, &i, NULL);
      td_wire_lookup_boolean (fields, key, &b, NULL);
      td_wire_lookup_double (fields, key, -1.0, 1.0, &d, NULL);
      td_wire_lookup_bytes (fields, key, 4096, &bytes, NULL);
    }
}

/* The decoder checks large frames by rebuilding them (see td-wire.c);
 * that must agree with GLib's own check on everything. */
static void
check_normal_form_equivalence (const guint8 *data,
                               gsize         size)
{
  g_autoptr(GBytes) whole = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) message = NULL;
  guint8 *copy;

  /* Zeroed slack, as the decoder gives it (GLib 2.74 reads a byte past
   * the end of some short values). */
  copy = g_malloc0 (size + 8);
  if (size > 0)
    memcpy (copy, data, size);
  whole = g_bytes_new_take (copy, size + 8);
  bytes = g_bytes_new_from_bytes (whole, 0, size);
  message = g_variant_ref_sink (g_variant_new_from_bytes (TD_WIRE_PAYLOAD_TYPE, bytes, FALSE));

  if (g_variant_is_normal_form (message) != td_wire_is_normal_by_rebuilding (message))
    {
      g_printerr ("normal-form checks disagree (GLib says %d)\n",
                  g_variant_is_normal_form (message));
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(TdWireDecoder) decoder = NULL;
  const guint8 *stream;
  gsize stream_size, fed = 0, consumed = 0;
  gsize chunk;

  if (size < 1)
    return 0;

  chunk = (gsize) data[0] + 1;
  stream = data + 1;
  stream_size = size - 1;

  /* The whole input, read as one payload. */
  check_normal_form_equivalence (stream, stream_size);

  decoder = td_wire_decoder_new (64 * 1024);
  td_wire_decoder_add_known_field (decoder, TD_WIRE_TYPE_CHAT, "!known");

  while (fed < stream_size)
    {
      gsize n = MIN (chunk, stream_size - fed);
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) fields = NULL;
      guint16 type;

      if (!td_wire_decoder_feed (decoder, stream + fed, n, &error))
        {
          g_assert_true (error != NULL && error->domain == TD_WIRE_ERROR);
          break;
        }
      fed += n;

      while (td_wire_decoder_pop (decoder, &type, &fields, &error))
        {
          g_autoptr(GBytes) again = NULL;
          gsize again_size;
          const guint8 *again_data;

          g_assert_true (g_variant_is_of_type (fields, G_VARIANT_TYPE_VARDICT));
          exercise_fields (fields);

          again = td_wire_encode (type, fields);
          again_data = g_bytes_get_data (again, &again_size);
          if (consumed + again_size > fed ||
              memcmp (again_data, stream + consumed, again_size) != 0)
            {
              g_printerr ("a decoded message does not encode back to its frame\n");
              abort ();
            }
          consumed += again_size;
          g_clear_pointer (&fields, g_variant_unref);
        }

      if (error != NULL)
        {
          g_assert_true (error->domain == TD_WIRE_ERROR);
          break;
        }
    }

  return 0;
}
