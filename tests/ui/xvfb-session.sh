#!/bin/sh
# xvfb-session.sh [--size WxH] COMMAND [ARG...]
#
# Runs COMMAND on a private X server and a private D-Bus session bus, so
# that nothing it starts (the accessibility bus, portals, dconf) can reach
# or outlive into the user's own session:
#
#   - Xvfb picks a free display number itself (-displayfd) and is stopped
#     by its PID when COMMAND ends, whatever the outcome;
#   - dbus-run-session gives COMMAND its own session bus and ends every
#     service activated on it; only COMMAND gets DISPLAY, so those services
#     (portals, say) cannot reach the X server and poke at COMMAND's
#     windows or clipboard;
#   - XDG_RUNTIME_DIR, the XDG base directories and HOME's caches point into
#     a temporary folder that is removed at the end.
#
# Exits with COMMAND's status, or 77 (the "skipped" code of meson and
# Automake) when Xvfb is not installed.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

size=1280x1024
if [ "${1:-}" = "--size" ]; then
  size=$2
  shift 2
fi
if [ $# -eq 0 ]; then
  echo "usage: $0 [--size WxH] COMMAND [ARG...]" >&2
  exit 2
fi

if ! command -v Xvfb >/dev/null 2>&1; then
  echo "SKIP: Xvfb is not installed (Debian: apt install xvfb)" >&2
  exit 77
fi
if ! command -v dbus-run-session >/dev/null 2>&1; then
  echo "error: dbus-run-session is not installed (Debian: apt install dbus)" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tandem-xvfb.XXXXXX") || exit 1
xvfb_pid=

cleanup () {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Xvfb writes the display number and a newline to fd 3 once it accepts
# connections.
Xvfb -displayfd 3 -screen 0 "${size}x24" -nolisten tcp -noreset \
  3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!

tries=0
until grep -q '^[0-9][0-9]*$' "$tmp/display" 2>/dev/null; do
  if ! kill -0 "$xvfb_pid" 2>/dev/null; then
    echo "error: Xvfb did not start:" >&2
    cat "$tmp/xvfb.log" >&2
    xvfb_pid=
    exit 1
  fi
  tries=$((tries + 1))
  if [ "$tries" -gt 200 ]; then
    echo "error: Xvfb did not report a display within 10 s" >&2
    exit 1
  fi
  sleep 0.05
done

display=":$(cat "$tmp/display")"
unset DISPLAY WAYLAND_DISPLAY
GDK_BACKEND=x11
export GDK_BACKEND

mkdir -m 0700 "$tmp/runtime" "$tmp/config" "$tmp/data" "$tmp/cache" "$tmp/state"
XDG_RUNTIME_DIR="$tmp/runtime"
XDG_CONFIG_HOME="$tmp/config"
XDG_DATA_HOME="$tmp/data"
XDG_CACHE_HOME="$tmp/cache"
XDG_STATE_HOME="$tmp/state"
export XDG_RUNTIME_DIR XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME

dbus-run-session -- env DISPLAY="$display" "$@"
status=$?
exit "$status"
