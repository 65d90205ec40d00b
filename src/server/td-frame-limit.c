/* td-frame-limit.c: a byte-stream guard on WebSocket message sizes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup 3.2 limits the size of each WebSocket frame but not of a message
 * made of many continuation frames: one connection could make the server
 * buffer without end. This converter sits between the socket (or TLS) and
 * libsoup, passes every byte through unchanged, and follows the framing:
 * HTTP request headers (at most @max_header bytes) until a blank line, then
 * frames. When one message's frames add up to more than @max_message, the
 * read fails with G_IO_ERROR_MESSAGE_TOO_LARGE and libsoup drops the
 * connection. Something that is not a client frame (reserved opcode, no
 * mask) means plain HTTP again, as on a kept-alive /healthz connection.
 */
#define G_LOG_DOMAIN "td-frame-limit"

#include <string.h>

#include "td-frame-limit.h"

typedef enum
{
  STATE_HTTP,
  STATE_HEADER,
  STATE_PAYLOAD,
} State;

struct _TdFrameLimit
{
  GObject  parent_instance;
  gsize    max_message;
  gsize    max_header;
  State    state;
  guint    http_match;      /* how much of "\r\n\r\n" was just seen */
  gsize    http_length;
  guint8   header[14];
  guint    header_length;
  guint64  payload_left;
  guint64  message_length;
  gboolean tripped;
};

static void td_frame_limit_converter_iface_init (GConverterIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TdFrameLimit, td_frame_limit, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_CONVERTER, td_frame_limit_converter_iface_init))

static void
td_frame_limit_class_init (TdFrameLimitClass *klass)
{
}

static void
td_frame_limit_init (TdFrameLimit *self)
{
  self->state = STATE_HTTP;
}

/* The size of a frame header once its first two bytes are known. */
static guint
header_size (const guint8 *header)
{
  guint len7 = header[1] & 0x7f;
  guint size = 2 + ((header[1] & 0x80) ? 4 : 0);

  if (len7 == 126)
    size += 2;
  else if (len7 == 127)
    size += 8;
  return size;
}

static gboolean
header_done (TdFrameLimit  *self,
             GError       **error)
{
  guint8 *h = self->header;
  guint opcode = h[0] & 0x0f;
  gboolean fin = (h[0] & 0x80) != 0;
  guint len7 = h[1] & 0x7f;
  guint64 length = len7;

  if (len7 == 126)
    length = ((guint64) h[2] << 8) | h[3];
  else if (len7 == 127)
    {
      length = 0;
      for (guint i = 2; i < 10; i++)
        length = (length << 8) | h[i];
    }

  self->header_length = 0;
  self->payload_left = length;
  self->state = length > 0 ? STATE_PAYLOAD : STATE_HEADER;

  switch (opcode)
    {
    case 0x1: /* text */
    case 0x2: /* binary */
      self->message_length = length;
      break;
    case 0x0: /* continuation */
      self->message_length += length;
      break;
    default:  /* control frames: small by definition */
      return TRUE;
    }

  if (self->message_length > self->max_message)
    {
      self->tripped = TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "A WebSocket message of more than %" G_GSIZE_FORMAT " bytes", self->max_message);
      return FALSE;
    }

  if (fin)
    self->message_length = 0;
  return TRUE;
}

static gboolean
is_client_frame_start (guint8 b0,
                       guint8 b1)
{
  guint opcode = b0 & 0x0f;

  if ((b0 & 0x70) != 0 || (b1 & 0x80) == 0)
    return FALSE;
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xa);
}

