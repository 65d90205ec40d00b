/* td-signal.c: the rendezvous protocol's messages, as JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The codec is strict: every field a type needs must be there with the
 * right JSON type and within its limits, or the whole message is refused.
 * Fields a type does not know are ignored, so a later minor revision can
 * add optional fields without a new protocol version.
 *
 *   type        direction  fields (? = optional)
 *   welcome     s → c      server, node?, keepalive_s, max_size
 *   register    c → s      public_key, id?              (id: the one it had)
 *   challenge   s → c      nonce
 *   prove       c → s      signature                    (over td_signal_registration_data)
 *   registered  s → c      id
 *   ping/pong   c ↔ s      —
 *   connect     c → s      req, id, name, public_key
 *   incoming    s → host   session, name, public_key, verified, id?, turn?
 *   accept      host → s   session
 *   reject      host → s   session, reason ("busy" or "declined")
 *   accepted    s → viewer req, session, id, public_key (the host's), turn?
 *   signal      c ↔ c      session, kind, payload        (relayed as is)
 *   bye         c ↔ c      session, reason?
 *   error       s → c      code, message?, req?, session?, retry_after_ms?
 *
 * Binary values (keys, nonces, signatures) are standard base64.
 */
#define G_LOG_DOMAIN "td-signal"

#include <string.h>

#include "td-signal.h"
#include "td-util.h"

G_DEFINE_QUARK (td-signal-error-quark, td_signal_error)

#define REGISTRATION_CONTEXT "tandem-rendezvous-register-v1"
#define PAYLOAD_MAX_DEPTH    8

static const char * const type_names[] = {
  [TD_SIGNAL_TYPE_INVALID] = NULL,
  [TD_SIGNAL_TYPE_WELCOME] = "welcome",
  [TD_SIGNAL_TYPE_CHALLENGE] = "challenge",
  [TD_SIGNAL_TYPE_REGISTERED] = "registered",
  [TD_SIGNAL_TYPE_PONG] = "pong",
  [TD_SIGNAL_TYPE_INCOMING] = "incoming",
  [TD_SIGNAL_TYPE_ACCEPTED] = "accepted",
  [TD_SIGNAL_TYPE_ERROR] = "error",
  [TD_SIGNAL_TYPE_REGISTER] = "register",
  [TD_SIGNAL_TYPE_PROVE] = "prove",
  [TD_SIGNAL_TYPE_PING] = "ping",
  [TD_SIGNAL_TYPE_CONNECT] = "connect",
  [TD_SIGNAL_TYPE_ACCEPT] = "accept",
  [TD_SIGNAL_TYPE_REJECT] = "reject",
  [TD_SIGNAL_TYPE_SIGNAL] = "signal",
  [TD_SIGNAL_TYPE_BYE] = "bye",
};

static const char * const kind_names[] = {
  [TD_SIGNAL_KIND_OFFER] = "offer",
  [TD_SIGNAL_KIND_ANSWER] = "answer",
  [TD_SIGNAL_KIND_CANDIDATE] = "candidate",
  [TD_SIGNAL_KIND_END_OF_CANDIDATES] = "end-of-candidates",
};

static const char * const code_names[] = {
  [TD_SIGNAL_CODE_INTERNAL] = "internal",
  [TD_SIGNAL_CODE_BAD_MESSAGE] = "bad-message",
  [TD_SIGNAL_CODE_UNSUPPORTED] = "unsupported",
  [TD_SIGNAL_CODE_TOO_LARGE] = "too-large",
  [TD_SIGNAL_CODE_VERSION_MISMATCH] = "version-mismatch",
  [TD_SIGNAL_CODE_RATE_LIMITED] = "rate-limited",
  [TD_SIGNAL_CODE_TIMEOUT] = "timeout",
  [TD_SIGNAL_CODE_BAD_SIGNATURE] = "bad-signature",
  [TD_SIGNAL_CODE_ID_TAKEN] = "id-taken",
  [TD_SIGNAL_CODE_REPLACED] = "replaced",
  [TD_SIGNAL_CODE_NOT_REGISTERED] = "not-registered",
  [TD_SIGNAL_CODE_UNKNOWN_ID] = "unknown-id",
  [TD_SIGNAL_CODE_OFFLINE] = "offline",
  [TD_SIGNAL_CODE_BUSY] = "busy",
  [TD_SIGNAL_CODE_DECLINED] = "declined",
  [TD_SIGNAL_CODE_SELF] = "self",
  [TD_SIGNAL_CODE_UNKNOWN_SESSION] = "unknown-session",
  [TD_SIGNAL_CODE_SHUTTING_DOWN] = "shutting-down",
  [TD_SIGNAL_CODE_TOO_MANY_CONNECTIONS] = "too-many-connections",
};

const char *
td_signal_type_to_string (TdSignalType type)
{
  if ((guint) type >= G_N_ELEMENTS (type_names) || type_names[type] == NULL)
    return "invalid";

  return type_names[type];
}

