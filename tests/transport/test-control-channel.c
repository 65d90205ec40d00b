/* test-control-channel.c: PseudoTCP + TLS 1.3 + frames, without ICE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The two ends are joined by an in-process datagram pipe, which can lose
 * datagrams or cut one direction off.
 */
#include <string.h>

#include "td-control-channel.h"
#include "td-datagram-pipe.h"
#include "td-pseudo-tcp.h"
#include "td-wire.h"
#include "transport-test-util.h"

typedef struct
{
  TdDatagramPipe   *pipe_client;
  TdDatagramPipe   *pipe_server;
  TdDeviceKey      *key_client;
  TdDeviceKey      *key_server;
  TdControlChannel *client;
  TdControlChannel *server;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  td_datagram_pipe_new_pair (&f->pipe_client, &f->pipe_server);
  f->key_client = td_device_key_new_ephemeral (&error);
  g_assert_no_error (error);
  f->key_server = td_device_key_new_ephemeral (&error);
  g_assert_no_error (error);

  f->client = td_control_channel_new (TD_DATAGRAM_LINK (f->pipe_client), f->key_client,
                                      TD_CONTROL_ROLE_CLIENT);
  f->server = td_control_channel_new (TD_DATAGRAM_LINK (f->pipe_server), f->key_server,
                                      TD_CONTROL_ROLE_SERVER);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  test_drain_main_context ();

  g_clear_object (&f->client);
  g_clear_object (&f->server);
  test_drain_main_context ();

  g_assert_finalize_object (f->pipe_client);
  g_assert_finalize_object (f->pipe_server);
  g_assert_finalize_object (f->key_client);
  g_assert_finalize_object (f->key_server);
}

static void
test_handshake (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint8 out[16];

  /* Nothing to export before the handshake. */
  g_assert_false (td_control_channel_export (f->client, "EXPORTER-tandem-cpace-sid", NULL, 16,
                                             out, &error));
  g_assert_error (error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_NOT_OPEN);
  g_clear_error (&error);
  g_assert_null (td_control_channel_get_peer_fingerprint (f->client));

  test_handshake_pair (f->client, f->server, 5000);
  test_check_peers (f->client, f->key_client, f->server, f->key_server);
}

typedef struct
{
  GPtrArray *types;
  GPtrArray *texts;
  guint      n_chat;
} Received;

static void
on_message (TdControlChannel *channel,
            guint             type,
            GVariant         *fields,
            Received         *r)
{
  g_autofree char *text = NULL;

  g_ptr_array_add (r->types, GUINT_TO_POINTER (type));
  if (td_wire_lookup_string (fields, "text", 0, &text, NULL))
    g_ptr_array_add (r->texts, g_steal_pointer (&text));
}

static void
on_chat (TdControlChannel *channel,
         guint             type,
         GVariant         *fields,
         Received         *r)
{
  g_assert_cmpuint (type, ==, TD_WIRE_TYPE_CHAT);
  r->n_chat++;
}

static gboolean
send_text (TdControlChannel *channel,
           guint16           type,
           const char       *text)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_variant_dict_insert (&dict, "text", "s", text);
  ok = td_control_channel_send_message (channel, type, g_variant_dict_end (&dict), &error);
  g_assert_no_error (error);
  return ok;
}

