/* td-cpace.c: the CPace PAKE, suite CPACE-RISTR255-SHA512
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * draft-irtf-cfrg-cpace with the group ristretto255 and H = SHA-512,
 * group operations from libsodium:
 *
 *   g   = one_way_map (SHA-512 (generator_string (DSI, PRS, CI, sid, 128)))
 *         generator_string = lv_cat (DSI, PRS, zero_bytes (len_zpad), CI, sid)
 *         len_zpad = max (0, 128 - 1 - len (prepend_len (PRS))
 *                                    - len (prepend_len (DSI)))
 *   y   = a uniformly random non-zero scalar
 *   Y   = encode (g^y)
 *   MSG = lv_cat (Y, AD)                          (what goes on the wire)
 *   K   = scalar_mult_vfy (y, Y_peer); abort when K is the neutral element
 *   ISK = SHA-512 (lv_cat (DSI || "_ISK", sid, K) || transcript)
 *         transcript = MSGa || MSGb                  (initiator-responder)
 *                    = "oc" || max (MSGa, MSGb) || min (MSGa, MSGb)
 *                                                             (symmetric)
 *
 * lv_cat () is the draft's prefix-free concatenation (older revisions call
 * it prefix_free_cat ()): every field is preceded by its length as
 * unsigned LEB128. DSI is "CPaceRistretto255".
 *
 * Messages from the partner are parsed strictly: minimal LEB128 lengths, a
 * 32-byte point, at most TD_CPACE_MAX_AD_SIZE bytes of associated data and
 * nothing after it. The point must be a canonical ristretto255 encoding and
 * not the neutral element.
 *
 * The generator (which an attacker could test password guesses against),
 * the scalar, K and the ISK are wiped when the object goes away; the PRS
 * is hashed in place and never copied.
 */
#define G_LOG_DOMAIN "td-auth"

#include <string.h>
#include <sodium.h>

#include "td-cpace.h"
#include "td-cpace-private.h"
#include "td-util.h"

#define DSI          "CPaceRistretto255"
#define DSI_ISK      "CPaceRistretto255_ISK"
#define SHA512_BLOCK 128
#define LEB128_MAX   10

struct _TdCpace
{
  GObject      parent_instance;

  TdCpaceRole  role;
  guint        done : 1;
  guint        succeeded : 1;
  guint        keep_k : 1;

  guint8       generator[TD_CPACE_POINT_SIZE];
  guint8       scalar[TD_CPACE_SCALAR_SIZE];
  guint8       k[TD_CPACE_POINT_SIZE];
  guint8       isk[TD_CPACE_ISK_SIZE];

  GBytes      *sid;
  GBytes      *message;
  GBytes      *peer_message;
  GBytes      *peer_ad;
  GBytes      *transcript;
};

G_DEFINE_FINAL_TYPE (TdCpace, td_cpace, G_TYPE_OBJECT)

static void
td_cpace_finalize (GObject *object)
{
  TdCpace *self = (TdCpace *) object;

  sodium_memzero (self->generator, sizeof self->generator);
  sodium_memzero (self->scalar, sizeof self->scalar);
  sodium_memzero (self->k, sizeof self->k);
  sodium_memzero (self->isk, sizeof self->isk);

  g_clear_pointer (&self->sid, g_bytes_unref);
  g_clear_pointer (&self->message, g_bytes_unref);
  g_clear_pointer (&self->peer_message, g_bytes_unref);
  g_clear_pointer (&self->peer_ad, g_bytes_unref);
  g_clear_pointer (&self->transcript, g_bytes_unref);

  G_OBJECT_CLASS (td_cpace_parent_class)->finalize (object);
}

static void
td_cpace_class_init (TdCpaceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = td_cpace_finalize;

  if (sodium_init () < 0)
    g_critical ("libsodium could not be initialised");
}

static void
td_cpace_init (TdCpace *self)
{
}

/* prepend_len (): the length of a field as unsigned LEB128. */
static gsize
leb128_encode (gsize   value,
               guint8 *out)
{
  gsize n = 0;

  do
    {
      guint8 b = value & 0x7f;

      value >>= 7;
      if (value != 0)
        b |= 0x80;
      out[n++] = b;
    }
  while (value != 0);

  return n;
}

/* Reads one length. Refuses truncated and non-minimal encodings and
 * anything that does not fit in 28 bits, far more than a message holds. */
