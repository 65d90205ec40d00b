/* lab-peer.c: one side of a Tandem connection in the NAT lab
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs inside a network namespace (ip netns exec): ICE with the lab's
 * coturn, then the control channel (PseudoTCP + TLS 1.3) and a transfer.
 * The two peers signal through files in a shared directory, the way the
 * rendezvous server relays offer, answer and trickled candidates: each
 * appends lines to SIGDIR/ROLE.sig and follows the partner's file:
 *
 *   fp HEX          its device fingerprint (to check TLS shows the same)
 *   ice UFRAG PWD   its ICE credentials
 *   cand candidate:…
 *   done            end of candidates
 *
 * Prints "RESULT key=value" lines and exits 0 when everything expected
 * happened.
 *
 *   lab-peer --role viewer|host --sigdir DIR --turn URI… --turn-secret S
 *            [--bytes N] [--expect direct|relay] [--timeout S] [--local-address IP]
 *
 * Outside the lab, two of them on 127.0.0.1 (--local-address) measure the
 * stack between two processes.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "td-control-channel.h"
#include "td-ice-transport.h"
#include "td-wire.h"

static char *opt_role;
static char *opt_sigdir;
static char **opt_turn;
static char *opt_turn_secret;
static char *opt_expect;
static char *opt_local_address;
static gint64 opt_bytes = 5 * 1000 * 1000;
static int opt_timeout = 30;

static GOptionEntry entries[] = {
  { "role", 0, 0, G_OPTION_ARG_STRING, &opt_role, "viewer (controlling, TLS client) or host", "ROLE" },
  { "sigdir", 0, 0, G_OPTION_ARG_FILENAME, &opt_sigdir, "Signalling directory shared with the partner", "DIR" },
  { "turn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_turn, "STUN/TURN server URI (repeat)", "URI" },
  { "turn-secret", 0, 0, G_OPTION_ARG_STRING, &opt_turn_secret, "coturn static-auth-secret (REST credentials)", "SECRET" },
  { "bytes", 0, 0, G_OPTION_ARG_INT64, &opt_bytes, "Bytes the viewer sends through the channel", "N" },
  { "expect", 0, 0, G_OPTION_ARG_STRING, &opt_expect, "direct or relay", "PATH" },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout, "Give up after this many seconds", "S" },
  { "local-address", 0, 0, G_OPTION_ARG_STRING, &opt_local_address, "Gather on this address only (127.0.0.1 outside the lab)", "IP" },
  { NULL }
};

typedef struct
{
  gboolean          viewer;
  GMainLoop        *loop;
  int               exit_code;
  gint64            start;
  gint64            remote_seen;

  TdIceTransport   *ice;
  TdDeviceKey      *key;
  TdControlChannel *channel;

  char             *my_path;
  char             *peer_path;
  FILE             *out;
  gsize             peer_offset;
  GString          *peer_partial;
  char             *peer_fingerprint;
  gboolean          have_credentials;
  gboolean          peer_done;
  guint             poll_id;
  guint             timeout_id;
} Peer;

static double
ms_since (gint64 t)
{
  return (g_get_monotonic_time () - t) / 1000.0;
}

static void
finish (Peer *p,
        int   code)
{
  if (p->exit_code == 0)
    p->exit_code = code;
  g_main_loop_quit (p->loop);
}

static void
say (Peer       *p,
     const char *line)
{
  fprintf (p->out, "%s\n", line);
  fflush (p->out);
}

/* REST credentials as the rendezvous server makes them (coturn
 * use-auth-secret): user "expiry:tag", password base64(HMAC-SHA1). */
static void
make_turn_credentials (const char  *secret,
                       const char  *tag,
                       char       **out_user,
                       char       **out_password)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) secret, strlen (secret));
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  char *user = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", g_get_real_time () / G_USEC_PER_SEC + 3600, tag);

  g_hmac_update (hmac, (const guchar *) user, strlen (user));
  g_hmac_get_digest (hmac, digest, &digest_len);
  *out_user = user;
  *out_password = g_base64_encode (digest, digest_len);
}

