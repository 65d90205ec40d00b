/* test-cpace-vectors.c: TdCpace against the draft's test vectors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads $TD_SHARED_DIR/vectors/cpace-ristretto255-sha512.json at run time
 * and exits 77 (skipped) when it is not there.
 */
#include <string.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "td-cpace.h"
#include "td-cpace-private.h"

static JsonObject *summary;
static JsonObject *points;

static GBytes *
hex_bytes (const char *hex)
{
  gsize len = strlen (hex);
  g_autofree guint8 *data = NULL;

  g_assert_cmpuint (len % 2, ==, 0);
  data = g_malloc (len / 2 + 1);
  for (gsize i = 0; i < len / 2; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      g_assert_cmpint (hi, >=, 0);
      g_assert_cmpint (lo, >=, 0);
      data[i] = (guint8) (hi << 4 | lo);
    }

  return g_bytes_new_take (g_steal_pointer (&data), len / 2);
}

static GBytes *
vector (JsonObject *object,
        const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  return hex_bytes (json_object_get_string_member (object, name));
}

#define DATA(b) g_bytes_get_data ((b), NULL)
#define SIZE(b) g_bytes_get_size (b)

static void
assert_equal (const guint8 *data,
              gsize         length,
              GBytes       *expected)
{
  g_assert_nonnull (data);
  g_assert_cmpmem (data, length, DATA (expected), SIZE (expected));
}

typedef struct
{
  GBytes *prs, *ci, *sid, *ya, *yb, *ada, *adb;
} Inputs;

static void
inputs_load (Inputs *in)
{
  in->prs = vector (summary, "PRS");
  in->ci = vector (summary, "CI");
  in->sid = vector (summary, "sid");
  in->ya = vector (summary, "ya");
  in->yb = vector (summary, "yb");
  in->ada = vector (summary, "ADa");
  in->adb = vector (summary, "ADb");
}

static void
inputs_clear (Inputs *in)
{
  g_bytes_unref (in->prs);
  g_bytes_unref (in->ci);
  g_bytes_unref (in->sid);
  g_bytes_unref (in->ya);
  g_bytes_unref (in->yb);
  g_bytes_unref (in->ada);
  g_bytes_unref (in->adb);
}

static TdCpace *
make_party (const Inputs *in,
            TdCpaceRole   role,
            GBytes       *scalar,
            GBytes       *ad)
{
  TdCpace *cpace = td_cpace_new_with_scalar (role,
                                             DATA (in->prs), SIZE (in->prs),
                                             DATA (in->ci), SIZE (in->ci),
                                             DATA (in->sid), SIZE (in->sid),
                                             DATA (ad), SIZE (ad),
                                             DATA (scalar));

  g_assert_nonnull (cpace);
  return cpace;
}

static void
exchange (TdCpace *a,
          TdCpace *b)
{
  g_autoptr(GError) error = NULL;
  GBytes *msg_a = td_cpace_get_message (a);
  GBytes *msg_b = td_cpace_get_message (b);

  g_assert_true (td_cpace_set_peer_message (b, DATA (msg_a), SIZE (msg_a), &error));
  g_assert_no_error (error);
  g_assert_true (td_cpace_set_peer_message (a, DATA (msg_b), SIZE (msg_b), &error));
  g_assert_no_error (error);
}

static void
assert_sid_output (TdCpace    *cpace,
                   const char *name)
{
  g_autoptr(GBytes) expected = vector (summary, name);
  crypto_hash_sha512_state state;
  guint8 out[crypto_hash_sha512_BYTES];
  GBytes *transcript = td_cpace_get_transcript (cpace);

  /* sid_output = H.hash ("CPaceSidOutput" || transcript): checks the
   * transcript independently of the ISK. */
  crypto_hash_sha512_init (&state);
  crypto_hash_sha512_update (&state, (const guint8 *) "CPaceSidOutput", strlen ("CPaceSidOutput"));
  crypto_hash_sha512_update (&state, DATA (transcript), SIZE (transcript));
  crypto_hash_sha512_final (&state, out);
  assert_equal (out, sizeof out, expected);
}

static void
test_generator (void)
{
  Inputs in;
  g_autoptr(GBytes) g = vector (summary, "g");
  g_autoptr(TdCpace) a = NULL;

  inputs_load (&in);
  a = make_party (&in, TD_CPACE_ROLE_INITIATOR, in.ya, in.ada);
  assert_equal (td_cpace_get_generator (a), TD_CPACE_POINT_SIZE, g);
  inputs_clear (&in);
}

static void
test_initiator_responder (void)
{
  Inputs in;
  g_autoptr(GBytes) ya_point = vector (summary, "Ya");
  g_autoptr(GBytes) yb_point = vector (summary, "Yb");
  g_autoptr(GBytes) k = vector (summary, "K");
  g_autoptr(GBytes) isk = vector (summary, "ISK_IR");
  g_autoptr(TdCpace) a = NULL;
  g_autoptr(TdCpace) b = NULL;
  GBytes *msg;

  inputs_load (&in);
  a = make_party (&in, TD_CPACE_ROLE_INITIATOR, in.ya, in.ada);
  b = make_party (&in, TD_CPACE_ROLE_RESPONDER, in.yb, in.adb);

  /* MSGa = lv_cat (Ya, ADa) */
  msg = td_cpace_get_message (a);
  g_assert_cmpuint (SIZE (msg), ==, 1 + 32 + 1 + SIZE (in.ada));
  g_assert_cmpuint (((const guint8 *) DATA (msg))[0], ==, 32);
  assert_equal ((const guint8 *) DATA (msg) + 1, 32, ya_point);
  g_assert_cmpuint (((const guint8 *) DATA (msg))[33], ==, SIZE (in.ada));
  g_assert_cmpmem ((const guint8 *) DATA (msg) + 34, SIZE (in.ada), DATA (in.ada), SIZE (in.ada));

  msg = td_cpace_get_message (b);
  assert_equal ((const guint8 *) DATA (msg) + 1, 32, yb_point);

  g_assert_null (td_cpace_get_isk (a));
  exchange (a, b);

  assert_equal (td_cpace_get_k (a), TD_CPACE_POINT_SIZE, k);
  assert_equal (td_cpace_get_k (b), TD_CPACE_POINT_SIZE, k);
  assert_equal (td_cpace_get_isk (a), TD_CPACE_ISK_SIZE, isk);
  assert_equal (td_cpace_get_isk (b), TD_CPACE_ISK_SIZE, isk);
  g_assert_true (g_bytes_equal (td_cpace_get_peer_ad (a), in.adb));
  g_assert_true (g_bytes_equal (td_cpace_get_peer_ad (b), in.ada));
  g_assert_true (g_bytes_equal (td_cpace_get_transcript (a), td_cpace_get_transcript (b)));

  assert_sid_output (a, "sid_output_ir");
  inputs_clear (&in);
}