static TdSignalType
type_from_string (const char *text)
{
  for (guint i = 1; i < G_N_ELEMENTS (type_names); i++)
    if (g_strcmp0 (type_names[i], text) == 0)
      return (TdSignalType) i;

  return TD_SIGNAL_TYPE_INVALID;
}

/**
 * td_signal_type_is_from_client:
 * @type: a message type
 *
 * Returns: %TRUE if a client may send @type to the server
 */
gboolean
td_signal_type_is_from_client (TdSignalType type)
{
  switch (type)
    {
    case TD_SIGNAL_TYPE_REGISTER:
    case TD_SIGNAL_TYPE_PROVE:
    case TD_SIGNAL_TYPE_PING:
    case TD_SIGNAL_TYPE_CONNECT:
    case TD_SIGNAL_TYPE_ACCEPT:
    case TD_SIGNAL_TYPE_REJECT:
    case TD_SIGNAL_TYPE_SIGNAL:
    case TD_SIGNAL_TYPE_BYE:
      return TRUE;

    case TD_SIGNAL_TYPE_INVALID:
    case TD_SIGNAL_TYPE_WELCOME:
    case TD_SIGNAL_TYPE_CHALLENGE:
    case TD_SIGNAL_TYPE_REGISTERED:
    case TD_SIGNAL_TYPE_PONG:
    case TD_SIGNAL_TYPE_INCOMING:
    case TD_SIGNAL_TYPE_ACCEPTED:
    case TD_SIGNAL_TYPE_ERROR:
    default:
      return FALSE;
    }
}

const char *
td_signal_kind_to_string (TdSignalKind kind)
{
  if ((guint) kind >= G_N_ELEMENTS (kind_names))
    return "invalid";

  return kind_names[kind];
}

gboolean
td_signal_kind_from_string (const char   *text,
                            TdSignalKind *out_kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (kind_names[i], text) == 0)
      {
        *out_kind = (TdSignalKind) i;
        return TRUE;
      }

  return FALSE;
}

const char *
td_signal_code_to_string (TdSignalCode code)
{
  if ((guint) code >= G_N_ELEMENTS (code_names))
    return "internal";

  return code_names[code];
}

gboolean
td_signal_code_from_string (const char   *text,
                            TdSignalCode *out_code)
{
  for (guint i = 0; i < G_N_ELEMENTS (code_names); i++)
    if (g_strcmp0 (code_names[i], text) == 0)
      {
        *out_code = (TdSignalCode) i;
        return TRUE;
      }

  return FALSE;
}

TdSignalMessage *
td_signal_message_new (TdSignalType type)
{
  TdSignalMessage *message = g_new0 (TdSignalMessage, 1);

  message->type = type;
  return message;
}

void
td_signal_message_free (TdSignalMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->session);
  g_free (message->name);
  g_free (message->reason);
  g_clear_pointer (&message->public_key, g_bytes_unref);
  g_clear_pointer (&message->nonce, g_bytes_unref);
  g_clear_pointer (&message->signature, g_bytes_unref);
  g_clear_pointer (&message->payload, json_object_unref);
  g_free (message->message);
  g_free (message->server);
  g_free (message->node);
  g_clear_pointer (&message->turn, td_signal_turn_free);
  g_free (message);
}

TdSignalTurn *
td_signal_turn_new (const char * const *uris,
                    const char         *username,
                    const char         *password,
                    guint               ttl)
{
  TdSignalTurn *turn = g_new0 (TdSignalTurn, 1);

  turn->uris = g_strdupv ((char **) uris);
  turn->username = g_strdup (username);
  turn->password = g_strdup (password);
  turn->ttl = ttl;
  return turn;
}

TdSignalTurn *
td_signal_turn_copy (const TdSignalTurn *turn)
{
  if (turn == NULL)
    return NULL;

  return td_signal_turn_new ((const char * const *) turn->uris, turn->username,
                             turn->password, turn->ttl);
}

void
td_signal_turn_free (TdSignalTurn *turn)
{
  if (turn == NULL)
    return;

  g_strfreev (turn->uris);
  g_free (turn->username);
  if (turn->password != NULL)
    td_memzero (turn->password, strlen (turn->password));
  g_free (turn->password);
  g_free (turn);
}

/**
 * td_signal_new_session_token:
 *
 * Returns: (transfer full): 16 random bytes as unpadded base64url: an
 *   opaque name for one connect, unguessable by a third socket
 */
char *
td_signal_new_session_token (void)
{
  guint8 raw[16];
  char *text;

  td_random_bytes (raw, sizeof raw);
  text = g_base64_encode (raw, sizeof raw);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  text[TD_SIGNAL_SESSION_LENGTH] = '\0';
  return text;
}

