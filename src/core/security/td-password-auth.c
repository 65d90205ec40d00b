/* td-password-auth.c: Tandem's password authentication over CPace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A state machine with no I/O, one object per side, run over the control
 * channel right after TLS 1.3 (DESIGN.md, "Connecting", 6-7). The caller
 * wraps each message below into a control-channel frame and feeds the
 * partner's frames to td_password_auth_receive().
 *
 * The viewer is the CPace initiator (A), the host the responder (B): the
 * viewer is the one asking to connect, and the initiator's associated data
 * tells the responder which of its passwords (one-time or permanent) the
 * partner typed, as the draft suggests for choosing among several PRS.
 *
 * Before MSG1 the viewer must know the host's permanent-password salt
 * (TD_PASSWORD_AUTH_SALT_SIZE random bytes the host keeps with the stored
 * PRS): the host sends it in its hello when unattended access is on. The
 * viewer picks the kind: one-time when the typed password has the one-time
 * format (td_password_is_one_time_format()) and the host has one, else
 * permanent; a wrong guess is one failed attempt like any other.
 *
 * CPace inputs (suite CPACE-RISTR255-SHA512, see td-cpace.c):
 *   PRS = the normalized one-time password as UTF-8, or
 *         Argon2id (permanent password, salt) with the host's salt
 *   CI  = lv_cat (host fingerprint, viewer fingerprint)
 *       = 0x20 || host_fp[32] || 0x20 || viewer_fp[32]
 *   sid = TLS exporter "EXPORTER-tandem-cpace-sid", 16 bytes, no context
 *   ADa = "tandem-viewer" || version (1 byte, 1) || kind (1 byte: 1 = one-time,
 *         2 = permanent)                                          15 bytes
 *   ADb = "tandem-host" || version (1 byte, 1)                     12 bytes
 *
 * Messages:
 *   1. viewer -> host   MSG1 = MSGa = 0x20 || Ya[32] || 0x0f || ADa[15]
 *                                                                 49 bytes
 *   2. host -> viewer   MSG2 = MSGb || Tb
 *                            = 0x20 || Yb[32] || 0x0c || ADb[12] || Tb[64]
 *                                                                110 bytes
 *   3. viewer -> host   MSG3 = 0x01 || Ta[64]  the host's tag was right
 *                                                                 65 bytes
 *                       MSG3 = 0x00            the host's tag was wrong
 *                                                                  1 byte
 * with the key-confirmation tags
 *   Tb = HMAC-SHA512 (ISK, lv ("tandem-cpace-confirm-host")   || MSGa || MSGb)
 *   Ta = HMAC-SHA512 (ISK, lv ("tandem-cpace-confirm-viewer") || MSGa || MSGb)
 * where lv () prepends the length as one byte and MSGa || MSGb is the
 * CPace transcript.
 *
 * So both sides learn the outcome without a timeout: the viewer from Tb,
 * the host from MSG3 (a wrong Ta or the failure notice). The failure
 * notice is not authenticated, but it can only make the host fail, which
 * is what a wrong password does anyway. Tags are compared in constant
 * time. When the host has no password of the kind the viewer asks for, it
 * runs CPace with a random PRS, so the viewer sees an ordinary wrong
 * password rather than a different message.
 *
 * A man in the middle, even the rendezvous server, holds two TLS sessions
 * and so two different sids (and two different certificate pairs in CI):
 * the ISKs differ and both sides fail with TD_AUTH_ERROR_WRONG_PASSWORD.
 * Each run costs an attacker exactly one guess, which the host throttles
 * (TdThrottler); the caller records a failure for every run that ends in
 * TD_AUTH_ERROR_WRONG_PASSWORD or TD_AUTH_ERROR_PROTOCOL after MSG1.
 *
 * After success, td_password_auth_derive_keys() derives the SRTP keys from
 * the ISK (td-keys.c).
 */
#define G_LOG_DOMAIN "td-auth"

#include <string.h>
#include <sodium.h>

#include "td-cpace.h"
#include "td-password-auth.h"
#include "td-util.h"

#define VIEWER_LABEL      "tandem-viewer"
#define HOST_LABEL        "tandem-host"
#define VIEWER_AD_SIZE    (sizeof VIEWER_LABEL - 1 + 2)
#define HOST_AD_SIZE      (sizeof HOST_LABEL - 1 + 1)
#define CONFIRM_HOST      "tandem-cpace-confirm-host"
#define CONFIRM_VIEWER    "tandem-cpace-confirm-viewer"
#define CONFIRM_OK        0x01
#define CONFIRM_FAILED    0x00