static gboolean
leb128_decode (const guint8 *data,
               gsize         available,
               gsize        *value,
               gsize        *consumed)
{
  gsize v = 0;

  for (gsize i = 0; i < available && i < 4; i++)
    {
      v |= (gsize) (data[i] & 0x7f) << (7 * i);

      if ((data[i] & 0x80) == 0)
        {
          if (i > 0 && data[i] == 0)
            return FALSE;
          *value = v;
          *consumed = i + 1;
          return TRUE;
        }
    }

  return FALSE;
}

static void
hash_lv (crypto_hash_sha512_state *state,
         const guint8             *data,
         gsize                     length)
{
  guint8 len[LEB128_MAX];

  crypto_hash_sha512_update (state, len, leb128_encode (length, len));
  if (length > 0)
    crypto_hash_sha512_update (state, data, length);
}

static void
byte_array_append_lv (GByteArray   *array,
                      const guint8 *data,
                      gsize         length)
{
  guint8 len[LEB128_MAX];

  g_byte_array_append (array, len, leb128_encode (length, len));
  if (length > 0)
    g_byte_array_append (array, data, length);
}

static void
calculate_generator (const guint8 *prs,
                     gsize         prs_len,
                     const guint8 *ci,
                     gsize         ci_len,
                     const guint8 *sid,
                     gsize         sid_len,
                     guint8       *generator)
{
  static const guint8 zeros[SHA512_BLOCK] = { 0 };
  crypto_hash_sha512_state state;
  guint8 digest[crypto_hash_sha512_BYTES];
  guint8 len[LEB128_MAX];
  gssize zpad;

  zpad = SHA512_BLOCK - 1
         - (gssize) (leb128_encode (prs_len, len) + prs_len)
         - (gssize) (leb128_encode (strlen (DSI), len) + strlen (DSI));
  zpad = MAX (zpad, 0);

  crypto_hash_sha512_init (&state);
  hash_lv (&state, (const guint8 *) DSI, strlen (DSI));
  hash_lv (&state, prs, prs_len);
  hash_lv (&state, zeros, (gsize) zpad);
  hash_lv (&state, ci, ci_len);
  hash_lv (&state, sid, sid_len);
  crypto_hash_sha512_final (&state, digest);

  crypto_core_ristretto255_from_hash (generator, digest);

  sodium_memzero (&state, sizeof state);
  sodium_memzero (digest, sizeof digest);
}

/**
 * td_cpace_scalar_mult_vfy:
 * @scalar: a scalar, 32 bytes little-endian
 * @point: an encoded group element, 32 bytes
 * @out: (out caller-allocates): 32 bytes for encode (decode (@point)^@scalar)
 *
 * The draft's G.scalar_mult_vfy ().
 *
 * Returns: %FALSE when the result is the neutral element G.I, which is
 *   also what a non-canonical or invalid @point gives; @out then holds
 *   G.I (32 zero bytes)
 */
gboolean
td_cpace_scalar_mult_vfy (const guint8 *scalar,
                          const guint8 *point,
                          guint8       *out)
{
  if (crypto_scalarmult_ristretto255 (out, scalar, point) != 0)
    {
      sodium_memzero (out, TD_CPACE_POINT_SIZE);
      return FALSE;
    }

  return TRUE;
}

static TdCpace *
cpace_new (TdCpaceRole   role,
           const guint8 *prs,
           gsize         prs_len,
           const guint8 *ci,
           gsize         ci_len,
           const guint8 *sid,
           gsize         sid_len,
           const guint8 *ad,
           gsize         ad_len,
           const guint8 *scalar)
{
  g_autoptr(TdCpace) self = g_object_new (TD_TYPE_CPACE, NULL);
  g_autoptr(GByteArray) message = NULL;
  guint8 point[TD_CPACE_POINT_SIZE];

  self->role = role;
  self->sid = g_bytes_new (sid, sid_len);

  calculate_generator (prs, prs_len, ci, ci_len, sid, sid_len, self->generator);

  if (scalar != NULL)
    {
      memcpy (self->scalar, scalar, TD_CPACE_SCALAR_SIZE);
      self->keep_k = TRUE;
      if (crypto_scalarmult_ristretto255 (point, self->scalar, self->generator) != 0)
        {
          g_critical ("%s: the scalar gives the neutral element", G_STRFUNC);
          return NULL;
        }
    }
  else
    {
      /* A random scalar is never zero, so g^y is never the neutral
       * element; the loop only guards against the impossible. */
      do
        crypto_core_ristretto255_scalar_random (self->scalar);
      while (crypto_scalarmult_ristretto255 (point, self->scalar, self->generator) != 0);
    }

  message = g_byte_array_sized_new (1 + TD_CPACE_POINT_SIZE + LEB128_MAX + ad_len);
  byte_array_append_lv (message, point, sizeof point);
  byte_array_append_lv (message, ad, ad_len);
  self->message = g_byte_array_free_to_bytes (g_steal_pointer (&message));

  return g_steal_pointer (&self);
}