gboolean
td_signal_session_token_is_valid (const char *token)
{
  if (token == NULL || strlen (token) != TD_SIGNAL_SESSION_LENGTH)
    return FALSE;

  for (const char *p = token; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;

  return TRUE;
}

/**
 * td_signal_registration_data:
 * @nonce: the server's challenge
 *
 * Returns: (transfer full): what a host signs to prove it holds its key:
 *   a context string, a NUL and the nonce, so that the signature cannot be
 *   mistaken for one made for another purpose
 */
GBytes *
td_signal_registration_data (GBytes *nonce)
{
  GByteArray *data = g_byte_array_new ();
  gsize len;
  const guint8 *raw = g_bytes_get_data (nonce, &len);

  g_byte_array_append (data, (const guint8 *) REGISTRATION_CONTEXT, sizeof REGISTRATION_CONTEXT);
  g_byte_array_append (data, raw, len);
  return g_byte_array_free_to_bytes (data);
}

/* Parsing */

static gboolean
fail (GError     **error,
      int          code,
      const char  *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError     **error,
      int          code,
      const char  *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, TD_SIGNAL_ERROR, code, text);
  return FALSE;
}

/* Refuses deep nesting before json-glib's recursive parser sees it. */
static gboolean
check_depth (const char *text,
             gsize       length,
             guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '{':
        case '[':
          if (++depth > max_depth)
            return FALSE;
          break;
        case '}':
        case ']':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }

  return TRUE;
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return json_object_get_member (object, name);
}

static gboolean
get_int (JsonObject  *object,
         const char  *name,
         gboolean     required,
         gint64       min,
         gint64       max,
         gint64      *out,
         GError     **error)
{
  JsonNode *node = member (object, name);
  gint64 value;

  if (node == NULL)
    {
      if (required)
        return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is missing", name);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is not an integer", name);

  value = json_node_get_int (node);
  if (value < min || value > max)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is out of range", name);

  *out = value;
  return TRUE;
}

static gboolean
get_bool (JsonObject  *object,
          const char  *name,
          gboolean    *out,
          GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is missing", name);

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is not a boolean", name);

  *out = json_node_get_boolean (node);
  return TRUE;
}

