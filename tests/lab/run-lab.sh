#!/bin/bash
# One NAT lab scenario: builds the namespaces, starts coturn, runs the
# viewer and the host (lab-peer) behind their NATs, checks the result and
# always tears everything down.
#
# usage: run-lab.sh SCENARIO LAB_PEER
#   cone-cone            both NATs cone: a direct path (srflx) is expected
#   symmetric-symmetric  both symmetric: only the relay can join them
#   udp-blocked          no UDP leaves either home: TURN over TCP
#
# Exits 77 (skipped) when not root or when namespaces are unavailable.
set -u

scenario=${1:?scenario}
peer=${2:?path to lab-peer}
here=$(cd "$(dirname "$0")" && pwd)

skip () { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "the NAT lab needs root (network namespaces, iptables)"
command -v ip >/dev/null 2>&1 || skip "iproute2 (ip) is not installed"
command -v iptables >/dev/null 2>&1 || skip "iptables is not installed"
command -v turnserver >/dev/null 2>&1 || skip "coturn (turnserver) is not installed"
probe="tdprobe$$"
ip netns add "$probe" >/dev/null 2>&1 || skip "ip netns is not available here (no CAP_SYS_ADMIN?)"
ip netns del "$probe"

case "$scenario" in
  cone-cone)           nat1=cone;      nat2=cone;      block="";        expect=direct ;;
  symmetric-symmetric) nat1=symmetric; nat2=symmetric; block="";        expect=relay ;;
  udp-blocked)         nat1=cone;      nat2=cone;      block=block-udp; expect=relay ;;
  *) echo "run-lab.sh: unknown scenario '$scenario'" >&2; exit 2 ;;
esac

P="td$$"
run=$(mktemp -d "/tmp/td-lab-$scenario.XXXXXX")
secret=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
host_pid=""

cleanup () {
  if [ -n "$host_pid" ] && kill -0 "$host_pid" 2>/dev/null; then
    kill "$host_pid" 2>/dev/null
    wait "$host_pid" 2>/dev/null
  fi
  "$here/lab-teardown.sh" "$P" "$run"
  if [ -z "${TD_LAB_KEEP:-}" ]; then
    rm -rf "$run"
  else
    echo "logs kept in $run"
  fi
}
trap cleanup EXIT
# Killed by the test harness (timeout): still tear down.
trap 'exit 143' TERM HUP
trap 'exit 130' INT

t0=$(date +%s%N)
"$here/lab-setup.sh" "$P" "$nat1" "$nat2" $block || exit 1
"$here/lab-turn.sh" "$P" "$run" "$secret" || exit 1
t1=$(date +%s%N)
echo "lab up in $(( (t1 - t0) / 1000000 )) ms"

mkdir -p "$run/sig"
turn=(--turn "turn:203.0.113.1:3478?transport=udp" --turn "turn:203.0.113.1:3478?transport=tcp"
      --turn-secret "$secret")

ip netns exec "$P-home2" "$peer" --role host --sigdir "$run/sig" "${turn[@]}" \
  --expect "$expect" --timeout 25 > "$run/host.log" 2>&1 &
host_pid=$!
ip netns exec "$P-home1" "$peer" --role viewer --sigdir "$run/sig" "${turn[@]}" \
  --expect "$expect" --bytes "${TD_LAB_BYTES:-2000000}" --timeout 25 > "$run/viewer.log" 2>&1
viewer_rc=$?
wait "$host_pid"
host_rc=$?
host_pid=""

echo "== $scenario: viewer exit $viewer_rc, host exit $host_rc"
sed -n 's/^RESULT /viewer: /p' "$run/viewer.log"
sed -n 's/^RESULT /host:   /p' "$run/host.log"

status=0
if [ "$viewer_rc" != 0 ] || [ "$host_rc" != 0 ]; then
  status=1
fi

v=$(grep -o 'exporter_sha256=[0-9a-f]*' "$run/viewer.log")
h=$(grep -o 'exporter_sha256=[0-9a-f]*' "$run/host.log")
if [ -z "$v" ] || [ "$v" != "$h" ]; then
  echo "FAIL: the TLS exporters differ or are missing ($v / $h)"
  status=1
else
  echo "exporters match on both sides"
fi

if [ "$status" != 0 ]; then
  echo "--- viewer log"; tail -40 "$run/viewer.log"
  echo "--- host log"; tail -40 "$run/host.log"
  echo "--- turnserver log"; tail -20 "$run/turnserver.log" 2>/dev/null
fi
exit $status