static gboolean
feed (TdFrameLimit  *self,
      const guint8  *data,
      gsize          length,
      GError       **error)
{
  static const char end_of_headers[] = "\r\n\r\n";
  gsize i = 0;

  while (i < length)
    {
      switch (self->state)
        {
        case STATE_HTTP:
          if (++self->http_length > self->max_header)
            {
              self->tripped = TRUE;
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                           "HTTP headers of more than %" G_GSIZE_FORMAT " bytes", self->max_header);
              return FALSE;
            }
          if (data[i] == (guint8) end_of_headers[self->http_match])
            self->http_match++;
          else
            self->http_match = data[i] == '\r' ? 1 : 0;
          if (self->http_match == 4)
            {
              self->http_match = 0;
              self->http_length = 0;
              self->state = STATE_HEADER;
            }
          i++;
          break;

        case STATE_HEADER:
          self->header[self->header_length++] = data[i++];
          if (self->header_length == 2 && !is_client_frame_start (self->header[0], self->header[1]))
            {
              /* Not a frame: plain HTTP on a kept-alive connection. */
              self->header_length = 0;
              self->state = STATE_HTTP;
              self->http_length = 2;
              self->http_match = 0;
              break;
            }
          if (self->header_length >= 2 && self->header_length == header_size (self->header) &&
              !header_done (self, error))
            return FALSE;
          break;

        case STATE_PAYLOAD:
          {
            gsize n = (gsize) MIN ((guint64) (length - i), self->payload_left);

            i += n;
            self->payload_left -= n;
            if (self->payload_left == 0)
              self->state = STATE_HEADER;
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return TRUE;
}

static GConverterResult
td_frame_limit_convert (GConverter       *converter,
                        const void       *inbuf,
                        gsize             inbuf_size,
                        void             *outbuf,
                        gsize             outbuf_size,
                        GConverterFlags   flags,
                        gsize            *bytes_read,
                        gsize            *bytes_written,
                        GError          **error)
{
  TdFrameLimit *self = TD_FRAME_LIMIT (converter);
  gsize n = MIN (inbuf_size, outbuf_size);

  if (self->tripped)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "Message too large");
      return G_CONVERTER_ERROR;
    }

  if (inbuf_size > 0 && outbuf_size == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "No room to pass bytes through");
      return G_CONVERTER_ERROR;
    }

  if (n > 0 && !feed (self, inbuf, n, error))
    return G_CONVERTER_ERROR;

  memcpy (outbuf, inbuf, n);
  *bytes_read = n;
  *bytes_written = n;

  if (n == inbuf_size && (flags & G_CONVERTER_INPUT_AT_END))
    return G_CONVERTER_FINISHED;
  if (n == inbuf_size && (flags & G_CONVERTER_FLUSH))
    return G_CONVERTER_FLUSHED;
  return G_CONVERTER_CONVERTED;
}

static void
td_frame_limit_reset (GConverter *converter)
{
  TdFrameLimit *self = TD_FRAME_LIMIT (converter);

  self->state = STATE_HTTP;
  self->http_match = 0;
  self->http_length = 0;
  self->header_length = 0;
  self->payload_left = 0;
  self->message_length = 0;
  self->tripped = FALSE;
}

static void
td_frame_limit_converter_iface_init (GConverterIface *iface)
{
  iface->convert = td_frame_limit_convert;
  iface->reset = td_frame_limit_reset;
}

TdFrameLimit *
td_frame_limit_new (gsize max_message,
                    gsize max_header)
{
  TdFrameLimit *self = g_object_new (TD_TYPE_FRAME_LIMIT, NULL);

  self->max_message = max_message;
  self->max_header = max_header;
  return self;
}

gboolean
td_frame_limit_get_tripped (TdFrameLimit *self)
{
  g_return_val_if_fail (TD_IS_FRAME_LIMIT (self), FALSE);

  return self->tripped;
}

/**
 * td_frame_limit_wrap:
 * @base: a connection's stream (socket or TLS)
 * @max_message: the largest WebSocket message let through, in bytes
 * @max_header: the largest HTTP request header block
 *
 * Returns: (transfer full): a stream reading @base through a
 *   #TdFrameLimit and writing to it directly. It holds @base, which the
 *   caller closes when done: closing the wrapper does not close the socket.
 */
GIOStream *
td_frame_limit_wrap (GIOStream *base,
                     gsize      max_message,
                     gsize      max_header)
{
  g_autoptr(TdFrameLimit) limit = td_frame_limit_new (max_message, max_header);
  g_autoptr(GInputStream) input = NULL;
  GIOStream *stream;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  input = g_converter_input_stream_new (g_io_stream_get_input_stream (base), G_CONVERTER (limit));
  stream = g_simple_io_stream_new (input, g_io_stream_get_output_stream (base));
  g_object_set_data_full (G_OBJECT (stream), "td-base-stream", g_object_ref (base), g_object_unref);
  return stream;
}