struct _TdPasswordAuth
{
  GObject              parent_instance;

  TdPasswordAuthRole   role;
  TdPasswordAuthState  state;
  TdPasswordKind       kind;

  TdCpace             *cpace;

  /* Host only, until the viewer's message says which one to use. */
  guint8              *one_time_prs;
  gsize                one_time_prs_len;
  guint8              *permanent_prs;
  gsize                permanent_prs_len;

  guint8               ci[2 * (1 + TD_PASSWORD_AUTH_FINGERPRINT_SIZE)];
  guint8               sid[TD_PASSWORD_AUTH_SID_SIZE];
};

G_DEFINE_FINAL_TYPE (TdPasswordAuth, td_password_auth, G_TYPE_OBJECT)

static void
clear_secret (guint8 **secret,
              gsize   *length)
{
  if (*secret != NULL)
    {
      sodium_memzero (*secret, *length);
      g_clear_pointer (secret, g_free);
    }
  *length = 0;
}

static void
td_password_auth_finalize (GObject *object)
{
  TdPasswordAuth *self = (TdPasswordAuth *) object;

  clear_secret (&self->one_time_prs, &self->one_time_prs_len);
  clear_secret (&self->permanent_prs, &self->permanent_prs_len);
  g_clear_object (&self->cpace);

  G_OBJECT_CLASS (td_password_auth_parent_class)->finalize (object);
}

static void
td_password_auth_class_init (TdPasswordAuthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = td_password_auth_finalize;

  if (sodium_init () < 0)
    g_critical ("libsodium could not be initialised");
}

static void
td_password_auth_init (TdPasswordAuth *self)
{
}

static gboolean
fingerprint_ok (GBytes *fingerprint)
{
  return fingerprint != NULL &&
         g_bytes_get_size (fingerprint) == TD_PASSWORD_AUTH_FINGERPRINT_SIZE;
}

static TdPasswordAuth *
password_auth_new (TdPasswordAuthRole  role,
                   GBytes             *host_fingerprint,
                   GBytes             *viewer_fingerprint,
                   const guint8       *sid)
{
  TdPasswordAuth *self = g_object_new (TD_TYPE_PASSWORD_AUTH, NULL);
  guint8 *ci = self->ci;

  self->role = role;
  self->state = TD_PASSWORD_AUTH_STATE_NEW;

  ci[0] = TD_PASSWORD_AUTH_FINGERPRINT_SIZE;
  memcpy (ci + 1, g_bytes_get_data (host_fingerprint, NULL), TD_PASSWORD_AUTH_FINGERPRINT_SIZE);
  ci += 1 + TD_PASSWORD_AUTH_FINGERPRINT_SIZE;
  ci[0] = TD_PASSWORD_AUTH_FINGERPRINT_SIZE;
  memcpy (ci + 1, g_bytes_get_data (viewer_fingerprint, NULL), TD_PASSWORD_AUTH_FINGERPRINT_SIZE);

  memcpy (self->sid, sid, TD_PASSWORD_AUTH_SID_SIZE);

  return self;
}

/**
 * td_password_auth_new_viewer:
 * @kind: which of the host's passwords the user typed
 * @prs: (array length=prs_len): the PRS for @kind (see #TdPasswordKind)
 * @prs_len: its length
 * @host_fingerprint: the SHA-256 fingerprint of the host's certificate key,
 *   as seen in the TLS handshake
 * @viewer_fingerprint: this device's fingerprint
 * @sid: (array length=sid_len): the %TD_PASSWORD_AUTH_SID_EXPORTER_LABEL
 *   exporter value of this TLS session
 * @sid_len: %TD_PASSWORD_AUTH_SID_SIZE
 *
 * The viewer's side. @prs is not kept: only the CPace share made from it.
 *
 * Returns: (transfer full): a new #TdPasswordAuth; call
 *   td_password_auth_start() next
 */