static void
test_messages (Fixture       *f,
               gconstpointer  data)
{
  Received at_server = { g_ptr_array_new (), g_ptr_array_new_with_free_func (g_free), 0 };
  Received at_client = { g_ptr_array_new (), g_ptr_array_new_with_free_func (g_free), 0 };
  g_autoptr(GError) error = NULL;

  /* Not before the channel is open. */
  g_assert_false (td_control_channel_send_message (f->client, TD_WIRE_TYPE_CHAT, NULL, &error));
  g_assert_error (error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_NOT_OPEN);
  g_clear_error (&error);

  g_signal_connect (f->server, "message-received", G_CALLBACK (on_message), &at_server);
  g_signal_connect (f->server, "message-received::chat", G_CALLBACK (on_chat), &at_server);
  g_signal_connect (f->client, "message-received", G_CALLBACK (on_message), &at_client);

  test_handshake_pair (f->client, f->server, 5000);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);

      send_text (f->client, i % 2 ? TD_WIRE_TYPE_CHAT : TD_WIRE_TYPE_POINTER, text);
    }
  send_text (f->server, TD_WIRE_TYPE_CHAT, "hello from the host");
  /* Extension types a receiver does not know are passed on too. */
  send_text (f->server, 0x8042, "extension");

  while (at_server.types->len < 100 || at_client.types->len < 2)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);

      g_assert_cmpuint (GPOINTER_TO_UINT (at_server.types->pdata[i]), ==,
                        i % 2 ? TD_WIRE_TYPE_CHAT : TD_WIRE_TYPE_POINTER);
      g_assert_cmpstr (at_server.texts->pdata[i], ==, text);
    }
  g_assert_cmpuint (at_server.n_chat, ==, 50);
  g_assert_cmpstr (at_client.texts->pdata[0], ==, "hello from the host");
  g_assert_cmpuint (GPOINTER_TO_UINT (at_client.types->pdata[1]), ==, 0x8042);

  g_ptr_array_unref (at_server.types);
  g_ptr_array_unref (at_server.texts);
  g_ptr_array_unref (at_client.types);
  g_ptr_array_unref (at_client.texts);
}

static void
test_transfer_10mb (Fixture       *f,
                    gconstpointer  data)
{
  test_handshake_pair (f->client, f->server, 5000);
  test_transfer (f->client, f->server, 10 * 1000 * 1000, 60000);
  /* And the other way. */
  test_transfer (f->server, f->client, 1000 * 1000, 30000);
}

static void
test_transfer_lossy (Fixture       *f,
                     gconstpointer  data)
{
  td_datagram_pipe_set_loss (f->pipe_client, 0.05, 7);
  td_datagram_pipe_set_loss (f->pipe_server, 0.05, 8);

  test_handshake_pair (f->client, f->server, 10000);
  test_transfer (f->client, f->server, 1000 * 1000, 60000);
  g_test_message ("dropped %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " datagrams",
                  td_datagram_pipe_get_n_dropped (f->pipe_client) +
                    td_datagram_pipe_get_n_dropped (f->pipe_server),
                  td_datagram_pipe_get_n_sent (f->pipe_client) +
                    td_datagram_pipe_get_n_sent (f->pipe_server));
  g_assert_cmpuint (td_datagram_pipe_get_n_dropped (f->pipe_client), >, 0);
}

static void
on_measured (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  TestResult *r = user_data;
  double *seconds = g_object_get_data (G_OBJECT (source), "seconds");

  r->ok = td_control_channel_measure_throughput_finish (TD_CONTROL_CHANNEL (source), result,
                                                        seconds, &r->error);
  r->done = TRUE;
}

static void
test_throughput_helper (Fixture       *f,
                        gconstpointer  data)
{
  TestResult r = { 0 };
  double seconds = 0;
  guint64 n = 10 * 1000 * 1000;

  test_handshake_pair (f->client, f->server, 5000);

  g_object_set_data (G_OBJECT (f->client), "seconds", &seconds);
  td_control_channel_measure_throughput_async (f->client, n, NULL, on_measured, &r);
  g_assert_true (test_wait_for (&r.done, 60000));
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpfloat (seconds, >, 0);
  g_test_message ("measure_throughput (pipe): %.1f MB in %.3f s: %.1f MB/s",
                  n / 1e6, seconds, n / seconds / 1e6);
}

typedef struct
{
  gboolean  closed;
  GError   *error;
  guint     n_bye;
  char     *bye_reason;
} Closed;

static void
on_channel_closed (TdControlChannel *channel,
                   const GError     *error,
                   Closed           *c)
{
  g_assert_false (c->closed);
  c->closed = TRUE;
  c->error = error ? g_error_copy (error) : NULL;
}

static void
on_bye (TdControlChannel *channel,
        guint             type,
        GVariant         *fields,
        Closed           *c)
{
  c->n_bye++;
  g_clear_pointer (&c->bye_reason, g_free);
  td_wire_lookup_string (fields, "reason", 64, &c->bye_reason, NULL);
}

