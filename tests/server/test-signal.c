/* test-signal.c: the rendezvous message codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "td-id.h"
#include "td-signal.h"

static GBytes *
bytes_of (gsize  size,
          guint8 fill)
{
  g_autofree guint8 *raw = g_malloc (size);

  memset (raw, fill, size);
  return g_bytes_new (raw, size);
}

static TdSignalMessage *
roundtrip (const TdSignalMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = td_signal_serialize (message, &error);
  TdSignalMessage *parsed;

  g_assert_no_error (error);
  g_assert_nonnull (text);
  parsed = td_signal_parse (text, strlen (text), 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (parsed);
  g_assert_cmpint (parsed->type, ==, message->type);
  return parsed;
}

static void
test_roundtrip_all (void)
{
  const char *uris[] = { "turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:443?transport=tcp", NULL };
  g_autofree char *token = td_signal_new_session_token ();
  guint32 id = td_id_from_payload (12345678);

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_WELCOME);
    g_autoptr(TdSignalMessage) p = NULL;

    m->server = g_strdup ("tandem-server 0.1.0");
    m->node = g_strdup ("node-a");
    m->keepalive_s = 30;
    m->max_size = 16384;
    p = roundtrip (m);
    g_assert_cmpstr (p->server, ==, "tandem-server 0.1.0");
    g_assert_cmpstr (p->node, ==, "node-a");
    g_assert_cmpuint (p->keepalive_s, ==, 30);
    g_assert_cmpuint (p->max_size, ==, 16384);
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_REGISTER);
    g_autoptr(TdSignalMessage) p = NULL;

    m->public_key = bytes_of (32, 7);
    m->id = id;
    p = roundtrip (m);
    g_assert_true (g_bytes_equal (p->public_key, m->public_key));
    g_assert_cmpuint (p->id, ==, id);
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_CHALLENGE);
    g_autoptr(TdSignalMessage) p = NULL;

    m->nonce = bytes_of (32, 0xfe);
    p = roundtrip (m);
    g_assert_true (g_bytes_equal (p->nonce, m->nonce));
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_PROVE);
    g_autoptr(TdSignalMessage) p = NULL;

    m->signature = bytes_of (64, 1);
    p = roundtrip (m);
    g_assert_true (g_bytes_equal (p->signature, m->signature));
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_REGISTERED);
    g_autoptr(TdSignalMessage) p = NULL;

    m->id = id;
    p = roundtrip (m);
    g_assert_cmpuint (p->id, ==, id);
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_PING);
    g_autoptr(TdSignalMessage) p = roundtrip (m);
    g_autoptr(TdSignalMessage) m2 = td_signal_message_new (TD_SIGNAL_TYPE_PONG);
    g_autoptr(TdSignalMessage) p2 = roundtrip (m2);
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_CONNECT);
    g_autoptr(TdSignalMessage) p = NULL;

    m->req = 42;
    m->id = id;
    m->name = g_strdup ("Zoë’s laptop");
    m->public_key = bytes_of (32, 3);
    p = roundtrip (m);
    g_assert_cmpint (p->req, ==, 42);
    g_assert_cmpuint (p->id, ==, id);
    g_assert_cmpstr (p->name, ==, "Zoë’s laptop");
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_INCOMING);
    g_autoptr(TdSignalMessage) p = NULL;

    m->session = g_strdup (token);
    m->name = g_strdup ("Viewer");
    m->public_key = bytes_of (32, 4);
    m->verified = TRUE;
    m->id = id;
    m->turn = td_signal_turn_new (uris, "1700000000:abc", "c2VjcmV0", 600);
    p = roundtrip (m);
    g_assert_cmpstr (p->session, ==, token);
    g_assert_true (p->verified);
    g_assert_cmpuint (p->id, ==, id);
    g_assert_nonnull (p->turn);
    g_assert_cmpstrv (p->turn->uris, uris);
    g_assert_cmpstr (p->turn->username, ==, "1700000000:abc");
    g_assert_cmpstr (p->turn->password, ==, "c2VjcmV0");
    g_assert_cmpuint (p->turn->ttl, ==, 600);
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_ACCEPTED);
    g_autoptr(TdSignalMessage) p = NULL;

    m->req = 9;
    m->session = g_strdup (token);
    m->id = id;
    m->public_key = bytes_of (32, 5);
    p = roundtrip (m);
    g_assert_cmpint (p->req, ==, 9);
    g_assert_null (p->turn);
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_ACCEPT);
    g_autoptr(TdSignalMessage) p = NULL;

    m->session = g_strdup (token);
    p = roundtrip (m);
    g_assert_cmpstr (p->session, ==, token);
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_REJECT);
    g_autoptr(TdSignalMessage) p = NULL;

    m->session = g_strdup (token);
    m->reason = g_strdup ("busy");
    p = roundtrip (m);
    g_assert_cmpstr (p->reason, ==, "busy");
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_SIGNAL);
    g_autoptr(TdSignalMessage) p = NULL;
    g_autoptr(GVariant) v = NULL;
    const char *ufrag = NULL;

    m->session = g_strdup (token);
    m->kind = TD_SIGNAL_KIND_CANDIDATE;
    m->payload = json_object_new ();
    json_object_set_string_member (m->payload, "ufrag", "abcd");
    p = roundtrip (m);
    g_assert_cmpint (p->kind, ==, TD_SIGNAL_KIND_CANDIDATE);
    v = td_signal_payload_to_variant (p->payload);
    g_variant_ref_sink (v);
    g_assert_true (g_variant_lookup (v, "ufrag", "&s", &ufrag));
    g_assert_cmpstr (ufrag, ==, "abcd");
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_BYE);
    g_autoptr(TdSignalMessage) p = NULL;

    m->session = g_strdup (token);
    m->reason = g_strdup ("hang-up");
    p = roundtrip (m);
    g_assert_cmpstr (p->reason, ==, "hang-up");
  }

  {
    g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_ERROR);
    g_autoptr(TdSignalMessage) p = NULL;

    m->code = TD_SIGNAL_CODE_RATE_LIMITED;
    m->message = g_strdup ("Slow down");
    m->req = 3;
    m->retry_after_ms = 1500;
    p = roundtrip (m);
    g_assert_cmpint (p->code, ==, TD_SIGNAL_CODE_RATE_LIMITED);
    g_assert_cmpuint (p->retry_after_ms, ==, 1500);
    g_assert_cmpint (p->req, ==, 3);
  }
}

static void
assert_parse_error (const char *text,
                    int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdSignalMessage) m = td_signal_parse (text, strlen (text), 0, &error);

  if (m != NULL)
    g_error ("“%s” was accepted", text);
  g_assert_error (error, TD_SIGNAL_ERROR, code);
  g_assert_nonnull (error->message);
}

static void
test_parse_rejects (void)
{
  const char *key = "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"";
  g_autofree char *good_register = g_strdup_printf ("{\"v\":1,\"type\":\"register\",\"public_key\":%s}", key);
  g_autoptr(TdSignalMessage) ok = td_signal_parse (good_register, strlen (good_register), 0, NULL);

  g_assert_nonnull (ok);

  assert_parse_error ("", TD_SIGNAL_ERROR_MALFORMED);
  assert_parse_error ("not json", TD_SIGNAL_ERROR_MALFORMED);
  assert_parse_error ("{\"v\":1,\"type\":\"ping\"", TD_SIGNAL_ERROR_MALFORMED);
  assert_parse_error ("[1,2,3]", TD_SIGNAL_ERROR_MALFORMED);
  assert_parse_error ("{\"type\":\"ping\"}", TD_SIGNAL_ERROR_MALFORMED);
  assert_parse_error ("{\"v\":\"1\",\"type\":\"ping\"}", TD_SIGNAL_ERROR_MALFORMED);
  assert_parse_error ("{\"v\":2,\"type\":\"ping\"}", TD_SIGNAL_ERROR_VERSION_MISMATCH);
  assert_parse_error ("{\"v\":0,\"type\":\"whatever\"}", TD_SIGNAL_ERROR_VERSION_MISMATCH);
  assert_parse_error ("{\"v\":1}", TD_SIGNAL_ERROR_MALFORMED);
  assert_parse_error ("{\"v\":1,\"type\":\"launch-missiles\"}", TD_SIGNAL_ERROR_UNKNOWN_TYPE);
  assert_parse_error ("{\"v\":1,\"type\":\"register\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"register\",\"public_key\":\"AAAA\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"register\",\"public_key\":\"!!!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"register\",\"public_key\":12}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"prove\",\"signature\":\"AAAA\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"connect\",\"req\":1,\"id\":12,\"name\":\"x\",\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"connect\",\"req\":0,\"id\":123456789,\"name\":\"x\",\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"connect\",\"req\":1,\"id\":123456789,\"name\":\"\",\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"connect\",\"req\":1,\"id\":123456789,\"name\":\"a\\u0007b\",\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"connect\",\"req\":1,\"id\":1.5,\"name\":\"x\",\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"accept\",\"session\":\"short\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"reject\",\"session\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"reason\":\"because\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"signal\",\"session\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"kind\":\"offer\",\"payload\":[]}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"signal\",\"session\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"kind\":\"gossip\",\"payload\":{}}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"bye\",\"session\":\"AAAAAAAAAAAAAAAAAAAAA!\"}", TD_SIGNAL_ERROR_INVALID_FIELD);
  assert_parse_error ("{\"v\":1,\"type\":\"incoming\",\"session\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"name\":\"x\",\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"verified\":true,\"turn\":{\"uris\":[\"http://x\"],\"username\":\"u\",\"password\":\"p\",\"ttl\":60}}", TD_SIGNAL_ERROR_INVALID_FIELD);

  /* NUL bytes and invalid UTF-8 */
  {
    g_autoptr(GError) error = NULL;
    const char with_nul[] = "{\"v\":1,\"type\":\"ping\"}\0";
    const char bad_utf8[] = "{\"v\":1,\"type\":\"ping\",\"x\":\"\xff\"}";

    g_assert_null (td_signal_parse (with_nul, sizeof with_nul, 0, &error));
    g_assert_error (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_MALFORMED);
    g_clear_error (&error);
    g_assert_null (td_signal_parse (bad_utf8, strlen (bad_utf8), 0, &error));
    g_assert_error (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_MALFORMED);
  }
}

