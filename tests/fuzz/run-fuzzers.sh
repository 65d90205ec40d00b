#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan, coverage on the
# whole project) in a separate build dir and runs each one for a bounded
# time on a copy of its seed corpus.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS-PER-TARGET] [TARGET...]
#
# SECONDS-PER-TARGET defaults to 20; TARGET is a name from
# tests/fuzz/meson.build (cpace, password-auth, ...), all by default.
# BUILDDIR overrides the build dir (_build-fuzz). Crashes are written to
# $BUILDDIR/fuzz-artifacts/; copy one into tests/fuzz/corpus/NAME/ to make
# it a regression test once fixed.
set -eu

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${BUILDDIR:-$srcdir/_build-fuzz}
seconds=${1:-20}
[ $# -gt 0 ] && shift

if [ ! -f "$builddir/build.ninja" ]; then
  CC=clang meson setup "$builddir" "$srcdir" \
    -Dfuzzing=true \
    -Db_sanitize=address,undefined \
    -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link
fi
meson compile -C "$builddir"

if [ $# -eq 0 ]; then
  set -- $(cd "$srcdir/tests/fuzz/corpus" && for d in */; do printf '%s ' "${d%/}"; done)
fi

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$srcdir/tests/lsan.supp"

artifacts="$builddir/fuzz-artifacts"
mkdir -p "$artifacts"
status=0
for name in "$@"; do
  exe="$builddir/tests/fuzz/fuzz-$name"
  if [ ! -x "$exe" ]; then
    echo "No fuzz target $name (looked for $exe)" >&2
    status=1
    continue
  fi
  work="$builddir/fuzz-corpus/$name"
  mkdir -p "$work"
  cp "$srcdir/tests/fuzz/corpus/$name/"* "$work/"
  echo "== fuzz-$name for ${seconds}s"
  if ! "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$artifacts/$name-" "$work"; then
    echo "fuzz-$name found a problem; see $artifacts" >&2
    status=1
  fi
done
exit $status
