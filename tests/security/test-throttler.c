/* test-throttler.c: the host's limit on wrong passwords, with a fake clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-auth-error.h"
#include "td-throttler.h"

#define SECOND (G_GINT64_CONSTANT (1000))
#define HOUR   (3600 * SECOND)

typedef struct
{
  TdThrottler *throttler;
  gint64       now;
  guint        rotations;
  guint        rotation_failures;
  GPtrArray   *log;
} Fixture;

static gint64
fake_clock (gpointer user_data)
{
  Fixture *f = user_data;

  return f->now;
}

static const char *
event_name (TdThrottlerEvent event)
{
  switch (event)
    {
    case TD_THROTTLER_EVENT_ALLOWED: return "allowed";
    case TD_THROTTLER_EVENT_REFUSED: return "refused";
    case TD_THROTTLER_EVENT_FAILURE: return "failure";
    case TD_THROTTLER_EVENT_SUCCESS: return "success";
    case TD_THROTTLER_EVENT_ROTATE: return "rotate";
    default: g_assert_not_reached ();
    }
}

static void
audit_cb (TdThrottlerEvent  event,
          const char       *source,
          const char       *device,
          guint             failures,
          gint64            retry_after_ms,
          gpointer          user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->log, g_strdup_printf ("%s %s %s %u %" G_GINT64_FORMAT,
                                            event_name (event),
                                            source ? source : "-",
                                            device ? device : "-",
                                            failures, retry_after_ms));
}

static void
rotate_cb (TdThrottler *throttler,
           guint        failures,
           Fixture     *f)
{
  f->rotations++;
  f->rotation_failures = failures;
}

static void
attach (Fixture     *f,
        TdThrottler *throttler)
{
  f->throttler = throttler;
  td_throttler_set_clock (throttler, fake_clock, f);
  td_throttler_set_audit_func (throttler, audit_cb, f, NULL);
  g_signal_connect (throttler, "password-should-rotate", G_CALLBACK (rotate_cb), f);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->now = 1000 * HOUR;
  f->log = g_ptr_array_new_with_free_func (g_free);
  attach (f, td_throttler_new ());
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->throttler);
  g_ptr_array_unref (f->log);
}

static gint64
check (Fixture    *f,
       const char *source,
       const char *device)
{
  gint64 retry = -1;
  gboolean allowed = td_throttler_check (f->throttler, source, device, &retry);

  g_assert_cmpint (allowed, ==, retry == 0);
  return retry;
}

static void
test_delays (Fixture       *f,
             gconstpointer  data)
{
  gint64 total = 0;

  for (guint n = 0; n <= 3; n++)
    g_assert_cmpint (td_throttler_get_delay (f->throttler, n), ==, 0);
  g_assert_cmpint (td_throttler_get_delay (f->throttler, 4), ==, 1 * SECOND);
  g_assert_cmpint (td_throttler_get_delay (f->throttler, 5), ==, 2 * SECOND);
  g_assert_cmpint (td_throttler_get_delay (f->throttler, 10), ==, 64 * SECOND);
  g_assert_cmpint (td_throttler_get_delay (f->throttler, 19), ==, 32768 * SECOND);
  g_assert_cmpint (td_throttler_get_delay (f->throttler, 20), ==, 17 * HOUR);
  g_assert_cmpint (td_throttler_get_delay (f->throttler, 24), ==, 17 * HOUR);
  g_assert_cmpint (td_throttler_get_delay (f->throttler, 1000), ==, 17 * HOUR);
  g_assert_cmpint (td_throttler_get_delay (f->throttler, G_MAXUINT), ==, 17 * HOUR);

  /* 24 tries need the waits after the first 23 failures: more than
   * TeamViewer's 17 h. */
  for (guint n = 1; n <= 23; n++)
    total += td_throttler_get_delay (f->throttler, n);
  g_assert_cmpint (total, >, 17 * HOUR);
}

