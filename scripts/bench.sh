#!/usr/bin/env bash
# Builds the benchmarks (Release), runs each with the LOCKSCOPE_OPTIONS its
# rows need, and prints the performance table of docs/PERFORMANCE.md:
# lockscope against std::mutex / std::shared_mutex measured in the same
# process run, median of REPS repetitions with their range; the interposer
# (a plain std::mutex program run with and without the preload, and under
# its peers TSan and helgrind where installed) in the same script run.
#
# Usage: scripts/bench.sh [--reps N] [--min-time SECONDS] [--out DIR]
#                         [--fresh] [--no-build] [--update-doc]
#                         [--only-interpose]
#   --reps N         repetitions of every case (default 7, at least 5)
#   --min-time S     seconds per repetition of a case (default 0.2)
#   --out DIR        where the JSON results go (default BUILD_DIR/bench)
#   --fresh          delete BUILD_DIR first (the table of record comes from
#                    a fresh build)
#   --no-build       use the binaries already in BUILD_DIR
#   --update-doc     also write the tables into docs/PERFORMANCE.md
#   --only-interpose build and run only the interposer's benchmarks (and
#                    update only their table)
# Environment: BUILD_DIR (default build-bench), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR=${BUILD_DIR:-build-bench}
JOBS=${JOBS:-2}
REPS=7
MIN_TIME=0.2
OUT=""
FRESH=0
BUILD=1
UPDATE_DOC=0
ONLY_INTERPOSE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --min-time) MIN_TIME=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --fresh) FRESH=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --update-doc) UPDATE_DOC=1; shift ;;
    --only-interpose) ONLY_INTERPOSE=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ "$REPS" -lt 5 ]; then
  echo "bench.sh: --reps must be at least 5" >&2
  exit 2
fi
OUT=${OUT:-$BUILD_DIR/bench}

if [ "$BUILD" = 1 ]; then
  if [ "$FRESH" = 1 ]; then rm -rf "$BUILD_DIR"; fi
  # -Wno-error=restrict: g++ 12 at -O3 raises a false -Wrestrict inside
  # std::string's operator+ (GCC bug 105651); it stays a warning here.
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS="-Wno-error=restrict" \
    -DLOCKSCOPE_BUILD_BENCH=ON -DLOCKSCOPE_BUILD_TESTS=OFF \
    -DLOCKSCOPE_BUILD_EXAMPLES=OFF >/dev/null
  targets=(mutex_plain_benchmark mutex_tracked_benchmark
           rwlock_plain_benchmark rwlock_tracked_benchmark
           app_cell_plain_benchmark app_cell_tracked_benchmark
           absl_mutex_benchmark cycle_benchmark trace_size_benchmark
           trace_workload hold_many_benchmark process_benchmark)
  if [ "$ONLY_INTERPOSE" = 1 ]; then targets=(); fi
  # check_benchmark exists when the viewer is part of the build, the
  # interposer's startup benchmark too, and the preload when interpose/ is.
  known=$(cmake --build "$BUILD_DIR" --target help)
  for t in check_benchmark interpose_benchmark interpose_startup_benchmark \
           lockscope_preload; do
    if [ "$ONLY_INTERPOSE" = 1 ] && [ "$t" = check_benchmark ]; then continue; fi
    if grep -w "$t" <<<"$known" >/dev/null; then targets+=("$t"); fi
  done
  cmake --build "$BUILD_DIR" -j"$JOBS" --target "${targets[@]}"
fi

