/* test-password-auth.c: Tandem's CPace binding, both sides in one process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-password-auth.h"
#include "td-util.h"

typedef struct
{
  GBytes *host_fp;
  GBytes *viewer_fp;
  guint8  sid[TD_PASSWORD_AUTH_SID_SIZE];
  guint8  exporter[TD_KEYS_SRTP_EXPORTER_SIZE];
} Fixture;

static GBytes *
random_bytes (gsize length)
{
  guint8 *data = g_malloc (length);

  td_random_bytes (data, length);
  return g_bytes_new_take (data, length);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->host_fp = random_bytes (32);
  f->viewer_fp = random_bytes (32);
  td_random_bytes (f->sid, sizeof f->sid);
  td_random_bytes (f->exporter, sizeof f->exporter);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_bytes_unref (f->host_fp);
  g_bytes_unref (f->viewer_fp);
}

#define STR(s) (const guint8 *) (s), strlen (s)

static TdPasswordAuth *
host_new (Fixture    *f,
          const char *one_time)
{
  return td_password_auth_new_host (one_time ? (const guint8 *) one_time : NULL,
                                    one_time ? strlen (one_time) : 0,
                                    NULL, 0,
                                    f->host_fp, f->viewer_fp, f->sid, sizeof f->sid);
}

static TdPasswordAuth *
viewer_new (Fixture    *f,
            const char *password)
{
  return td_password_auth_new_viewer (TD_PASSWORD_KIND_ONE_TIME, STR (password),
                                      f->host_fp, f->viewer_fp, f->sid, sizeof f->sid);
}

static gboolean
feed (TdPasswordAuth  *auth,
      GBytes          *message,
      GBytes         **reply,
      GError         **error)
{
  return td_password_auth_receive (auth, g_bytes_get_data (message, NULL),
                                   g_bytes_get_size (message), reply, error);
}

/* Runs the three messages; returns the error each side ended with. */
static void
run (TdPasswordAuth  *host,
     TdPasswordAuth  *viewer,
     GError         **host_error,
     GError         **viewer_error)
{
  g_autoptr(GBytes) msg1 = td_password_auth_start (viewer);
  g_autoptr(GBytes) msg2 = NULL;
  g_autoptr(GBytes) msg3 = NULL;

  g_assert_cmpuint (g_bytes_get_size (msg1), ==, 49);
  g_assert_cmpint (td_password_auth_get_state (viewer), ==, TD_PASSWORD_AUTH_STATE_WAIT_REPLY);

  g_assert_true (feed (host, msg1, &msg2, host_error));
  g_assert_cmpuint (g_bytes_get_size (msg2), ==, 110);
  g_assert_cmpint (td_password_auth_get_state (host), ==, TD_PASSWORD_AUTH_STATE_WAIT_CONFIRM);

  if (feed (viewer, msg2, &msg3, viewer_error))
    {
      g_assert_cmpuint (g_bytes_get_size (msg3), ==, 65);
      g_assert_cmpint (td_password_auth_get_state (viewer), ==, TD_PASSWORD_AUTH_STATE_SUCCEEDED);
    }
  else
    {
      /* the failure notice */
      g_assert_nonnull (msg3);
      g_assert_cmpuint (g_bytes_get_size (msg3), ==, 1);
      g_assert_cmpint (td_password_auth_get_state (viewer), ==, TD_PASSWORD_AUTH_STATE_FAILED);
    }

  if (feed (host, msg3, NULL, host_error))
    g_assert_cmpint (td_password_auth_get_state (host), ==, TD_PASSWORD_AUTH_STATE_SUCCEEDED);
  else
    g_assert_cmpint (td_password_auth_get_state (host), ==, TD_PASSWORD_AUTH_STATE_FAILED);
}