TdPasswordAuth *
td_password_auth_new_viewer (TdPasswordKind  kind,
                             const guint8   *prs,
                             gsize           prs_len,
                             GBytes         *host_fingerprint,
                             GBytes         *viewer_fingerprint,
                             const guint8   *sid,
                             gsize           sid_len)
{
  TdPasswordAuth *self;
  guint8 ad[VIEWER_AD_SIZE];

  g_return_val_if_fail (kind == TD_PASSWORD_KIND_ONE_TIME || kind == TD_PASSWORD_KIND_PERMANENT, NULL);
  g_return_val_if_fail (prs != NULL || prs_len == 0, NULL);
  g_return_val_if_fail (fingerprint_ok (host_fingerprint), NULL);
  g_return_val_if_fail (fingerprint_ok (viewer_fingerprint), NULL);
  g_return_val_if_fail (sid != NULL && sid_len == TD_PASSWORD_AUTH_SID_SIZE, NULL);

  self = password_auth_new (TD_PASSWORD_AUTH_ROLE_VIEWER, host_fingerprint, viewer_fingerprint, sid);
  self->kind = kind;

  memcpy (ad, VIEWER_LABEL, sizeof VIEWER_LABEL - 1);
  ad[sizeof VIEWER_LABEL - 1] = TD_PASSWORD_AUTH_VERSION;
  ad[sizeof VIEWER_LABEL] = (guint8) kind;

  self->cpace = td_cpace_new (TD_CPACE_ROLE_INITIATOR, prs, prs_len,
                              self->ci, sizeof self->ci, self->sid, sizeof self->sid,
                              ad, sizeof ad);

  return self;
}

/**
 * td_password_auth_new_host:
 * @one_time_prs: (array length=one_time_prs_len) (nullable): the current
 *   one-time password, normalized, as UTF-8; %NULL if there is none
 * @one_time_prs_len: its length
 * @permanent_prs: (array length=permanent_prs_len) (nullable): the stored
 *   Argon2id of the permanent password; %NULL if unattended access is off
 * @permanent_prs_len: its length
 * @host_fingerprint: this device's fingerprint
 * @viewer_fingerprint: the fingerprint of the viewer's certificate key,
 *   as seen in the TLS handshake
 * @sid: (array length=sid_len): the %TD_PASSWORD_AUTH_SID_EXPORTER_LABEL
 *   exporter value of this TLS session
 * @sid_len: %TD_PASSWORD_AUTH_SID_SIZE
 *
 * The host's side. Copies of the PRS are kept, then wiped, until the
 * viewer's first message says which one it uses.
 *
 * Returns: (transfer full): a new #TdPasswordAuth; feed it the viewer's
 *   first message
 */
TdPasswordAuth *
td_password_auth_new_host (const guint8 *one_time_prs,
                           gsize         one_time_prs_len,
                           const guint8 *permanent_prs,
                           gsize         permanent_prs_len,
                           GBytes       *host_fingerprint,
                           GBytes       *viewer_fingerprint,
                           const guint8 *sid,
                           gsize         sid_len)
{
  TdPasswordAuth *self;

  g_return_val_if_fail (one_time_prs != NULL || one_time_prs_len == 0, NULL);
  g_return_val_if_fail (permanent_prs != NULL || permanent_prs_len == 0, NULL);
  g_return_val_if_fail (fingerprint_ok (host_fingerprint), NULL);
  g_return_val_if_fail (fingerprint_ok (viewer_fingerprint), NULL);
  g_return_val_if_fail (sid != NULL && sid_len == TD_PASSWORD_AUTH_SID_SIZE, NULL);

  self = password_auth_new (TD_PASSWORD_AUTH_ROLE_HOST, host_fingerprint, viewer_fingerprint, sid);

  if (one_time_prs != NULL)
    {
      self->one_time_prs = g_memdup2 (one_time_prs, MAX (one_time_prs_len, 1));
      self->one_time_prs_len = one_time_prs_len;
    }
  if (permanent_prs != NULL)
    {
      self->permanent_prs = g_memdup2 (permanent_prs, MAX (permanent_prs_len, 1));
      self->permanent_prs_len = permanent_prs_len;
    }

  return self;
}

TdPasswordAuthRole
td_password_auth_get_role (TdPasswordAuth *self)
{
  g_return_val_if_fail (TD_IS_PASSWORD_AUTH (self), TD_PASSWORD_AUTH_ROLE_HOST);

  return self->role;
}