static void
test_size_and_depth (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) big = g_string_new ("{\"v\":1,\"type\":\"ping\",\"pad\":\"");
  g_autoptr(GString) deep = g_string_new ("{\"v\":1,\"type\":\"ping\",\"x\":");
  g_autoptr(TdSignalMessage) m = NULL;

  while (big->len < TD_SIGNAL_MAX_SIZE_DEFAULT)
    g_string_append (big, "aaaaaaaaaaaaaaaa");
  g_string_append (big, "\"}");

  g_assert_null (td_signal_parse (big->str, big->len, 0, &error));
  g_assert_error (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* A larger limit lets it through. */
  m = td_signal_parse (big->str, big->len, big->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  g_assert_null (td_signal_parse (deep->str, deep->len, deep->len, &error));
  g_assert_error (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_MALFORMED);
  g_clear_error (&error);

  /* Brackets inside strings do not count. */
  {
    const char *text = "{\"v\":1,\"type\":\"ping\",\"x\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[[\"}";
    g_autoptr(TdSignalMessage) ping = td_signal_parse (text, strlen (text), 0, &error);

    g_assert_no_error (error);
    g_assert_nonnull (ping);
  }
}

static void
test_unknown_fields_and_codes (void)
{
  g_autoptr(GError) error = NULL;
  const char *text = "{\"v\":1,\"type\":\"error\",\"code\":\"brand-new-code\",\"extra\":[1,2]}";
  g_autoptr(TdSignalMessage) m = td_signal_parse (text, strlen (text), 0, &error);
  TdSignalCode code;

  g_assert_no_error (error);
  g_assert_cmpint (m->code, ==, TD_SIGNAL_CODE_INTERNAL);

  for (code = TD_SIGNAL_CODE_INTERNAL; code <= TD_SIGNAL_CODE_TOO_MANY_CONNECTIONS; code++)
    {
      TdSignalCode back;

      g_assert_true (td_signal_code_from_string (td_signal_code_to_string (code), &back));
      g_assert_cmpint (back, ==, code);
    }

  g_assert_true (td_signal_type_is_from_client (TD_SIGNAL_TYPE_CONNECT));
  g_assert_false (td_signal_type_is_from_client (TD_SIGNAL_TYPE_INCOMING));
}

static void
test_serialize_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TdSignalMessage) m = td_signal_message_new (TD_SIGNAL_TYPE_CONNECT);
  g_autofree char *text = td_signal_serialize (m, &error);

  g_assert_null (text);
  g_assert_error (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_INVALID_FIELD);
}