static void
closed_clear (Closed *c)
{
  g_clear_error (&c->error);
  g_clear_pointer (&c->bye_reason, g_free);
}

static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  Closed at_client = { 0 }, at_server = { 0 };
  Received received = { g_ptr_array_new (), g_ptr_array_new_with_free_func (g_free), 0 };
  TestResult r = { 0 };

  g_signal_connect (f->client, "closed", G_CALLBACK (on_channel_closed), &at_client);
  g_signal_connect (f->server, "closed", G_CALLBACK (on_channel_closed), &at_server);
  g_signal_connect (f->server, "message-received", G_CALLBACK (on_message), &received);

  test_handshake_pair (f->client, f->server, 5000);

  /* What was queued before the close still arrives. */
  send_text (f->client, TD_WIRE_TYPE_CHAT, "last words");
  td_control_channel_close_async (f->client, NULL, test_on_closed, &r);
  g_assert_cmpint (td_control_channel_get_state (f->client), ==, TD_CONTROL_STATE_CLOSING);

  g_assert_true (test_wait_for (&r.done, 5000));
  g_assert_true (r.ok);
  g_assert_true (test_wait_for (&at_server.closed, 5000));

  g_assert_true (at_client.closed);
  g_assert_no_error (at_client.error);
  g_assert_no_error (at_server.error);
  g_assert_cmpuint (received.texts->len, ==, 1);
  g_assert_cmpstr (received.texts->pdata[0], ==, "last words");
  g_assert_cmpint (td_control_channel_get_state (f->client), ==, TD_CONTROL_STATE_CLOSED);
  g_assert_cmpint (td_control_channel_get_state (f->server), ==, TD_CONTROL_STATE_CLOSED);

  g_ptr_array_unref (received.types);
  g_ptr_array_unref (received.texts);
  closed_clear (&at_client);
  closed_clear (&at_server);
}

static void
on_state_block_server (TdControlChannel *client,
                       GParamSpec       *pspec,
                       Fixture          *f)
{
  /* The partner vanishes once the TLS handshake has begun. */
  if (td_control_channel_get_state (client) == TD_CONTROL_STATE_HANDSHAKING)
    {
      td_datagram_pipe_set_blocked (f->pipe_server, TRUE);
      td_datagram_pipe_set_blocked (f->pipe_client, TRUE);
    }
}

static void
test_peer_vanishes (Fixture       *f,
                    gconstpointer  data)
{
  TestResult c = { 0 }, s = { 0 };
  gint64 start;
  double elapsed;

  g_object_set (f->client, "handshake-timeout", 2000, NULL);
  g_object_set (f->server, "handshake-timeout", 2000, NULL);
  g_signal_connect (f->client, "notify::state", G_CALLBACK (on_state_block_server), f);

  start = g_get_monotonic_time ();
  td_control_channel_handshake_async (f->server, NULL, test_on_handshake, &s);
  td_control_channel_handshake_async (f->client, NULL, test_on_handshake, &c);

  g_assert_true (test_wait_for (&c.done, 5000));
  elapsed = (c.finished_at - start) / (double) G_USEC_PER_SEC;
  g_test_message ("client gave up after %.2f s: %s", elapsed, c.error->message);
  g_assert_false (c.ok);
  g_assert_error (c.error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_TIMED_OUT);
  g_assert_cmpfloat (elapsed, <, 5.0);
  g_assert_cmpint (td_control_channel_get_state (f->client), ==, TD_CONTROL_STATE_CLOSED);

  g_assert_true (test_wait_for (&s.done, 5000));
  g_assert_false (s.ok);
  g_assert_nonnull (s.error);

  test_result_clear (&c);
  test_result_clear (&s);
}

static gboolean
start_server_late (gpointer user_data)
{
  Fixture *f = user_data;
  TestResult *s = g_object_get_data (G_OBJECT (f->server), "result");

  td_control_channel_handshake_async (f->server, NULL, test_on_handshake, s);
  return G_SOURCE_REMOVE;
}