TdPasswordAuthState
td_password_auth_get_state (TdPasswordAuth *self)
{
  g_return_val_if_fail (TD_IS_PASSWORD_AUTH (self), TD_PASSWORD_AUTH_STATE_FAILED);

  return self->state;
}

/**
 * td_password_auth_get_kind:
 * @self: a #TdPasswordAuth
 *
 * On the host, which password the viewer authenticated with: a permanent
 * password means unattended access, a one-time one means the consent
 * dialog. Meaningful once the state is %TD_PASSWORD_AUTH_STATE_SUCCEEDED.
 *
 * Returns: the kind of password, or 0 before the host has seen the
 *   viewer's first message
 */
TdPasswordKind
td_password_auth_get_kind (TdPasswordAuth *self)
{
  g_return_val_if_fail (TD_IS_PASSWORD_AUTH (self), 0);

  return self->kind;
}

/**
 * td_password_auth_start:
 * @self: a viewer's #TdPasswordAuth
 *
 * Returns: (transfer full): MSG1, the viewer's first message
 */
GBytes *
td_password_auth_start (TdPasswordAuth *self)
{
  g_return_val_if_fail (TD_IS_PASSWORD_AUTH (self), NULL);
  g_return_val_if_fail (self->role == TD_PASSWORD_AUTH_ROLE_VIEWER, NULL);
  g_return_val_if_fail (self->state == TD_PASSWORD_AUTH_STATE_NEW, NULL);

  self->state = TD_PASSWORD_AUTH_STATE_WAIT_REPLY;
  g_debug ("Viewer: sending the CPace share");

  return g_bytes_ref (td_cpace_get_message (self->cpace));
}

static void
compute_tag (TdPasswordAuth *self,
             const char     *label,
             guint8         *tag)
{
  crypto_auth_hmacsha512_state state;
  GBytes *transcript = td_cpace_get_transcript (self->cpace);
  guint8 len = (guint8) strlen (label);

  g_assert (TD_IS_PASSWORD_AUTH (self));

  crypto_auth_hmacsha512_init (&state, td_cpace_get_isk (self->cpace), TD_CPACE_ISK_SIZE);
  crypto_auth_hmacsha512_update (&state, &len, 1);
  crypto_auth_hmacsha512_update (&state, (const guint8 *) label, len);
  crypto_auth_hmacsha512_update (&state, g_bytes_get_data (transcript, NULL),
                                 g_bytes_get_size (transcript));
  crypto_auth_hmacsha512_final (&state, tag);
  sodium_memzero (&state, sizeof state);
}

static gboolean
check_tag (TdPasswordAuth *self,
           const char     *label,
           const guint8   *tag)
{
  guint8 expected[TD_PASSWORD_AUTH_TAG_SIZE];
  gboolean ok;

  g_assert (TD_IS_PASSWORD_AUTH (self));

  compute_tag (self, label, expected);
  ok = sodium_memcmp (expected, tag, sizeof expected) == 0;
  sodium_memzero (expected, sizeof expected);

  return ok;
}

static gboolean
fail (TdPasswordAuth  *self,
      GError         **error,
      TdAuthError      code,
      const char      *message)
{
  g_assert (TD_IS_PASSWORD_AUTH (self));

  self->state = TD_PASSWORD_AUTH_STATE_FAILED;
  g_clear_object (&self->cpace);
  clear_secret (&self->one_time_prs, &self->one_time_prs_len);
  clear_secret (&self->permanent_prs, &self->permanent_prs_len);
  g_set_error_literal (error, TD_AUTH_ERROR, code, message);

  return FALSE;
}

static gboolean
fail_propagate (TdPasswordAuth  *self,
                GError         **error,
                GError          *local_error)
{
  g_assert (TD_IS_PASSWORD_AUTH (self));

  self->state = TD_PASSWORD_AUTH_STATE_FAILED;
  g_clear_object (&self->cpace);
  clear_secret (&self->one_time_prs, &self->one_time_prs_len);
  clear_secret (&self->permanent_prs, &self->permanent_prs_len);
  g_propagate_error (error, local_error);

  return FALSE;
}

