#!/bin/sh
# Installs every Debian 12 package Tandem needs to build, run and test.
# Idempotent: prints nothing and does nothing when everything is present.
# Used by both `make run` and `make test`.
set -eu

PACKAGES="
  build-essential meson ninja-build pkg-config gettext itstool
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev
  libnice-dev libgnutls28-dev libsodium-dev libportal-dev libportal-gtk4-dev
  libopus-dev libsoup-3.0-dev libjson-glib-dev libsqlite3-dev libhiredis-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-pipewire gstreamer1.0-pulseaudio
  libx11-dev libxtst-dev libxdamage-dev libxfixes-dev libxi-dev libxrandr-dev
  libfontconfig-dev libpango1.0-dev
  libsecret-1-dev libvte-2.91-gtk4-dev libgtop2-dev libsystemd-dev libcairo2-dev
  desktop-file-utils appstream
  xvfb xauth x11-utils x11-apps xdotool imagemagick dbus dbus-x11 at-spi2-core
  coturn redis-server iproute2 iptables
  valgrind clang libclang-rt-14-dev
  mutter xdg-desktop-portal xdg-desktop-portal-gnome pipewire wireplumber
  pulseaudio-utils espeak-ng sox poppler-utils
  gcc-mingw-w64-x86-64 python3-gi gir1.2-atspi-2.0
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

[ -z "$missing" ] && exit 0

echo "Installing missing packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "error: these packages are missing and installing them needs root:$missing" >&2
  echo "       run 'make deps' as root, or install them with your package manager." >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
stamp=/var/lib/apt/periodic/tandem-update-stamp
if [ ! -e /var/lib/apt/lists/lock ] || [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial)" ] || [ ! -e "$stamp" ]; then
  $SUDO apt-get update -q
  $SUDO mkdir -p "$(dirname "$stamp")" && $SUDO touch "$stamp" || true
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