static void
on_measured (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Peer *p = user_data;
  g_autoptr(GError) error = NULL;
  double seconds = 0;

  if (!td_control_channel_measure_throughput_finish (TD_CONTROL_CHANNEL (source), result,
                                                     &seconds, &error))
    {
      g_print ("RESULT transfer=FAIL error=\"%s\"\n", error->message);
      finish (p, 5);
      return;
    }

  g_print ("RESULT transfer_bytes=%" G_GINT64_FORMAT " transfer_s=%.3f transfer_MBps=%.1f\n",
           opt_bytes, seconds, opt_bytes / seconds / 1e6);
  td_control_channel_close_async (p->channel, NULL, NULL, NULL);
}

static void
on_channel_closed (TdControlChannel *channel,
                   const GError     *error,
                   Peer             *p)
{
  g_print ("RESULT channel_closed=%s\n", error ? error->message : "clean");
  finish (p, error ? 6 : 0);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Peer *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *exporter_hash = NULL;
  guint8 exporter[16];

  if (!td_control_channel_handshake_finish (TD_CONTROL_CHANNEL (source), result, &error))
    {
      g_print ("RESULT tls=FAIL error=\"%s\"\n", error->message);
      finish (p, 4);
      return;
    }

  description = td_control_channel_dup_tls_description (p->channel);
  td_control_channel_export (p->channel, "EXPORTER-tandem-cpace-sid", NULL, sizeof exporter,
                             exporter, NULL);
  /* A hash of the exporter, so both logs can be compared without
   * printing key material. */
  exporter_hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, exporter, sizeof exporter);
  exporter_hash[16] = '\0';

  g_print ("RESULT tls=OK tls_ms=%.1f since_start_ms=%.1f session=%s exporter_sha256=%s\n",
           ms_since (p->remote_seen), ms_since (p->start), description, exporter_hash);

  if (g_strcmp0 (p->peer_fingerprint,
                 td_control_channel_get_peer_fingerprint_hex (p->channel)) != 0)
    {
      g_print ("RESULT fingerprint=MISMATCH\n");
      finish (p, 4);
      return;
    }
  g_print ("RESULT fingerprint=OK\n");

  if (p->viewer)
    td_control_channel_measure_throughput_async (p->channel, opt_bytes, NULL, on_measured, p);
}

static void
on_ice_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Peer *p = user_data;
  g_autoptr(GError) error = NULL;
  TdIceCandidateType local_type, remote_type;
  gboolean relayed;

  if (!td_ice_transport_connect_finish (TD_ICE_TRANSPORT (source), result, &error))
    {
      g_print ("RESULT ice=FAIL after_ms=%.1f error=\"%s\"\n", ms_since (p->start), error->message);
      finish (p, 2);
      return;
    }

  local_type = td_ice_transport_get_local_candidate_type (p->ice);
  remote_type = td_ice_transport_get_remote_candidate_type (p->ice);
  relayed = td_ice_transport_get_relayed (p->ice);

  g_print ("RESULT ice=OK ice_ms=%.1f since_start_ms=%.1f local=%s remote=%s relayed=%s\n",
           ms_since (p->remote_seen), ms_since (p->start),
           td_ice_candidate_type_to_string (local_type),
           td_ice_candidate_type_to_string (remote_type),
           relayed ? "yes" : "no");
  g_print ("RESULT pair=\"%s\"\n", td_ice_transport_get_selected_pair (p->ice));

  if (g_strcmp0 (opt_expect, "direct") == 0 &&
      (relayed || (local_type != TD_ICE_CANDIDATE_SERVER_REFLEXIVE &&
                   remote_type != TD_ICE_CANDIDATE_SERVER_REFLEXIVE &&
                   local_type != TD_ICE_CANDIDATE_PEER_REFLEXIVE &&
                   remote_type != TD_ICE_CANDIDATE_PEER_REFLEXIVE)))
    {
      g_print ("RESULT expectation=FAIL wanted a direct path through the NATs (srflx)\n");
      finish (p, 3);
      return;
    }
  if (g_strcmp0 (opt_expect, "relay") == 0 && !relayed)
    {
      g_print ("RESULT expectation=FAIL wanted a relayed path\n");
      finish (p, 3);
      return;
    }

  p->channel = td_control_channel_new (TD_DATAGRAM_LINK (p->ice), p->key,
                                       p->viewer ? TD_CONTROL_ROLE_CLIENT : TD_CONTROL_ROLE_SERVER);
  g_signal_connect (p->channel, "closed", G_CALLBACK (on_channel_closed), p);
  td_control_channel_handshake_async (p->channel, NULL, on_handshake, p);
}

