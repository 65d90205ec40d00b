/* test-bad-input.c: what the server does with bad input, floods and silence
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Raw WebSocket clients (libsoup) and raw TCP say what a Tandem client
 * never would. Every case must end in a clear error (and a close where the
 * connection cannot go on), never a crash or a leak; valgrind runs this.
 */
#include <string.h>
#include <glib/gstdio.h>

#include "td-id.h"
#include "test-helpers.h"

typedef struct
{
  TdServerConfig      config;
  TdRendezvousServer *server;
  char               *uri;
} Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  th_config_init (&f->config);
  f->config.db_path = g_strdup (":memory:");
}

static void
start (Fixture *f)
{
  f->server = th_server_start (&f->config, 0);
  f->uri = th_server_uri (f->server);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  g_clear_object (&f->server);
  th_sleep (50);
  td_server_config_clear (&f->config);
  g_free (f->uri);
}

static TdDeviceKey *
new_key (void)
{
  g_autoptr(GError) error = NULL;
  TdDeviceKey *key = td_device_key_new_ephemeral (&error);

  g_assert_no_error (error);
  return key;
}

/* The server still works after whatever the test did. */
static void
assert_alive (Fixture *f)
{
  g_autoptr(ThRaw) raw = th_raw_connect (f->uri);
  g_autoptr(TdSignalMessage) ping = td_signal_message_new (TD_SIGNAL_TYPE_PING);
  g_autoptr(TdSignalMessage) pong = NULL;

  g_assert_nonnull (raw->ws);
  th_raw_send_message (raw, ping);
  pong = th_raw_expect (raw, TD_SIGNAL_TYPE_PONG, 5000);
}

static void
expect_error_and_close (ThRaw        *raw,
                        TdSignalCode  code,
                        gushort       close_code)
{
  th_raw_expect_error (raw, code, 5000);
  g_assert_true (th_raw_wait_closed (raw, 5000));
  g_assert_cmpuint (raw->close_code, ==, close_code);
}

static void
test_welcome (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(ThRaw) raw = NULL;
  g_autoptr(TdSignalMessage) welcome = NULL;

  start (f);
  raw = th_raw_connect (f->uri);
  welcome = th_raw_next (raw, 5000);
  g_assert_nonnull (welcome);
  g_assert_cmpint (welcome->type, ==, TD_SIGNAL_TYPE_WELCOME);
  g_assert_cmpuint (welcome->keepalive_s, ==, 1);
  g_assert_cmpuint (welcome->max_size, ==, TD_SIGNAL_MAX_SIZE_DEFAULT);
  g_assert_true (g_str_has_prefix (welcome->server, "tandem-server "));
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  const char *inputs[] = {
    "not json at all",
    "{\"v\":1,\"type\":\"ping\"",
    "[1,2,3]",
    "{\"type\":\"ping\"}",
    "{\"v\":1,\"type\":\"register\",\"public_key\":\"AAAA\"}",
    "{\"v\":1,\"type\":\"connect\",\"req\":1,\"id\":123456789,\"name\":\"\\u0000\",\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}",
    "\"just a string\"",
    "",
  };

  start (f);
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(ThRaw) raw = th_raw_connect (f->uri);

      th_raw_send (raw, inputs[i]);
      expect_error_and_close (raw, TD_SIGNAL_CODE_BAD_MESSAGE, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
    }

  /* Nesting deep enough to hurt a recursive parser */
  {
    g_autoptr(ThRaw) raw = th_raw_connect (f->uri);
    g_autoptr(GString) deep = g_string_new ("{\"v\":1,\"type\":\"ping\",\"x\":");

    for (guint i = 0; i < 5000; i++)
      g_string_append_c (deep, '[');
    for (guint i = 0; i < 5000; i++)
      g_string_append_c (deep, ']');
    g_string_append_c (deep, '}');
    th_raw_send (raw, deep->str);
    expect_error_and_close (raw, TD_SIGNAL_CODE_BAD_MESSAGE, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  }

  assert_alive (f);
}

static void
test_unknown_type (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ThRaw) raw = NULL;
  g_autoptr(TdSignalMessage) ping = td_signal_message_new (TD_SIGNAL_TYPE_PING);
  g_autoptr(TdSignalMessage) pong = NULL;

  start (f);
  raw = th_raw_connect (f->uri);

  /* A type from a newer client: an error, but the connection goes on. */
  th_raw_send (raw, "{\"v\":1,\"type\":\"launch-missiles\"}");
  th_raw_expect_error (raw, TD_SIGNAL_CODE_UNSUPPORTED, 5000);

  /* A type only servers send */
  th_raw_send (raw, "{\"v\":1,\"type\":\"registered\",\"id\":123456789}");
  th_raw_expect_error (raw, TD_SIGNAL_CODE_UNSUPPORTED, 5000);

  th_raw_send_message (raw, ping);
  pong = th_raw_expect (raw, TD_SIGNAL_TYPE_PONG, 5000);
  g_assert_false (raw->closed);
}

