/* td-srtp.c: SRTP keys for srtpenc/srtpdec and the datagram carrier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both directions use AES_CM_128_HMAC_SHA1_80 for SRTP and SRTCP with the
 * 30-byte key and salt TdKeys derives. Each side encrypts what it sends with
 * its own direction's key: the host's RTP and RTCP (sender reports) with
 * HOST_TO_VIEWER, the viewer's RTCP (receiver reports, NACK, PLI) with
 * VIEWER_TO_HOST.
 */
#define G_LOG_DOMAIN "td-media"

#include "td-srtp.h"

/**
 * td_srtp_is_rtcp:
 * @data: a packet from the carrier
 * @length: its length
 *
 * RFC 5761 section 4: RTCP packet types 192-223 sit where RTP has the
 * marker bit and payload type, which Tandem keeps out of that range.
 *
 * Returns: %TRUE for (S)RTCP, %FALSE for (S)RTP or garbage
 */
gboolean
td_srtp_is_rtcp (const guint8 *data,
                 gsize         length)
{
  if (length < 2)
    return FALSE;
  return data[1] >= 192 && data[1] <= 223;
}

/**
 * td_srtp_key_buffer:
 * @keys: the session keys
 * @direction: which direction's key
 *
 * Returns: (transfer full): the key and salt, for srtpenc's "key"
 */
GstBuffer *
td_srtp_key_buffer (TdKeys          *keys,
                    TdKeysDirection  direction)
{
  g_return_val_if_fail (TD_IS_KEYS (keys), NULL);

  return gst_buffer_new_memdup (td_keys_get_srtp_key_and_salt (keys, direction),
                                TD_KEYS_SRTP_KEY_SALT_SIZE);
}

/**
 * td_srtp_caps_new:
 * @media_type: "application/x-srtp" or "application/x-srtcp"
 * @keys: the session keys
 * @direction: which direction's key
 *
 * Returns: (transfer full): caps srtpdec takes, with the key and ciphers
 */
GstCaps *
td_srtp_caps_new (const char      *media_type,
                  TdKeys          *keys,
                  TdKeysDirection  direction)
{
  g_autoptr(GstBuffer) key = NULL;

  g_return_val_if_fail (TD_IS_KEYS (keys), NULL);

  key = td_srtp_key_buffer (keys, direction);
  return gst_caps_new_simple (media_type,
                              "srtp-key", GST_TYPE_BUFFER, key,
                              "srtp-cipher", G_TYPE_STRING, "aes-128-icm",
                              "srtp-auth", G_TYPE_STRING, "hmac-sha1-80",
                              "srtcp-cipher", G_TYPE_STRING, "aes-128-icm",
                              "srtcp-auth", G_TYPE_STRING, "hmac-sha1-80",
                              NULL);
}