/**
 * td_cpace_new:
 * @role: which party this is
 * @prs: (array length=prs_len): the password-related string
 * @prs_len: length of @prs
 * @ci: (array length=ci_len) (nullable): the channel identifier
 * @ci_len: length of @ci
 * @sid: (array length=sid_len) (nullable): the session identifier
 * @sid_len: length of @sid
 * @ad: (array length=ad_len) (nullable): this party's associated data,
 *   sent to the partner in the clear
 * @ad_len: length of @ad, at most %TD_CPACE_MAX_AD_SIZE
 *
 * Computes the generator and this party's share. Both parties must use the
 * same @prs, @ci and @sid for the ISKs to match.
 *
 * Returns: (transfer full): a new #TdCpace
 */
TdCpace *
td_cpace_new (TdCpaceRole   role,
              const guint8 *prs,
              gsize         prs_len,
              const guint8 *ci,
              gsize         ci_len,
              const guint8 *sid,
              gsize         sid_len,
              const guint8 *ad,
              gsize         ad_len)
{
  g_return_val_if_fail (role <= TD_CPACE_ROLE_SYMMETRIC, NULL);
  g_return_val_if_fail (prs != NULL || prs_len == 0, NULL);
  g_return_val_if_fail (ci != NULL || ci_len == 0, NULL);
  g_return_val_if_fail (sid != NULL || sid_len == 0, NULL);
  g_return_val_if_fail (ad != NULL || ad_len == 0, NULL);
  g_return_val_if_fail (ad_len <= TD_CPACE_MAX_AD_SIZE, NULL);

  return cpace_new (role, prs, prs_len, ci, ci_len, sid, sid_len, ad, ad_len, NULL);
}

/**
 * td_cpace_new_with_scalar:
 * @scalar: 32 bytes, the scalar y to use instead of a random one
 *
 * Like td_cpace_new() but deterministic. For tests only: a scalar that is
 * ever used twice gives the password away.
 *
 * Returns: (transfer full) (nullable): a new #TdCpace, or %NULL if
 *   @scalar is zero modulo the group order
 */
TdCpace *
td_cpace_new_with_scalar (TdCpaceRole   role,
                          const guint8 *prs,
                          gsize         prs_len,
                          const guint8 *ci,
                          gsize         ci_len,
                          const guint8 *sid,
                          gsize         sid_len,
                          const guint8 *ad,
                          gsize         ad_len,
                          const guint8 *scalar)
{
  g_return_val_if_fail (role <= TD_CPACE_ROLE_SYMMETRIC, NULL);
  g_return_val_if_fail (prs != NULL || prs_len == 0, NULL);
  g_return_val_if_fail (ci != NULL || ci_len == 0, NULL);
  g_return_val_if_fail (sid != NULL || sid_len == 0, NULL);
  g_return_val_if_fail (ad != NULL || ad_len == 0, NULL);
  g_return_val_if_fail (ad_len <= TD_CPACE_MAX_AD_SIZE, NULL);
  g_return_val_if_fail (scalar != NULL, NULL);

  return cpace_new (role, prs, prs_len, ci, ci_len, sid, sid_len, ad, ad_len, scalar);
}

TdCpaceRole
td_cpace_get_role (TdCpace *self)
{
  g_return_val_if_fail (TD_IS_CPACE (self), TD_CPACE_ROLE_INITIATOR);

  return self->role;
}

/**
 * td_cpace_get_message:
 * @self: a #TdCpace
 *
 * Returns: (transfer none): this party's message, lv_cat (Y, AD):
 *   0x20, the 32-byte encoded share Y, the length of AD as LEB128, AD
 */