static const char *
get_string_node (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Text a person wrote or will read: valid UTF-8 without control
 * characters, at most @max_chars characters and @max_bytes bytes. */
static gboolean
text_is_clean (const char *text,
               gsize       max_chars,
               gsize       max_bytes)
{
  gsize bytes = strlen (text);

  if (bytes == 0 || bytes > max_bytes || !g_utf8_validate (text, bytes, NULL))
    return FALSE;

  if (g_utf8_strlen (text, bytes) > (glong) max_chars)
    return FALSE;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

static gboolean
token_is_clean (const char *text,
                gsize       max_length)
{
  gsize len = strlen (text);

  if (len == 0 || len > max_length)
    return FALSE;

  for (const char *p = text; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;

  return TRUE;
}

typedef enum
{
  STRING_TEXT,    /* a person's words */
  STRING_TOKEN,   /* [a-z0-9-] */
  STRING_PRINTABLE, /* printable ASCII: URIs, user names, passwords */
} StringKind;

static gboolean
printable_is_clean (const char *text,
                    gsize       max_length)
{
  gsize len = strlen (text);

  if (len == 0 || len > max_length)
    return FALSE;

  for (const char *p = text; *p; p++)
    if (*p < 0x21 || *p > 0x7e)
      return FALSE;

  return TRUE;
}

static gboolean
get_string (JsonObject   *object,
            const char   *name,
            gboolean      required,
            StringKind    kind,
            gsize         max,
            char        **out,
            GError      **error)
{
  JsonNode *node = member (object, name);
  const char *text;
  gboolean ok = FALSE;

  if (node == NULL)
    {
      if (required)
        return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is missing", name);
      return TRUE;
    }

  if ((text = get_string_node (node)) == NULL)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is not a string", name);

  switch (kind)
    {
    case STRING_TEXT:
      ok = text_is_clean (text, max, max * 4);
      break;
    case STRING_TOKEN:
      ok = token_is_clean (text, max);
      break;
    case STRING_PRINTABLE:
      ok = printable_is_clean (text, max);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is not acceptable text", name);

  g_free (*out);
  *out = g_strdup (text);
  return TRUE;
}

/* Standard base64 of exactly @size bytes, nothing lenient. */
static gboolean
get_base64 (JsonObject  *object,
            const char  *name,
            gsize        size,
            GBytes     **out,
            GError     **error)
{
  const char *text = get_string_node (member (object, name));
  g_autofree guint8 *raw = NULL;
  gsize len, raw_len = 0;

  if (member (object, name) == NULL)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is missing", name);
  if (text == NULL)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is not a string", name);

  len = strlen (text);
  if (len != ((size + 2) / 3) * 4)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” must hold %" G_GSIZE_FORMAT " bytes", name, size);

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (g_ascii_isalnum (c) || c == '+' || c == '/')
        continue;
      if (c == '=' && i >= len - 2)
        continue;
      return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” is not base64", name);
    }

  raw = g_base64_decode (text, &raw_len);
  if (raw_len != size)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“%s” must hold %" G_GSIZE_FORMAT " bytes", name, size);

  g_clear_pointer (out, g_bytes_unref);
  *out = g_bytes_new (raw, raw_len);
  return TRUE;
}

static gboolean
get_session (JsonObject  *object,
             gboolean     required,
             char       **out,
             GError     **error)
{
  JsonNode *node = member (object, "session");
  const char *text = get_string_node (node);

  if (node == NULL && !required)
    return TRUE;

  if (!td_signal_session_token_is_valid (text))
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“session” is not a session token");

  *out = g_strdup (text);
  return TRUE;
}

static gboolean
get_turn (JsonObject     *object,
          TdSignalTurn  **out,
          GError        **error)
{
  JsonNode *node = member (object, "turn");
  g_autoptr(TdSignalTurn) turn = NULL;
  g_autoptr(GPtrArray) uris = NULL;
  JsonObject *turn_object;
  JsonArray *array;
  JsonNode *uris_node;
  gint64 ttl = 0;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“turn” is not an object");

  turn_object = json_node_get_object (node);
  turn = g_new0 (TdSignalTurn, 1);

  uris_node = member (turn_object, "uris");
  if (uris_node == NULL || !JSON_NODE_HOLDS_ARRAY (uris_node))
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“turn.uris” is not a list");

  array = json_node_get_array (uris_node);
  if (json_array_get_length (array) == 0 || json_array_get_length (array) > TD_SIGNAL_TURN_MAX_URIS)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“turn.uris” has too few or too many entries");

  uris = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *uri = get_string_node (json_array_get_element (array, i));

      if (uri == NULL || !printable_is_clean (uri, TD_SIGNAL_TEXT_MAX_BYTES) ||
          !(g_str_has_prefix (uri, "turn:") || g_str_has_prefix (uri, "turns:") ||
            g_str_has_prefix (uri, "stun:") || g_str_has_prefix (uri, "stuns:")))
        return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“turn.uris” holds something that is not a TURN URI");

      g_ptr_array_add (uris, g_strdup (uri));
    }
  g_ptr_array_add (uris, NULL);
  turn->uris = (char **) g_ptr_array_free (g_steal_pointer (&uris), FALSE);

  if (!get_string (turn_object, "username", TRUE, STRING_PRINTABLE, TD_SIGNAL_TEXT_MAX_BYTES, &turn->username, error) ||
      !get_string (turn_object, "password", TRUE, STRING_PRINTABLE, TD_SIGNAL_TEXT_MAX_BYTES, &turn->password, error) ||
      !get_int (turn_object, "ttl", TRUE, 1, 7 * 24 * 3600, &ttl, error))
    return FALSE;

  turn->ttl = (guint) ttl;
  *out = g_steal_pointer (&turn);
  return TRUE;
}

static gboolean
get_id (JsonObject  *object,
        gboolean     required,
        guint32     *out,
        GError     **error)
{
  gint64 value = 0;

  /* Any nine-digit number; whether its check digit is right is for the
   * server to say (an ID that cannot exist is simply unknown). */
  if (!get_int (object, "id", required, 100000000, 999999999, &value, error))
    return FALSE;

  *out = (guint32) value;
  return TRUE;
}

static gboolean
parse_fields (TdSignalMessage  *message,
              JsonObject       *object,
              GError          **error)
{
  gint64 value = 0;

  switch (message->type)
    {
    case TD_SIGNAL_TYPE_WELCOME:
      if (!get_string (object, "server", TRUE, STRING_TEXT, TD_SIGNAL_NAME_MAX_CHARS, &message->server, error) ||
          !get_string (object, "node", FALSE, STRING_TEXT, TD_SIGNAL_NAME_MAX_CHARS, &message->node, error) ||
          !get_int (object, "keepalive_s", TRUE, 1, 3600, &value, error))
        return FALSE;
      message->keepalive_s = (guint) value;
      if (!get_int (object, "max_size", TRUE, 1024, 1024 * 1024, &value, error))
        return FALSE;
      message->max_size = (guint) value;
      return TRUE;

    case TD_SIGNAL_TYPE_CHALLENGE:
      return get_base64 (object, "nonce", TD_SIGNAL_NONCE_SIZE, &message->nonce, error);

    case TD_SIGNAL_TYPE_REGISTERED:
      return get_id (object, TRUE, &message->id, error);

    case TD_SIGNAL_TYPE_PING:
    case TD_SIGNAL_TYPE_PONG:
      return TRUE;

    case TD_SIGNAL_TYPE_INCOMING:
      return get_session (object, TRUE, &message->session, error) &&
             get_string (object, "name", TRUE, STRING_TEXT, TD_SIGNAL_NAME_MAX_CHARS, &message->name, error) &&
             get_base64 (object, "public_key", TD_SIGNAL_PUBLIC_KEY_SIZE, &message->public_key, error) &&
             get_bool (object, "verified", &message->verified, error) &&
             get_id (object, FALSE, &message->id, error) &&
             get_turn (object, &message->turn, error);

    case TD_SIGNAL_TYPE_ACCEPTED:
      return get_int (object, "req", TRUE, 1, G_MAXINT32, &message->req, error) &&
             get_session (object, TRUE, &message->session, error) &&
             get_id (object, TRUE, &message->id, error) &&
             get_base64 (object, "public_key", TD_SIGNAL_PUBLIC_KEY_SIZE, &message->public_key, error) &&
             get_turn (object, &message->turn, error);

    case TD_SIGNAL_TYPE_ERROR:
      {
        g_autofree char *code = NULL;

        if (!get_string (object, "code", TRUE, STRING_TOKEN, 32, &code, error) ||
            !get_string (object, "message", FALSE, STRING_TEXT, TD_SIGNAL_TEXT_MAX_BYTES, &message->message, error) ||
            !get_int (object, "req", FALSE, 1, G_MAXINT32, &message->req, error) ||
            !get_session (object, FALSE, &message->session, error))
          return FALSE;

        /* A code from a newer server reads as a generic failure. */
        if (!td_signal_code_from_string (code, &message->code))
          message->code = TD_SIGNAL_CODE_INTERNAL;

        value = 0;
        if (!get_int (object, "retry_after_ms", FALSE, 0, 24 * 3600 * 1000, &value, error))
          return FALSE;
        message->retry_after_ms = (guint) value;
        return TRUE;
      }

    case TD_SIGNAL_TYPE_REGISTER:
      return get_base64 (object, "public_key", TD_SIGNAL_PUBLIC_KEY_SIZE, &message->public_key, error) &&
             get_id (object, FALSE, &message->id, error);

    case TD_SIGNAL_TYPE_PROVE:
      return get_base64 (object, "signature", TD_SIGNAL_SIGNATURE_SIZE, &message->signature, error);

    case TD_SIGNAL_TYPE_CONNECT:
      return get_int (object, "req", TRUE, 1, G_MAXINT32, &message->req, error) &&
             get_id (object, TRUE, &message->id, error) &&
             get_string (object, "name", TRUE, STRING_TEXT, TD_SIGNAL_NAME_MAX_CHARS, &message->name, error) &&
             get_base64 (object, "public_key", TD_SIGNAL_PUBLIC_KEY_SIZE, &message->public_key, error);

    case TD_SIGNAL_TYPE_ACCEPT:
      return get_session (object, TRUE, &message->session, error);

    case TD_SIGNAL_TYPE_REJECT:
      if (!get_session (object, TRUE, &message->session, error) ||
          !get_string (object, "reason", TRUE, STRING_TOKEN, 32, &message->reason, error))
        return FALSE;
      if (g_strcmp0 (message->reason, "busy") != 0 && g_strcmp0 (message->reason, "declined") != 0)
        return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“reason” must be “busy” or “declined”");
      return TRUE;

    case TD_SIGNAL_TYPE_SIGNAL:
      {
        g_autofree char *kind = NULL;
        JsonNode *payload;

        if (!get_session (object, TRUE, &message->session, error) ||
            !get_string (object, "kind", TRUE, STRING_TOKEN, 32, &kind, error))
          return FALSE;
        if (!td_signal_kind_from_string (kind, &message->kind))
          return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“kind” is not a known kind");

        payload = member (object, "payload");
        if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
          return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "“payload” is not an object");
        message->payload = json_object_ref (json_node_get_object (payload));
        return TRUE;
      }

    case TD_SIGNAL_TYPE_BYE:
      return get_session (object, TRUE, &message->session, error) &&
             get_string (object, "reason", FALSE, STRING_TOKEN, 32, &message->reason, error);

    case TD_SIGNAL_TYPE_INVALID:
    default:
      return fail (error, TD_SIGNAL_ERROR_UNKNOWN_TYPE, "Unknown message type");
    }
}

/**
 * td_signal_parse:
 * @text: one WebSocket text message
 * @length: its size in bytes
 * @max_size: the largest size accepted, or 0 for the default
 * @error: a #GError in %TD_SIGNAL_ERROR
 *
 * Reads and checks one message. The version is checked before anything
 * else but the size, so that a peer of another version is told so rather
 * than that its message is malformed.
 *
 * Returns: (transfer full): the message, or %NULL
 */
TdSignalMessage *
td_signal_parse (const char  *text,
                 gsize        length,
                 gsize        max_size,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(TdSignalMessage) message = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *root, *node;
  const char *type;
  gint64 version;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (max_size == 0)
    max_size = TD_SIGNAL_MAX_SIZE_DEFAULT;

  if (length > max_size)
    {
      fail (error, TD_SIGNAL_ERROR_TOO_LARGE,
            "The message has %" G_GSIZE_FORMAT " bytes; at most %" G_GSIZE_FORMAT " are accepted",
            length, max_size);
      return NULL;
    }

  if (!g_utf8_validate (text, length, NULL) || memchr (text, '\0', length) != NULL)
    {
      fail (error, TD_SIGNAL_ERROR_MALFORMED, "The message is not UTF-8 text");
      return NULL;
    }

  if (!check_depth (text, length, TD_SIGNAL_MAX_DEPTH))
    {
      fail (error, TD_SIGNAL_ERROR_MALFORMED, "The message is nested too deeply");
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, &local_error))
    {
      fail (error, TD_SIGNAL_ERROR_MALFORMED, "The message is not JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (error, TD_SIGNAL_ERROR_MALFORMED, "The message is not a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);

  node = member (object, "v");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      fail (error, TD_SIGNAL_ERROR_MALFORMED, "The message has no protocol version");
      return NULL;
    }

  version = json_node_get_int (node);
  if (version != TD_SIGNAL_PROTOCOL_VERSION)
    {
      fail (error, TD_SIGNAL_ERROR_VERSION_MISMATCH,
            "Protocol version %" G_GINT64_FORMAT " is not supported; this side speaks version %d",
            version, TD_SIGNAL_PROTOCOL_VERSION);
      return NULL;
    }

  type = get_string_node (member (object, "type"));
  if (type == NULL)
    {
      fail (error, TD_SIGNAL_ERROR_MALFORMED, "The message has no type");
      return NULL;
    }

  message = td_signal_message_new (type_from_string (type));
  if (message->type == TD_SIGNAL_TYPE_INVALID)
    {
      fail (error, TD_SIGNAL_ERROR_UNKNOWN_TYPE, "Unknown message type “%.32s”", type);
      return NULL;
    }

  if (!parse_fields (message, object, error))
    return NULL;

  return g_steal_pointer (&message);
}

