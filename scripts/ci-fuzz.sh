#!/usr/bin/env bash
# CI job: the trace reader fuzzer (tests/fuzz/trace_reader_fuzzer.cc) for
# FUZZ_SECONDS (default 60) over the seed corpus (real traces recorded at
# build time) and the former crashes in tests/data/. A crash, leak, timeout
# (> 10 s per input) or broken invariant fails the job; the input is saved
# under $BUILD_DIR/fuzz-artifacts/ — turn it into a regression test
# (tests/data/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-clang}
seconds=${FUZZ_SECONDS:-60}
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  CXX=clang++ CC=clang cmake -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOCKSCOPE_BUILD_FUZZERS=ON >/dev/null
fi
cmake --build "$BUILD_DIR" -j"${JOBS:-2}" --target trace_reader_fuzzer
fuzzer="$BUILD_DIR/tests/trace_reader_fuzzer"
corpus="$BUILD_DIR/fuzz-corpus"
artifacts="$BUILD_DIR/fuzz-artifacts"
mkdir -p "$corpus" "$artifacts"
# New inputs go to $corpus (kept between runs of the same build directory);
# the seeds and tests/data are read only.
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=131072 -dict=tests/fuzz/trace.dict -print_final_stats=1 \
  -artifact_prefix="$artifacts/" \
  "$corpus" "$BUILD_DIR/tests/fuzz_seeds" tests/data
