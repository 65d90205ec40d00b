/* transport-test-util.c: helpers shared by the transport tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-wire.h"
#include "transport-test-util.h"

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
test_wait_for (const gboolean *flag,
               guint           timeout_ms)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, set_flag, &timed_out, NULL);
  g_source_attach (timeout, context);

  while (!*flag && !timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  g_source_unref (timeout);

  return *flag;
}

void
test_drain_main_context (void)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (g_main_context_iteration (context, FALSE))
    ;
}

void
test_result_clear (TestResult *result)
{
  g_clear_error (&result->error);
  memset (result, 0, sizeof *result);
}

void
test_on_handshake (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TestResult *r = user_data;

  r->ok = td_control_channel_handshake_finish (TD_CONTROL_CHANNEL (source), result, &r->error);
  r->finished_at = g_get_monotonic_time ();
  r->done = TRUE;
}

void
test_on_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TestResult *r = user_data;

  r->ok = td_control_channel_close_finish (TD_CONTROL_CHANNEL (source), result, &r->error);
  r->finished_at = g_get_monotonic_time ();
  r->done = TRUE;
}

void
test_handshake_pair (TdControlChannel *client,
                     TdControlChannel *server,
                     guint             timeout_ms)
{
  TestResult c = { 0 }, s = { 0 };
  gint64 start = g_get_monotonic_time ();

  td_control_channel_handshake_async (server, NULL, test_on_handshake, &s);
  td_control_channel_handshake_async (client, NULL, test_on_handshake, &c);

  g_assert_true (test_wait_for (&c.done, timeout_ms));
  g_assert_true (test_wait_for (&s.done, timeout_ms));
  g_assert_no_error (c.error);
  g_assert_no_error (s.error);
  g_assert_true (c.ok && s.ok);

  g_test_message ("TLS handshake: client %.1f ms, server %.1f ms",
                  (c.finished_at - start) / 1000.0, (s.finished_at - start) / 1000.0);

  g_assert_cmpint (td_control_channel_get_state (client), ==, TD_CONTROL_STATE_OPEN);
  g_assert_cmpint (td_control_channel_get_state (server), ==, TD_CONTROL_STATE_OPEN);
}

void
test_check_peers (TdControlChannel *client,
                  TdDeviceKey      *client_key,
                  TdControlChannel *server,
                  TdDeviceKey      *server_key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = td_control_channel_dup_tls_description (client);
  g_autoptr(GBytes) context = g_bytes_new_static ("ctx", 3);
  guint8 a[32], b[32], c[32], d[16];

  g_test_message ("TLS: %s", description);
  g_assert_nonnull (strstr (description, "TLS1.3"));

  /* Each sees the other's device, and only that. */
  g_assert_cmpstr (td_control_channel_get_peer_fingerprint_hex (client), ==,
                   td_device_key_get_fingerprint_hex (server_key));
  g_assert_cmpstr (td_control_channel_get_peer_fingerprint_hex (server), ==,
                   td_device_key_get_fingerprint_hex (client_key));
  g_assert_true (g_bytes_equal (td_control_channel_get_peer_fingerprint (client),
                                td_device_key_get_fingerprint (server_key)));
  g_assert_true (g_bytes_equal (td_control_channel_get_peer_public_key (server),
                                td_device_key_get_public_key (client_key)));

  /* The same exporter on both ends; another label or context, other bytes. */
  g_assert_true (td_control_channel_export (client, "EXPORTER-tandem-cpace-sid", NULL, 32, a, &error));
  g_assert_no_error (error);
  g_assert_true (td_control_channel_export (server, "EXPORTER-tandem-cpace-sid", NULL, 32, b, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);

  g_assert_true (td_control_channel_export (server, "EXPORTER-tandem-srtp", NULL, 32, c, &error));
  g_assert_true (memcmp (a, c, sizeof a) != 0);
  g_assert_true (td_control_channel_export (server, "EXPORTER-tandem-cpace-sid", context, 32, c, &error));
  g_assert_true (memcmp (a, c, sizeof a) != 0);

  /* The length is an input of the TLS 1.3 exporter; the ends still agree. */
  g_assert_true (td_control_channel_export (client, "EXPORTER-tandem-cpace-sid", NULL, 16, d, &error));
  g_assert_true (td_control_channel_export (server, "EXPORTER-tandem-cpace-sid", NULL, 16, c, &error));
  g_assert_cmpmem (d, sizeof d, c, sizeof d);
}