static void
test_backoff (Fixture       *f,
              gconstpointer  data)
{
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 0);
      td_throttler_record_failure (f->throttler, "192.0.2.1", "dev-a");
    }
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 0);

  td_throttler_record_failure (f->throttler, "192.0.2.1", "dev-a");
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 1 * SECOND);
  f->now += 999;
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 1);
  f->now += 1;
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 0);

  td_throttler_record_failure (f->throttler, "192.0.2.1", "dev-a");
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 2 * SECOND);

  /* Another address, same device: still waits. Same address, another
   * device: still waits. Neither: free. */
  g_assert_cmpint (check (f, "198.51.100.7", "dev-a"), ==, 2 * SECOND);
  g_assert_cmpint (check (f, "192.0.2.1", "dev-b"), ==, 2 * SECOND);
  g_assert_cmpint (check (f, "198.51.100.7", "dev-b"), ==, 0);
  g_assert_cmpint (check (f, NULL, "dev-a"), ==, 2 * SECOND);
  g_assert_cmpint (check (f, "192.0.2.1", NULL), ==, 2 * SECOND);
  g_assert_cmpint (check (f, NULL, NULL), ==, 0);
}

static void
test_success_forgets (Fixture       *f,
                      gconstpointer  data)
{
  for (guint i = 0; i < 4; i++)
    td_throttler_record_failure (f->throttler, "192.0.2.1", "dev-a");
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), >, 0);
  g_assert_cmpuint (td_throttler_get_n_entries (f->throttler), ==, 2);

  f->now += 10 * SECOND;
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 0);
  td_throttler_record_success (f->throttler, "192.0.2.1", "dev-a");
  g_assert_cmpuint (td_throttler_get_n_entries (f->throttler), ==, 0);

  /* the free failures are back */
  for (guint i = 0; i < 3; i++)
    td_throttler_record_failure (f->throttler, "192.0.2.1", "dev-a");
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 0);
}

static void
test_rotation (Fixture       *f,
               gconstpointer  data)
{
  char source[32];

  /* five failures from five different places: each is free for the
   * per-source count, but the password has had five guesses */
  for (guint i = 0; i < 4; i++)
    {
      g_snprintf (source, sizeof source, "203.0.113.%u", i);
      td_throttler_record_failure (f->throttler, source, NULL);
    }
  g_assert_cmpuint (f->rotations, ==, 0);
  td_throttler_record_failure (f->throttler, "203.0.113.99", NULL);
  g_assert_cmpuint (f->rotations, ==, 1);
  g_assert_cmpuint (f->rotation_failures, ==, 5);

  for (guint i = 0; i < 4; i++)
    td_throttler_record_failure (f->throttler, "203.0.113.50", "x");
  g_assert_cmpuint (f->rotations, ==, 1);
  /* rotated for another reason: the count starts again */
  td_throttler_password_rotated (f->throttler);
  for (guint i = 0; i < 4; i++)
    td_throttler_record_failure (f->throttler, "203.0.113.51", "y");
  g_assert_cmpuint (f->rotations, ==, 1);
  td_throttler_record_failure (f->throttler, "203.0.113.51", "y");
  g_assert_cmpuint (f->rotations, ==, 2);

  /* a success does not reset the count */
  for (guint i = 0; i < 4; i++)
    td_throttler_record_failure (f->throttler, "203.0.113.52", NULL);
  td_throttler_record_success (f->throttler, "203.0.113.52", NULL);
  td_throttler_record_failure (f->throttler, "203.0.113.53", NULL);
  g_assert_cmpuint (f->rotations, ==, 3);
}

static void
test_bounded (Fixture       *f,
              gconstpointer  data)
{
  char source[32], device[32];

  g_clear_object (&f->throttler);
  attach (f, g_object_new (TD_TYPE_THROTTLER, "max-entries", 8, "rotate-after", 0, NULL));

  for (guint i = 0; i < 1000; i++)
    {
      g_snprintf (source, sizeof source, "10.0.%u.%u", i / 256, i % 256);
      g_snprintf (device, sizeof device, "device-%u", i);
      td_throttler_record_failure (f->throttler, source, device);
      g_assert_cmpuint (td_throttler_get_n_entries (f->throttler), <=, 8);
    }
  g_assert_cmpuint (f->rotations, ==, 0);

  /* the most recent ones are still there */
  for (guint i = 0; i < 4; i++)
    td_throttler_record_failure (f->throttler, source, device);
  g_assert_cmpint (check (f, source, NULL), >, 0);
  g_assert_cmpint (check (f, NULL, device), >, 0);
  /* the first were forgotten */
  g_assert_cmpint (check (f, "10.0.0.0", "device-0"), ==, 0);
}