static void
assert_same_keys (Fixture        *f,
                  TdPasswordAuth *host,
                  TdPasswordAuth *viewer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdKeys) host_keys = td_password_auth_derive_keys (host, f->exporter, sizeof f->exporter, &error);
  g_autoptr(TdKeys) viewer_keys = td_password_auth_derive_keys (viewer, f->exporter, sizeof f->exporter, &error);

  g_assert_no_error (error);
  for (TdKeysDirection d = TD_KEYS_HOST_TO_VIEWER; d <= TD_KEYS_VIEWER_TO_HOST; d++)
    {
      g_assert_cmpmem (td_keys_get_srtp_master_key (host_keys, d), TD_KEYS_SRTP_MASTER_KEY_SIZE,
                       td_keys_get_srtp_master_key (viewer_keys, d), TD_KEYS_SRTP_MASTER_KEY_SIZE);
      g_assert_cmpmem (td_keys_get_srtp_master_salt (host_keys, d), TD_KEYS_SRTP_MASTER_SALT_SIZE,
                       td_keys_get_srtp_master_salt (viewer_keys, d), TD_KEYS_SRTP_MASTER_SALT_SIZE);
    }
  g_assert_true (memcmp (td_keys_get_srtp_key_and_salt (host_keys, TD_KEYS_HOST_TO_VIEWER),
                         td_keys_get_srtp_key_and_salt (host_keys, TD_KEYS_VIEWER_TO_HOST),
                         TD_KEYS_SRTP_KEY_SALT_SIZE) != 0);
}

static void
test_one_time (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
  g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
  g_autoptr(GError) host_error = NULL;
  g_autoptr(GError) viewer_error = NULL;

  g_assert_cmpint (td_password_auth_get_role (host), ==, TD_PASSWORD_AUTH_ROLE_HOST);
  g_assert_cmpint (td_password_auth_get_role (viewer), ==, TD_PASSWORD_AUTH_ROLE_VIEWER);
  g_assert_cmpint (td_password_auth_get_kind (host), ==, 0);

  run (host, viewer, &host_error, &viewer_error);
  g_assert_no_error (host_error);
  g_assert_no_error (viewer_error);
  g_assert_cmpint (td_password_auth_get_kind (host), ==, TD_PASSWORD_KIND_ONE_TIME);
  g_assert_cmpint (td_password_auth_get_kind (viewer), ==, TD_PASSWORD_KIND_ONE_TIME);

  assert_same_keys (f, host, viewer);
}

static void
test_permanent (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) host_error = NULL;
  g_autoptr(GError) viewer_error = NULL;
  g_autoptr(TdPasswordAuth) host = NULL;
  g_autoptr(TdPasswordAuth) viewer = NULL;
  guint8 salt[TD_PASSWORD_AUTH_SALT_SIZE];
  guint8 stored[TD_PASSWORD_AUTH_PERMANENT_PRS_SIZE];
  guint8 typed[TD_PASSWORD_AUTH_PERMANENT_PRS_SIZE];
  gint64 start;

  td_random_bytes (salt, sizeof salt);

  start = g_get_monotonic_time ();
  g_assert_true (td_password_auth_derive_permanent_prs ("correct horse battery", salt, sizeof salt,
                                                        stored, &error));
  g_assert_no_error (error);
  g_test_message ("Argon2id took %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - start) / 1000);

  g_assert_true (td_password_auth_derive_permanent_prs ("correct horse battery", salt, sizeof salt,
                                                        typed, &error));
  g_assert_cmpmem (stored, sizeof stored, typed, sizeof typed);

  host = td_password_auth_new_host (STR ("abcdefgh"), stored, sizeof stored,
                                    f->host_fp, f->viewer_fp, f->sid, sizeof f->sid);
  viewer = td_password_auth_new_viewer (TD_PASSWORD_KIND_PERMANENT, typed, sizeof typed,
                                        f->host_fp, f->viewer_fp, f->sid, sizeof f->sid);
  run (host, viewer, &host_error, &viewer_error);
  g_assert_no_error (host_error);
  g_assert_no_error (viewer_error);
  g_assert_cmpint (td_password_auth_get_kind (host), ==, TD_PASSWORD_KIND_PERMANENT);
  assert_same_keys (f, host, viewer);

  /* Another salt, another PRS */
  salt[0] ^= 1;
  g_assert_true (td_password_auth_derive_permanent_prs ("correct horse battery", salt, sizeof salt,
                                                        typed, &error));
  g_assert_true (memcmp (stored, typed, sizeof stored) != 0);
}