static void
test_session_token (void)
{
  g_autofree char *a = td_signal_new_session_token ();
  g_autofree char *b = td_signal_new_session_token ();

  g_assert_true (td_signal_session_token_is_valid (a));
  g_assert_cmpstr (a, !=, b);
  g_assert_false (td_signal_session_token_is_valid ("abc"));
  g_assert_false (td_signal_session_token_is_valid (NULL));
  g_assert_false (td_signal_session_token_is_valid ("AAAAAAAAAAAAAAAAAAAA+/"));
}

static void
test_registration_data (void)
{
  g_autoptr(GBytes) nonce = bytes_of (32, 9);
  g_autoptr(GBytes) data = td_signal_registration_data (nonce);
  gsize len;
  const guint8 *raw = g_bytes_get_data (data, &len);

  g_assert_cmpuint (len, ==, strlen ("tandem-rendezvous-register-v1") + 1 + 32);
  g_assert_cmpmem (raw, strlen ("tandem-rendezvous-register-v1"), "tandem-rendezvous-register-v1", strlen ("tandem-rendezvous-register-v1"));
  g_assert_cmpint (raw[strlen ("tandem-rendezvous-register-v1")], ==, 0);
}

static void
test_payload_variant (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) offer = NULL;
  g_autoptr(GVariant) back = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autofree char *printed_in = NULL;
  g_autofree char *printed_out = NULL;
  GVariantBuilder builder, nested;
  const char *candidates[] = { "a=candidate:1 1 UDP 2013266431 192.0.2.1 40000 typ host", "a=candidate:2 1 UDP 1677721855 198.51.100.7 40001 typ srflx", NULL };

  g_variant_builder_init (&nested, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&nested, "{sv}", "component", g_variant_new_int64 (1));
  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "ufrag", g_variant_new_string ("Ab12"));
  g_variant_builder_add (&builder, "{sv}", "pwd", g_variant_new_string ("pass-word-22-characters"));
  g_variant_builder_add (&builder, "{sv}", "candidates", g_variant_new_strv (candidates, -1));
  g_variant_builder_add (&builder, "{sv}", "controlling", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&builder, "{sv}", "ratio", g_variant_new_double (0.5));
  g_variant_builder_add (&builder, "{sv}", "stream", g_variant_builder_end (&nested));
  offer = g_variant_ref_sink (g_variant_builder_end (&builder));

  json = td_signal_payload_from_variant (offer, &error);
  g_assert_no_error (error);
  back = g_variant_ref_sink (td_signal_payload_to_variant (json));
  printed_in = g_variant_print (offer, TRUE);
  printed_out = g_variant_print (back, TRUE);
  g_assert_cmpstr (printed_in, ==, printed_out);

  /* Not a dictionary, or a value JSON cannot carry */
  {
    g_autoptr(GVariant) s = g_variant_ref_sink (g_variant_new_string ("x"));
    g_autoptr(GVariant) handle = NULL;
    g_autoptr(JsonObject) none = NULL;

    g_assert_null (td_signal_payload_from_variant (s, &error));
    g_assert_error (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_INVALID_FIELD);
    g_clear_error (&error);

    g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add (&builder, "{sv}", "fd", g_variant_new_handle (3));
    handle = g_variant_ref_sink (g_variant_builder_end (&builder));
    none = td_signal_payload_from_variant (handle, &error);
    g_assert_null (none);
    g_assert_error (error, TD_SIGNAL_ERROR, TD_SIGNAL_ERROR_INVALID_FIELD);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/signal/roundtrip", test_roundtrip_all);
  g_test_add_func ("/signal/rejects", test_parse_rejects);
  g_test_add_func ("/signal/size-and-depth", test_size_and_depth);
  g_test_add_func ("/signal/unknown-fields-and-codes", test_unknown_fields_and_codes);
  g_test_add_func ("/signal/serialize-missing", test_serialize_missing);
  g_test_add_func ("/signal/session-token", test_session_token);
  g_test_add_func ("/signal/registration-data", test_registration_data);
  g_test_add_func ("/signal/payload-variant", test_payload_variant);

  return g_test_run ();
}