/* Building */

static void
add_base64 (JsonBuilder *builder,
            const char  *name,
            GBytes      *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autofree char *text = g_base64_encode (data, len);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_turn (JsonBuilder        *builder,
          const TdSignalTurn *turn)
{
  json_builder_set_member_name (builder, "turn");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uris");
  json_builder_begin_array (builder);
  for (guint i = 0; turn->uris != NULL && turn->uris[i] != NULL; i++)
    json_builder_add_string_value (builder, turn->uris[i]);
  json_builder_end_array (builder);
  add_string (builder, "username", turn->username);
  add_string (builder, "password", turn->password);
  add_int (builder, "ttl", turn->ttl);
  json_builder_end_object (builder);
}

static gboolean
require (gboolean     present,
         const char  *what,
         GError     **error)
{
  if (!present)
    return fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "Cannot build a message without “%s”", what);
  return TRUE;
}

static gboolean
build_fields (const TdSignalMessage  *m,
              JsonBuilder            *b,
              GError                **error)
{
  switch (m->type)
    {
    case TD_SIGNAL_TYPE_WELCOME:
      if (!require (m->server != NULL, "server", error))
        return FALSE;
      add_string (b, "server", m->server);
      if (m->node != NULL)
        add_string (b, "node", m->node);
      add_int (b, "keepalive_s", m->keepalive_s);
      add_int (b, "max_size", m->max_size);
      return TRUE;

    case TD_SIGNAL_TYPE_CHALLENGE:
      if (!require (m->nonce != NULL, "nonce", error))
        return FALSE;
      add_base64 (b, "nonce", m->nonce);
      return TRUE;

    case TD_SIGNAL_TYPE_REGISTERED:
      add_int (b, "id", m->id);
      return TRUE;

    case TD_SIGNAL_TYPE_PING:
    case TD_SIGNAL_TYPE_PONG:
      return TRUE;

    case TD_SIGNAL_TYPE_INCOMING:
      if (!require (m->session != NULL, "session", error) ||
          !require (m->name != NULL, "name", error) ||
          !require (m->public_key != NULL, "public_key", error))
        return FALSE;
      add_string (b, "session", m->session);
      add_string (b, "name", m->name);
      add_base64 (b, "public_key", m->public_key);
      json_builder_set_member_name (b, "verified");
      json_builder_add_boolean_value (b, m->verified);
      if (m->id != 0)
        add_int (b, "id", m->id);
      if (m->turn != NULL)
        add_turn (b, m->turn);
      return TRUE;

    case TD_SIGNAL_TYPE_ACCEPTED:
      if (!require (m->session != NULL, "session", error) ||
          !require (m->public_key != NULL, "public_key", error))
        return FALSE;
      add_int (b, "req", m->req);
      add_string (b, "session", m->session);
      add_int (b, "id", m->id);
      add_base64 (b, "public_key", m->public_key);
      if (m->turn != NULL)
        add_turn (b, m->turn);
      return TRUE;

    case TD_SIGNAL_TYPE_ERROR:
      add_string (b, "code", td_signal_code_to_string (m->code));
      if (m->message != NULL)
        add_string (b, "message", m->message);
      if (m->req != 0)
        add_int (b, "req", m->req);
      if (m->session != NULL)
        add_string (b, "session", m->session);
      if (m->retry_after_ms != 0)
        add_int (b, "retry_after_ms", m->retry_after_ms);
      return TRUE;

    case TD_SIGNAL_TYPE_REGISTER:
      if (!require (m->public_key != NULL, "public_key", error))
        return FALSE;
      add_base64 (b, "public_key", m->public_key);
      if (m->id != 0)
        add_int (b, "id", m->id);
      return TRUE;

    case TD_SIGNAL_TYPE_PROVE:
      if (!require (m->signature != NULL, "signature", error))
        return FALSE;
      add_base64 (b, "signature", m->signature);
      return TRUE;

    case TD_SIGNAL_TYPE_CONNECT:
      if (!require (m->name != NULL, "name", error) ||
          !require (m->public_key != NULL, "public_key", error))
        return FALSE;
      add_int (b, "req", m->req);
      add_int (b, "id", m->id);
      add_string (b, "name", m->name);
      add_base64 (b, "public_key", m->public_key);
      return TRUE;

    case TD_SIGNAL_TYPE_ACCEPT:
      if (!require (m->session != NULL, "session", error))
        return FALSE;
      add_string (b, "session", m->session);
      return TRUE;

    case TD_SIGNAL_TYPE_REJECT:
      if (!require (m->session != NULL, "session", error) ||
          !require (m->reason != NULL, "reason", error))
        return FALSE;
      add_string (b, "session", m->session);
      add_string (b, "reason", m->reason);
      return TRUE;

    case TD_SIGNAL_TYPE_SIGNAL:
      {
        JsonNode *payload;

        if (!require (m->session != NULL, "session", error) ||
            !require (m->payload != NULL, "payload", error))
          return FALSE;
        add_string (b, "session", m->session);
        add_string (b, "kind", td_signal_kind_to_string (m->kind));
        payload = json_node_alloc ();
        json_node_init_object (payload, m->payload);
        json_builder_set_member_name (b, "payload");
        json_builder_add_value (b, payload);
        return TRUE;
      }

    case TD_SIGNAL_TYPE_BYE:
      if (!require (m->session != NULL, "session", error))
        return FALSE;
      add_string (b, "session", m->session);
      if (m->reason != NULL)
        add_string (b, "reason", m->reason);
      return TRUE;

    case TD_SIGNAL_TYPE_INVALID:
    default:
      return fail (error, TD_SIGNAL_ERROR_UNKNOWN_TYPE, "Cannot build a message of unknown type");
    }
}