/* Host, MSG1: choose the PRS, answer with MSG2. */
static gboolean
host_receive_share (TdPasswordAuth  *self,
                    const guint8    *message,
                    gsize            length,
                    GBytes         **reply,
                    GError         **error)
{
  g_autoptr(GByteArray) out = NULL;
  GError *local_error = NULL;
  const guint8 *ad = NULL;
  gsize ad_len = 0;
  const guint8 *prs;
  gsize prs_len;
  guint8 random_prs[32];
  guint8 host_ad[HOST_AD_SIZE];
  guint8 tag[TD_PASSWORD_AUTH_TAG_SIZE];
  GBytes *msg_b;

  g_assert (TD_IS_PASSWORD_AUTH (self));

  if (!td_cpace_parse_message (message, length, NULL, &ad, &ad_len, &local_error))
    return fail_propagate (self, error, local_error);

  if (ad_len != VIEWER_AD_SIZE || memcmp (ad, VIEWER_LABEL, sizeof VIEWER_LABEL - 1) != 0)
    return fail (self, error, TD_AUTH_ERROR_PROTOCOL,
                 "The partner did not introduce itself as a Tandem viewer");

  if (ad[sizeof VIEWER_LABEL - 1] != TD_PASSWORD_AUTH_VERSION)
    return fail (self, error, TD_AUTH_ERROR_VERSION,
                 "The partner uses a version of Tandem that cannot connect "
                 "to this one; update Tandem on both computers");

  switch (ad[sizeof VIEWER_LABEL])
    {
    case TD_PASSWORD_KIND_ONE_TIME:
      self->kind = TD_PASSWORD_KIND_ONE_TIME;
      prs = self->one_time_prs;
      prs_len = self->one_time_prs_len;
      break;

    case TD_PASSWORD_KIND_PERMANENT:
      self->kind = TD_PASSWORD_KIND_PERMANENT;
      prs = self->permanent_prs;
      prs_len = self->permanent_prs_len;
      break;

    default:
      return fail (self, error, TD_AUTH_ERROR_PROTOCOL,
                   "The partner asked for an unknown kind of password");
    }

  if (prs == NULL)
    {
      /* Nothing can match; let the run fail like a wrong password. */
      g_debug ("Host: nothing of the kind the viewer asks for is set");
      td_random_bytes (random_prs, sizeof random_prs);
      prs = random_prs;
      prs_len = sizeof random_prs;
    }

  memcpy (host_ad, HOST_LABEL, sizeof HOST_LABEL - 1);
  host_ad[sizeof HOST_LABEL - 1] = TD_PASSWORD_AUTH_VERSION;

  self->cpace = td_cpace_new (TD_CPACE_ROLE_RESPONDER, prs, prs_len,
                              self->ci, sizeof self->ci, self->sid, sizeof self->sid,
                              host_ad, sizeof host_ad);
  sodium_memzero (random_prs, sizeof random_prs);
  clear_secret (&self->one_time_prs, &self->one_time_prs_len);
  clear_secret (&self->permanent_prs, &self->permanent_prs_len);

  if (!td_cpace_set_peer_message (self->cpace, message, length, &local_error))
    return fail_propagate (self, error, local_error);

  compute_tag (self, CONFIRM_HOST, tag);

  msg_b = td_cpace_get_message (self->cpace);
  out = g_byte_array_sized_new (g_bytes_get_size (msg_b) + sizeof tag);
  g_byte_array_append (out, g_bytes_get_data (msg_b, NULL), g_bytes_get_size (msg_b));
  g_byte_array_append (out, tag, sizeof tag);
  *reply = g_byte_array_free_to_bytes (g_steal_pointer (&out));

  self->state = TD_PASSWORD_AUTH_STATE_WAIT_CONFIRM;
  g_debug ("Host: answered the viewer's share (%s password)",
           self->kind == TD_PASSWORD_KIND_PERMANENT ? "permanent" : "one-time");

  return TRUE;
}

