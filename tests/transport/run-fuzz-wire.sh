#!/bin/sh
# Builds the control-channel frame decoder fuzz target with clang and
# libFuzzer (no meson needed) and runs it for a while.
#
#   tests/transport/run-fuzz-wire.sh [SECONDS] [WORKDIR]
#
# SECONDS defaults to 60. Inputs go up to 40000 bytes so that frames above
# TD_WIRE_DIRECT_CHECK_MAX take the decoder's rebuilding normal-form check;
# every input is also checked for agreement between that check and
# g_variant_is_normal_form(). New inputs go to WORKDIR/corpus (default: a
# directory under /tmp), crashes to WORKDIR/crash-*; the seed corpus in
# tests/transport/corpus/wire/ is only read. To keep a crash as a
# regression test, copy it into the seed corpus: `meson test` replays every
# file there (test fuzz-wire-replay).
set -eu

seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=${2:-$(mktemp -d /tmp/td-fuzz-wire.XXXXXX)}
cc=${CLANG:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
  echo "run-fuzz-wire.sh: $cc not found; install clang and libclang-rt-14-dev" >&2
  exit 77
fi

mkdir -p "$work/corpus"
exe="$work/fuzz-wire"

# shellcheck disable=SC2046
"$cc" -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$top/src/common" \
  "$here/fuzz-wire.c" "$top/src/common/td-wire.c" \
  $(pkg-config --cflags --libs glib-2.0) \
  -o "$exe"

echo "fuzzing the wire decoder for $seconds s in $work"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
  "$exe" -max_total_time="$seconds" -max_len=40000 -timeout=10 \
  -artifact_prefix="$work/" "$work/corpus" "$here/corpus/wire"
