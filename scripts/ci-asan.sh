#!/usr/bin/env bash
# CI job: the whole test suite under AddressSanitizer + UndefinedBehavior-
# Sanitizer (leak checking on, every UB report fatal).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build-asan}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLOCKSCOPE_SANITIZE=address,undefined -DLOCKSCOPE_BUILD_BENCH=OFF \
  >/dev/null
cmake --build "$BUILD_DIR" -j"${JOBS:-2}"
# handle_segv=0: tests that crash a traced program on purpose expect it to
# die by SIGSEGV (after lockscope's handler flushed the trace), not by
# ASan's report; ASan still checks every access.
# check_initialization_order: lockscope is used from static initializers.
export ASAN_OPTIONS="detect_leaks=1:handle_segv=0:check_initialization_order=1:detect_stack_use_after_return=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$BUILD_DIR"
ctest --output-on-failure -j"${JOBS:-2}" --timeout 600