static void
test_late_server (Fixture       *f,
                  gconstpointer  data)
{
  TestResult c = { 0 }, s = { 0 };
  gint64 start = g_get_monotonic_time ();

  /* The host's channel starts listening after the viewer's first packet
   * arrived: that packet waits in the link instead of being lost (which
   * would cost a PseudoTCP retransmission, about a second). */
  g_object_set_data (G_OBJECT (f->server), "result", &s);
  td_control_channel_handshake_async (f->client, NULL, test_on_handshake, &c);
  g_timeout_add (100, start_server_late, f);

  g_assert_true (test_wait_for (&c.done, 5000));
  g_assert_true (test_wait_for (&s.done, 5000));
  g_assert_no_error (c.error);
  g_assert_no_error (s.error);
  g_test_message ("handshake done %.1f ms after the client started",
                  (c.finished_at - start) / 1000.0);
  g_assert_cmpint (c.finished_at - start, <, 600 * 1000);
}

static void
test_nobody_answers (Fixture       *f,
                     gconstpointer  data)
{
  TestResult c = { 0 };
  gint64 start = g_get_monotonic_time ();

  /* No server at all: the PseudoTCP connect is never answered. */
  g_object_set (f->client, "handshake-timeout", 1000, NULL);
  td_control_channel_handshake_async (f->client, NULL, test_on_handshake, &c);
  g_assert_true (test_wait_for (&c.done, 4000));
  g_assert_error (c.error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_TIMED_OUT);
  g_test_message ("after %.2f s: %s", (c.finished_at - start) / 1e6, c.error->message);
  test_result_clear (&c);
}

static void
test_cancel_handshake (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestResult c = { 0 };

  td_control_channel_handshake_async (f->client, cancellable, test_on_handshake, &c);
  g_cancellable_cancel (cancellable);
  g_assert_true (test_wait_for (&c.done, 2000));
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  test_result_clear (&c);
}

static void
test_idle_timeout (Fixture       *f,
                   gconstpointer  data)
{
  Closed at_client = { 0 };
  gint64 start;

  g_object_set (f->client, "idle-timeout", 800, NULL);
  g_signal_connect (f->client, "closed", G_CALLBACK (on_channel_closed), &at_client);
  test_handshake_pair (f->client, f->server, 5000);

  /* Keepalive pings keep a quiet channel open... */
  g_assert_false (test_wait_for (&at_client.closed, 2000));

  /* ...until the partner is gone. */
  start = g_get_monotonic_time ();
  td_datagram_pipe_set_blocked (f->pipe_server, TRUE);
  g_assert_true (test_wait_for (&at_client.closed, 3000));
  g_test_message ("lost after %.2f s: %s", (g_get_monotonic_time () - start) / 1e6,
                  at_client.error->message);
  g_assert_error (at_client.error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_TIMED_OUT);
  closed_clear (&at_client);
}

static void
check_malformed (Fixture       *f,
                 guint16        type,
                 GVariant      *fields,
                 gint           expected_code)
{
  Closed at_client = { 0 }, at_server = { 0 };
  g_autoptr(GError) error = NULL;

  g_signal_connect (f->client, "closed", G_CALLBACK (on_channel_closed), &at_client);
  g_signal_connect (f->server, "closed", G_CALLBACK (on_channel_closed), &at_server);
  g_signal_connect (f->client, "message-received::bye", G_CALLBACK (on_bye), &at_client);

  test_handshake_pair (f->client, f->server, 5000);

  g_assert_true (td_control_channel_send_message (f->client, type, fields, &error));
  g_assert_no_error (error);

  /* The receiving end ends the session with the wire error... */
  g_assert_true (test_wait_for (&at_server.closed, 5000));
  g_test_message ("server: %s", at_server.error->message);
  g_assert_error (at_server.error, TD_WIRE_ERROR, expected_code);

  /* ...and tells the sender why before closing. */
  g_assert_true (test_wait_for (&at_client.closed, 5000));
  g_assert_cmpuint (at_client.n_bye, ==, 1);
  g_assert_cmpstr (at_client.bye_reason, ==, "protocol-error");
  g_assert_cmpint (td_control_channel_get_state (f->server), ==, TD_CONTROL_STATE_CLOSED);

  closed_clear (&at_client);
  closed_clear (&at_server);
}

