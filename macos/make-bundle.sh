#!/bin/sh
# Builds Tandem.app from a finished build on macOS (Homebrew's gtk4,
# libadwaita, gstreamer, libnice, gnutls, libsodium, json-glib, libsoup).
#
#   meson setup _build --prefix=/opt/tandem && meson install -C _build
#   sh macos/make-bundle.sh /opt/tandem _dist/Tandem.app
#
# dylibbundler (brew install dylibbundler) copies the libraries the binaries
# need into the bundle and rewrites their install names.
set -eu
prefix=${1:?usage: make-bundle.sh PREFIX OUTPUT.app}
app=${2:?usage: make-bundle.sh PREFIX OUTPUT.app}
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n "s/^ *version: '\([^']*\)'.*/\1/p" "$here/../meson.build" | head -n 1)

rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources" "$app/Contents/Frameworks"
sed -e "s/@APP_ID@/org.tandemdesk.Tandem/" -e "s/@VERSION@/$version/" \
  "$here/Info.plist.in" > "$app/Contents/Info.plist"

cp "$prefix/bin/tandem" "$prefix/bin/tandem-server" "$app/Contents/MacOS/"
cp -R "$prefix/share/locale" "$app/Contents/Resources/" 2>/dev/null || true
mkdir -p "$app/Contents/Resources/share/glib-2.0/schemas"
cp "$prefix"/share/glib-2.0/schemas/*.xml "$app/Contents/Resources/share/glib-2.0/schemas/"
glib-compile-schemas "$app/Contents/Resources/share/glib-2.0/schemas"

# The icon: rendered from the scalable app icon.
iconset=$(mktemp -d)/Tandem.iconset
mkdir -p "$iconset"
for size in 16 32 128 256 512; do
  rsvg-convert -w $size -h $size "$here/../data/icons/hicolor/scalable/apps/org.tandemdesk.Tandem.svg" \
    -o "$iconset/icon_${size}x${size}.png"
  rsvg-convert -w $((size * 2)) -h $((size * 2)) "$here/../data/icons/hicolor/scalable/apps/org.tandemdesk.Tandem.svg" \
    -o "$iconset/icon_${size}x${size}@2x.png"
done
iconutil -c icns "$iconset" -o "$app/Contents/Resources/Tandem.icns"

dylibbundler -od -b -x "$app/Contents/MacOS/tandem" -x "$app/Contents/MacOS/tandem-server" \
  -d "$app/Contents/Frameworks" -p @executable_path/../Frameworks/

# Ad-hoc signature so the screen-recording and accessibility grants stick.
codesign --force --deep --sign - "$app"
echo "Built $app"