static void
test_version_mismatch (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ThRaw) raw = NULL;

  start (f);
  raw = th_raw_connect (f->uri);
  th_raw_send (raw, "{\"v\":2,\"type\":\"register\",\"public_key\":\"whatever v2 has\"}");
  expect_error_and_close (raw, TD_SIGNAL_CODE_VERSION_MISMATCH, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR);
}

static void
test_binary (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(ThRaw) raw = NULL;

  start (f);
  raw = th_raw_connect (f->uri);
  soup_websocket_connection_send_binary (raw->ws, "\x00\x01\x02", 3);
  expect_error_and_close (raw, TD_SIGNAL_CODE_BAD_MESSAGE, SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA);
}

static char *
big_message (gsize size)
{
  g_autoptr(GString) text = g_string_new ("{\"v\":1,\"type\":\"ping\",\"pad\":\"");

  while (text->len < size - 2)
    g_string_append_c (text, 'a');
  g_string_append (text, "\"}");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_oversize (Fixture       *f,
               gconstpointer  data)
{
  start (f);

  /* Over the message limit: the server reads it, says so and closes. */
  {
    g_autoptr(ThRaw) raw = th_raw_connect (f->uri);
    g_autofree char *text = big_message (TD_SIGNAL_MAX_SIZE_DEFAULT + 100);

    th_raw_send (raw, text);
    expect_error_and_close (raw, TD_SIGNAL_CODE_TOO_LARGE, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  }

  /* A frame so big the server will not even buffer it */
  {
    g_autoptr(ThRaw) raw = th_raw_connect (f->uri);
    g_autofree char *text = big_message (4 * TD_SIGNAL_MAX_SIZE_DEFAULT);

    th_raw_send (raw, text);
    g_assert_true (th_raw_wait_closed (raw, 5000));
    /* 1009, unless the close raced the unread rest of the frame and TCP
     * reset the connection first. */
    g_assert_true (raw->close_code == SOUP_WEBSOCKET_CLOSE_TOO_BIG || raw->close_code == 0);
  }

  assert_alive (f);
}

static void
test_bad_signature (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(TdDeviceKey) key = new_key ();
  g_autoptr(TdDeviceKey) other = new_key ();
  g_autoptr(ThRaw) raw = NULL;
  g_autoptr(TdSignalMessage) reg = td_signal_message_new (TD_SIGNAL_TYPE_REGISTER);
  g_autoptr(TdSignalMessage) challenge = NULL;
  g_autoptr(TdSignalMessage) prove = td_signal_message_new (TD_SIGNAL_TYPE_PROVE);
  g_autoptr(GBytes) data_to_sign = NULL;

  start (f);
  raw = th_raw_connect (f->uri);

  /* Someone else's key, signed with one's own: not accepted */
  reg->public_key = g_bytes_ref (td_device_key_get_public_key (key));
  th_raw_send_message (raw, reg);
  challenge = th_raw_expect (raw, TD_SIGNAL_TYPE_CHALLENGE, 5000);
  data_to_sign = td_signal_registration_data (challenge->nonce);
  prove->signature = td_device_key_sign (other, g_bytes_get_data (data_to_sign, NULL),
                                         g_bytes_get_size (data_to_sign), NULL);
  th_raw_send_message (raw, prove);
  expect_error_and_close (raw, TD_SIGNAL_CODE_BAD_SIGNATURE, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_assert_cmpuint (td_rendezvous_server_get_n_hosts (f->server), ==, 0);
}

static void
test_replayed_signature (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(TdDeviceKey) key = new_key ();
  g_autoptr(ThRaw) first = NULL;
  g_autoptr(ThRaw) second = NULL;
  g_autoptr(TdSignalMessage) reg = td_signal_message_new (TD_SIGNAL_TYPE_REGISTER);
  g_autoptr(TdSignalMessage) challenge = NULL;
  g_autoptr(TdSignalMessage) challenge2 = NULL;
  g_autoptr(TdSignalMessage) prove = td_signal_message_new (TD_SIGNAL_TYPE_PROVE);
  g_autoptr(GBytes) data_to_sign = NULL;

  start (f);
  first = th_raw_connect (f->uri);
  reg->public_key = g_bytes_ref (td_device_key_get_public_key (key));
  th_raw_send_message (first, reg);
  challenge = th_raw_expect (first, TD_SIGNAL_TYPE_CHALLENGE, 5000);
  data_to_sign = td_signal_registration_data (challenge->nonce);
  prove->signature = td_device_key_sign (key, g_bytes_get_data (data_to_sign, NULL),
                                         g_bytes_get_size (data_to_sign), NULL);

  /* A proof seen on the wire is worthless on another connection. */
  second = th_raw_connect (f->uri);
  th_raw_send_message (second, reg);
  challenge2 = th_raw_expect (second, TD_SIGNAL_TYPE_CHALLENGE, 5000);
  g_assert_false (g_bytes_equal (challenge->nonce, challenge2->nonce));
  th_raw_send_message (second, prove);
  expect_error_and_close (second, TD_SIGNAL_CODE_BAD_SIGNATURE, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
}

static void
test_out_of_order (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(TdDeviceKey) key = new_key ();
  g_autoptr(ThRaw) raw = NULL;
  g_autoptr(TdSignalMessage) prove = td_signal_message_new (TD_SIGNAL_TYPE_PROVE);
  g_autoptr(TdSignalMessage) reg = td_signal_message_new (TD_SIGNAL_TYPE_REGISTER);
  g_autoptr(TdSignalMessage) accept = td_signal_message_new (TD_SIGNAL_TYPE_ACCEPT);
  g_autoptr(TdSignalMessage) signal = td_signal_message_new (TD_SIGNAL_TYPE_SIGNAL);
  g_autoptr(TdSignalMessage) bye = td_signal_message_new (TD_SIGNAL_TYPE_BYE);

  start (f);
  raw = th_raw_connect (f->uri);

  /* A proof with no challenge */
  prove->signature = g_bytes_new_take (g_malloc0 (64), 64);
  th_raw_send_message (raw, prove);
  th_raw_expect_error (raw, TD_SIGNAL_CODE_BAD_MESSAGE, 5000);

  /* Sessions that do not exist, or are not this connection's */
  accept->session = td_signal_new_session_token ();
  th_raw_send_message (raw, accept);
  th_raw_expect_error (raw, TD_SIGNAL_CODE_UNKNOWN_SESSION, 5000);
  signal->session = td_signal_new_session_token ();
  signal->payload = json_object_new ();
  th_raw_send_message (raw, signal);
  th_raw_expect_error (raw, TD_SIGNAL_CODE_UNKNOWN_SESSION, 5000);
  bye->session = td_signal_new_session_token ();
  th_raw_send_message (raw, bye);
  th_raw_expect_error (raw, TD_SIGNAL_CODE_UNKNOWN_SESSION, 5000);

  /* Registering twice */
  th_raw_register (raw, key, 0);
  reg->public_key = g_bytes_ref (td_device_key_get_public_key (key));
  th_raw_send_message (raw, reg);
  th_raw_expect_error (raw, TD_SIGNAL_CODE_BAD_MESSAGE, 5000);
  g_assert_false (raw->closed);
}

static void
test_take_over (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TdDeviceKey) owner_key = new_key ();
  g_autoptr(TdDeviceKey) thief_key = new_key ();
  g_autoptr(ThRaw) owner = NULL;
  g_autoptr(ThRaw) thief = NULL;
  g_autoptr(TdSignalMessage) reg = td_signal_message_new (TD_SIGNAL_TYPE_REGISTER);
  g_autoptr(TdSignalMessage) challenge = NULL;
  g_autoptr(TdSignalMessage) prove = td_signal_message_new (TD_SIGNAL_TYPE_PROVE);
  g_autoptr(GBytes) data_to_sign = NULL;
  guint32 id;

  start (f);
  owner = th_raw_connect (f->uri);
  id = th_raw_register (owner, owner_key, 0);

  /* A valid proof for its own key, asking for the owner's ID */
  thief = th_raw_connect (f->uri);
  reg->public_key = g_bytes_ref (td_device_key_get_public_key (thief_key));
  reg->id = id;
  th_raw_send_message (thief, reg);
  challenge = th_raw_expect (thief, TD_SIGNAL_TYPE_CHALLENGE, 5000);
  data_to_sign = td_signal_registration_data (challenge->nonce);
  prove->signature = td_device_key_sign (thief_key, g_bytes_get_data (data_to_sign, NULL),
                                         g_bytes_get_size (data_to_sign), NULL);
  th_raw_send_message (thief, prove);
  expect_error_and_close (thief, TD_SIGNAL_CODE_ID_TAKEN, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);

  /* The owner keeps its ID and stays online. */
  g_assert_false (owner->closed);
  g_assert_cmpuint (td_rendezvous_server_get_n_hosts (f->server), ==, 1);
}

static void
test_registration_flood (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(TdDeviceKey) key = new_key ();
  g_autoptr(ThRaw) raw = NULL;
  g_autoptr(TdSignalMessage) reg = td_signal_message_new (TD_SIGNAL_TYPE_REGISTER);
  g_autoptr(TdSignalMessage) error = NULL;

  f->config.register_burst = 3;
  f->config.register_per_minute = 1;
  start (f);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ThRaw) ok = th_raw_connect (f->uri);

      th_raw_register (ok, key, 0);
    }

  raw = th_raw_connect (f->uri);
  reg->public_key = g_bytes_ref (td_device_key_get_public_key (key));
  th_raw_send_message (raw, reg);
  error = th_raw_expect (raw, TD_SIGNAL_TYPE_ERROR, 5000);
  g_assert_cmpint (error->code, ==, TD_SIGNAL_CODE_RATE_LIMITED);
  g_assert_cmpuint (error->retry_after_ms, >, 50000);
  g_assert_true (th_raw_wait_closed (raw, 5000));
}

static void
test_connect_flood (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ThRaw) raw = NULL;
  g_autoptr(TdDeviceKey) key = new_key ();
  guint limited = 0;

  f->config.connect_burst = 5;
  f->config.connect_per_minute = 6;
  start (f);
  raw = th_raw_connect (f->uri);

  for (guint i = 1; i <= 20; i++)
    {
      g_autoptr(TdSignalMessage) connect = td_signal_message_new (TD_SIGNAL_TYPE_CONNECT);
      g_autoptr(TdSignalMessage) answer = NULL;

      connect->req = i;
      connect->id = td_id_from_payload (10000000 + i);
      connect->name = g_strdup ("scanner");
      connect->public_key = g_bytes_ref (td_device_key_get_public_key (key));
      th_raw_send_message (raw, connect);
      answer = th_raw_expect (raw, TD_SIGNAL_TYPE_ERROR, 5000);
      g_assert_cmpint (answer->req, ==, i);
      if (answer->code == TD_SIGNAL_CODE_RATE_LIMITED)
        {
          limited++;
          g_assert_cmpuint (answer->retry_after_ms, >, 0);
        }
      else
        g_assert_cmpint (answer->code, ==, TD_SIGNAL_CODE_UNKNOWN_ID);
    }

  g_assert_cmpuint (limited, ==, 15);
  g_assert_false (raw->closed);
}

