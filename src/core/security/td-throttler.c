/* td-throttler.c: the host's limit on wrong passwords
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every password run costs an attacker one guess (CPace gives nothing to
 * test offline), so the number of runs is what must be limited. The host
 * counts failures per source (the partner's address) and per device (its
 * certificate fingerprint or ID) and asks before each run:
 *
 *   td_throttler_check ()           before reading the viewer's first message
 *   td_throttler_record_failure ()  wrong password, or any error after it
 *   td_throttler_record_success ()  the password was right
 *
 * Policy (construct properties, defaults in brackets):
 *   - the first "free-failures" [3] failures cost nothing (typos);
 *   - after failure n > free the next attempt waits
 *     base-delay-ms [1 s] * 2^(n - free - 1), capped at max-delay-ms [17 h].
 *     The cap is reached after 20 failures; 24 tries take about 3.5 days
 *     where TeamViewer's anchor is 17 h, so guessing is slower still;
 *   - an attempt is refused while either its source or its device waits;
 *   - after "rotate-after" [5] failures from anyone since the last
 *     rotation, "password-should-rotate" is emitted: the host replaces its
 *     one-time password, so a distributed attack gets 5 guesses at each;
 *   - a success forgets that source's and device's failures (not the
 *     rotation count);
 *   - an entry is forgotten "forget-after-ms" [24 h] after its last failure
 *     (never before its wait is over), and at most "max-entries" [1024] are
 *     kept: past that the one whose last failure is oldest goes first. An
 *     attacker who floods the table can thus free one of its addresses, but
 *     each of those failures still counts towards rotation.
 *
 * Every attempt and outcome goes to the audit function, with the source
 * and device strings only: this object never sees a password.
 */
#define G_LOG_DOMAIN "td-throttle"

#include "td-throttler.h"

#define SECOND (G_GINT64_CONSTANT (1000))
#define HOUR   (3600 * SECOND)

typedef struct
{
  GList   link;             /* in self->lru, most recent failure first */
  char   *key;
  guint   failures;
  gint64  last_failure;
  gint64  blocked_until;
} Entry;

struct _TdThrottler
{
  GObject               parent_instance;

  GHashTable           *entries;
  GQueue                lru;
  guint                 failures_since_rotation;

  TdThrottlerClock      clock;
  gpointer              clock_data;

  TdThrottlerAuditFunc  audit;
  gpointer              audit_data;
  GDestroyNotify        audit_destroy;

  guint                 free_failures;
  gint64                base_delay;
  gint64                max_delay;
  guint                 rotate_after;
  guint                 max_entries;
  gint64                forget_after;
};

enum {
  PROP_0,
  PROP_FREE_FAILURES,
  PROP_BASE_DELAY_MS,
  PROP_MAX_DELAY_MS,
  PROP_ROTATE_AFTER,
  PROP_MAX_ENTRIES,
  PROP_FORGET_AFTER_MS,
  N_PROPS
};

enum {
  PASSWORD_SHOULD_ROTATE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TdThrottler, td_throttler, G_TYPE_OBJECT)

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->key);
  g_free (entry);
}

static gint64
default_clock (gpointer user_data)
{
  return g_get_monotonic_time () / 1000;
}

static void
td_throttler_finalize (GObject *object)
{
  TdThrottler *self = (TdThrottler *) object;

  if (self->audit_destroy != NULL)
    self->audit_destroy (self->audit_data);

  /* The queue's links live inside the entries the table frees. */
  g_queue_init (&self->lru);
  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (td_throttler_parent_class)->finalize (object);
}