static void
test_malformed_unknown_required (Fixture       *f,
                                 gconstpointer  data)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert (&dict, "!from-the-future", "b", TRUE);
  check_malformed (f, TD_WIRE_TYPE_CHAT, g_variant_dict_end (&dict),
                   TD_WIRE_ERROR_UNKNOWN_REQUIRED);
}

static void
test_malformed_unknown_type (Fixture       *f,
                             gconstpointer  data)
{
  check_malformed (f, 0x1234, NULL, TD_WIRE_ERROR_UNKNOWN_REQUIRED);
}

static void
test_malformed_too_large (Fixture       *f,
                          gconstpointer  data)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autofree char *big = g_strnfill (4096, 'x');

  /* The server accepts 1 KiB frames only. */
  g_clear_object (&f->server);
  f->server = g_object_new (TD_TYPE_CONTROL_CHANNEL,
                            "link", f->pipe_server,
                            "device-key", f->key_server,
                            "role", TD_CONTROL_ROLE_SERVER,
                            "max-frame-size", 1024,
                            NULL);

  g_variant_dict_insert (&dict, "text", "s", big);
  check_malformed (f, TD_WIRE_TYPE_CHAT, g_variant_dict_end (&dict), TD_WIRE_ERROR_TOO_LARGE);
}

static void
test_send_too_large (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_strnfill (TD_WIRE_DEFAULT_MAX_FRAME_SIZE, 'x');

  test_handshake_pair (f->client, f->server, 5000);
  g_variant_dict_insert (&dict, "text", "s", big);
  g_assert_false (td_control_channel_send_message (f->client, TD_WIRE_TYPE_CHAT,
                                                   g_variant_dict_end (&dict), &error));
  g_assert_error (error, TD_WIRE_ERROR, TD_WIRE_ERROR_TOO_LARGE);
  g_assert_cmpint (td_control_channel_get_state (f->client), ==, TD_CONTROL_STATE_OPEN);
}

static void
test_injected_garbage (Fixture       *f,
                       gconstpointer  data)
{
  Closed at_server = { 0 };
  GRand *rand = g_rand_new_with_seed (99);

  g_signal_connect (f->server, "closed", G_CALLBACK (on_channel_closed), &at_server);
  test_handshake_pair (f->client, f->server, 5000);

  /* Datagrams from nowhere, some looking like PseudoTCP: either ignored or
   * the end of the channel with an error; never a crash. */
  for (guint i = 0; i < 500; i++)
    {
      guint8 datagram[200];
      guint n = g_rand_int_range (rand, 0, sizeof datagram);

      for (guint j = 0; j < n; j++)
        datagram[j] = g_rand_int_range (rand, 0, 256);
      if (n >= 4 && i % 2 == 0)
        memset (datagram, 0, 4); /* the conversation number in use */
      td_datagram_pipe_inject (f->pipe_server, datagram, n);
    }
  test_drain_main_context ();

  if (at_server.closed)
    {
      g_test_message ("server ended the channel: %s", at_server.error->message);
      g_assert_nonnull (at_server.error);
    }
  g_rand_free (rand);
  closed_clear (&at_server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/control-channel/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("handshake", test_handshake);
  ADD ("messages", test_messages);
  ADD ("transfer-10mb", test_transfer_10mb);
  ADD ("transfer-lossy", test_transfer_lossy);
  ADD ("throughput-helper", test_throughput_helper);
  ADD ("close", test_close);
  ADD ("peer-vanishes-mid-handshake", test_peer_vanishes);
  ADD ("late-server", test_late_server);
  ADD ("nobody-answers", test_nobody_answers);
  ADD ("cancel-handshake", test_cancel_handshake);
  ADD ("idle-timeout", test_idle_timeout);
  ADD ("malformed/unknown-required", test_malformed_unknown_required);
  ADD ("malformed/unknown-type", test_malformed_unknown_type);
  ADD ("malformed/too-large", test_malformed_too_large);
  ADD ("send-too-large", test_send_too_large);
  ADD ("injected-garbage", test_injected_garbage);

#undef ADD

  return g_test_run ();
}
