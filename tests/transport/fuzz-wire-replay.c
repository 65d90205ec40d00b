/* fuzz-wire-replay.c: runs the wire fuzz target over its seed corpus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plain build of fuzz-wire.c (no clang needed) that feeds every file of
 * tests/transport/corpus/wire/ through LLVMFuzzerTestOneInput, so the
 * corpus and any crash file added to it keep being checked by
 * `meson test`.
 *
 *   fuzz-wire-replay [FILE|DIR...]      replay (default: the seed corpus)
 *   fuzz-wire-replay --write-seeds DIR  regenerate the seed corpus
 */
#include <stdint.h>
#include <string.h>

#include "td-wire-private.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GPtrArray *inputs;

static void
collect (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (path, name, NULL));
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      for (guint i = 0; i < names->len; i++)
        g_ptr_array_add (inputs, g_strdup (g_ptr_array_index (names, i)));
    }
  else
    {
      g_ptr_array_add (inputs, g_strdup (path));
    }
}

static void
test_replay (void)
{
  g_assert_cmpuint (inputs->len, >, 0);

  for (guint i = 0; i < inputs->len; i++)
    {
      const char *path = g_ptr_array_index (inputs, i);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      g_test_message ("%s (%" G_GSIZE_FORMAT " bytes)", path, length);
      LLVMFuzzerTestOneInput ((const guint8 *) contents, length);
    }
}

static void
add_frame (GByteArray *stream,
           guint16     type,
           GVariant   *fields)
{
  g_autoptr(GBytes) frame = td_wire_encode (type, fields);

  g_byte_array_append (stream, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
}

static void
write_seed (const char *dir,
            const char *name,
            guint8      chunk,
            GByteArray *stream)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GByteArray) seed = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_byte_array_append (seed, &chunk, 1);
  g_byte_array_append (seed, stream->data, stream->len);
  g_file_set_contents (path, (const char *) seed->data, seed->len, &error);
  g_assert_no_error (error);
  g_print ("wrote %s (%u bytes)\n", path, seed->len);
}

static int
write_seeds (const char *dir)
{
  static const guint8 blob[] = { 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3 };

  {
    g_autoptr(GByteArray) s = g_byte_array_new ();
    g_auto(GVariantDict) d = G_VARIANT_DICT_INIT (NULL);

    g_variant_dict_insert (&d, "version", "u", 1u);
    g_variant_dict_insert (&d, "software", "s", "Tandem 0.1.0");
    add_frame (s, TD_WIRE_TYPE_HELLO, g_variant_dict_end (&d));
    write_seed (dir, "hello", 255, s);
  }
  {
    g_autoptr(GByteArray) s = g_byte_array_new ();

    for (guint i = 0; i < 4; i++)
      {
        g_auto(GVariantDict) d = G_VARIANT_DICT_INIT (NULL);

        g_variant_dict_insert (&d, "x", "d", 0.125 * i);
        g_variant_dict_insert (&d, "y", "d", 0.5);
        g_variant_dict_insert (&d, "monitor", "q", (guint16) 0);
        add_frame (s, TD_WIRE_TYPE_POINTER, g_variant_dict_end (&d));
      }
    write_seed (dir, "pointer-x4-split3", 2, s);
  }
  {
    g_autoptr(GByteArray) s = g_byte_array_new ();
    g_auto(GVariantDict) d = G_VARIANT_DICT_INIT (NULL);

    g_variant_dict_insert (&d, "id", "t", (guint64) 7);
    g_variant_dict_insert (&d, "offset", "t", (guint64) 4096);
    g_variant_dict_insert_value (&d, "data",
                                 g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, blob,
                                                            sizeof blob, 1));
    add_frame (s, TD_WIRE_TYPE_FILE_CHUNK, g_variant_dict_end (&d));
    write_seed (dir, "file-chunk", 0, s);
  }
  {
    g_autoptr(GByteArray) s = g_byte_array_new ();
    g_auto(GVariantDict) d = G_VARIANT_DICT_INIT (NULL);

    g_variant_dict_insert (&d, "text", "s", "hello, how can I help?");
    g_variant_dict_insert (&d, "!known", "b", TRUE);
    g_variant_dict_insert (&d, "later", "i", -3);
    g_variant_dict_insert_value (&d, "nested",
                                 g_variant_new_parsed ("{'a': <[<1>, <'x'>]>, 'b': <(1, @ms nothing)>}"));
    add_frame (s, TD_WIRE_TYPE_CHAT, g_variant_dict_end (&d));
    add_frame (s, TD_WIRE_TYPE_KEYFRAME_REQUEST, NULL);
    write_seed (dir, "chat-nested", 15, s);
  }
  {
    g_autoptr(GByteArray) s = g_byte_array_new ();
    g_auto(GVariantDict) d = G_VARIANT_DICT_INIT (NULL);

    g_variant_dict_insert (&d, "reason", "s", "user");
    g_variant_dict_insert (&d, "message", "s", "The partner ended the session");
    add_frame (s, TD_WIRE_TYPE_PING, NULL);
    add_frame (s, 0x8001, NULL);
    add_frame (s, TD_WIRE_TYPE_BYE, g_variant_dict_end (&d));
    write_seed (dir, "ping-extension-bye", 6, s);
  }
  {
    g_autoptr(GByteArray) s = g_byte_array_new ();
    g_auto(GVariantDict) d = G_VARIANT_DICT_INIT (NULL);

    g_variant_dict_insert (&d, "!unknown", "b", TRUE);
    add_frame (s, TD_WIRE_TYPE_CHAT, g_variant_dict_end (&d));
    write_seed (dir, "unknown-required", 255, s);
  }
  {
    g_autoptr(GByteArray) s = g_byte_array_new ();
    g_auto(GVariantDict) d = G_VARIANT_DICT_INIT (NULL);
    g_autofree guint8 *big = g_malloc (20000);

    for (guint i = 0; i < 20000; i++)
      big[i] = i;
    g_variant_dict_insert (&d, "offset", "t", (guint64) 0);
    g_variant_dict_insert_value (&d, "data",
                                 g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, big, 20000, 1));
    add_frame (s, TD_WIRE_TYPE_FILE_CHUNK, g_variant_dict_end (&d));
    write_seed (dir, "file-chunk-large", 255, s);
  }
  {
    g_autoptr(GByteArray) s = g_byte_array_new ();
    const guint8 huge[] = { 0x00, 0x10, 0x00, 0x01, 0x00 };

    g_byte_array_append (s, huge, sizeof huge);
    write_seed (dir, "too-large", 255, s);
  }

  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (argc == 3 && g_str_equal (argv[1], "--write-seeds"))
    return write_seeds (argv[2]);

  LLVMFuzzerInitialize (&argc, &argv);
  inputs = g_ptr_array_new_with_free_func (g_free);
  if (argc > 1)
    {
      for (int i = 1; i < argc; i++)
        collect (argv[i]);
    }
  else
    {
      g_autofree char *corpus = g_test_build_filename (G_TEST_DIST, "corpus", "wire", NULL);

      collect (corpus);
    }

  g_test_add_func ("/fuzz-wire/replay", test_replay);

  return g_test_run ();
}