/**
 * td_signal_serialize:
 * @message: a message
 * @error: a #GError
 *
 * Returns: (transfer full): compact JSON text, or %NULL if a field the
 *   type needs is missing
 */
char *
td_signal_serialize (const TdSignalMessage  *message,
                     GError                **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (message != NULL, NULL);

  json_builder_begin_object (builder);
  add_int (builder, "v", TD_SIGNAL_PROTOCOL_VERSION);
  add_string (builder, "type", td_signal_type_to_string (message->type));
  if (!build_fields (message, builder, error))
    return NULL;
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/* Payloads as GVariant */

static GVariant *node_to_variant (JsonNode *node,
                                  guint     depth);

static GVariant *
object_to_variant (JsonObject *object,
                   guint       depth)
{
  g_autoptr(GList) names = json_object_get_members (object);
  GVariantBuilder builder;

  /* In the order the members were written, not the hash order. */
  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      GVariant *value = node_to_variant (json_object_get_member (object, l->data), depth + 1);

      if (value != NULL)
        g_variant_builder_add (&builder, "{sv}", (const char *) l->data, value);
    }

  return g_variant_builder_end (&builder);
}

static GVariant *
array_to_variant (JsonArray *array,
                  guint      depth)
{
  GVariantBuilder builder;
  guint len = json_array_get_length (array);
  gboolean all_strings = len > 0;

  for (guint i = 0; i < len && all_strings; i++)
    all_strings = get_string_node (json_array_get_element (array, i)) != NULL;

  if (all_strings)
    {
      g_variant_builder_init (&builder, G_VARIANT_TYPE_STRING_ARRAY);
      for (guint i = 0; i < len; i++)
        g_variant_builder_add (&builder, "s", get_string_node (json_array_get_element (array, i)));
      return g_variant_builder_end (&builder);
    }

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
  for (guint i = 0; i < len; i++)
    {
      GVariant *value = node_to_variant (json_array_get_element (array, i), depth + 1);

      if (value != NULL)
        g_variant_builder_add (&builder, "v", value);
    }

  return g_variant_builder_end (&builder);
}

