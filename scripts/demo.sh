#!/usr/bin/env bash
# The demo: installs what is missing, builds, runs examples/demo/demo.cc with
# tracking (a real lock-order inversion and a cross-thread borrow), shows
# what lockscope found in the trace and writes its HTML report; then runs a
# plain std::mutex program (examples/run_demo/, no lockscope in it)
# unchanged through `lockscope run` and shows the inversion found there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
BUILD_DIR="$BUILD_DIR" bash scripts/build.sh
trace="$BUILD_DIR/demo.lstrace"
rm -f "$trace"
echo "== running the demo (tracked); live reports follow on stderr"
status=0
LOCKSCOPE_OPTIONS="trace=$trace" "$BUILD_DIR/examples/lockscope_demo" || status=$?
echo "== demo exited with status $status (66 = lockscope found problems)"
cli="$BUILD_DIR/viewer/lockscope"
echo; echo "== lockscope summary $trace"; "$cli" summary "$trace"
echo; echo "== lockscope cycles $trace"; "$cli" cycles "$trace"
echo; echo "== lockscope borrows $trace"; "$cli" borrows "$trace"
echo; echo "== lockscope check $trace"
check=0
"$cli" check "$trace" || check=$?
echo "== check exited with $check (1 = unsuppressed findings: a CI build fails)"
echo; echo "== lockscope report -o $BUILD_DIR/demo.html $trace"
"$cli" report -o "$BUILD_DIR/demo.html" "$trace"
echo "== one self-contained page (verdict, findings, graph, contention): open $BUILD_DIR/demo.html"

# No code changes: the same kind of inversion in a plain std::mutex program
# (examples/run_demo/run_demo.cc, no lockscope include), run unchanged
# through `lockscope run`.
run_trace="$BUILD_DIR/run_demo.lstrace"
rm -f "$run_trace"
echo; echo "== lockscope run --trace=$run_trace -- $BUILD_DIR/examples/lockscope_run_demo"
status=0
"$cli" run --trace="$run_trace" -- "$BUILD_DIR/examples/lockscope_run_demo" || status=$?
echo "== it exited with status $status (66 = lockscope found problems)"
echo; echo "== lockscope cycles $run_trace"; "$cli" cycles "$run_trace"