static void
test_symmetric (void)
{
  Inputs in;
  g_autoptr(GBytes) k = vector (summary, "K");
  g_autoptr(GBytes) isk = vector (summary, "ISK_SY");
  g_autoptr(TdCpace) a = NULL;
  g_autoptr(TdCpace) b = NULL;

  inputs_load (&in);
  a = make_party (&in, TD_CPACE_ROLE_SYMMETRIC, in.ya, in.ada);
  b = make_party (&in, TD_CPACE_ROLE_SYMMETRIC, in.yb, in.adb);
  exchange (a, b);

  assert_equal (td_cpace_get_k (a), TD_CPACE_POINT_SIZE, k);
  assert_equal (td_cpace_get_isk (a), TD_CPACE_ISK_SIZE, isk);
  assert_equal (td_cpace_get_isk (b), TD_CPACE_ISK_SIZE, isk);

  assert_sid_output (a, "sid_output_oc");
  assert_sid_output (b, "sid_output_oc");
  inputs_clear (&in);
}

static void
test_scalar_mult_vfy (void)
{
  JsonObject *valid = json_object_get_object_member (points, "Valid");
  g_autoptr(GBytes) s = vector (valid, "s");
  g_autoptr(GBytes) x = vector (valid, "X");
  g_autoptr(GBytes) expected = vector (valid, "G.scalar_mult_vfy(s,X)");
  g_autoptr(GBytes) invalid1 = vector (points, "Invalid Y1");
  g_autoptr(GBytes) invalid2 = vector (points, "Invalid Y2");
  guint8 out[TD_CPACE_POINT_SIZE];
  const guint8 identity[TD_CPACE_POINT_SIZE] = { 0 };

  g_assert_true (td_cpace_scalar_mult_vfy (DATA (s), DATA (x), out));
  assert_equal (out, sizeof out, expected);

  g_assert_false (td_cpace_scalar_mult_vfy (DATA (s), DATA (invalid1), out));
  g_assert_cmpmem (out, sizeof out, identity, sizeof identity);
  g_assert_false (td_cpace_scalar_mult_vfy (DATA (s), DATA (invalid2), out));
  g_assert_cmpmem (out, sizeof out, identity, sizeof identity);
}

/* A responder with the vector's inputs must refuse an initiator message
 * carrying the invalid points, with an error and no ISK. */
static void
test_invalid_points_abort (void)
{
  const char *names[] = { "Invalid Y1", "Invalid Y2" };
  Inputs in;

  inputs_load (&in);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GBytes) point = vector (points, names[i]);
      g_autoptr(TdCpace) b = make_party (&in, TD_CPACE_ROLE_RESPONDER, in.yb, in.adb);
      g_autoptr(GError) error = NULL;
      guint8 msg[1 + 32 + 1 + 3];

      msg[0] = 32;
      memcpy (msg + 1, DATA (point), 32);
      msg[33] = 3;
      memcpy (msg + 34, "ADa", 3);

      g_assert_false (td_cpace_set_peer_message (b, msg, sizeof msg, &error));
      g_assert_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_PROTOCOL);
      g_assert_null (td_cpace_get_isk (b));
    }
  inputs_clear (&in);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const char *shared = g_getenv ("TD_SHARED_DIR");
  JsonObject *root;

  g_test_init (&argc, &argv, NULL);

  if (shared == NULL)
    {
      g_printerr ("SKIP: TD_SHARED_DIR is not set, so the CPace test vectors cannot be found\n");
      return 77;
    }

  path = g_build_filename (shared, "vectors", "cpace-ristretto255-sha512.json", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_printerr ("SKIP: %s is not there, so the CPace test vectors cannot be checked\n", path);
      return 77;
    }

  if (!json_parser_load_from_file (parser, path, &error))
    {
      g_printerr ("%s: %s\n", path, error->message);
      return 1;
    }

  root = json_node_get_object (json_parser_get_root (parser));
  summary = json_object_get_object_member (root, "summary");
  points = json_object_get_object_member (root, "points");
  g_assert_nonnull (summary);
  g_assert_nonnull (points);

  g_test_add_func ("/cpace/vectors/generator", test_generator);
  g_test_add_func ("/cpace/vectors/initiator-responder", test_initiator_responder);
  g_test_add_func ("/cpace/vectors/symmetric", test_symmetric);
  g_test_add_func ("/cpace/vectors/scalar-mult-vfy", test_scalar_mult_vfy);
  g_test_add_func ("/cpace/vectors/invalid-points-abort", test_invalid_points_abort);

  return g_test_run ();
}
