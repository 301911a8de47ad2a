#!/usr/bin/env bash
# CI job: the runtime's own tests (tests/runtime, tests/instrument) under
# ThreadSanitizer: the runtime must be data-race free. Only those test
# binaries are built; ctest runs exactly the tests they register.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build-tsan}
binaries=(
  options_test event_ring_test runtime_parts_test findings_e2e_test
  watchdog_test trace_e2e_test
  exit_status_test limits_test durability_test errno_test
  instrument_plain_test instrument_tracked_test
  instrument_cxx17_plain instrument_cxx17_tracked
)
# clang 14's ThreadSanitizer runtime: GCC 12's libtsan crashes inside its
# own vector-clock code (SyncClock::Resize) when libunwind's thread-exit
# destructor unlocks libunwind's internal mutex.
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLOCKSCOPE_SANITIZE=thread -DLOCKSCOPE_BUILD_BENCH=OFF \
  -DLOCKSCOPE_BUILD_EXAMPLES=OFF >/dev/null
if ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang' "$BUILD_DIR/CMakeCache.txt"; then
  echo "ci-tsan: $BUILD_DIR was configured with another compiler;" \
    "remove it or set BUILD_DIR" >&2
  exit 1
fi
targets=()
for b in "${binaries[@]}"; do targets+=(--target "$b"); done
cmake --build "$BUILD_DIR" -j"${JOBS:-2}" "${targets[@]}"

# The numbers of the tests whose command runs one of those binaries.
select_script=$(mktemp)
# A readable copy of the suppressions: one test runs the traced program as
# user nobody, which cannot read a checkout under a 0700 directory.
suppressions=$(mktemp /tmp/lockscope-tsan.XXXXXX)
cp tests/sanitizers/tsan.supp "$suppressions"
chmod 644 "$suppressions"
trap 'rm -f "$select_script" "$suppressions"' EXIT
cat >"$select_script" <<'CMAKE'
file(READ "${json}" text)
string(JSON count LENGTH "${text}" tests)
set(numbers "")
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON exe ERROR_VARIABLE missing GET "${text}" tests ${i} command 0)
  if(missing)
    continue()
  endif()
  get_filename_component(exe "${exe}" NAME)
  if(" ${binaries} " MATCHES " ${exe} ")
    math(EXPR number "${i} + 1")
    string(APPEND numbers ",${number}")
  endif()
endforeach()
file(WRITE "${out}" "0,0,0${numbers}\n")
CMAKE
cd "$BUILD_DIR"
ctest --show-only=json-v1 >tests.json 2>/dev/null
cmake -Djson=tests.json -Dout=tsan-tests.txt -Dbinaries="${binaries[*]}" \
  -P "$select_script"
if [ "$(cat tsan-tests.txt)" = "0,0,0" ]; then
  echo "ci-tsan: no tests selected" >&2
  exit 1
fi
# die_after_fork=0: a forked child of a traced process starts its own
# collector thread. detect_deadlocks=0: the tests make lock-order
# inversions on purpose (finding them is lockscope's job). Death tests
# re-execute the binary instead of forking a threaded process.
# handle_segv=0: tests that crash a traced program on purpose expect it to
# die by SIGSEGV after lockscope's handler flushed the trace.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:detect_deadlocks=0:handle_segv=0"
# A race inside Debian's (uninstrumented) libunwind: see the file.
TSAN_OPTIONS+=":suppressions=$suppressions"
export GTEST_DEATH_TEST_STYLE=threadsafe
ctest --output-on-failure -j"${JOBS:-2}" --timeout 600 -I tsan-tests.txt