static void
test_message_flood (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ThRaw) raw = NULL;
  g_autoptr(TdSignalMessage) ping = td_signal_message_new (TD_SIGNAL_TYPE_PING);

  f->config.messages_burst = 50;
  f->config.messages_per_second = 5;
  start (f);
  raw = th_raw_connect (f->uri);

  for (guint i = 0; i < 200; i++)
    th_raw_send_message (raw, ping);

  g_assert_true (th_raw_wait_closed (raw, 5000));
  g_assert_cmpuint (raw->close_code, ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  {
    gboolean saw_error = FALSE;

    for (TdSignalMessage *m; (m = g_queue_pop_head (&raw->messages)) != NULL; td_signal_message_free (m))
      if (m->type == TD_SIGNAL_TYPE_ERROR && m->code == TD_SIGNAL_CODE_RATE_LIMITED)
        saw_error = TRUE;
    g_assert_true (saw_error);
  }

  assert_alive (f);
}

static void
test_connection_flood (Fixture       *f,
                       gconstpointer  data)
{
  GPtrArray *raws = g_ptr_array_new_with_free_func ((GDestroyNotify) th_raw_free);
  g_autoptr(ThRaw) extra = NULL;

  f->config.max_connections_per_ip = 5;
  start (f);

  for (guint i = 0; i < 5; i++)
    {
      ThRaw *raw = th_raw_connect (f->uri);

      g_ptr_array_add (raws, raw);
      td_signal_message_free (th_raw_expect (raw, TD_SIGNAL_TYPE_WELCOME, 5000));
    }

  extra = th_raw_connect (f->uri);
  expect_error_and_close (extra, TD_SIGNAL_CODE_TOO_MANY_CONNECTIONS, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_ptr_array_unref (raws);

  /* Freed slots are usable again. */
  th_sleep (200);
  assert_alive (f);
}

static void
test_exempt (Fixture       *f,
             gconstpointer  data)
{
  GPtrArray *raws = g_ptr_array_new_with_free_func ((GDestroyNotify) th_raw_free);

  f->config.max_connections_per_ip = 2;
  f->config.rate_limit_exempt = g_strsplit ("127.0.0.0/8", ",", -1);
  start (f);

  for (guint i = 0; i < 6; i++)
    {
      ThRaw *raw = th_raw_connect (f->uri);

      g_ptr_array_add (raws, raw);
      td_signal_message_free (th_raw_expect (raw, TD_SIGNAL_TYPE_WELCOME, 5000));
    }
  th_sleep (100);
  for (guint i = 0; i < raws->len; i++)
    g_assert_false (((ThRaw *) g_ptr_array_index (raws, i))->closed);

  g_ptr_array_unref (raws);
}

static void
test_silent_websocket (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ThRaw) raw = NULL;
  g_autoptr(ThRaw) challenged = NULL;
  g_autoptr(TdDeviceKey) key = new_key ();
  g_autoptr(TdSignalMessage) reg = td_signal_message_new (TD_SIGNAL_TYPE_REGISTER);
  g_autoptr(TdSignalMessage) challenge = NULL;

  f->config.handshake_timeout_ms = 500;
  start (f);

  /* Says nothing at all */
  raw = th_raw_connect (f->uri);
  expect_error_and_close (raw, TD_SIGNAL_CODE_TIMEOUT, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);

  /* Asks to register and never answers the challenge */
  challenged = th_raw_connect (f->uri);
  reg->public_key = g_bytes_ref (td_device_key_get_public_key (key));
  th_raw_send_message (challenged, reg);
  challenge = th_raw_expect (challenged, TD_SIGNAL_TYPE_CHALLENGE, 5000);
  expect_error_and_close (challenged, TD_SIGNAL_CODE_TIMEOUT, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_assert_cmpuint (td_rendezvous_server_get_n_connections (f->server), ==, 0);
}

/* Waits, serving the main loop, until the server closes @connection. */
static gboolean
wait_tcp_closed (GSocketConnection *connection,
                 guint              timeout_ms)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  char buffer[256];

  g_socket_set_blocking (socket, FALSE);
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      if (n == 0 || (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
        return TRUE;
      th_sleep (20);
    }

  return FALSE;
}

static void
test_silent_tcp (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) silent = NULL;
  g_autoptr(GSocketConnection) slow = NULL;
  g_autoptr(GError) error = NULL;
  const char *half = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  guint16 port;

  f->config.handshake_timeout_ms = 500;
  start (f);
  port = td_rendezvous_server_get_port (f->server);

  /* A TCP connection that never sends HTTP is cut after the timeout... */
  silent = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);

  /* ... and so is half an HTTP request followed by silence. */
  slow = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_socket_send (g_socket_connection_get_socket (slow), half, strlen (half), NULL, &error);
  g_assert_no_error (error);

  g_assert_true (wait_tcp_closed (silent, 5000));
  g_assert_true (wait_tcp_closed (slow, 5000));
  assert_alive (f);
}