/* Viewer, MSG2: check the host's tag, answer with MSG3 either way. */
static gboolean
viewer_receive_reply (TdPasswordAuth  *self,
                      const guint8    *message,
                      gsize            length,
                      GBytes         **reply,
                      GError         **error)
{
  GError *local_error = NULL;
  GBytes *host_ad;
  const guint8 *ad;
  guint8 confirm[1 + TD_PASSWORD_AUTH_TAG_SIZE];

  g_assert (TD_IS_PASSWORD_AUTH (self));

  if (message == NULL || length <= TD_PASSWORD_AUTH_TAG_SIZE)
    return fail (self, error, TD_AUTH_ERROR_PROTOCOL,
                 "The partner sent a malformed authentication message (too short)");

  if (!td_cpace_set_peer_message (self->cpace, message, length - TD_PASSWORD_AUTH_TAG_SIZE,
                                  &local_error))
    return fail_propagate (self, error, local_error);

  host_ad = td_cpace_get_peer_ad (self->cpace);
  ad = g_bytes_get_data (host_ad, NULL);
  if (g_bytes_get_size (host_ad) != HOST_AD_SIZE ||
      memcmp (ad, HOST_LABEL, sizeof HOST_LABEL - 1) != 0)
    return fail (self, error, TD_AUTH_ERROR_PROTOCOL,
                 "The partner did not introduce itself as a Tandem host");

  if (ad[sizeof HOST_LABEL - 1] != TD_PASSWORD_AUTH_VERSION)
    return fail (self, error, TD_AUTH_ERROR_VERSION,
                 "The partner uses a version of Tandem that cannot connect "
                 "to this one; update Tandem on both computers");

  if (!check_tag (self, CONFIRM_HOST, message + length - TD_PASSWORD_AUTH_TAG_SIZE))
    {
      g_debug ("Viewer: the host's confirmation does not match");
      confirm[0] = CONFIRM_FAILED;
      *reply = g_bytes_new (confirm, 1);
      return fail (self, error, TD_AUTH_ERROR_WRONG_PASSWORD,
                   "The password is not right. Check it with your partner and try again.");
    }

  confirm[0] = CONFIRM_OK;
  compute_tag (self, CONFIRM_VIEWER, confirm + 1);
  *reply = g_bytes_new (confirm, sizeof confirm);

  self->state = TD_PASSWORD_AUTH_STATE_SUCCEEDED;
  g_debug ("Viewer: authenticated");

  return TRUE;
}

/* Host, MSG3: the viewer's verdict on our tag, and its own tag. */
static gboolean
host_receive_confirm (TdPasswordAuth  *self,
                      const guint8    *message,
                      gsize            length,
                      GError         **error)
{
  g_assert (TD_IS_PASSWORD_AUTH (self));

  if (length == 1 && message[0] == CONFIRM_FAILED)
    {
      g_debug ("Host: the viewer found the confirmation wrong");
      return fail (self, error, TD_AUTH_ERROR_WRONG_PASSWORD,
                   "The partner typed a password that is not right");
    }

  if (length != 1 + TD_PASSWORD_AUTH_TAG_SIZE || message[0] != CONFIRM_OK)
    return fail (self, error, TD_AUTH_ERROR_PROTOCOL,
                 "The partner sent a malformed authentication message "
                 "(not a password confirmation)");

  if (!check_tag (self, CONFIRM_VIEWER, message + 1))
    {
      g_debug ("Host: the viewer's confirmation does not match");
      return fail (self, error, TD_AUTH_ERROR_WRONG_PASSWORD,
                   "The partner typed a password that is not right");
    }

  self->state = TD_PASSWORD_AUTH_STATE_SUCCEEDED;
  g_debug ("Host: authenticated");

  return TRUE;
}

/**
 * td_password_auth_receive:
 * @self: a #TdPasswordAuth
 * @message: (array length=length): a message from the partner
 * @length: its length
 * @reply: (out) (optional) (nullable) (transfer full): a message to send
 *   back, or %NULL when there is none
 * @error: return location for a #GError
 *
 * Feeds the partner's next message. The host gets MSG1 then MSG3, the
 * viewer MSG2. A message out of turn is a protocol error.
 *
 * On %TD_AUTH_ERROR_WRONG_PASSWORD the viewer still sets @reply, the
 * failure notice: send it before closing so the host learns the outcome
 * at once.
 *
 * Returns: %TRUE if the message was right; the state tells whether the
 *   run is complete. %FALSE with %TD_AUTH_ERROR_PROTOCOL,
 *   %TD_AUTH_ERROR_VERSION or %TD_AUTH_ERROR_WRONG_PASSWORD otherwise, and
 *   the state becomes %TD_PASSWORD_AUTH_STATE_FAILED.
 */