static void
on_local_candidate (TdIceTransport *ice,
                    const char     *candidate,
                    Peer           *p)
{
  g_autofree char *line = g_strdup_printf ("cand %s", candidate);

  say (p, line);
}

static void
on_local_candidates_done (TdIceTransport *ice,
                          Peer           *p)
{
  g_print ("RESULT gathering_done_ms=%.1f\n", ms_since (p->start));
  say (p, "done");
}

static void
on_gathered (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Peer *p = user_data;
  g_autoptr(GError) error = NULL;

  /* Closing at the end fails a gathering still waiting on a relay that
   * cannot be reached (UDP blocked): that is not a failure of the run. */
  if (!td_ice_transport_gather_finish (TD_ICE_TRANSPORT (source), result, &error) &&
      !g_error_matches (error, TD_ICE_ERROR, TD_ICE_ERROR_CLOSED))
    {
      g_print ("RESULT gather=FAIL error=\"%s\"\n", error->message);
      finish (p, 2);
    }
}

static void
handle_line (Peer       *p,
             const char *line)
{
  g_autoptr(GError) error = NULL;

  if (p->remote_seen == 0)
    p->remote_seen = g_get_monotonic_time ();

  if (g_str_has_prefix (line, "fp "))
    {
      g_free (p->peer_fingerprint);
      p->peer_fingerprint = g_strdup (line + 3);
    }
  else if (g_str_has_prefix (line, "ice "))
    {
      g_auto(GStrv) parts = g_strsplit (line, " ", 3);

      if (g_strv_length (parts) != 3 ||
          !td_ice_transport_set_remote_credentials (p->ice, parts[1], parts[2], &error))
        {
          g_print ("RESULT signalling=FAIL error=\"%s\"\n", error ? error->message : line);
          finish (p, 1);
        }
      p->have_credentials = TRUE;
    }
  else if (g_str_has_prefix (line, "cand "))
    {
      if (!td_ice_transport_add_remote_candidate (p->ice, line + 5, &error))
        g_print ("# ignored a candidate: %s\n", error->message);
    }
  else if (g_str_equal (line, "done"))
    {
      p->peer_done = TRUE;
      td_ice_transport_end_of_remote_candidates (p->ice);
    }
}

static gboolean
poll_peer (gpointer user_data)
{
  Peer *p = user_data;
  g_autofree char *contents = NULL;
  gsize length = 0;
  char *newline;

  if (p->peer_done)
    {
      p->poll_id = 0;
      return G_SOURCE_REMOVE;
    }

  if (!g_file_get_contents (p->peer_path, &contents, &length, NULL) || length <= p->peer_offset)
    return G_SOURCE_CONTINUE;

  g_string_append_len (p->peer_partial, contents + p->peer_offset, length - p->peer_offset);
  p->peer_offset = length;

  while ((newline = strchr (p->peer_partial->str, '\n')) != NULL)
    {
      g_autofree char *line = g_strndup (p->peer_partial->str, newline - p->peer_partial->str);

      g_string_erase (p->peer_partial, 0, newline - p->peer_partial->str + 1);
      handle_line (p, line);
    }

  return G_SOURCE_CONTINUE;
}

