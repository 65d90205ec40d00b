/* test-channel-certificates.c: only device certificates open a channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The partner here is a plain GnuTLS session over TdPseudoTcp, free to
 * present what a TdControlChannel never would: an ECDSA certificate, or
 * none. The channel must refuse, say why, and send an alert so that the
 * partner learns at once instead of waiting for a timeout.
 */
#include <errno.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "td-control-channel.h"
#include "td-datagram-pipe.h"
#include "td-gnutls-util.h"
#include "td-pseudo-tcp.h"
#include "transport-test-util.h"

typedef struct
{
  TdPseudoTcp                      *tcp;
  gnutls_session_t                  session;
  gnutls_certificate_credentials_t  credentials;
  GByteArray                       *in;
  gboolean                          handshaken;
  gboolean                          failed;
  int                               error;
  gint64                            failed_at;
} RawPeer;

static ssize_t
raw_push (gnutls_transport_ptr_t  ptr,
          const void             *data,
          size_t                  length)
{
  RawPeer *peer = ptr;

  /* Handshake messages are small: PseudoTCP's buffer takes them whole. */
  return td_pseudo_tcp_send (peer->tcp, data, length, NULL) == (gssize) length ? (ssize_t) length : -1;
}

static ssize_t
raw_pull (gnutls_transport_ptr_t  ptr,
          void                   *data,
          size_t                  length)
{
  RawPeer *peer = ptr;

  if (peer->in->len == 0)
    {
      gnutls_transport_set_errno (peer->session, EAGAIN);
      return -1;
    }

  length = MIN (length, peer->in->len);
  memcpy (data, peer->in->data, length);
  g_byte_array_remove_range (peer->in, 0, length);
  return length;
}

static void
raw_step (RawPeer *peer)
{
  int ret = 0;

  if (peer->failed)
    return;

  if (!peer->handshaken)
    {
      ret = gnutls_handshake (peer->session);
      if (ret == GNUTLS_E_AGAIN)
        return;
      if (ret == 0)
        peer->handshaken = TRUE;
    }

  if (peer->handshaken)
    {
      char buffer[256];

      /* In TLS 1.3 the server judges the client's certificate after the
       * client is done: the verdict comes as an alert on the next read. */
      ret = gnutls_record_recv (peer->session, buffer, sizeof buffer);
      if (ret == GNUTLS_E_AGAIN)
        return;
    }

  if (ret < 0)
    {
      peer->failed = TRUE;
      peer->error = ret;
      peer->failed_at = g_get_monotonic_time ();
    }
}

static void
on_raw_opened (TdPseudoTcp *tcp,
               RawPeer     *peer)
{
  raw_step (peer);
}

static void
on_raw_readable (TdPseudoTcp *tcp,
                 RawPeer     *peer)
{
  guint8 buffer[4096];
  gssize n;

  while ((n = td_pseudo_tcp_recv (tcp, buffer, sizeof buffer, NULL)) > 0)
    g_byte_array_append (peer->in, buffer, n);
  raw_step (peer);
}

/* A self-signed ECDSA P-256 certificate: fine for TLS, not a device. */
static void
add_ecdsa_certificate (gnutls_certificate_credentials_t credentials)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  static const guint8 serial[] = { 1 };
  time_t now = time (NULL);

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
                   ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, now - 3600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, now + 3600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_certificate_set_x509_key (credentials, &crt, 1, key), ==, 0);
}

