#!/bin/bash
# Runs a portal test against a real portal: PipeWire, WirePlumber and
# mutter --headless with a 1280x720 virtual monitor, inside a private D-Bus
# session.
#   sc: ScreenCast, with a restore token seeded into the permission store
#       so xdg-desktop-portal-gnome shares the monitor without a dialog;
#   rd: RemoteDesktop: the dialog is approved by the portal lab's
#       approve_dialog.py (it looks at the screen and clicks through
#       mutter's own remote desktop API), and td-test-victim must receive
#       the injected click and key.
# Every process started here is stopped by its PID.
# usage: run-portal-test.sh sc TEST-BINARY
#        run-portal-test.sh rd TEST-BINARY VICTIM-BINARY
set -u
mode=$1
test_binary=$2
victim=${3:-}
approve=${TD_SHARED_DIR:-/nonexistent}/reference/portal-lab/tools/approve_dialog.py

skip() { echo "SKIP: $*"; exit 77; }
for tool in dbus-run-session mutter pipewire wireplumber pw-cli gdbus; do
  command -v $tool >/dev/null || skip "$tool is not installed"
done
[ -e /usr/libexec/xdg-desktop-portal ] || skip "xdg-desktop-portal is not installed"
[ -e /usr/libexec/xdg-desktop-portal-gnome ] || skip "xdg-desktop-portal-gnome is not installed"
if [ "$mode" = rd ]; then
  [ -e "$approve" ] || skip "no approve_dialog.py (TD_SHARED_DIR/reference/portal-lab)"
  /usr/bin/python3 -c "import gi; gi.require_version('Gst', '1.0')" 2>/dev/null ||
    skip "approve_dialog.py needs python3-gi and GStreamer's introspection data"
fi

if [ -z "${TD_PORTAL_INNER:-}" ]; then
  runtime=$(mktemp -d /tmp/td-portal-test.XXXXXX)
  chmod 700 "$runtime"
  mkdir -p "$runtime/home"
  export XDG_RUNTIME_DIR=$runtime HOME=$runtime/home
  export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
  export XDG_CURRENT_DESKTOP=GNOME XDG_SESSION_TYPE=wayland WAYLAND_DISPLAY=wayland-td-test
  export GSETTINGS_BACKEND=memory TD_PORTAL_INNER=1
  unset DISPLAY DBUS_SESSION_BUS_ADDRESS
  dbus-run-session -- "$0" "$@"
  rc=$?
  # The document portal may have left its FUSE mount behind.
  fusermount -u "$runtime/doc" 2>/dev/null || fusermount3 -u "$runtime/doc" 2>/dev/null || true
  rm -rf "$runtime" 2>/dev/null || true
  exit $rc
fi

pids=()
cleanup() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[i]}" 2>/dev/null; done
  wait 2>/dev/null
}
trap cleanup EXIT
logs=$XDG_RUNTIME_DIR/logs
mkdir -p "$logs"

pipewire >"$logs/pipewire.log" 2>&1 & pids+=($!)
for i in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/pipewire-0" ] && break; sleep 0.05; done
[ -S "$XDG_RUNTIME_DIR/pipewire-0" ] || skip "pipewire did not start"
# WirePlumber exits if started before PipeWire's socket exists.
wireplumber >"$logs/wireplumber.log" 2>&1 & pids+=($!)
for i in $(seq 100); do
  pw-cli ls Metadata 2>/dev/null | grep -q 'metadata.name = "default"' && break
  sleep 0.1
done
mutter --headless --virtual-monitor 1280x720 --wayland --no-x11 \
  --wayland-display="$WAYLAND_DISPLAY" >"$logs/mutter.log" 2>&1 & pids+=($!)
up=0
for i in $(seq 150); do
  if gdbus call --session -d org.gnome.Mutter.ScreenCast -o /org/gnome/Mutter/ScreenCast \
       -m org.freedesktop.DBus.Properties.GetAll org.gnome.Mutter.ScreenCast >/dev/null 2>&1; then
    up=1; break
  fi
  sleep 0.1
done
[ $up = 1 ] || skip "mutter --headless did not start: $(tail -3 "$logs/mutter.log" | tr '\n' ' ')"

if [ "$mode" = rd ]; then
  GTK_A11Y=none GDK_BACKEND=wayland "$victim" >"$logs/victim.log" 2>"$logs/victim.err" & pids+=($!)
  for i in $(seq 200); do grep -q READY "$logs/victim.log" 2>/dev/null && break; sleep 0.1; done
  grep -q READY "$logs/victim.log" || { echo "the victim window did not start:"; cat "$logs/victim.err"; exit 1; }
  sleep 1
  /usr/bin/python3 "$approve" rd --timeout 20 2>"$logs/approve.log" & approve_pid=$!
  pids+=($approve_pid)
  "$test_binary"
  rc=$?
  wait $approve_pid
  sleep 0.3
  echo "# victim saw: $(grep -v READY "$logs/victim.log" | tr '\n' ';')"
  [ $rc = 0 ] || exit $rc
  grep -q '^BUTTON 1 PRESS' "$logs/victim.log" || { echo "FAIL: the click did not arrive"; exit 1; }
  grep -q '^KEY a' "$logs/victim.log" || { echo "FAIL: the keysym did not arrive"; exit 1; }
  grep -q '^KEY b' "$logs/victim.log" || { echo "FAIL: the keycode did not arrive"; exit 1; }
  grep -q '^BUTTON 3 RELEASE' "$logs/victim.log" || { echo "FAIL: release_all did not release"; exit 1; }
  exit 0
fi

token=00000000-0000-4000-8000-0000000000aa
now=$(( $(date +%s) * 1000000 ))
gdbus call --session -d org.freedesktop.impl.portal.PermissionStore \
  -o /org/freedesktop/impl/portal/PermissionStore \
  -m org.freedesktop.impl.portal.PermissionStore.Set screencast true "$token" "{'': ['yes']}" \
  "<('GNOME', uint32 1, <(int64 $now, int64 $now, [(uint32 0, uint32 1, <'MetaVendor:MetaVirtualMonitor:0x00'>)])>)>" \
  >/dev/null || skip "cannot seed the permission store"

TD_TEST_RESTORE_TOKEN=$token "$test_binary"
