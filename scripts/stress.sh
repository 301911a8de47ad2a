#!/usr/bin/env bash
# Runs every scenario of the stress program (tests/stress/stress_main.cc) at
# full size: 1 M locks created and destroyed, 128 threads, 200 locks held at
# once, 10 M acquisitions with exact event counts, forks under churn,
# threads exiting while holding locks. Not part of CI (several minutes, a
# few hundred MB of trace in $TMPDIR); docs/RELIABILITY.md has the results.
#
# Usage: scripts/stress.sh [SCENARIO...]   (default: all)
# BUILD_DIR (default build-stress) is configured Release unless it exists.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-stress}
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DLOCKSCOPE_BUILD_BENCH=OFF -DLOCKSCOPE_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake --build "$BUILD_DIR" -j"${JOBS:-2}" --target lockscope_stress
stress="$BUILD_DIR/tests/lockscope_stress"
scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  scenarios=(locks threads held acquisitions fork thread-exit)
fi
failed=0
for s in "${scenarios[@]}"; do
  err=$(mktemp)
  start=$SECONDS
  if "$stress" "$s" 2>"$err"; then
    status=0
  else
    status=$?
  fi
  if [ "$s" = thread-exit ] && [ $status -eq 0 ]; then
    # Every exiting thread is reported once, as one line, and nothing else.
    warnings=$(grep -c 'exited holding 1 lock(s)' "$err" || true)
    others=$(grep -vc 'exited holding 1 lock(s)' "$err" || true)
    if [ "$warnings" -ne 1000 ] || [ "$others" -ne 0 ]; then
      echo "stress thread-exit: $warnings warnings, $others other lines" >&2
      status=1
    fi
  else
    cat "$err" >&2
  fi
  rm -f "$err"
  echo "stress $s: exit $status, $((SECONDS - start)) s wall"
  [ $status -eq 0 ] || failed=1
done
exit $failed
