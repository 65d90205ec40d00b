/* td-util.c: small helpers shared by every layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "td-util"

#include "td-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#ifdef G_OS_WIN32
# include <windows.h>
# include <bcrypt.h>
#else
# include <sys/random.h>
#endif

/**
 * td_random_bytes:
 * @buffer: where to write
 * @length: how many bytes
 *
 * Fills @buffer from the operating system's cryptographic random number
 * generator. There is no way to recover from a kernel that cannot give
 * random bytes, so this is the one place where an abort is right: a
 * password or key made from anything weaker would be a silent disaster.
 */
void
td_random_bytes (void  *buffer,
                 gsize  length)
{
  guint8 *p = buffer;

#ifdef G_OS_WIN32
  if (!BCRYPT_SUCCESS (BCryptGenRandom (NULL, p, (ULONG) length,
                                        BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
    g_abort ();
#else
  while (length > 0)
    {
      ssize_t n = getrandom (p, length, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_critical ("getrandom() failed: %s", g_strerror (errno));
          g_abort ();
        }
      p += n;
      length -= (gsize) n;
    }
#endif
}

/**
 * td_random_uniform:
 * @upper_bound: exclusive upper bound, greater than zero
 *
 * Returns: a uniformly distributed value in [0, @upper_bound), without
 *   modulo bias, from the cryptographic random number generator.
 */
guint32
td_random_uniform (guint32 upper_bound)
{
  guint32 min, r;

  g_return_val_if_fail (upper_bound > 0, 0);

  /* 2^32 % upper_bound, computed in 32 bits */
  min = (guint32) (-upper_bound) % upper_bound;
  do
    td_random_bytes (&r, sizeof r);
  while (r < min);

  return r % upper_bound;
}

/**
 * td_set_str:
 * @str_pointer: a pointer to a string
 * @new_str: (nullable): the new value
 *
 * Like g_set_str() from GLib 2.76, which Debian 12 does not have.
 *
 * Returns: %TRUE if the value changed
 */
gboolean
td_set_str (char       **str_pointer,
            const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;

  return TRUE;
}

/**
 * td_memzero:
 * @buffer: memory holding a secret
 * @length: its size
 *
 * Clears @buffer in a way the compiler cannot optimise away.
 */
void
td_memzero (void  *buffer,
            gsize  length)
{
  volatile guint8 *p = buffer;

  while (length--)
    *p++ = 0;
}
