#!/bin/sh
# Builds Tandem for Windows in an MSYS2 UCRT64 shell:
#
#   sh windows/build-msys2.sh            # installs packages, builds, makes _dist/
#
# The result is a folder with tandem.exe, tandem-server.exe, the DLLs they
# need, GSettings schemas, translations and the GStreamer plugins used for
# capture (d3d11screencapturesrc), encoding and decoding.
set -eu
[ "${MSYSTEM:-}" = "UCRT64" ] || { echo "error: run this from an MSYS2 UCRT64 shell" >&2; exit 1; }

p=mingw-w64-ucrt-x86_64
pacman -S --needed --noconfirm \
  $p-toolchain $p-meson $p-ninja $p-pkgconf $p-gettext \
  $p-gtk4 $p-libadwaita $p-libnice $p-gnutls $p-libsodium $p-json-glib \
  $p-libsoup3 $p-sqlite3 $p-hiredis $p-opus \
  $p-gstreamer $p-gst-plugins-base $p-gst-plugins-good $p-gst-plugins-bad \
  $p-gst-plugins-ugly $p-gst-libav $p-ntldd

here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/_build-win
dist=$here/_dist/Tandem

meson setup "$build" "$here" --prefix=/ucrt64 -Dtests=false --buildtype=release
meson compile -C "$build"
rm -rf "$dist"
DESTDIR="$dist.stage" meson install -C "$build"
mkdir -p "$dist/bin" "$dist/share"
cp "$dist.stage/ucrt64/bin/"*.exe "$dist/bin/"
cp -R "$dist.stage/ucrt64/share/"* "$dist/share/"
rm -rf "$dist.stage"

# Every DLL the executables load, found recursively.
for exe in "$dist"/bin/*.exe; do
  ntldd -R "$exe" | sed -n 's/.*=> \(\/ucrt64\/bin\/[^ ]*\.dll\).*/\1/p'
done | sort -u | while read -r dll; do cp "$dll" "$dist/bin/"; done

mkdir -p "$dist/lib/gstreamer-1.0" "$dist/share/glib-2.0/schemas"
for plugin in coreelements videoconvertscale videorate app rtp rtpmanager srtp \
              x264 openh264 libav d3d11 opus audioconvert audioresample wasapi \
              webrtcdsp playback; do
  cp /ucrt64/lib/gstreamer-1.0/libgst$plugin.dll "$dist/lib/gstreamer-1.0/" 2>/dev/null || true
done
cp /ucrt64/share/glib-2.0/schemas/org.gtk.* "$dist/share/glib-2.0/schemas/" 2>/dev/null || true
glib-compile-schemas "$dist/share/glib-2.0/schemas"
echo "Built $dist"