static void
assert_both_wrong (TdPasswordAuth *host,
                   TdPasswordAuth *viewer)
{
  g_autoptr(GError) host_error = NULL;
  g_autoptr(GError) viewer_error = NULL;

  run (host, viewer, &host_error, &viewer_error);
  g_assert_error (viewer_error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD);
  g_assert_error (host_error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD);
  g_assert_true (strstr (viewer_error->message, "password is not right") != NULL);
  g_assert_cmpint (td_password_auth_get_state (host), ==, TD_PASSWORD_AUTH_STATE_FAILED);
  g_assert_cmpint (td_password_auth_get_state (viewer), ==, TD_PASSWORD_AUTH_STATE_FAILED);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
  g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgj");

  assert_both_wrong (host, viewer);
}

static void
test_kind_not_set (Fixture       *f,
                   gconstpointer  data)
{
  guint8 prs[TD_PASSWORD_AUTH_PERMANENT_PRS_SIZE] = { 0 };
  g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
  g_autoptr(TdPasswordAuth) viewer = td_password_auth_new_viewer (TD_PASSWORD_KIND_PERMANENT,
                                                                  prs, sizeof prs,
                                                                  f->host_fp, f->viewer_fp,
                                                                  f->sid, sizeof f->sid);
  g_autoptr(TdPasswordAuth) host2 = host_new (f, NULL);
  g_autoptr(TdPasswordAuth) viewer2 = viewer_new (f, "");

  assert_both_wrong (host, viewer);
  /* no one-time password at all, and an empty one typed */
  assert_both_wrong (host2, viewer2);
}

/* A man in the middle terminates both TLS sessions: the viewer sees the
 * attacker's certificate and one exporter, the host another certificate
 * and another exporter. Even relaying every byte unchanged, with the
 * right password on both ends, it cannot make either side accept. */
static void
test_man_in_the_middle (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) mitm_fp1 = random_bytes (32);
  g_autoptr(GBytes) mitm_fp2 = random_bytes (32);
  guint8 sid2[TD_PASSWORD_AUTH_SID_SIZE];
  g_autoptr(TdPasswordAuth) viewer = NULL;
  g_autoptr(TdPasswordAuth) host = NULL;

  td_random_bytes (sid2, sizeof sid2);

  viewer = td_password_auth_new_viewer (TD_PASSWORD_KIND_ONE_TIME, STR ("abcdefgh"),
                                        mitm_fp1, f->viewer_fp, f->sid, sizeof f->sid);
  host = td_password_auth_new_host (STR ("abcdefgh"), NULL, 0,
                                    f->host_fp, mitm_fp2, sid2, sizeof sid2);
  assert_both_wrong (host, viewer);

  /* Even with the certificates right, two exporters differ. */
  {
    g_autoptr(TdPasswordAuth) v = viewer_new (f, "abcdefgh");
    g_autoptr(TdPasswordAuth) h = td_password_auth_new_host (STR ("abcdefgh"), NULL, 0,
                                                             f->host_fp, f->viewer_fp,
                                                             sid2, sizeof sid2);
    assert_both_wrong (h, v);
  }
}

static void
test_different_ci (Fixture       *f,
                   gconstpointer  data)
{
  /* The host puts the fingerprints in the wrong order. */
  g_autoptr(TdPasswordAuth) host = td_password_auth_new_host (STR ("abcdefgh"), NULL, 0,
                                                              f->viewer_fp, f->host_fp,
                                                              f->sid, sizeof f->sid);
  g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");

  assert_both_wrong (host, viewer);
}