gboolean
td_password_auth_receive (TdPasswordAuth  *self,
                          const guint8    *message,
                          gsize            length,
                          GBytes         **reply,
                          GError         **error)
{
  g_autoptr(GBytes) out = NULL;
  gboolean ret;

  g_return_val_if_fail (TD_IS_PASSWORD_AUTH (self), FALSE);
  g_return_val_if_fail (message != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (reply != NULL)
    *reply = NULL;

  if (self->role == TD_PASSWORD_AUTH_ROLE_HOST && self->state == TD_PASSWORD_AUTH_STATE_NEW)
    ret = host_receive_share (self, message, length, &out, error);
  else if (self->role == TD_PASSWORD_AUTH_ROLE_HOST && self->state == TD_PASSWORD_AUTH_STATE_WAIT_CONFIRM)
    ret = host_receive_confirm (self, message, length, error);
  else if (self->role == TD_PASSWORD_AUTH_ROLE_VIEWER && self->state == TD_PASSWORD_AUTH_STATE_WAIT_REPLY)
    ret = viewer_receive_reply (self, message, length, &out, error);
  else
    ret = fail (self, error, TD_AUTH_ERROR_PROTOCOL,
                "The partner sent an authentication message out of turn");

  if (reply != NULL)
    *reply = g_steal_pointer (&out);

  return ret;
}

/**
 * td_password_auth_derive_keys:
 * @self: a #TdPasswordAuth in the state %TD_PASSWORD_AUTH_STATE_SUCCEEDED
 * @exporter: (array length=exporter_len): the TLS exporter value for
 *   %TD_KEYS_SRTP_EXPORTER_LABEL
 * @exporter_len: its length, %TD_KEYS_SRTP_EXPORTER_SIZE
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the session's SRTP keys
 */
TdKeys *
td_password_auth_derive_keys (TdPasswordAuth  *self,
                              const guint8    *exporter,
                              gsize            exporter_len,
                              GError         **error)
{
  g_return_val_if_fail (TD_IS_PASSWORD_AUTH (self), NULL);
  g_return_val_if_fail (self->state == TD_PASSWORD_AUTH_STATE_SUCCEEDED, NULL);
  g_return_val_if_fail (exporter != NULL && exporter_len > 0, NULL);

  return td_keys_new_from_isk (td_cpace_get_isk (self->cpace), TD_CPACE_ISK_SIZE,
                               exporter, exporter_len, error);
}

/**
 * td_password_auth_derive_permanent_prs:
 * @password: the permanent password, normalized (td_password_normalize())
 * @salt: (array length=salt_len): the host's random salt, kept with the
 *   permanent password's PRS and sent to viewers
 * @salt_len: %TD_PASSWORD_AUTH_SALT_SIZE
 * @prs: (out caller-allocates): %TD_PASSWORD_AUTH_PERMANENT_PRS_SIZE bytes
 * @error: return location for a #GError
 *
 * Argon2id (libsodium crypto_pwhash) with
 * %TD_PASSWORD_AUTH_ARGON2ID_OPSLIMIT passes over
 * %TD_PASSWORD_AUTH_ARGON2ID_MEMLIMIT bytes: about 0.2 s on a 2-core
 * machine. The host stores only the salt and this PRS, never the password.
 * It blocks that long: call it from a worker thread in the UI.
 *
 * Returns: %TRUE on success; %FALSE with %TD_AUTH_ERROR_FAILED when the
 *   memory cannot be had
 */
gboolean
td_password_auth_derive_permanent_prs (const char    *password,
                                       const guint8  *salt,
                                       gsize          salt_len,
                                       guint8        *prs,
                                       GError       **error)
{
  G_STATIC_ASSERT (TD_PASSWORD_AUTH_SALT_SIZE == crypto_pwhash_SALTBYTES);

  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (salt != NULL && salt_len == TD_PASSWORD_AUTH_SALT_SIZE, FALSE);
  g_return_val_if_fail (prs != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (sodium_init () < 0 ||
      crypto_pwhash (prs, TD_PASSWORD_AUTH_PERMANENT_PRS_SIZE, password, strlen (password), salt,
                     TD_PASSWORD_AUTH_ARGON2ID_OPSLIMIT, TD_PASSWORD_AUTH_ARGON2ID_MEMLIMIT,
                     crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      sodium_memzero (prs, TD_PASSWORD_AUTH_PERMANENT_PRS_SIZE);
      g_set_error_literal (error, TD_AUTH_ERROR, TD_AUTH_ERROR_FAILED,
                           "There is not enough free memory to check the permanent "
                           "password; close some applications and try again");
      return FALSE;
    }

  return TRUE;
}
