/* td-signal.h: the rendezvous protocol's messages, as JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Every message is one WebSocket text frame holding one JSON object with
 * "v" (this number) and "type". A peer that reads another "v" answers with
 * a version-mismatch error and closes. */
#define TD_SIGNAL_PROTOCOL_VERSION 1

/* The default largest message, in bytes, before parsing. An offer with a
 * few dozen ICE candidates is about 4 KiB. */
#define TD_SIGNAL_MAX_SIZE_DEFAULT (16 * 1024)
/* JSON nesting deeper than this is refused before json-glib sees it. */
#define TD_SIGNAL_MAX_DEPTH 12

#define TD_SIGNAL_NONCE_SIZE      32
#define TD_SIGNAL_PUBLIC_KEY_SIZE 32
#define TD_SIGNAL_SIGNATURE_SIZE  64
#define TD_SIGNAL_SESSION_LENGTH  22
#define TD_SIGNAL_NAME_MAX_CHARS  64
#define TD_SIGNAL_TEXT_MAX_BYTES  256
#define TD_SIGNAL_TURN_MAX_URIS   8

#define TD_SIGNAL_ERROR (td_signal_error_quark ())

/* Why a message could not be read. */
typedef enum
{
  TD_SIGNAL_ERROR_TOO_LARGE,
  TD_SIGNAL_ERROR_MALFORMED,
  TD_SIGNAL_ERROR_VERSION_MISMATCH,
  TD_SIGNAL_ERROR_UNKNOWN_TYPE,
  TD_SIGNAL_ERROR_INVALID_FIELD,
} TdSignalError;

typedef enum
{
  TD_SIGNAL_TYPE_INVALID = 0,
  /* server → client */
  TD_SIGNAL_TYPE_WELCOME,
  TD_SIGNAL_TYPE_CHALLENGE,
  TD_SIGNAL_TYPE_REGISTERED,
  TD_SIGNAL_TYPE_PONG,
  TD_SIGNAL_TYPE_INCOMING,
  TD_SIGNAL_TYPE_ACCEPTED,
  TD_SIGNAL_TYPE_ERROR,
  /* client → server */
  TD_SIGNAL_TYPE_REGISTER,
  TD_SIGNAL_TYPE_PROVE,
  TD_SIGNAL_TYPE_PING,
  TD_SIGNAL_TYPE_CONNECT,
  TD_SIGNAL_TYPE_ACCEPT,
  TD_SIGNAL_TYPE_REJECT,
  /* both ways, relayed between the two ends of a session */
  TD_SIGNAL_TYPE_SIGNAL,
  TD_SIGNAL_TYPE_BYE,
} TdSignalType;

/* What a relayed "signal" message carries; the payload itself is opaque
 * to the server. */
typedef enum
{
  TD_SIGNAL_KIND_OFFER,
  TD_SIGNAL_KIND_ANSWER,
  TD_SIGNAL_KIND_CANDIDATE,
  TD_SIGNAL_KIND_END_OF_CANDIDATES,
} TdSignalKind;

/* The "code" of an error message. */
typedef enum
{
  TD_SIGNAL_CODE_INTERNAL,
  TD_SIGNAL_CODE_BAD_MESSAGE,
  TD_SIGNAL_CODE_UNSUPPORTED,
  TD_SIGNAL_CODE_TOO_LARGE,
  TD_SIGNAL_CODE_VERSION_MISMATCH,
  TD_SIGNAL_CODE_RATE_LIMITED,
  TD_SIGNAL_CODE_TIMEOUT,
  TD_SIGNAL_CODE_BAD_SIGNATURE,
  TD_SIGNAL_CODE_ID_TAKEN,
  TD_SIGNAL_CODE_REPLACED,
  TD_SIGNAL_CODE_NOT_REGISTERED,
  TD_SIGNAL_CODE_UNKNOWN_ID,
  TD_SIGNAL_CODE_OFFLINE,
  TD_SIGNAL_CODE_BUSY,
  TD_SIGNAL_CODE_DECLINED,
  TD_SIGNAL_CODE_SELF,
  TD_SIGNAL_CODE_UNKNOWN_SESSION,
  TD_SIGNAL_CODE_SHUTTING_DOWN,
  TD_SIGNAL_CODE_TOO_MANY_CONNECTIONS,
} TdSignalCode;

/* Short-lived coturn credentials (use-auth-secret). */
typedef struct
{
  char  **uris;
  char   *username;
  char   *password;
  guint   ttl;
} TdSignalTurn;

/* One message, parsed or to be built. Which fields mean something depends
 * on @type; the table in td-signal.c lists them. */
typedef struct
{
  TdSignalType  type;
  gint64        req;          /* connect, accepted, error: the viewer's request number */
  guint32       id;           /* register (wanted), registered, connect, incoming (viewer's, 0 if none), accepted */
  char         *session;      /* incoming, accept, accepted, reject, signal, bye, error */
  char         *name;         /* connect, incoming: the viewer's display name */
  char         *reason;       /* reject, bye: a short token such as "declined" */
  GBytes       *public_key;   /* register, connect, incoming (viewer's), accepted (host's) */
  GBytes       *nonce;        /* challenge */
  GBytes       *signature;    /* prove */
  gboolean      verified;     /* incoming: the viewer proved it holds public_key */
  TdSignalKind  kind;         /* signal */
  JsonObject   *payload;      /* signal */
  TdSignalCode  code;         /* error */
  char         *message;      /* error: English text for logs; apps show their own words */
  guint         retry_after_ms; /* error: rate-limited */
  char         *server;       /* welcome: software and version */
  char         *node;         /* welcome */
  guint         keepalive_s;  /* welcome: send a ping this often */
  guint         max_size;     /* welcome: largest message accepted */
  TdSignalTurn *turn;         /* incoming, accepted: nullable */
} TdSignalMessage;

GQuark           td_signal_error_quark            (void);

TdSignalMessage *td_signal_message_new            (TdSignalType            type);
void             td_signal_message_free           (TdSignalMessage        *message);

TdSignalMessage *td_signal_parse                  (const char             *text,
                                                   gsize                   length,
                                                   gsize                   max_size,
                                                   GError                **error);
char            *td_signal_serialize              (const TdSignalMessage  *message,
                                                   GError                **error);

TdSignalTurn    *td_signal_turn_new               (const char * const     *uris,
                                                   const char             *username,
                                                   const char             *password,
                                                   guint                   ttl);
TdSignalTurn    *td_signal_turn_copy              (const TdSignalTurn     *turn);
void             td_signal_turn_free              (TdSignalTurn           *turn);

const char      *td_signal_type_to_string         (TdSignalType            type);
const char      *td_signal_kind_to_string         (TdSignalKind            kind);
gboolean         td_signal_kind_from_string       (const char             *text,
                                                   TdSignalKind           *out_kind);
const char      *td_signal_code_to_string         (TdSignalCode            code);
gboolean         td_signal_code_from_string       (const char             *text,
                                                   TdSignalCode           *out_code);
gboolean         td_signal_type_is_from_client    (TdSignalType            type);

char            *td_signal_new_session_token      (void);
gboolean         td_signal_session_token_is_valid (const char             *token);
GBytes          *td_signal_registration_data      (GBytes                 *nonce);

GVariant        *td_signal_payload_to_variant     (JsonObject             *payload);
JsonObject      *td_signal_payload_from_variant   (GVariant               *payload,
                                                   GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdSignalMessage, td_signal_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdSignalTurn, td_signal_turn_free)

G_END_DECLS