static void
test_tampered_tags (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
    g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
    g_autoptr(GBytes) msg1 = td_password_auth_start (viewer);
    g_autoptr(GBytes) msg2 = NULL;
    g_autoptr(GBytes) msg3 = NULL;
    g_autofree guint8 *bad = NULL;

    g_assert_true (feed (host, msg1, &msg2, NULL));
    bad = g_memdup2 (g_bytes_get_data (msg2, NULL), 110);
    bad[109] ^= 0x80;
    g_assert_false (td_password_auth_receive (viewer, bad, 110, &msg3, &error));
    g_assert_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD);
    g_clear_error (&error);
    g_assert_false (feed (host, msg3, NULL, &error));
    g_assert_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD);
    g_clear_error (&error);
  }
  {
    g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
    g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
    g_autoptr(GBytes) msg1 = td_password_auth_start (viewer);
    g_autoptr(GBytes) msg2 = NULL;
    g_autoptr(GBytes) msg3 = NULL;
    g_autofree guint8 *bad = NULL;

    g_assert_true (feed (host, msg1, &msg2, NULL));
    g_assert_true (feed (viewer, msg2, &msg3, NULL));
    bad = g_memdup2 (g_bytes_get_data (msg3, NULL), 65);
    bad[1] ^= 0x01;
    g_assert_false (td_password_auth_receive (host, bad, 65, NULL, &error));
    g_assert_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_WRONG_PASSWORD);
  }
}

static void
assert_refused (TdPasswordAuth *auth,
                const guint8   *message,
                gsize           length,
                TdAuthError     code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;

  g_assert_false (td_password_auth_receive (auth, message, length, &reply, &error));
  g_assert_error (error, TD_AUTH_ERROR, code);
  g_assert_null (reply);
  g_assert_cmpint (td_password_auth_get_state (auth), ==, TD_PASSWORD_AUTH_STATE_FAILED);
}

/* Host, first message: every way MSG1 can be wrong. */
static void
test_malformed_share (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
  g_autoptr(GBytes) msg1 = td_password_auth_start (viewer);
  guint8 good[49], bad[64];

  g_assert_cmpuint (g_bytes_get_size (msg1), ==, sizeof good);
  memcpy (good, g_bytes_get_data (msg1, NULL), sizeof good);

  for (gsize len = 0; len < sizeof good; len++)
    {
      g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
      assert_refused (host, len ? good : NULL, len, TD_AUTH_ERROR_PROTOCOL);
    }

  {
    g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
    memcpy (bad, good, sizeof good);
    bad[sizeof good] = 0;
    assert_refused (host, bad, sizeof good + 1, TD_AUTH_ERROR_PROTOCOL);
  }
  {
    /* the neutral element */
    g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
    memcpy (bad, good, sizeof good);
    memset (bad + 1, 0, 32);
    assert_refused (host, bad, sizeof good, TD_AUTH_ERROR_PROTOCOL);
  }
  {
    /* a non-canonical encoding (>= p) */
    g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
    memcpy (bad, good, sizeof good);
    memset (bad + 1, 0xff, 32);
    bad[32] = 0x7f;
    assert_refused (host, bad, sizeof good, TD_AUTH_ERROR_PROTOCOL);
  }
  {
    /* the host's label instead of the viewer's (a reflection) */
    g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
    memcpy (bad, good, sizeof good);
    memcpy (bad + 34, "tandem-hostxx", 13);
    assert_refused (host, bad, sizeof good, TD_AUTH_ERROR_PROTOCOL);
  }
  {
    /* an unknown kind */
    g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
    memcpy (bad, good, sizeof good);
    bad[48] = 7;
    assert_refused (host, bad, sizeof good, TD_AUTH_ERROR_PROTOCOL);
  }
  {
    /* a newer version */
    g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
    memcpy (bad, good, sizeof good);
    bad[47] = TD_PASSWORD_AUTH_VERSION + 1;
    assert_refused (host, bad, sizeof good, TD_AUTH_ERROR_VERSION);
  }
  {
    /* the AD length field one too short */
    g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
    memcpy (bad, good, sizeof good);
    bad[33] = 14;
    assert_refused (host, bad, sizeof good, TD_AUTH_ERROR_PROTOCOL);
  }
}

