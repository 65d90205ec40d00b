#!/bin/sh
# Runs the benchmarks: all of them, or the one named. Each prints a table and
# writes bench-results/NAME.json (a flat object; metric names carry units).
set -eu
builddir=${1:-_build}
only=${2:-}
mkdir -p bench-results
found=0
for exe in "$builddir"/bench/bench-*; do
  [ -f "$exe" ] && [ -x "$exe" ] || continue
  name=$(basename "$exe" | sed 's/^bench-//')
  if [ -n "$only" ] && [ "$only" != "$name" ]; then
    continue
  fi
  found=1
  echo "== bench $name"
  "$exe" --json "bench-results/$name.json"
done
if [ "$found" -eq 0 ]; then
  echo "no benchmark named '${only}' (have: $(ls "$builddir"/bench 2>/dev/null | sed -n 's/^bench-//p' | tr '\n' ' '))" >&2
  exit 1
fi
