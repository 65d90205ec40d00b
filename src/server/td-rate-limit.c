/* td-rate-limit.c: token buckets per source address, in bounded memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each source gets a bucket of @burst tokens that refills at @per_second;
 * an action takes one token. A bucket that has refilled completely holds
 * no information and is dropped by td_rate_limit_prune(). When the table
 * is full, the bucket used least recently makes room: memory stays bounded
 * whatever a flood of addresses does, at worst forgetting the quietest.
 *
 * IPv6 sources are counted per /64, since one machine usually has a whole
 * /64 to pick addresses from.
 */
#define G_LOG_DOMAIN "td-rate-limit"

#include <math.h>
#include <string.h>

#include "td-rate-limit.h"

typedef struct
{
  char   *key;
  double  tokens;
  gint64  updated_us;
  GList   link;
} Bucket;

struct _TdRateLimit
{
  GObject     parent_instance;
  double      per_second;
  double      burst;
  guint       max_entries;
  GHashTable *buckets;  /* key → Bucket */
  GQueue      lru;      /* of Bucket, least recently used first */
};

G_DEFINE_FINAL_TYPE (TdRateLimit, td_rate_limit, G_TYPE_OBJECT)

static void
bucket_free (gpointer data)
{
  Bucket *bucket = data;

  g_free (bucket->key);
  g_free (bucket);
}

static void
td_rate_limit_finalize (GObject *object)
{
  TdRateLimit *self = (TdRateLimit *) object;

  g_queue_init (&self->lru);
  g_clear_pointer (&self->buckets, g_hash_table_unref);

  G_OBJECT_CLASS (td_rate_limit_parent_class)->finalize (object);
}

static void
td_rate_limit_class_init (TdRateLimitClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = td_rate_limit_finalize;
}

static void
td_rate_limit_init (TdRateLimit *self)
{
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, bucket_free);
  g_queue_init (&self->lru);
}

/**
 * td_rate_limit_new:
 * @per_second: how fast tokens come back
 * @burst: how many a bucket holds (at least 1)
 * @max_entries: how many sources are remembered at most
 *
 * Returns: (transfer full): a new limiter
 */
TdRateLimit *
td_rate_limit_new (double per_second,
                   double burst,
                   guint  max_entries)
{
  TdRateLimit *self;

  g_return_val_if_fail (per_second > 0, NULL);
  g_return_val_if_fail (burst >= 1, NULL);
  g_return_val_if_fail (max_entries > 0, NULL);

  self = g_object_new (TD_TYPE_RATE_LIMIT, NULL);
  self->per_second = per_second;
  self->burst = burst;
  self->max_entries = max_entries;
  return self;
}

static void
refill (TdRateLimit *self,
        Bucket      *bucket,
        gint64       now_us)
{
  if (now_us > bucket->updated_us)
    {
      double gained = (double) (now_us - bucket->updated_us) / G_USEC_PER_SEC * self->per_second;

      bucket->tokens = MIN (self->burst, bucket->tokens + gained);
      bucket->updated_us = now_us;
    }
}

static void
remove_bucket (TdRateLimit *self,
               Bucket      *bucket)
{
  g_queue_unlink (&self->lru, &bucket->link);
  g_hash_table_remove (self->buckets, bucket->key);
}

/**
 * td_rate_limit_take:
 * @self: a #TdRateLimit
 * @key: the source, from td_rate_limit_address_key()
 * @now_us: the monotonic time
 * @out_retry_after_ms: (out) (optional): when refused, how long until a
 *   token is back
 *
 * Returns: %TRUE if @key may act now (a token was taken)
 */
gboolean
td_rate_limit_take (TdRateLimit *self,
                    const char  *key,
                    gint64       now_us,
                    guint       *out_retry_after_ms)
{
  Bucket *bucket;

  g_return_val_if_fail (TD_IS_RATE_LIMIT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  bucket = g_hash_table_lookup (self->buckets, key);
  if (bucket == NULL)
    {
      if (g_hash_table_size (self->buckets) >= self->max_entries)
        remove_bucket (self, self->lru.head->data);

      bucket = g_new0 (Bucket, 1);
      bucket->key = g_strdup (key);
      bucket->tokens = self->burst;
      bucket->updated_us = now_us;
      bucket->link.data = bucket;
      g_hash_table_insert (self->buckets, bucket->key, bucket);
    }
  else
    {
      g_queue_unlink (&self->lru, &bucket->link);
      refill (self, bucket, now_us);
    }
  g_queue_push_tail_link (&self->lru, &bucket->link);

  if (bucket->tokens >= 1.0)
    {
      bucket->tokens -= 1.0;
      return TRUE;
    }

  if (out_retry_after_ms != NULL)
    *out_retry_after_ms = (guint) ceil ((1.0 - bucket->tokens) / self->per_second * 1000.0);
  return FALSE;
}

/**
 * td_rate_limit_prune:
 *
 * Forgets every source whose bucket has refilled completely.
 */
void
td_rate_limit_prune (TdRateLimit *self,
                     gint64       now_us)
{
  GList *l, *next;

  g_return_if_fail (TD_IS_RATE_LIMIT (self));

  for (l = self->lru.head; l != NULL; l = next)
    {
      Bucket *bucket = l->data;

      next = l->next;
      refill (self, bucket, now_us);
      if (bucket->tokens >= self->burst)
        remove_bucket (self, bucket);
    }
}

guint
td_rate_limit_get_size (TdRateLimit *self)
{
  g_return_val_if_fail (TD_IS_RATE_LIMIT (self), 0);

  return g_hash_table_size (self->buckets);
}

/**
 * td_rate_limit_address_key:
 * @address: a source address
 *
 * Returns: (transfer full): the text that names @address's bucket: the
 *   address for IPv4 (also when mapped into IPv6), its /64 for IPv6
 */
char *
td_rate_limit_address_key (GInetAddress *address)
{
  const guint8 *bytes;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);

  bytes = g_inet_address_to_bytes (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    {
      static const guint8 mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

      if (memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0)
        return g_strdup_printf ("%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);

      return g_strdup_printf ("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64",
                              bytes[0], bytes[1], bytes[2], bytes[3],
                              bytes[4], bytes[5], bytes[6], bytes[7]);
    }

  return g_inet_address_to_string (address);
}
