/* test-session.c: the session state machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "td-session.h"

/* The smallest subclass: counts how often it is asked to shut down. */
#define TEST_TYPE_SESSION (test_session_get_type ())
G_DECLARE_FINAL_TYPE (TestSession, test_session, TEST, SESSION, TdSession)

struct _TestSession
{
  TdSession parent_instance;
  guint shutdowns;
  TdSessionState state_during_shutdown;
};

G_DEFINE_FINAL_TYPE (TestSession, test_session, TD_TYPE_SESSION)

static void
test_session_shutdown (TdSession   *session,
                       TdEndReason  reason)
{
  TestSession *self = TEST_SESSION (session);

  self->shutdowns++;
  self->state_during_shutdown = td_session_get_state (session);
  /* trying to move on while ending is ignored */
  td_session_set_state (session, TD_SESSION_STATE_CONNECTED);
}

static void
test_session_class_init (TestSessionClass *klass)
{
  TD_SESSION_CLASS (klass)->shutdown = test_session_shutdown;
}

static void
test_session_init (TestSession *self)
{
}

static void
on_ended (TdSession   *session,
          TdEndReason  reason,
          GError      *error,
          guint       *count)
{
  (*count)++;
  g_assert_cmpint (td_session_get_state (session), ==, TD_SESSION_STATE_ENDED);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_states_and_end (void)
{
  g_autoptr(TestSession) s = g_object_new (TEST_TYPE_SESSION, NULL);
  TdSession *session = TD_SESSION (s);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "The password is not right.");
  g_autofree char *text = NULL;
  guint ended = 0, notifies = 0;

  g_signal_connect (s, "ended", G_CALLBACK (on_ended), &ended);
  g_signal_connect (s, "notify::state", G_CALLBACK (on_notify), &notifies);

  g_assert_cmpint (td_session_get_state (session), ==, TD_SESSION_STATE_IDLE);
  td_session_set_state (session, TD_SESSION_STATE_SIGNALING);
  td_session_set_state (session, TD_SESSION_STATE_SIGNALING);
  g_assert_cmpuint (notifies, ==, 1);
  td_session_set_state (session, TD_SESSION_STATE_AUTHENTICATING);
  g_assert_cmpuint (notifies, ==, 2);

  td_session_end (session, TD_END_REASON_AUTH_FAILED, error);
  td_session_end (session, TD_END_REASON_LOCAL, NULL);

  g_assert_cmpuint (s->shutdowns, ==, 1);
  g_assert_cmpint (s->state_during_shutdown, ==, TD_SESSION_STATE_AUTHENTICATING);
  g_assert_cmpuint (ended, ==, 1);
  g_assert_cmpuint (notifies, ==, 3);
  g_assert_cmpint (td_session_get_state (session), ==, TD_SESSION_STATE_ENDED);
  g_assert_cmpint (td_session_get_end_reason (session), ==, TD_END_REASON_AUTH_FAILED);
  g_assert_error (td_session_get_error (session), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (td_session_is_ended (session));

  text = td_session_describe_end (session);
  g_assert_cmpstr (text, ==, "The password is not right.");

  td_session_set_state (session, TD_SESSION_STATE_CONNECTED);
  g_assert_cmpint (td_session_get_state (session), ==, TD_SESSION_STATE_ENDED);
}

static void
test_describe (void)
{
  struct {
    TdEndReason reason;
    const char *text;
  } cases[] = {
    { TD_END_REASON_LOCAL, "You ended the session." },
    { TD_END_REASON_PEER, "Your partner ended the session." },
    { TD_END_REASON_CONNECTION_LOST, "The connection to your partner was lost." },
    { TD_END_REASON_TIMEOUT, "Your partner did not answer in time." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TestSession) s = g_object_new (TEST_TYPE_SESSION, NULL);
      g_autofree char *text = NULL;

      td_session_end (TD_SESSION (s), cases[i].reason, NULL);
      text = td_session_describe_end (TD_SESSION (s));
      g_assert_cmpstr (text, ==, cases[i].text);
    }

  g_assert_cmpstr (td_session_state_describe (TD_SESSION_STATE_SIGNALING, TD_PATH_UNKNOWN), ==,
                   "Finding your partner");
  g_assert_cmpstr (td_session_state_describe (TD_SESSION_STATE_SECURING, TD_PATH_RELAYED), ==,
                   "Connecting through relay");
  g_assert_cmpstr (td_session_state_describe (TD_SESSION_STATE_SECURING, TD_PATH_DIRECT), ==,
                   "Connecting directly");
  g_assert_cmpstr (td_session_state_describe (TD_SESSION_STATE_AWAITING_CONSENT, TD_PATH_DIRECT), ==,
                   "Waiting for your partner to accept");
  g_assert_cmpstr (td_session_state_describe (TD_SESSION_STATE_AUTHENTICATING, TD_PATH_DIRECT), ==,
                   "Checking the password");
}

static void
test_peer (void)
{
  g_autoptr(TestSession) s = g_object_new (TEST_TYPE_SESSION, NULL);
  guint notifies = 0;

  g_signal_connect (s, "notify::peer-name", G_CALLBACK (on_notify), &notifies);
  td_session_set_peer (TD_SESSION (s), 123456782, "Anna", "ab");
  td_session_set_peer (TD_SESSION (s), 123456782, "Anna", "ab");
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_cmpuint (td_session_get_peer_id (TD_SESSION (s)), ==, 123456782);
  g_assert_cmpstr (td_session_get_peer_name (TD_SESSION (s)), ==, "Anna");
  g_assert_cmpstr (td_session_get_peer_fingerprint (TD_SESSION (s)), ==, "ab");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/states-and-end", test_states_and_end);
  g_test_add_func ("/session/describe", test_describe);
  g_test_add_func ("/session/peer", test_peer);

  return g_test_run ();
}