static void
on_ice_closed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  td_ice_transport_close_finish (TD_ICE_TRANSPORT (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  Peer *p = user_data;

  p->timeout_id = 0;
  g_print ("RESULT TIMEOUT after %d s (ice state %s)\n", opt_timeout,
           td_ice_state_to_string (td_ice_transport_get_state (p->ice)));
  finish (p, 9);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- one peer of the NAT lab");
  g_autoptr(GError) error = NULL;
  g_autofree char *ufrag = NULL;
  g_autofree char *password = NULL;
  g_autofree char *turn_user = NULL;
  g_autofree char *turn_password = NULL;
  g_autofree char *line = NULL;
  Peer p = { 0 };

  /* A TCP connection to the relay that the server closes must not kill us. */
  signal (SIGPIPE, SIG_IGN);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      opt_sigdir == NULL || opt_role == NULL ||
      (!g_str_equal (opt_role, "viewer") && !g_str_equal (opt_role, "host")))
    {
      g_printerr ("lab-peer: %s\n", error ? error->message : "--role viewer|host and --sigdir are needed");
      return 1;
    }

  p.viewer = g_str_equal (opt_role, "viewer");
  p.start = g_get_monotonic_time ();
  p.loop = g_main_loop_new (NULL, FALSE);
  p.peer_partial = g_string_new (NULL);
  p.my_path = g_build_filename (opt_sigdir, p.viewer ? "viewer.sig" : "host.sig", NULL);
  p.peer_path = g_build_filename (opt_sigdir, p.viewer ? "host.sig" : "viewer.sig", NULL);
  p.out = fopen (p.my_path, "w");
  if (p.out == NULL)
    {
      g_printerr ("lab-peer: cannot write %s\n", p.my_path);
      return 1;
    }

  p.key = td_device_key_new_ephemeral (&error);
  g_assert_no_error (error);
  p.ice = td_ice_transport_new (p.viewer);
  if (opt_local_address != NULL &&
      !td_ice_transport_add_local_address (p.ice, opt_local_address, &error))
    {
      g_printerr ("lab-peer: %s\n", error->message);
      return 1;
    }

  if (opt_turn != NULL)
    {
      if (opt_turn_secret != NULL)
        make_turn_credentials (opt_turn_secret, opt_role, &turn_user, &turn_password);
      if (!td_ice_transport_set_servers (p.ice, (const char * const *) opt_turn,
                                         turn_user, turn_password, &error))
        {
          g_print ("RESULT servers=FAIL error=\"%s\"\n", error->message);
          return 1;
        }
    }

  g_signal_connect (p.ice, "local-candidate", G_CALLBACK (on_local_candidate), &p);
  g_signal_connect (p.ice, "local-candidates-done", G_CALLBACK (on_local_candidates_done), &p);

  /* What the offer / answer carries. */
  line = g_strdup_printf ("fp %s", td_device_key_get_fingerprint_hex (p.key));
  say (&p, line);
  g_clear_pointer (&line, g_free);
  td_ice_transport_get_local_credentials (p.ice, &ufrag, &password);
  line = g_strdup_printf ("ice %s %s", ufrag, password);
  say (&p, line);

  td_ice_transport_gather_async (p.ice, NULL, on_gathered, &p);
  td_ice_transport_connect_async (p.ice, NULL, on_ice_connected, &p);

  p.poll_id = g_timeout_add (5, poll_peer, &p);
  p.timeout_id = g_timeout_add_seconds (opt_timeout, on_timeout, &p);

  g_main_loop_run (p.loop);

  g_clear_handle_id (&p.timeout_id, g_source_remove);
  g_clear_handle_id (&p.poll_id, g_source_remove);

  /* Let the close go out and release the relay allocations. */
  if (p.channel != NULL && td_control_channel_get_state (p.channel) != TD_CONTROL_STATE_CLOSED)
    td_control_channel_close_async (p.channel, NULL, NULL, NULL);
  {
    gboolean ice_closed = FALSE;
    gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    td_ice_transport_close_async (p.ice, NULL, on_ice_closed, &ice_closed);
    while (!ice_closed && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    while (g_main_context_iteration (NULL, FALSE))
      ;
  }

  g_print ("RESULT exit=%d\n", p.exit_code);
  fclose (p.out);

  g_clear_object (&p.channel);
  g_clear_object (&p.ice);
  g_clear_object (&p.key);
  g_main_loop_unref (p.loop);
  g_string_free (p.peer_partial, TRUE);
  g_free (p.peer_fingerprint);
  g_free (p.my_path);
  g_free (p.peer_path);

  return p.exit_code;
}