/* Viewer, second message */
static void
test_malformed_reply (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TdPasswordAuth) first_viewer = viewer_new (f, "abcdefgh");
  g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
  g_autoptr(GBytes) msg1 = td_password_auth_start (first_viewer);
  g_autoptr(GBytes) msg2 = NULL;
  guint8 good[110], bad[128];

  g_assert_true (feed (host, msg1, &msg2, NULL));
  memcpy (good, g_bytes_get_data (msg2, NULL), sizeof good);

  for (gsize len = 0; len < sizeof good; len++)
    {
      g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
      g_autoptr(GBytes) m = td_password_auth_start (viewer);
      assert_refused (viewer, len ? good : NULL, len, TD_AUTH_ERROR_PROTOCOL);
    }

  {
    /* one byte too many: the tag then starts one byte late */
    g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
    g_autoptr(GBytes) m = td_password_auth_start (viewer);
    memcpy (bad, good, sizeof good);
    bad[sizeof good] = 0;
    assert_refused (viewer, bad, sizeof good + 1, TD_AUTH_ERROR_PROTOCOL);
  }
  {
    g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
    g_autoptr(GBytes) m = td_password_auth_start (viewer);
    memcpy (bad, good, sizeof good);
    memset (bad + 1, 0, 32);
    assert_refused (viewer, bad, sizeof good, TD_AUTH_ERROR_PROTOCOL);
  }
  {
    /* the viewer's own share reflected back, with any tag */
    g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
    g_autoptr(GBytes) m = td_password_auth_start (viewer);
    memcpy (bad, g_bytes_get_data (m, NULL), 49);
    memset (bad + 49, 0x55, 64);
    assert_refused (viewer, bad, 49 + 64, TD_AUTH_ERROR_PROTOCOL);
  }
  {
    g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
    g_autoptr(GBytes) m = td_password_auth_start (viewer);
    memcpy (bad, good, sizeof good);
    bad[45] = TD_PASSWORD_AUTH_VERSION + 1;
    assert_refused (viewer, bad, sizeof good, TD_AUTH_ERROR_VERSION);
  }
}

/* Host, third message */
static void
test_malformed_confirm (Fixture       *f,
                        gconstpointer  data)
{
  static const guint8 junk[66] = { 0x01 };
  const gsize lengths[] = { 0, 1, 2, 64, 66 };

  for (guint i = 0; i < G_N_ELEMENTS (lengths) + 1; i++)
    {
      g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
      g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
      g_autoptr(GBytes) msg1 = td_password_auth_start (viewer);
      g_autoptr(GBytes) msg2 = NULL;
      guint8 status_only[65] = { 0x02 };

      g_assert_true (feed (host, msg1, &msg2, NULL));
      if (i < G_N_ELEMENTS (lengths))
        assert_refused (host, lengths[i] ? junk : NULL, lengths[i], TD_AUTH_ERROR_PROTOCOL);
      else
        assert_refused (host, status_only, sizeof status_only, TD_AUTH_ERROR_PROTOCOL);
    }
}

static void
test_out_of_turn (Fixture       *f,
                  gconstpointer  data)
{
  guint8 junk[65] = { 0x01 };

  {
    /* the viewer has not started */
    g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
    assert_refused (viewer, junk, sizeof junk, TD_AUTH_ERROR_PROTOCOL);
  }
  {
    /* after success, nothing more is expected */
    g_autoptr(TdPasswordAuth) host = host_new (f, "abcdefgh");
    g_autoptr(TdPasswordAuth) viewer = viewer_new (f, "abcdefgh");
    g_autoptr(GError) host_error = NULL;
    g_autoptr(GError) viewer_error = NULL;

    run (host, viewer, &host_error, &viewer_error);
    g_assert_no_error (host_error);
    assert_refused (host, junk, sizeof junk, TD_AUTH_ERROR_PROTOCOL);
    assert_refused (viewer, junk, sizeof junk, TD_AUTH_ERROR_PROTOCOL);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/password-auth/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("one-time", test_one_time);
  ADD ("permanent", test_permanent);
  ADD ("wrong-password", test_wrong_password);
  ADD ("kind-not-set", test_kind_not_set);
  ADD ("man-in-the-middle", test_man_in_the_middle);
  ADD ("different-ci", test_different_ci);
  ADD ("tampered-tags", test_tampered_tags);
  ADD ("malformed-share", test_malformed_share);
  ADD ("malformed-reply", test_malformed_reply);
  ADD ("malformed-confirm", test_malformed_confirm);
  ADD ("out-of-turn", test_out_of_turn);

#undef ADD

  return g_test_run ();
}
