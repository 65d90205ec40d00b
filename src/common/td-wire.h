/* td-wire.h: control-channel framing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A frame is a 4-byte big-endian payload length followed by the payload, a
 * GVariant of type "(qa{sv})" in normal form: the message type and its
 * fields. Keys that start with '!' are required: a receiver that does not
 * know such a key must reject the message instead of acting on half of it.
 * Other unknown keys are ignored, which is how a newer peer adds optional
 * fields without breaking an older one.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TD_WIRE_ERROR (td_wire_error_quark ())

/* The frame header: the payload length, big-endian. */
#define TD_WIRE_HEADER_SIZE 4

/* Frames above this are refused unless the decoder is told otherwise. */
#define TD_WIRE_DEFAULT_MAX_FRAME_SIZE (1024 * 1024)

#define TD_WIRE_PAYLOAD_TYPE_STRING "(qa{sv})"
#define TD_WIRE_PAYLOAD_TYPE        ((const GVariantType *) TD_WIRE_PAYLOAD_TYPE_STRING)

/* Message types from here up are extensions: a receiver that does not
 * know one ignores it. An unknown type below it is an error. */
#define TD_WIRE_TYPE_EXTENSION_MIN 0x8000

/* Prefix of required field names. */
#define TD_WIRE_REQUIRED_PREFIX '!'

typedef enum
{
  TD_WIRE_ERROR_TOO_LARGE,
  TD_WIRE_ERROR_MALFORMED,
  TD_WIRE_ERROR_NOT_NORMAL,
  TD_WIRE_ERROR_UNKNOWN_REQUIRED,
  TD_WIRE_ERROR_MISSING_FIELD,
  TD_WIRE_ERROR_BAD_FIELD,
} TdWireError;

/**
 * TdWireType:
 *
 * Message types of the control channel. Numbers are part of the protocol:
 * never renumber, only add. The fields of each message are documented
 * where the message is made; those the transport itself uses are listed
 * here.
 */
typedef enum
{
  /* Connection set-up */
  TD_WIRE_TYPE_HELLO            = 0x0001, /* protocol version, software */
  TD_WIRE_TYPE_CPACE            = 0x0010, /* CPace share */
  TD_WIRE_TYPE_CPACE_CONFIRM    = 0x0011, /* CPace key confirmation */
  TD_WIRE_TYPE_CONSENT_REQUEST  = 0x0020,
  TD_WIRE_TYPE_CONSENT_ANSWER   = 0x0021,
  TD_WIRE_TYPE_SESSION_START    = 0x0022,
  TD_WIRE_TYPE_PERMISSIONS      = 0x0023,

  /* Input and cursor */
  TD_WIRE_TYPE_POINTER          = 0x0030, /* absolute, normalized per monitor */
  TD_WIRE_TYPE_BUTTONS          = 0x0031,
  TD_WIRE_TYPE_SCROLL           = 0x0032,
  TD_WIRE_TYPE_KEYS             = 0x0033, /* keysym + keycode */
  TD_WIRE_TYPE_CURSOR_SHAPE     = 0x0034,
  TD_WIRE_TYPE_CURSOR_POSITION  = 0x0035,

  /* Chat, clipboard, files */
  TD_WIRE_TYPE_CHAT             = 0x0040,
  TD_WIRE_TYPE_CLIPBOARD        = 0x0041,
  TD_WIRE_TYPE_FILE_OFFER       = 0x0050,
  TD_WIRE_TYPE_FILE_ACCEPT      = 0x0051,
  TD_WIRE_TYPE_FILE_CHUNK       = 0x0052,
  TD_WIRE_TYPE_FILE_ACK         = 0x0053,
  TD_WIRE_TYPE_FILE_DONE        = 0x0054,
  TD_WIRE_TYPE_FILE_CANCEL      = 0x0055,

  /* Media control */
  TD_WIRE_TYPE_KEYFRAME_REQUEST = 0x0060,
  TD_WIRE_TYPE_QUALITY          = 0x0061,
  TD_WIRE_TYPE_STATS            = 0x0062,

  /* Channel upkeep, handled by TdControlChannel itself:
   *   PING:     "id" t, "reply" b (FALSE asks for a PING with reply TRUE)
   *   BYE:      "reason" s (a short code such as "user", "protocol-error"),
   *             "message" s (optional, for people)
   *   BULK:     "data" ay, "last" b (throughput measurement)
   *   BULK_ACK: "bytes" t (what the receiver counted, answering "last")
   */
  TD_WIRE_TYPE_PING             = 0x0070,
  TD_WIRE_TYPE_BYE              = 0x0071,
  TD_WIRE_TYPE_BULK             = 0x0072,
  TD_WIRE_TYPE_BULK_ACK         = 0x0073,
} TdWireType;

typedef struct _TdWireDecoder TdWireDecoder;

GQuark         td_wire_error_quark             (void);

const char    *td_wire_type_to_string          (guint           type);
gboolean       td_wire_type_is_known           (guint           type);

GBytes        *td_wire_encode                  (guint16         type,
                                                GVariant       *fields);

TdWireDecoder *td_wire_decoder_new             (gsize           max_frame_size);
void           td_wire_decoder_free            (TdWireDecoder  *self);
gsize          td_wire_decoder_get_max_frame_size (TdWireDecoder *self);
void           td_wire_decoder_add_known_field (TdWireDecoder  *self,
                                                guint16         type,
                                                const char     *key);
gboolean       td_wire_decoder_feed            (TdWireDecoder  *self,
                                                const void     *data,
                                                gsize           length,
                                                GError        **error);
gboolean       td_wire_decoder_pop             (TdWireDecoder  *self,
                                                guint16        *out_type,
                                                GVariant      **out_fields,
                                                GError        **error);
gsize          td_wire_decoder_get_buffered    (TdWireDecoder  *self);

gboolean       td_wire_has_field               (GVariant       *fields,
                                                const char     *key);
gboolean       td_wire_lookup_string           (GVariant       *fields,
                                                const char     *key,
                                                gsize           max_length,
                                                char          **out_value,
                                                GError        **error);
gboolean       td_wire_lookup_uint             (GVariant       *fields,
                                                const char     *key,
                                                guint64         max_value,
                                                guint64        *out_value,
                                                GError        **error);
gboolean       td_wire_lookup_int              (GVariant       *fields,
                                                const char     *key,
                                                gint64          min_value,
                                                gint64          max_value,
                                                gint64         *out_value,
                                                GError        **error);
gboolean       td_wire_lookup_boolean          (GVariant       *fields,
                                                const char     *key,
                                                gboolean       *out_value,
                                                GError        **error);
gboolean       td_wire_lookup_double           (GVariant       *fields,
                                                const char     *key,
                                                double          min_value,
                                                double          max_value,
                                                double         *out_value,
                                                GError        **error);
gboolean       td_wire_lookup_bytes            (GVariant       *fields,
                                                const char     *key,
                                                gsize           max_length,
                                                GBytes        **out_value,
                                                GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TdWireDecoder, td_wire_decoder_free)

G_END_DECLS
