/* test-helpers.c: servers, raw WebSocket clients and waiting, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "test-helpers.h"

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
th_wait_for (const gboolean *flag,
             guint           timeout_ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (source);

  return *flag;
}

void
th_sleep (guint ms)
{
  gboolean never = FALSE;

  th_wait_for (&never, ms);
}

void
th_config_init (TdServerConfig *config)
{
  td_server_config_init (config);
  config->listen = g_strsplit ("127.0.0.1:0", ",", -1);
  config->keepalive_s = 1;
  config->idle_timeout_ms = 5000;
  config->handshake_timeout_ms = 3000;
  config->connect_timeout_ms = 5000;
}

TdRendezvousServer *
th_server_start (const TdServerConfig *config,
                 guint16               port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdRendezvousServer) server = NULL;
  TdServerConfig copy = *config;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  char *listen_v[] = { listen, NULL };

  copy.listen = listen_v;
  server = td_rendezvous_server_new (&copy, &error);
  g_assert_no_error (error);
  td_rendezvous_server_start (server, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&server);
}

static void
stopped_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  td_rendezvous_server_stop_finish (TD_RENDEZVOUS_SERVER (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

void
th_server_stop (TdRendezvousServer *server)
{
  gboolean done = FALSE;

  td_rendezvous_server_stop_async (server, NULL, stopped_cb, &done);
  g_assert_true (th_wait_for (&done, 5000));
}

char *
th_server_uri (TdRendezvousServer *server)
{
  return g_strdup_printf ("ws://127.0.0.1:%u", td_rendezvous_server_get_port (server));
}

typedef struct
{
  gboolean  done;
  guint32   id;
  GObject  *object;
  GError   *error;
} Result;

static void
registered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Result *r = user_data;

  r->id = td_rendezvous_client_register_finish (TD_RENDEZVOUS_CLIENT (object), result, &r->error);
  r->done = TRUE;
}

guint32
th_register (TdRendezvousClient  *client,
             GError             **error)
{
  Result r = { 0 };

  td_rendezvous_client_register_async (client, NULL, registered_cb, &r);
  g_assert_true (th_wait_for (&r.done, 10000));
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.id;
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  r->object = (GObject *) td_rendezvous_client_connect_finish (TD_RENDEZVOUS_CLIENT (object), result, &r->error);
  r->done = TRUE;
}

TdSignalingPeer *
th_connect (TdRendezvousClient  *client,
            guint32              id,
            GError             **error)
{
  Result r = { 0 };

  td_rendezvous_client_connect_async (client, id, NULL, connected_cb, &r);
  g_assert_true (th_wait_for (&r.done, 15000));
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return (TdSignalingPeer *) r.object;
}

typedef struct
{
  TdRendezvousState state;
  gboolean          reached;
} StateWait;

static void
state_cb (GObject    *object,
          GParamSpec *pspec,
          gpointer    user_data)
{
  StateWait *wait = user_data;

  if (td_rendezvous_client_get_state (TD_RENDEZVOUS_CLIENT (object)) == wait->state)
    wait->reached = TRUE;
}

gboolean
th_wait_state (TdRendezvousClient *client,
               TdRendezvousState   state,
               guint               timeout_ms)
{
  StateWait wait = { state, td_rendezvous_client_get_state (client) == state };
  gulong handler = g_signal_connect (client, "notify::state", G_CALLBACK (state_cb), &wait);

  th_wait_for (&wait.reached, timeout_ms);
  g_signal_handler_disconnect (client, handler);
  return wait.reached;
}

/* Raw client */

static void
raw_message_cb (SoupWebsocketConnection *ws,
                SoupWebsocketDataType    type,
                GBytes                  *bytes,
                gpointer                 user_data)
{
  ThRaw *raw = user_data;
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  TdSignalMessage *message = td_signal_parse (text, len, 1024 * 1024, NULL);

  g_ptr_array_add (raw->texts, g_strndup (text, len));
  if (message != NULL)
    g_queue_push_tail (&raw->messages, message);
}

static void
raw_closed_cb (SoupWebsocketConnection *ws,
               gpointer                 user_data)
{
  ThRaw *raw = user_data;

  raw->closed = TRUE;
  raw->close_code = soup_websocket_connection_get_close_code (ws);
}

typedef struct
{
  ThRaw    *raw;
  gboolean  done;
} RawConnect;

static void
raw_connected_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RawConnect *data = user_data;

  data->raw->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, NULL);
  data->raw->failed = data->raw->ws == NULL;
  data->done = TRUE;
}

ThRaw *
th_raw_connect (const char *uri)
{
  ThRaw *raw = th_raw_connect_within (uri, 5000);

  g_assert_false (raw->failed);
  return raw;
}