static void
test_expiry (Fixture       *f,
             gconstpointer  data)
{
  for (guint i = 0; i < 24; i++)
    td_throttler_record_failure (f->throttler, "192.0.2.1", "dev-a");
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 17 * HOUR);

  f->now += 17 * HOUR;
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 0);
  g_assert_cmpuint (td_throttler_get_n_entries (f->throttler), ==, 2);

  /* one more failure waits the full 17 h again */
  td_throttler_record_failure (f->throttler, "192.0.2.1", "dev-a");
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 17 * HOUR);

  f->now += 24 * HOUR;
  g_assert_cmpint (check (f, "192.0.2.1", "dev-a"), ==, 0);
  g_assert_cmpuint (td_throttler_get_n_entries (f->throttler), ==, 0);
}

static void
test_audit (Fixture       *f,
            gconstpointer  data)
{
  static const char *expected[] = {
    "allowed 192.0.2.1 dev-a 0 0",
    "failure 192.0.2.1 dev-a 1 0",
    "failure 192.0.2.1 dev-a 2 0",
    "failure 192.0.2.1 dev-a 3 0",
    "failure 192.0.2.1 dev-a 4 1000",
    "refused 192.0.2.1 dev-a 4 1000",
    "failure 192.0.2.1 - 5 2000",
    "rotate 192.0.2.1 - 5 0",
    "success 192.0.2.1 dev-a 0 0",
  };

  check (f, "192.0.2.1", "dev-a");
  for (guint i = 0; i < 4; i++)
    td_throttler_record_failure (f->throttler, "192.0.2.1", "dev-a");
  check (f, "192.0.2.1", "dev-a");
  td_throttler_record_failure (f->throttler, "192.0.2.1", NULL);
  td_throttler_record_success (f->throttler, "192.0.2.1", "dev-a");

  g_assert_cmpuint (f->log->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (f->log, i), ==, expected[i]);
}

static void
destroy_cb (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_audit_destroy (void)
{
  guint destroyed = 0;
  TdThrottler *throttler = td_throttler_new ();

  td_throttler_set_audit_func (throttler, audit_cb, &destroyed, destroy_cb);
  td_throttler_set_audit_func (throttler, NULL, &destroyed, destroy_cb);
  g_assert_cmpuint (destroyed, ==, 1);
  g_object_unref (throttler);
  g_assert_cmpuint (destroyed, ==, 2);
}

static void
test_throttled_error (void)
{
  static const struct { gint64 ms; const char *text; } cases[] = {
    { 0, "1 second" },
    { 1000, "1 second" },
    { 1001, "2 seconds" },
    { 119 * SECOND, "119 seconds" },
    { 120 * SECOND, "2 minutes" },
    { 61 * 60 * SECOND, "61 minutes" },
    { 2 * HOUR, "2 hours" },
    { 17 * HOUR - 1, "17 hours" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      td_auth_error_set_throttled (&error, cases[i].ms);
      g_assert_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_THROTTLED);
      g_assert_nonnull (strstr (error->message, cases[i].text));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/throttler/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("delays", test_delays);
  ADD ("backoff", test_backoff);
  ADD ("success-forgets", test_success_forgets);
  ADD ("rotation", test_rotation);
  ADD ("bounded", test_bounded);
  ADD ("expiry", test_expiry);
  ADD ("audit", test_audit);
  g_test_add_func ("/throttler/audit-destroy", test_audit_destroy);
  g_test_add_func ("/throttler/throttled-error", test_throttled_error);

#undef ADD

  return g_test_run ();
}
