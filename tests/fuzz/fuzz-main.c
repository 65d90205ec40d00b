/* fuzz-main.c: replays fuzz inputs without libFuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: fuzz-foo-regress FILE-OR-DIRECTORY...
 * Feeds every file (directories are read one level deep, in name order)
 * to the target's LLVMFuzzerTestOneInput (), so the seed corpus and every
 * crash input saved there are regression tests in the normal gcc build.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "td-fuzz.h"

static gboolean
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }

  g_print ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, length);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);

  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

int
main (int   argc,
      char *argv[])
{
  guint n_inputs = 0;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = NULL;
      const char *name;

      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          if (!run_file (argv[i]))
            return EXIT_FAILURE;
          n_inputs++;
          continue;
        }

      dir = g_dir_open (argv[i], 0, NULL);
      if (dir == NULL)
        return EXIT_FAILURE;

      names = g_ptr_array_new_with_free_func (g_free);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (name[0] != '.')
          g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
      g_ptr_array_sort (names, compare_names);

      for (guint j = 0; j < names->len; j++)
        {
          const char *path = g_ptr_array_index (names, j);

          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            continue;
          if (!run_file (path))
            return EXIT_FAILURE;
          n_inputs++;
        }
    }

  if (n_inputs == 0)
    {
      g_printerr ("No inputs: give files or corpus directories\n");
      return EXIT_FAILURE;
    }

  g_print ("%u inputs, no crash\n", n_inputs);
  return EXIT_SUCCESS;
}