/* Sends all of @data, serving the main loop while the socket is full. */
static gboolean
send_all (GSocket      *socket,
          const guint8 *data,
          gsize         length)
{
  while (length > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, (const char *) data, length, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_main_context_iteration (NULL, FALSE);
          continue;
        }
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
      g_main_context_iteration (NULL, FALSE);
    }

  return TRUE;
}

static GByteArray *
client_frame (guint         opcode,
              gboolean      fin,
              const guint8 *payload,
              gsize         length)
{
  GByteArray *frame = g_byte_array_new ();
  guint8 head[2] = { (guint8) ((fin ? 0x80 : 0) | opcode), 0x80 };
  guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };

  if (length < 126)
    {
      head[1] |= (guint8) length;
      g_byte_array_append (frame, head, 2);
    }
  else
    {
      guint8 ext[2] = { (guint8) (length >> 8), (guint8) length };

      g_assert_cmpuint (length, <, 65536);
      head[1] |= 126;
      g_byte_array_append (frame, head, 2);
      g_byte_array_append (frame, ext, 2);
    }
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < length; i++)
    {
      guint8 b = payload[i] ^ mask[i % 4];

      g_byte_array_append (frame, &b, 1);
    }
  return frame;
}

static void
test_fragment_flood (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const char *upgrade = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const char *start_text = "{\"v\":1,\"type\":\"ping\",\"pad\":\"";
  g_autofree guint8 *chunk = g_malloc (8000);
  g_autoptr(GByteArray) first = NULL;
  g_autoptr(GByteArray) more = NULL;
  GSocket *socket;
  gsize sent = 0;
  gboolean cut = FALSE;

  start (f);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", td_rendezvous_server_get_port (f->server),
                                                NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  g_socket_set_blocking (socket, FALSE);
  g_assert_true (send_all (socket, (const guint8 *) upgrade, strlen (upgrade)));

  /* Each frame is small; the message they make is not. libsoup alone
   * would buffer it all. */
  memset (chunk, 'a', 8000);
  first = client_frame (0x1, FALSE, (const guint8 *) start_text, strlen (start_text));
  more = client_frame (0x0, FALSE, chunk, 8000);
  g_assert_true (send_all (socket, first->data, first->len));
  while (sent < 8 * 1024 * 1024)
    {
      if (!send_all (socket, more->data, more->len))
        {
          cut = TRUE;
          break;
        }
      sent += more->len;
    }

  if (!cut)
    g_assert_true (wait_tcp_closed (connection, 5000));
  g_assert_cmpuint (sent, <, 8 * 1024 * 1024);
  g_assert_cmpuint (td_rendezvous_server_get_n_connections (f->server), ==, 0);
  assert_alive (f);
}

