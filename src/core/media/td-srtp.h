/* td-srtp.h: SRTP keys for srtpenc/srtpdec and the datagram carrier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

#include "td-keys.h"

G_BEGIN_DECLS

/**
 * TdDatagramFunc:
 * @data: one SRTP or SRTCP packet
 * @length: its length in bytes
 * @user_data: the data given with the function
 *
 * Sends one packet to the peer over the media carrier: ICE component 2 in
 * a session, a loopback socket or the other pipeline in tests. RTP and RTCP
 * share the carrier (RFC 5761 multiplexing); td_srtp_is_rtcp() tells them
 * apart on the receiving side.
 *
 * Called on a GStreamer streaming thread: it must be thread-safe and must
 * not block (nice_agent_send() is both).
 */
typedef void (*TdDatagramFunc) (const guint8 *data,
                                gsize         length,
                                gpointer      user_data);

gboolean    td_srtp_is_rtcp        (const guint8    *data,
                                    gsize            length);
GstBuffer  *td_srtp_key_buffer     (TdKeys          *keys,
                                    TdKeysDirection  direction);
GstCaps    *td_srtp_caps_new       (const char      *media_type,
                                    TdKeys          *keys,
                                    TdKeysDirection  direction);

G_END_DECLS
