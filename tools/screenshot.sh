#!/bin/sh
# screenshot.sh BUILDDIR OUTDIR [NAME...]
#
# Takes the screenshots for the README and the software centres: runs the
# real `tandem` from BUILDDIR on a private X server (tests/ui/xvfb-session.sh)
# with throw-away settings, types into it with real X key events (xdotool),
# and saves PNGs of its window into OUTDIR:
#
#   get-help.png       the "Get Help" page
#   help-someone.png   "Help Someone" with an ID and a password typed in
#   narrow.png         "Get Help" at 360 pixels, the phone width
#   dark.png           "Help Someone" in the dark style, with a mistyped ID
#   consent.png        the consent dialog, as Anna asks to help
#   banner.png         the banner the person helped sees during a session
#   session.png        the helper's window, connected, waiting for the screen
#
# With NAMEs (get-help, consent, ...), only those. The session windows
# come from tests/ui/demo-windows, which shows them with sample data.
# Fails if the app prints a warning or a critical.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILDDIR OUTDIR [NAME...]" >&2
  exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "$1" && pwd)
mkdir -p "$2"
outdir=$(cd "$2" && pwd)
shift 2
names="${*:-get-help help-someone narrow dark consent banner session}"

for tool in xdotool import; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $tool is not installed (Debian: apt install xdotool imagemagick)" >&2
    exit 1
  fi
done

if [ -z "${TD_SCREENSHOT_SESSION:-}" ]; then
  TD_SCREENSHOT_SESSION=1 exec "$top/tests/ui/xvfb-session.sh" --size 1024x768 \
    "$0" "$builddir" "$outdir" $names
fi

# From here on we are inside the private X server and D-Bus session.

export GSETTINGS_SCHEMA_DIR="$builddir/data"
export GSETTINGS_BACKEND=keyfile
export GSK_RENDERER=cairo
export ADW_DISABLE_PORTAL=1
export LC_ALL=C.UTF-8
keyfile="$XDG_CONFIG_HOME/glib-2.0/settings/keyfile"
log="$XDG_RUNTIME_DIR/tandem.log"
tandem_pid=

stop_tandem () {
  if [ -n "$tandem_pid" ]; then
    kill "$tandem_pid" 2>/dev/null || true
    wait "$tandem_pid" 2>/dev/null || true
    tandem_pid=
  fi
}
trap stop_tandem EXIT

# start WIDTH HEIGHT COLOR_SCHEME PAGE: runs tandem with these settings and
# prints its window id once the window is on screen.
start () {
  mkdir -p "$(dirname "$keyfile")"
  cat >"$keyfile" <<EOF
[org/tandemdesk/Tandem]
window-width=$1
window-height=$2
color-scheme='$3'
EOF
  "$builddir/src/ui/tandem" --page="$4" >"$log" 2>&1 &
  tandem_pid=$!
  wid=$(timeout 20 xdotool search --sync --onlyvisible --pid "$tandem_pid" --name '^Tandem$' | head -n 1)
  if [ -z "$wid" ]; then
    echo "error: the Tandem window did not appear" >&2
    cat "$log" >&2
    exit 1
  fi
  xdotool windowfocus --sync "$wid"
  sleep 1
}

# start_demo WHAT TITLE: shows a session window from demo-windows and
# prints its window id once it is on screen.
start_demo () {
  "$builddir/tests/ui/demo-windows" "$1" >"$log" 2>&1 &
  tandem_pid=$!
  wid=$(timeout 20 xdotool search --sync --onlyvisible --pid "$tandem_pid" --name "^$2\$" | head -n 1)
  if [ -z "$wid" ]; then
    echo "error: the $1 window did not appear" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 1
}

wanted () {
  case " $names " in
    *" $1 "*) return 0 ;;
    *) return 1 ;;
  esac
}

# type_keys TEXT: types TEXT as key presses into the focused widget.
type_keys () {
  xdotool type --delay 60 "$1"
}

# shoot NAME: saves the window and stops tandem.
shoot () {
  sleep 1
  import -window "$wid" "$outdir/$1.png"
  stop_tandem
  if grep -E -- '-(WARNING|CRITICAL) \*\*|^\*\*$' "$log" >&2; then
    echo "error: tandem printed warnings while taking $1.png" >&2
    exit 1
  fi
  echo "$outdir/$1.png"
}

if wanted get-help; then
  start 600 680 default get-help
  shoot get-help
fi

if wanted help-someone; then
  start 600 680 default help-someone
  type_keys 123456782
  xdotool key Return
  type_keys k7pm3xqa
  shoot help-someone
fi

# Without a compositor the window carries a 5-pixel resize border on each
# side: 370 pixels of window are 360 of content.
if wanted narrow; then
  start 370 680 default get-help
  shoot narrow
fi

if wanted dark; then
  start 600 680 dark help-someone
  type_keys 123456781
  shoot dark
fi

if wanted consent; then
  start_demo consent "Anna wants to help you"
  shoot consent
fi

if wanted banner; then
  start_demo banner "Anna is helping you"
  shoot banner
fi

if wanted session; then
  start_demo session "Tandem"
  shoot session
fi
