#!/usr/bin/env bash
# Records the seed corpus for the trace fuzzer and the corpus replay test:
# real traces written by real tracked processes, including ones that died
# mid-run (torn tails, no End record). Run by the build (tests/reliability.cmake);
# the traces are build outputs, never committed.
#
# Usage: make_seeds.sh OUT_DIR TRACED_PROGRAM [DEMO]
set -euo pipefail
out=$1
traced=$2
demo=${3:-}
mkdir -p "$out"
rm -f "$out"/*.lstrace "$out/.stamp"

# run NAME OPTIONS PROGRAM ARGS...: one trace; the exit status is the
# scenario's business (kills and crashes are the point of some).
run() {
  local name=$1 options=$2
  shift 2
  LOCKSCOPE_OPTIONS="trace=$out/$name.lstrace:report=off:$options" \
    "$@" >/dev/null 2>&1 || true
  if [ ! -s "$out/$name.lstrace" ]; then
    echo "make_seeds.sh: $name left no trace" >&2
    exit 1
  fi
}

run counts_all "events=all:exitcode=0" "$traced" counts 50
run counts_contended "exitcode=0" "$traced" counts 200
run kill "" "$traced" kill
run abort "" "$traced" abort
run segv "" "$traced" segv
run stream_kill "" "$traced" stream kill 2000
run limits_static "events=all:exitcode=0" "$traced" static-atexit
if [ -n "$demo" ]; then
  run demo "" "$demo"
  run demo_all "events=all" "$demo"
  run demo_none "events=none" "$demo"
fi
# A torn tail: the demo's (or the kill) trace cut in the middle of a record.
src="$out/kill.lstrace"
[ -n "$demo" ] && src="$out/demo_all.lstrace"
size=$(stat -c %s "$src")
head -c $((size * 2 / 3)) "$src" >"$out/torn.lstrace"
touch "$out/.stamp"