static void
td_throttler_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TdThrottler *self = TD_THROTTLER (object);

  switch (prop_id)
    {
    case PROP_FREE_FAILURES:
      g_value_set_uint (value, self->free_failures);
      break;

    case PROP_BASE_DELAY_MS:
      g_value_set_int64 (value, self->base_delay);
      break;

    case PROP_MAX_DELAY_MS:
      g_value_set_int64 (value, self->max_delay);
      break;

    case PROP_ROTATE_AFTER:
      g_value_set_uint (value, self->rotate_after);
      break;

    case PROP_MAX_ENTRIES:
      g_value_set_uint (value, self->max_entries);
      break;

    case PROP_FORGET_AFTER_MS:
      g_value_set_int64 (value, self->forget_after);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_throttler_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TdThrottler *self = TD_THROTTLER (object);

  switch (prop_id)
    {
    case PROP_FREE_FAILURES:
      self->free_failures = g_value_get_uint (value);
      break;

    case PROP_BASE_DELAY_MS:
      self->base_delay = g_value_get_int64 (value);
      break;

    case PROP_MAX_DELAY_MS:
      self->max_delay = g_value_get_int64 (value);
      break;

    case PROP_ROTATE_AFTER:
      self->rotate_after = g_value_get_uint (value);
      break;

    case PROP_MAX_ENTRIES:
      self->max_entries = g_value_get_uint (value);
      break;

    case PROP_FORGET_AFTER_MS:
      self->forget_after = g_value_get_int64 (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
td_throttler_class_init (TdThrottlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = td_throttler_finalize;
  object_class->get_property = td_throttler_get_property;
  object_class->set_property = td_throttler_set_property;

  properties[PROP_FREE_FAILURES] =
    g_param_spec_uint ("free-failures", NULL, NULL, 0, 1000, 3, flags);
  properties[PROP_BASE_DELAY_MS] =
    g_param_spec_int64 ("base-delay-ms", NULL, NULL, 1, 24 * HOUR, SECOND, flags);
  properties[PROP_MAX_DELAY_MS] =
    g_param_spec_int64 ("max-delay-ms", NULL, NULL, 1, 30 * 24 * HOUR, 17 * HOUR, flags);
  properties[PROP_ROTATE_AFTER] =
    g_param_spec_uint ("rotate-after", NULL, NULL, 0, G_MAXUINT, 5, flags);
  properties[PROP_MAX_ENTRIES] =
    g_param_spec_uint ("max-entries", NULL, NULL, 2, 1024 * 1024, 1024, flags);
  properties[PROP_FORGET_AFTER_MS] =
    g_param_spec_int64 ("forget-after-ms", NULL, NULL, 0, 365 * 24 * HOUR, 24 * HOUR, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TdThrottler::password-should-rotate:
   * @self: a #TdThrottler
   * @failures: failures since the last rotation
   *
   * Replace the one-time password now. The count starts again.
   */
  signals[PASSWORD_SHOULD_ROTATE] =
    g_signal_new ("password-should-rotate",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
td_throttler_init (TdThrottler *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_free);
  g_queue_init (&self->lru);
  self->clock = default_clock;
}

/**
 * td_throttler_new:
 *
 * A throttler with the default policy; use g_object_new() with the
 * construct properties for another one.
 *
 * Returns: (transfer full): a new #TdThrottler
 */
TdThrottler *
td_throttler_new (void)
{
  return g_object_new (TD_TYPE_THROTTLER, NULL);
}

/**
 * td_throttler_set_clock:
 * @self: a #TdThrottler
 * @clock: (nullable): a monotonic clock in milliseconds, or %NULL for
 *   g_get_monotonic_time()
 * @user_data: data for @clock
 *
 * Lets tests move time forwards without sleeping.
 */
void
td_throttler_set_clock (TdThrottler      *self,
                        TdThrottlerClock  clock,
                        gpointer          user_data)
{
  g_return_if_fail (TD_IS_THROTTLER (self));

  self->clock = clock != NULL ? clock : default_clock;
  self->clock_data = user_data;
}

/**
 * td_throttler_set_audit_func:
 * @self: a #TdThrottler
 * @func: (nullable): called for every attempt and outcome
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 */
void
td_throttler_set_audit_func (TdThrottler          *self,
                             TdThrottlerAuditFunc  func,
                             gpointer              user_data,
                             GDestroyNotify        destroy)
{
  g_return_if_fail (TD_IS_THROTTLER (self));

  if (self->audit_destroy != NULL)
    self->audit_destroy (self->audit_data);

  self->audit = func;
  self->audit_data = user_data;
  self->audit_destroy = destroy;
}

static void
audit (TdThrottler      *self,
       TdThrottlerEvent  event,
       const char       *source,
       const char       *device,
       guint             failures,
       gint64            retry_after_ms)
{
  g_assert (TD_IS_THROTTLER (self));

  if (self->audit != NULL)
    self->audit (event, source, device, failures, retry_after_ms, self->audit_data);
}

/**
 * td_throttler_get_delay:
 * @self: a #TdThrottler
 * @failures: failures so far
 *
 * Returns: how long, in milliseconds, an attempt must wait after
 *   @failures failures
 */
gint64
td_throttler_get_delay (TdThrottler *self,
                        guint        failures)
{
  guint doublings;

  g_return_val_if_fail (TD_IS_THROTTLER (self), 0);

  if (failures <= self->free_failures)
    return 0;

  doublings = failures - self->free_failures - 1;
  if (doublings >= 62 || self->base_delay > (self->max_delay >> doublings))
    return self->max_delay;

  return MIN (self->base_delay << doublings, self->max_delay);
}

static gint64
now (TdThrottler *self)
{
  return self->clock (self->clock_data);
}

static gint64
entry_expiry (TdThrottler *self,
              Entry       *entry)
{
  g_assert (TD_IS_THROTTLER (self));

  /* Never forget an entry before its wait is over; taking the larger of
   * the two keeps the queue sorted by expiry as well as by failure. */
  return entry->last_failure + MAX (self->forget_after, self->max_delay);
}

static void
remove_entry (TdThrottler *self,
              Entry       *entry)
{
  g_assert (TD_IS_THROTTLER (self));

  g_queue_unlink (&self->lru, &entry->link);
  g_hash_table_remove (self->entries, entry->key);
}

static void
expire (TdThrottler *self,
        gint64       time)
{
  GList *tail;

  g_assert (TD_IS_THROTTLER (self));

  while ((tail = g_queue_peek_tail_link (&self->lru)) != NULL)
    {
      Entry *entry = tail->data;

      if (entry_expiry (self, entry) > time)
        break;
      remove_entry (self, entry);
    }
}

static char *
make_key (char        kind,
          const char *name)
{
  return g_strdup_printf ("%c:%s", kind, name);
}

static Entry *
lookup (TdThrottler *self,
        char         kind,
        const char  *name)
{
  g_autofree char *key = NULL;

  g_assert (TD_IS_THROTTLER (self));

  if (name == NULL)
    return NULL;

  key = make_key (kind, name);
  return g_hash_table_lookup (self->entries, key);
}

static gint64
wait_for (Entry  *entry,
          gint64  time)
{
  if (entry == NULL || entry->blocked_until <= time)
    return 0;

  return entry->blocked_until - time;
}

/**
 * td_throttler_check:
 * @self: a #TdThrottler
 * @source: (nullable): where the attempt comes from, such as the address
 * @device: (nullable): the partner's device fingerprint or ID
 * @retry_after_ms: (out) (optional): how long to wait, 0 when allowed
 *
 * Asks whether an attempt may go ahead now. A refused partner should be
 * told to wait (TD_AUTH_ERROR_THROTTLED) without running CPace.
 *
 * Returns: %TRUE if the attempt may go ahead
 */
gboolean
td_throttler_check (TdThrottler *self,
                    const char  *source,
                    const char  *device,
                    gint64      *retry_after_ms)
{
  Entry *by_source, *by_device;
  gint64 time, wait;
  guint failures;

  g_return_val_if_fail (TD_IS_THROTTLER (self), FALSE);

  time = now (self);
  expire (self, time);

  by_source = lookup (self, 's', source);
  by_device = lookup (self, 'd', device);
  wait = MAX (wait_for (by_source, time), wait_for (by_device, time));
  failures = MAX (by_source ? by_source->failures : 0, by_device ? by_device->failures : 0);

  if (retry_after_ms != NULL)
    *retry_after_ms = wait;

  if (wait > 0)
    {
      g_debug ("Refusing an attempt from %s (%s) for %" G_GINT64_FORMAT " ms",
               source ? source : "?", device ? device : "?", wait);
      audit (self, TD_THROTTLER_EVENT_REFUSED, source, device, failures, wait);
      return FALSE;
    }

  audit (self, TD_THROTTLER_EVENT_ALLOWED, source, device, failures, 0);
  return TRUE;
}

static Entry *
count_failure (TdThrottler *self,
               char         kind,
               const char  *name,
               gint64       time)
{
  Entry *entry;

  g_assert (TD_IS_THROTTLER (self));

  if (name == NULL)
    return NULL;

  entry = lookup (self, kind, name);
  if (entry != NULL)
    {
      g_queue_unlink (&self->lru, &entry->link);
    }
  else
    {
      while (g_hash_table_size (self->entries) >= self->max_entries)
        {
          g_debug ("Too many partners to remember; forgetting the oldest");
          remove_entry (self, g_queue_peek_tail (&self->lru));
        }

      entry = g_new0 (Entry, 1);
      entry->key = make_key (kind, name);
      entry->link.data = entry;
      g_hash_table_insert (self->entries, entry->key, entry);
    }

  if (entry->failures < G_MAXUINT)
    entry->failures++;
  entry->last_failure = time;
  entry->blocked_until = time + td_throttler_get_delay (self, entry->failures);
  g_queue_push_head_link (&self->lru, &entry->link);

  return entry;
}

/**
 * td_throttler_record_failure:
 * @self: a #TdThrottler
 * @source: (nullable): where the attempt came from
 * @device: (nullable): the partner's device
 *
 * Counts a failed attempt. May emit #TdThrottler::password-should-rotate.
 */
void
td_throttler_record_failure (TdThrottler *self,
                             const char  *source,
                             const char  *device)
{
  Entry *by_source, *by_device;
  gint64 time;

  g_return_if_fail (TD_IS_THROTTLER (self));

  time = now (self);
  expire (self, time);

  by_source = count_failure (self, 's', source, time);
  by_device = count_failure (self, 'd', device, time);

  g_debug ("A failed attempt from %s (%s)", source ? source : "?", device ? device : "?");
  audit (self, TD_THROTTLER_EVENT_FAILURE, source, device,
         MAX (by_source ? by_source->failures : 0, by_device ? by_device->failures : 0),
         MAX (wait_for (by_source, time), wait_for (by_device, time)));

  self->failures_since_rotation++;
  if (self->rotate_after > 0 && self->failures_since_rotation >= self->rotate_after)
    {
      guint failures = self->failures_since_rotation;

      self->failures_since_rotation = 0;
      g_debug ("%u failed attempts: time to rotate the one-time code", failures);
      audit (self, TD_THROTTLER_EVENT_ROTATE, source, device, failures, 0);
      g_signal_emit (self, signals[PASSWORD_SHOULD_ROTATE], 0, failures);
    }
}

/**
 * td_throttler_record_success:
 * @self: a #TdThrottler
 * @source: (nullable): where the attempt came from
 * @device: (nullable): the partner's device
 *
 * Forgets the failures of @source and @device.
 */
void
td_throttler_record_success (TdThrottler *self,
                             const char  *source,
                             const char  *device)
{
  Entry *entry;

  g_return_if_fail (TD_IS_THROTTLER (self));

  if ((entry = lookup (self, 's', source)) != NULL)
    remove_entry (self, entry);
  if ((entry = lookup (self, 'd', device)) != NULL)
    remove_entry (self, entry);

  audit (self, TD_THROTTLER_EVENT_SUCCESS, source, device, 0, 0);
}

/**
 * td_throttler_password_rotated:
 * @self: a #TdThrottler
 *
 * Tells the throttler the one-time password changed for another reason
 * (a session ended, the user asked): the rotation count starts again.
 */
void
td_throttler_password_rotated (TdThrottler *self)
{
  g_return_if_fail (TD_IS_THROTTLER (self));

  self->failures_since_rotation = 0;
}

/**
 * td_throttler_get_n_entries:
 * @self: a #TdThrottler
 *
 * Returns: how many sources and devices are remembered
 */
guint
td_throttler_get_n_entries (TdThrottler *self)
{
  g_return_val_if_fail (TD_IS_THROTTLER (self), 0);

  return g_hash_table_size (self->entries);
}