static GVariant *
node_to_variant (JsonNode *node,
                 guint     depth)
{
  if (depth > PAYLOAD_MAX_DEPTH)
    return NULL;

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return object_to_variant (json_node_get_object (node), depth);
    case JSON_NODE_ARRAY:
      return array_to_variant (json_node_get_array (node), depth);
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return g_variant_new_string (json_node_get_string (node));
        case G_TYPE_INT64:
          return g_variant_new_int64 (json_node_get_int (node));
        case G_TYPE_DOUBLE:
          return g_variant_new_double (json_node_get_double (node));
        case G_TYPE_BOOLEAN:
          return g_variant_new_boolean (json_node_get_boolean (node));
        default:
          return NULL;
        }
    case JSON_NODE_NULL:
    default:
      return NULL;
    }
}

/**
 * td_signal_payload_to_variant:
 * @payload: the payload of a signal message
 *
 * Converts JSON to GVariant: objects become `a{sv}`, lists of strings
 * `as`, other lists `av`, strings `s`, integers `x`, decimals `d`,
 * booleans `b`; nulls are left out.
 *
 * Returns: (transfer floating): an `a{sv}`
 */
GVariant *
td_signal_payload_to_variant (JsonObject *payload)
{
  g_return_val_if_fail (payload != NULL, NULL);

  return object_to_variant (payload, 0);
}