ThRaw *
th_raw_connect_within (const char *uri,
                       guint       timeout_ms)
{
  ThRaw *raw = g_new0 (ThRaw, 1);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  RawConnect data = { raw, FALSE };

  raw->session = soup_session_new ();
  raw->texts = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&raw->messages);

  soup_session_websocket_connect_async (raw->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, cancellable,
                                        raw_connected_cb, &data);
  if (!th_wait_for (&data.done, timeout_ms))
    {
      g_cancellable_cancel (cancellable);
      th_wait_for (&data.done, 5000);
    }

  if (raw->ws != NULL)
    {
      soup_websocket_connection_set_max_incoming_payload_size (raw->ws, 1024 * 1024);
      g_signal_connect (raw->ws, "message", G_CALLBACK (raw_message_cb), raw);
      g_signal_connect (raw->ws, "closed", G_CALLBACK (raw_closed_cb), raw);
    }

  return raw;
}

void
th_raw_free (ThRaw *raw)
{
  if (raw->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (raw->ws, raw);
      if (soup_websocket_connection_get_state (raw->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (raw->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&raw->ws);
    }
  g_queue_clear_full (&raw->messages, (GDestroyNotify) td_signal_message_free);
  g_ptr_array_unref (raw->texts);
  g_clear_object (&raw->session);
  g_free (raw);
}

void
th_raw_send (ThRaw      *raw,
             const char *text)
{
  g_assert_nonnull (raw->ws);
  if (soup_websocket_connection_get_state (raw->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (raw->ws, text);
}

void
th_raw_send_message (ThRaw           *raw,
                     TdSignalMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = td_signal_serialize (message, &error);

  g_assert_no_error (error);
  th_raw_send (raw, text);
}

static gboolean
queue_not_empty_or_closed (ThRaw *raw)
{
  return raw->messages.length > 0 || raw->closed;
}

TdSignalMessage *
th_raw_next (ThRaw *raw,
             guint  timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!queue_not_empty_or_closed (raw) && g_get_monotonic_time () < deadline)
    {
      gboolean flag = FALSE;
      guint source = g_timeout_add (10, timeout_cb, &flag);

      g_main_context_iteration (NULL, TRUE);
      if (!flag)
        g_source_remove (source);
    }

  return g_queue_pop_head (&raw->messages);
}

/* Skips welcome and pong messages. */
TdSignalMessage *
th_raw_expect (ThRaw        *raw,
               TdSignalType  type,
               guint         timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      TdSignalMessage *message = left > 0 ? th_raw_next (raw, (guint) left) : NULL;

      if (message == NULL)
        g_error ("Expected a “%s” message; got none%s", td_signal_type_to_string (type),
                 raw->closed ? " (closed)" : "");

      if (message->type == type)
        return message;

      if (message->type != TD_SIGNAL_TYPE_WELCOME && message->type != TD_SIGNAL_TYPE_PONG)
        g_error ("Expected a “%s” message; got “%s” (%s: %s)", td_signal_type_to_string (type),
                 td_signal_type_to_string (message->type),
                 message->type == TD_SIGNAL_TYPE_ERROR ? td_signal_code_to_string (message->code) : "",
                 message->message ? message->message : "");
      td_signal_message_free (message);
    }
}

void
th_raw_expect_error (ThRaw        *raw,
                     TdSignalCode  code,
                     guint         timeout_ms)
{
  g_autoptr(TdSignalMessage) message = th_raw_expect (raw, TD_SIGNAL_TYPE_ERROR, timeout_ms);

  if (message->code != code)
    g_error ("Expected error “%s”; got “%s” (%s)", td_signal_code_to_string (code),
             td_signal_code_to_string (message->code), message->message ? message->message : "");
}

gboolean
th_raw_wait_closed (ThRaw *raw,
                    guint  timeout_ms)
{
  return th_wait_for (&raw->closed, timeout_ms);
}

guint32
th_raw_register (ThRaw       *raw,
                 TdDeviceKey *key,
                 guint32      wanted_id)
{
  g_autoptr(TdSignalMessage) reg = td_signal_message_new (TD_SIGNAL_TYPE_REGISTER);
  g_autoptr(TdSignalMessage) challenge = NULL;
  g_autoptr(TdSignalMessage) prove = td_signal_message_new (TD_SIGNAL_TYPE_PROVE);
  g_autoptr(TdSignalMessage) registered = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;

  reg->public_key = g_bytes_ref (td_device_key_get_public_key (key));
  reg->id = wanted_id;
  th_raw_send_message (raw, reg);

  challenge = th_raw_expect (raw, TD_SIGNAL_TYPE_CHALLENGE, 5000);
  data = td_signal_registration_data (challenge->nonce);
  prove->signature = td_device_key_sign (key, g_bytes_get_data (data, NULL), g_bytes_get_size (data), &error);
  g_assert_no_error (error);
  th_raw_send_message (raw, prove);

  registered = th_raw_expect (raw, TD_SIGNAL_TYPE_REGISTERED, 5000);
  return registered->id;
}