typedef struct
{
  TdControlChannel *sender;
  GRand            *rand;
  GChecksum        *sent_sum;
  GChecksum        *received_sum;
  gsize             total;
  gsize             sent;
  gsize             received;
  gboolean          done_sent;
  gboolean          done;
  gboolean          match;
  gint64            start;
  gint64            end;
} Transfer;

#define CHUNK (48 * 1024)

static void
feed (Transfer *t)
{
  while (t->sent < t->total &&
         td_control_channel_get_queued_bytes (t->sender) < 512 * 1024)
    {
      g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
      gsize n = MIN (CHUNK, t->total - t->sent);
      guint32 *words = g_malloc ((n + 3) & ~(gsize) 3);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      for (gsize i = 0; i < (n + 3) / 4; i++)
        words[i] = g_rand_int (t->rand);
      bytes = g_bytes_new_take (words, n);
      g_checksum_update (t->sent_sum, g_bytes_get_data (bytes, NULL), n);

      g_variant_dict_insert (&dict, "offset", "t", (guint64) t->sent);
      g_variant_dict_insert_value (&dict, "data",
                                   g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE));
      g_assert_true (td_control_channel_send_message (t->sender, TD_WIRE_TYPE_FILE_CHUNK,
                                                      g_variant_dict_end (&dict), &error));
      g_assert_no_error (error);
      t->sent += n;
    }

  if (t->sent == t->total && !t->done_sent)
    {
      g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

      g_variant_dict_insert (&dict, "sha256", "s", g_checksum_get_string (t->sent_sum));
      g_assert_true (td_control_channel_send_message (t->sender, TD_WIRE_TYPE_FILE_DONE,
                                                      g_variant_dict_end (&dict), NULL));
      t->done_sent = TRUE;
    }
}

static void
on_drained (TdControlChannel *channel,
            Transfer         *t)
{
  feed (t);
}

static void
on_chunk (TdControlChannel *channel,
          guint             type,
          GVariant         *fields,
          Transfer         *t)
{
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  guint64 offset = 0;

  g_assert_true (td_wire_lookup_uint (fields, "offset", G_MAXUINT64, &offset, &error));
  g_assert_cmpuint (offset, ==, t->received);
  g_assert_true (td_wire_lookup_bytes (fields, "data", CHUNK, &data, &error));
  g_assert_no_error (error);
  g_checksum_update (t->received_sum, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  t->received += g_bytes_get_size (data);
}

static void
on_done (TdControlChannel *channel,
         guint             type,
         GVariant         *fields,
         Transfer         *t)
{
  g_autofree char *sum = NULL;

  g_assert_true (td_wire_lookup_string (fields, "sha256", 64, &sum, NULL));
  t->match = g_str_equal (sum, g_checksum_get_string (t->received_sum));
  t->end = g_get_monotonic_time ();
  t->done = TRUE;
}

double
test_transfer (TdControlChannel *sender,
               TdControlChannel *receiver,
               gsize             n_bytes,
               guint             timeout_ms)
{
  Transfer t = { 0 };
  gulong ids[3];
  double seconds, mbps;

  t.sender = sender;
  t.rand = g_rand_new_with_seed (42);
  t.sent_sum = g_checksum_new (G_CHECKSUM_SHA256);
  t.received_sum = g_checksum_new (G_CHECKSUM_SHA256);
  t.total = n_bytes;

  ids[0] = g_signal_connect (sender, "drained", G_CALLBACK (on_drained), &t);
  ids[1] = g_signal_connect (receiver, "message-received::file-chunk", G_CALLBACK (on_chunk), &t);
  ids[2] = g_signal_connect (receiver, "message-received::file-done", G_CALLBACK (on_done), &t);

  t.start = g_get_monotonic_time ();
  feed (&t);
  g_assert_true (test_wait_for (&t.done, timeout_ms));

  g_assert_cmpuint (t.received, ==, n_bytes);
  g_assert_true (t.match);

  seconds = (t.end - t.start) / (double) G_USEC_PER_SEC;
  mbps = n_bytes / seconds / 1e6;
  g_test_message ("%.1f MB in %.3f s: %.1f MB/s (SHA-256 matches)", n_bytes / 1e6, seconds, mbps);

  g_signal_handler_disconnect (sender, ids[0]);
  g_signal_handler_disconnect (receiver, ids[1]);
  g_signal_handler_disconnect (receiver, ids[2]);
  g_rand_free (t.rand);
  g_checksum_free (t.sent_sum);
  g_checksum_free (t.received_sum);

  return mbps;
}