static void
raw_peer_init (RawPeer        *peer,
               TdDatagramLink *link,
               gboolean        client,
               gboolean        with_certificate)
{
  g_assert_cmpint (gnutls_certificate_allocate_credentials (&peer->credentials), ==, 0);
  if (with_certificate)
    add_ecdsa_certificate (peer->credentials);

  g_assert_cmpint (gnutls_init (&peer->session, (client ? GNUTLS_CLIENT : GNUTLS_SERVER) |
                                GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS), ==, 0);
  g_assert_cmpint (gnutls_priority_set_direct (peer->session, "NORMAL:-VERS-ALL:+VERS-TLS1.3",
                                               NULL), ==, 0);
  g_assert_cmpint (gnutls_credentials_set (peer->session, GNUTLS_CRD_CERTIFICATE,
                                           peer->credentials), ==, 0);
  if (!client)
    gnutls_certificate_server_set_request (peer->session, GNUTLS_CERT_REQUEST);
  gnutls_transport_set_ptr (peer->session, peer);
  gnutls_transport_set_push_function (peer->session, raw_push);
  gnutls_transport_set_pull_function (peer->session, raw_pull);

  peer->in = g_byte_array_new ();
  peer->tcp = td_pseudo_tcp_new (link);
  g_signal_connect (peer->tcp, "opened", G_CALLBACK (on_raw_opened), peer);
  g_signal_connect (peer->tcp, "readable", G_CALLBACK (on_raw_readable), peer);
  if (client)
    td_pseudo_tcp_connect (peer->tcp);
}

static void
raw_peer_clear (RawPeer *peer)
{
  g_clear_object (&peer->tcp);
  g_clear_pointer (&peer->session, gnutls_deinit);
  g_clear_pointer (&peer->credentials, gnutls_certificate_free_credentials);
  g_clear_pointer (&peer->in, g_byte_array_unref);
}

static void
check_refusal (TdControlRole  role,
               gboolean       raw_has_certificate)
{
  g_autoptr(TdDatagramPipe) pipe_channel = NULL;
  g_autoptr(TdDatagramPipe) pipe_raw = NULL;
  g_autoptr(TdDeviceKey) key = NULL;
  g_autoptr(TdControlChannel) channel = NULL;
  g_autoptr(GError) error = NULL;
  RawPeer raw = { 0 };
  TestResult result = { 0 };
  gint64 start;

  td_datagram_pipe_new_pair (&pipe_channel, &pipe_raw);
  key = td_device_key_new_ephemeral (&error);
  g_assert_no_error (error);

  channel = td_control_channel_new (TD_DATAGRAM_LINK (pipe_channel), key, role);
  g_object_set (channel, "handshake-timeout", 10000, NULL);

  start = g_get_monotonic_time ();
  td_control_channel_handshake_async (channel, NULL, test_on_handshake, &result);
  raw_peer_init (&raw, TD_DATAGRAM_LINK (pipe_raw), role == TD_CONTROL_ROLE_SERVER,
                 raw_has_certificate);

  g_assert_true (test_wait_for (&result.done, 5000));
  g_assert_false (result.ok);
  g_test_message ("channel: %s", result.error->message);
  g_assert_error (result.error, TD_CHANNEL_ERROR, TD_CHANNEL_ERROR_BAD_CERTIFICATE);
  g_assert_null (td_control_channel_get_peer_fingerprint (channel));

  /* The partner hears it from an alert, well before any timeout. */
  g_assert_true (test_wait_for (&raw.failed, 3000));
  g_test_message ("partner: %s after %.0f ms", gnutls_strerror (raw.error),
                  (raw.failed_at - start) / 1000.0);
  g_assert_cmpint (raw.error, ==, GNUTLS_E_FATAL_ALERT_RECEIVED);
  g_assert_cmpint (raw.failed_at - start, <, 2 * G_USEC_PER_SEC);

  test_result_clear (&result);
  raw_peer_clear (&raw);
  test_drain_main_context ();
}

static void
test_server_refuses_foreign_certificate (void)
{
  check_refusal (TD_CONTROL_ROLE_SERVER, TRUE);
}

static void
test_server_refuses_no_certificate (void)
{
  check_refusal (TD_CONTROL_ROLE_SERVER, FALSE);
}

static void
test_client_refuses_foreign_certificate (void)
{
  check_refusal (TD_CONTROL_ROLE_CLIENT, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel-certificates/server-refuses-foreign",
                   test_server_refuses_foreign_certificate);
  g_test_add_func ("/channel-certificates/server-refuses-none",
                   test_server_refuses_no_certificate);
  g_test_add_func ("/channel-certificates/client-refuses-foreign",
                   test_client_refuses_foreign_certificate);

  return g_test_run ();
}
