#!/bin/bash
# Stops the lab's relay (by the PID it was started with) and deletes the
# lab's namespaces.
#
# usage: lab-teardown.sh PREFIX [RUNDIR]
set -u

P=$1
RUN=${2:-}

if [ -n "$RUN" ] && [ -s "$RUN/turnserver.pid" ]; then
  pid=$(cat "$RUN/turnserver.pid")
  if [ -d "/proc/$pid" ] && grep -q turnserver "/proc/$pid/comm" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 20); do
      [ -d "/proc/$pid" ] || break
      sleep 0.1
    done
    [ -d "/proc/$pid" ] && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$RUN/turnserver.pid"
fi

for n in home1 home2 nat1 nat2 pub; do
  ip netns del "$P-$n" 2>/dev/null
done

if ip netns list | grep -q "^$P-"; then
  echo "lab-teardown.sh: namespaces left: $(ip netns list | grep "^$P-" | tr '\n' ' ')" >&2
  exit 1
fi
exit 0