static JsonNode *variant_to_node (GVariant  *value,
                                  guint      depth,
                                  GError   **error);

static JsonNode *
variant_to_node (GVariant  *value,
                 guint      depth,
                 GError   **error)
{
  JsonNode *node;

  if (depth > PAYLOAD_MAX_DEPTH)
    {
      fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "The payload is nested too deeply");
      return NULL;
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (value);

      return variant_to_node (inner, depth, error);
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT))
    {
      g_autoptr(JsonObject) object = json_object_new ();
      GVariantIter iter;
      const char *name;
      GVariant *child;

      g_variant_iter_init (&iter, value);
      while (g_variant_iter_loop (&iter, "{&sv}", &name, &child))
        {
          JsonNode *child_node = variant_to_node (child, depth + 1, error);

          if (child_node == NULL)
            {
              g_variant_unref (child);
              return NULL;
            }
          json_object_set_member (object, name, child_node);
        }

      node = json_node_alloc ();
      json_node_init_object (node, object);
      return node;
    }

  if (g_variant_is_container (value) && g_variant_type_is_array (g_variant_get_type (value)))
    {
      g_autoptr(JsonArray) array = json_array_new ();
      gsize n = g_variant_n_children (value);

      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GVariant) child = g_variant_get_child_value (value, i);
          JsonNode *child_node = variant_to_node (child, depth + 1, error);

          if (child_node == NULL)
            return NULL;
          json_array_add_element (array, child_node);
        }

      node = json_node_alloc ();
      json_node_init_array (node, array);
      return node;
    }

  node = json_node_alloc ();
  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      return json_node_init_string (node, g_variant_get_string (value, NULL));
    case G_VARIANT_CLASS_BOOLEAN:
      return json_node_init_boolean (node, g_variant_get_boolean (value));
    case G_VARIANT_CLASS_BYTE:
      return json_node_init_int (node, g_variant_get_byte (value));
    case G_VARIANT_CLASS_INT16:
      return json_node_init_int (node, g_variant_get_int16 (value));
    case G_VARIANT_CLASS_UINT16:
      return json_node_init_int (node, g_variant_get_uint16 (value));
    case G_VARIANT_CLASS_INT32:
      return json_node_init_int (node, g_variant_get_int32 (value));
    case G_VARIANT_CLASS_UINT32:
      return json_node_init_int (node, g_variant_get_uint32 (value));
    case G_VARIANT_CLASS_INT64:
      return json_node_init_int (node, g_variant_get_int64 (value));
    case G_VARIANT_CLASS_UINT64:
      if (g_variant_get_uint64 (value) > G_MAXINT64)
        break;
      return json_node_init_int (node, (gint64) g_variant_get_uint64 (value));
    case G_VARIANT_CLASS_DOUBLE:
      return json_node_init_double (node, g_variant_get_double (value));
    case G_VARIANT_CLASS_HANDLE:
    case G_VARIANT_CLASS_VARIANT:
    case G_VARIANT_CLASS_MAYBE:
    case G_VARIANT_CLASS_ARRAY:
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
    default:
      break;
    }

  json_node_unref (node);
  fail (error, TD_SIGNAL_ERROR_INVALID_FIELD,
        "A payload cannot carry a value of type “%s”", g_variant_get_type_string (value));
  return NULL;
}

/**
 * td_signal_payload_from_variant:
 * @payload: an `a{sv}` whose values are strings, numbers, booleans,
 *   arrays of those or nested `a{sv}`
 * @error: a #GError
 *
 * Returns: (transfer full): the payload as a JSON object, or %NULL
 */
JsonObject *
td_signal_payload_from_variant (GVariant  *payload,
                                GError   **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (payload != NULL, NULL);

  if (!g_variant_is_of_type (payload, G_VARIANT_TYPE_VARDICT))
    {
      fail (error, TD_SIGNAL_ERROR_INVALID_FIELD, "A payload must be an a{sv} dictionary");
      return NULL;
    }

  if ((node = variant_to_node (payload, 0, error)) == NULL)
    return NULL;

  return json_object_ref (json_node_get_object (node));
}
