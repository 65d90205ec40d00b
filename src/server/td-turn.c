/* td-turn.c: coturn REST API credentials (use-auth-secret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * coturn with `use-auth-secret` and `static-auth-secret=S` accepts the user
 * name "EXPIRY:TAG", EXPIRY in Unix seconds, with the password
 * base64(HMAC-SHA1(S, user name)), until EXPIRY. The server hands such a
 * pair to each peer of a connect; the secret itself never leaves it.
 */
#define G_LOG_DOMAIN "td-turn"

#include <string.h>

#include "td-turn.h"
#include "td-util.h"

/**
 * td_turn_make_credentials:
 * @secret: coturn's static-auth-secret
 * @tag: what follows the expiry in the user name (no colon)
 * @ttl_s: how long they stay valid
 * @now_s: the Unix time now
 * @out_username: (out) (transfer full): "EXPIRY:TAG"
 * @out_password: (out) (transfer full): base64 HMAC-SHA1 of the user name
 */
void
td_turn_make_credentials (const char  *secret,
                          const char  *tag,
                          guint        ttl_s,
                          gint64       now_s,
                          char       **out_username,
                          char       **out_password)
{
  g_autoptr(GHmac) hmac = NULL;
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  char *username;

  g_return_if_fail (secret != NULL);
  g_return_if_fail (tag != NULL && strchr (tag, ':') == NULL);

  username = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", now_s + ttl_s, tag);
  hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) secret, strlen (secret));
  g_hmac_update (hmac, (const guchar *) username, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);

  *out_username = username;
  *out_password = g_base64_encode (digest, digest_len);
  td_memzero (digest, sizeof digest);
}