GBytes *
td_cpace_get_message (TdCpace *self)
{
  g_return_val_if_fail (TD_IS_CPACE (self), NULL);

  return self->message;
}

/**
 * td_cpace_parse_message:
 * @message: (array length=length): a CPace message from the partner
 * @length: its length
 * @point: (out) (optional): where the 32-byte share starts in @message
 * @ad: (out) (optional): where the associated data starts in @message
 * @ad_len: (out) (optional): its length
 * @error: return location for a #GError
 *
 * Checks the framing of a message lv_cat (Y, AD) (not the point itself).
 *
 * Returns: %TRUE if @message is well-formed; otherwise %FALSE with
 *   %TD_AUTH_ERROR_PROTOCOL
 */
gboolean
td_cpace_parse_message (const guint8  *message,
                        gsize          length,
                        const guint8 **point,
                        const guint8 **ad,
                        gsize         *ad_len,
                        GError       **error)
{
  gsize offset = 0;
  gsize field_len, used;

  g_return_val_if_fail (message != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!leb128_decode (message, length, &field_len, &used) ||
      field_len != TD_CPACE_POINT_SIZE ||
      length - used < TD_CPACE_POINT_SIZE)
    {
      g_set_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_PROTOCOL,
                   "The partner sent a malformed authentication message "
                   "(no %u-byte key share at its start)", TD_CPACE_POINT_SIZE);
      return FALSE;
    }
  offset = used;
  if (point != NULL)
    *point = message + offset;
  offset += TD_CPACE_POINT_SIZE;

  if (!leb128_decode (message + offset, length - offset, &field_len, &used) ||
      field_len > TD_CPACE_MAX_AD_SIZE ||
      length - offset - used != field_len)
    {
      g_set_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_PROTOCOL,
                   "The partner sent a malformed authentication message "
                   "(its associated data does not match its length field)");
      return FALSE;
    }
  offset += used;
  if (ad != NULL)
    *ad = message + offset;
  if (ad_len != NULL)
    *ad_len = field_len;

  return TRUE;
}

/* lexiographically_larger () from the draft */
static gboolean
bytes_larger (GBytes *a,
              GBytes *b)
{
  gsize a_len, b_len;
  const guint8 *a_data = g_bytes_get_data (a, &a_len);
  const guint8 *b_data = g_bytes_get_data (b, &b_len);
  int cmp = memcmp (a_data, b_data, MIN (a_len, b_len));

  if (cmp != 0)
    return cmp > 0;

  return a_len > b_len;
}

static GBytes *
make_transcript (TdCpace *self)
{
  g_autoptr(GByteArray) transcript = g_byte_array_new ();
  GBytes *first, *second;
  gsize len;
  const guint8 *data;

  g_assert (TD_IS_CPACE (self));

  switch (self->role)
    {
    case TD_CPACE_ROLE_INITIATOR:
      first = self->message;
      second = self->peer_message;
      break;

    case TD_CPACE_ROLE_RESPONDER:
      first = self->peer_message;
      second = self->message;
      break;

    case TD_CPACE_ROLE_SYMMETRIC:
      g_byte_array_append (transcript, (const guint8 *) "oc", 2);
      if (bytes_larger (self->message, self->peer_message))
        {
          first = self->message;
          second = self->peer_message;
        }
      else
        {
          first = self->peer_message;
          second = self->message;
        }
      break;

    default:
      g_assert_not_reached ();
    }

  data = g_bytes_get_data (first, &len);
  g_byte_array_append (transcript, data, len);
  data = g_bytes_get_data (second, &len);
  g_byte_array_append (transcript, data, len);

  return g_byte_array_free_to_bytes (g_steal_pointer (&transcript));
}

/**
 * td_cpace_set_peer_message:
 * @self: a #TdCpace
 * @message: (array length=length): the partner's message
 * @length: its length
 * @error: return location for a #GError
 *
 * Parses the partner's message, checks its share and computes the ISK.
 * Call it once.
 *
 * Returns: %TRUE if the ISK is ready; otherwise %FALSE with
 *   %TD_AUTH_ERROR_PROTOCOL (malformed message, non-canonical point, the
 *   neutral element). A wrong password is not detected here: the ISKs
 *   simply differ, which key confirmation finds out.
 */