mkdir -p "$OUT"
rm -f "$OUT"/*.json
TRACES=$(mktemp -d "${TMPDIR:-/tmp}/lockscope-bench.XXXXXX")
trap 'rm -rf "$TRACES"' EXIT
BIN=$BUILD_DIR/bench

# run NAME OPTIONS BINARY [benchmark flags...]: one benchmark process.
# OPTIONS is LOCKSCOPE_OPTIONS ("-" for none); its trace, if any, goes to
# a scratch directory and is deleted afterwards. RUN_ENV (VAR=value
# entries) and RUN_PREFIX (a command such as valgrind) apply when set.
RUN_ENV=()
RUN_PREFIX=()
run() {
  local name=$1 options=$2 binary=$3
  shift 3
  if [ ! -x "$BIN/$binary" ]; then
    echo "bench.sh: $binary not built; skipping $name" >&2
    return
  fi
  echo "== $name: ${RUN_ENV[*]} ${RUN_PREFIX[*]} $binary" \
    "${options/#-/(no LOCKSCOPE_OPTIONS)}" >&2
  local env=()
  if [ "$options" != "-" ]; then env=(LOCKSCOPE_OPTIONS="$options"); fi
  env "${env[@]}" "${RUN_ENV[@]}" "${RUN_PREFIX[@]}" "$BIN/$binary" \
    --benchmark_repetitions="$REPS" \
    --benchmark_enable_random_interleaving=true \
    --benchmark_min_time="$MIN_TIME" \
    --benchmark_out="$OUT/$name.json" --benchmark_out_format=json \
    "$@" >"$OUT/$name.txt" 2>"$OUT/$name.stderr" ||
    echo "bench.sh: $name failed (see $OUT/$name.stderr)" >&2
  rm -f "$TRACES"/*
}

T="trace=$TRACES/%p.lstrace"
if [ "$ONLY_INTERPOSE" = 0 ]; then
run mutex_plain - mutex_plain_benchmark
run mutex_off "trace=off" mutex_tracked_benchmark
run mutex_default "$T" mutex_tracked_benchmark \
  --benchmark_filter='BM_Flat<|BM_Nested4<'
# Two-thread cases need two free cores: on a shared machine their wall
# times are noisy, so they get three times the repetitions.
THREADED='Private|Contended|Readers|Stripes'
run mutex_threads "$T" mutex_tracked_benchmark \
  --benchmark_filter="$THREADED" --benchmark_repetitions=$((REPS * 3))
run mutex_all "$T:events=all" mutex_tracked_benchmark \
  --benchmark_filter='BM_Flat'
run rwlock_plain - rwlock_plain_benchmark
run rwlock_default "$T" rwlock_tracked_benchmark --benchmark_filter='Flat'
run rwlock_threads "$T" rwlock_tracked_benchmark \
  --benchmark_filter="$THREADED" --benchmark_repetitions=$((REPS * 3))
run app_cell_plain - app_cell_plain_benchmark
run app_cell_default "$T" app_cell_tracked_benchmark
run absl - absl_mutex_benchmark --benchmark_filter='BM_Flat|BM_Nested4<'
run absl_threads - absl_mutex_benchmark \
  --benchmark_filter="$THREADED" --benchmark_repetitions=$((REPS * 3))
# Iteration counts are fixed in these (each iteration is a whole scenario).
run cycle_report "$T:exitcode=0" cycle_benchmark
run cycle_quiet "$T:exitcode=0:report=off" cycle_benchmark
run trace_size - trace_size_benchmark
run hold_many - hold_many_benchmark
# Whole processes (the cases set their own LOCKSCOPE_OPTIONS): a suite of
# 200 tiny tests untracked and tracked, interleaved repetition by
# repetition; the first finding of 20 processes.
run process - process_benchmark
run check - check_benchmark
fi

# The interposer: bench/interpose_benchmark is a plain std::mutex program.
# The same binary without and with the preload, one process each,
# alternated repetition by repetition (RUN.rN.json), so drift hits both.
PRELOAD=${LOCKSCOPE_PRELOAD:-$BUILD_DIR/interpose/liblockscope_preload.so}
if [ -x "$BIN/interpose_benchmark" ]; then
  for rep in $(seq 1 "$REPS"); do
    RUN_ENV=()
    run "interpose_plain.r$rep" - interpose_benchmark \
      --benchmark_repetitions=1
    if [ -f "$PRELOAD" ]; then
      RUN_ENV=(LD_PRELOAD="$(realpath "$PRELOAD")")
      run "interpose_preload.r$rep" "$T" interpose_benchmark \
        --benchmark_repetitions=1
    fi
  done
  RUN_ENV=()
  if [ ! -f "$PRELOAD" ]; then
    echo "bench.sh: $PRELOAD not built; no interposed rows" >&2
  fi
  # Peer: the same source built with ThreadSanitizer, deadlock detection on.
  if command -v clang++ >/dev/null; then
    if [ "$BUILD" = 1 ] || [ ! -x "$BIN/interpose_tsan_benchmark" ]; then
      clang++ -std=c++17 -O2 -g -fsanitize=thread -I"$ROOT" \
        "$ROOT/bench/interpose_benchmark.cc" "$ROOT/bench/multi_threaded.cc" \
        -lbenchmark -lpthread -o "$BIN/interpose_tsan_benchmark"
    fi
    RUN_ENV=(TSAN_OPTIONS=detect_deadlocks=1 INTERPOSE_BENCH_NEW_DELETE=1000000)
    run interpose_tsan - interpose_tsan_benchmark
    RUN_ENV=()
  fi
  # Peer: helgrind, about a hundred times slower: short repetitions and
  # fewer new/delete iterations; the table compares time per operation.
  if command -v valgrind >/dev/null; then
    RUN_ENV=(INTERPOSE_BENCH_NEW_DELETE=20000)
    RUN_PREFIX=(valgrind --tool=helgrind --log-file="$OUT/helgrind.log")
    run interpose_helgrind - interpose_benchmark \
      --benchmark_repetitions=3 --benchmark_min_time=0.02
    RUN_ENV=()
    RUN_PREFIX=()
  fi
fi
# `lockscope run` of a program that does nothing (20 runs a repetition).
run interpose_startup - interpose_startup_benchmark

MACHINE="Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo |
  sed 's/.*: //'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;\
 $REPS repetitions of ${MIN_TIME}s, interleaved; $(date -u +%Y-%m-%d)."
tables=(interpose)
if [ "$ONLY_INTERPOSE" = 0 ]; then
  tables=(main interpose)
  { echo "$MACHINE"; echo; python3 "$ROOT/bench/ratio_table.py" "$OUT"; } \
    >"$OUT/table.md"
  cat "$OUT/table.md"
  echo
fi
{ echo "$MACHINE"; echo
  python3 "$ROOT/bench/ratio_table.py" "$OUT" --interpose; } \
  >"$OUT/interpose_table.md"
cat "$OUT/interpose_table.md"

# Each table goes between its markers: "bench.sh table" (the main one) and
# "bench.sh interpose table".
if [ "$UPDATE_DOC" = 1 ]; then
  for table in "${tables[@]}"; do
    if [ "$table" = main ]; then
      file="$OUT/table.md" marker="bench.sh table"
    else
      file="$OUT/interpose_table.md" marker="bench.sh interpose table"
    fi
    python3 - "$ROOT/docs/PERFORMANCE.md" "$file" "$marker" <<'EOF'
import sys
doc_path, table_path, marker = sys.argv[1], sys.argv[2], sys.argv[3]
begin, end = "<!-- %s begin -->" % marker, "<!-- %s end -->" % marker
doc = open(doc_path).read()
table = open(table_path).read().strip()
if begin not in doc or end not in doc:
    sys.exit("bench.sh: %s has no '%s' markers" % (doc_path, marker))
head, rest = doc.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc_path, "w").write(head + begin + "\n" + table + "\n" + end + tail)
EOF
  done
  echo "bench.sh: tables written to docs/PERFORMANCE.md" >&2
fi
