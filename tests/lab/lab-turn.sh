#!/bin/bash
# Starts coturn in PREFIX-pub on 203.0.113.1:3478 (UDP and TCP), with the
# TURN REST API credentials the rendezvous server hands out
# (use-auth-secret). Its PID goes to RUNDIR/turnserver.pid, its log to
# RUNDIR/turnserver.log; lab-teardown.sh stops it.
#
# usage: lab-turn.sh PREFIX RUNDIR SECRET
set -euo pipefail

P=$1
RUN=$2
SECRET=$3

args=(
  -n --no-stdout-log --simple-log --log-file="$RUN/turnserver.log"
  --listening-ip=203.0.113.1 --relay-ip=203.0.113.1 --listening-port=3478
  --min-port=49152 --max-port=49352
  --realm=tandem-lab --fingerprint
  --use-auth-secret --static-auth-secret="$SECRET"
  --no-tls --no-dtls --no-cli --no-tcp-relay --no-multicast-peers
  # Never relay into private networks (and, with the black-hole route,
  # never fail the allocation because of a private host candidate).
  --denied-peer-ip=10.0.0.0-10.255.255.255
  --denied-peer-ip=172.16.0.0-172.31.255.255
  --denied-peer-ip=192.168.0.0-192.168.255.255
  --userdb="$RUN/turndb" --pidfile="$RUN/turnserver.ownpid"
  ${TURN_VERBOSE:+--verbose}
)

ip netns exec "$P-pub" turnserver "${args[@]}" >/dev/null 2>&1 &
echo $! > "$RUN/turnserver.pid"

for _ in $(seq 1 50); do
  if ip netns exec "$P-pub" ss -lun 2>/dev/null | grep -q '203.0.113.1:3478' &&
     ip netns exec "$P-pub" ss -ltn 2>/dev/null | grep -q '203.0.113.1:3478'; then
    echo "turnserver up, pid $(cat "$RUN/turnserver.pid")"
    exit 0
  fi
  sleep 0.05
done

echo "lab-turn.sh: turnserver did not start; its log says:" >&2
tail -20 "$RUN/turnserver.log" >&2 || true
exit 1