static void
test_idle (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(ThRaw) raw = NULL;
  g_autoptr(TdDeviceKey) key = new_key ();

  f->config.idle_timeout_ms = 1500;
  start (f);
  raw = th_raw_connect (f->uri);
  th_raw_register (raw, key, 0);
  expect_error_and_close (raw, TD_SIGNAL_CODE_TIMEOUT, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_assert_cmpuint (td_rendezvous_server_get_n_hosts (f->server), ==, 0);
}

typedef struct
{
  gboolean  done;
  GBytes   *body;
  GError   *error;
} HttpResult;

static void
http_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  HttpResult *r = user_data;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &r->error);
  r->done = TRUE;
}

static void
test_health (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *text = NULL;

  start (f);
  url = g_strdup_printf ("http://127.0.0.1:%u/healthz", td_rendezvous_server_get_port (f->server));
  msg = soup_message_new ("GET", url);
  {
    HttpResult r = { 0 };

    /* Asynchronously: the server answers from this thread. */
    soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, http_done_cb, &r);
    g_assert_true (th_wait_for (&r.done, 5000));
    g_assert_no_error (r.error);
    body = r.body;
  }
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_assert_nonnull (strstr (text, "\"status\":\"ok\""));
  g_assert_nonnull (strstr (text, "\"redis\":\"off\""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, set_up, func, tear_down)
  ADD ("/bad-input/welcome", test_welcome);
  ADD ("/bad-input/malformed", test_malformed);
  ADD ("/bad-input/unknown-type", test_unknown_type);
  ADD ("/bad-input/version-mismatch", test_version_mismatch);
  ADD ("/bad-input/binary", test_binary);
  ADD ("/bad-input/oversize", test_oversize);
  ADD ("/bad-input/bad-signature", test_bad_signature);
  ADD ("/bad-input/replayed-signature", test_replayed_signature);
  ADD ("/bad-input/out-of-order", test_out_of_order);
  ADD ("/bad-input/take-over", test_take_over);
  ADD ("/bad-input/registration-flood", test_registration_flood);
  ADD ("/bad-input/connect-flood", test_connect_flood);
  ADD ("/bad-input/message-flood", test_message_flood);
  ADD ("/bad-input/connection-flood", test_connection_flood);
  ADD ("/bad-input/rate-limit-exempt", test_exempt);
  ADD ("/bad-input/silent-websocket", test_silent_websocket);
  ADD ("/bad-input/silent-tcp", test_silent_tcp);
  ADD ("/bad-input/fragment-flood", test_fragment_flood);
  ADD ("/bad-input/idle", test_idle);
  ADD ("/bad-input/health", test_health);
#undef ADD

  return g_test_run ();
}
