#!/usr/bin/env bash
# CI job: every target built with clang 14, where lockscope_warnings adds
# -Wthread-safety to -Wall -Wextra -Werror, so the runtime's lock
# annotations are checked (and runtime/CMakeLists.txt -Wthread-safety-beta,
# so its lock order is too: see runtime/session.h). The libFuzzer targets are built here too
# (scripts/ci-fuzz.sh runs them from this build directory).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build-clang}
CXX=clang++ CC=clang cmake -S . -B "$BUILD_DIR" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOCKSCOPE_WERROR=ON \
  -DLOCKSCOPE_BUILD_FUZZERS=ON >/dev/null
if ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang' "$BUILD_DIR/CMakeCache.txt"; then
  echo "ci-clang: $BUILD_DIR was configured with another compiler" >&2
  exit 1
fi
cmake --build "$BUILD_DIR" -j"${JOBS:-2}"