gboolean
td_cpace_set_peer_message (TdCpace       *self,
                           const guint8  *message,
                           gsize          length,
                           GError       **error)
{
  crypto_hash_sha512_state state;
  const guint8 *point = NULL;
  const guint8 *ad = NULL;
  gsize ad_len = 0;
  const guint8 *sid;
  gsize sid_len, len;
  const guint8 *transcript;

  g_return_val_if_fail (TD_IS_CPACE (self), FALSE);
  g_return_val_if_fail (message != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (!self->done, FALSE);

  self->done = TRUE;

  if (!td_cpace_parse_message (message, length, &point, &ad, &ad_len, error))
    return FALSE;

  if (!crypto_core_ristretto255_is_valid_point (point))
    {
      g_set_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_PROTOCOL,
                   "The partner sent an invalid key share "
                   "(not a canonical ristretto255 encoding)");
      return FALSE;
    }

  if (sodium_is_zero (point, TD_CPACE_POINT_SIZE) ||
      !td_cpace_scalar_mult_vfy (self->scalar, point, self->k))
    {
      g_set_error (error, TD_AUTH_ERROR, TD_AUTH_ERROR_PROTOCOL,
                   "The partner sent an invalid key share (the neutral element)");
      return FALSE;
    }

  self->peer_message = g_bytes_new (message, length);
  self->peer_ad = g_bytes_new (ad, ad_len);
  self->transcript = make_transcript (self);

  sid = g_bytes_get_data (self->sid, &sid_len);
  transcript = g_bytes_get_data (self->transcript, &len);

  crypto_hash_sha512_init (&state);
  hash_lv (&state, (const guint8 *) DSI_ISK, strlen (DSI_ISK));
  hash_lv (&state, sid, sid_len);
  hash_lv (&state, self->k, sizeof self->k);
  crypto_hash_sha512_update (&state, transcript, len);
  crypto_hash_sha512_final (&state, self->isk);
  sodium_memzero (&state, sizeof state);

  /* Neither the scalar nor K has any use any more. */
  sodium_memzero (self->scalar, sizeof self->scalar);
  if (!self->keep_k)
    sodium_memzero (self->k, sizeof self->k);

  self->succeeded = TRUE;

  return TRUE;
}

/**
 * td_cpace_get_peer_ad:
 * @self: a #TdCpace
 *
 * Returns: (transfer none) (nullable): the partner's associated data,
 *   once td_cpace_set_peer_message() succeeded
 */
GBytes *
td_cpace_get_peer_ad (TdCpace *self)
{
  g_return_val_if_fail (TD_IS_CPACE (self), NULL);

  return self->peer_ad;
}

/**
 * td_cpace_get_transcript:
 * @self: a #TdCpace
 *
 * Returns: (transfer none) (nullable): the transcript hashed into the ISK
 *   (MSGa || MSGb, or the ordered concatenation in the symmetric setting),
 *   once td_cpace_set_peer_message() succeeded
 */
GBytes *
td_cpace_get_transcript (TdCpace *self)
{
  g_return_val_if_fail (TD_IS_CPACE (self), NULL);

  return self->transcript;
}

/**
 * td_cpace_get_isk:
 * @self: a #TdCpace
 *
 * The intermediate session key. Feed it to a KDF (see td-keys.h) and to
 * key confirmation; never use it directly as a key.
 *
 * Returns: (transfer none) (nullable): %TD_CPACE_ISK_SIZE bytes, valid as
 *   long as @self, or %NULL until td_cpace_set_peer_message() succeeded
 */
const guint8 *
td_cpace_get_isk (TdCpace *self)
{
  g_return_val_if_fail (TD_IS_CPACE (self), NULL);

  return self->succeeded ? self->isk : NULL;
}

/**
 * td_cpace_get_generator:
 * @self: a #TdCpace
 *
 * Returns: (transfer none): the encoded generator g. For tests only.
 */
const guint8 *
td_cpace_get_generator (TdCpace *self)
{
  g_return_val_if_fail (TD_IS_CPACE (self), NULL);

  return self->generator;
}

/**
 * td_cpace_get_k:
 * @self: a #TdCpace made with td_cpace_new_with_scalar()
 *
 * Returns: (transfer none) (nullable): the shared element K. For tests only.
 */
const guint8 *
td_cpace_get_k (TdCpace *self)
{
  g_return_val_if_fail (TD_IS_CPACE (self), NULL);
  g_return_val_if_fail (self->keep_k, NULL);

  return self->succeeded ? self->k : NULL;
}
