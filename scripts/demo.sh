#!/usr/bin/env bash
# The demo: installs what is missing, builds, runs examples/demo/demo.cc with
# tracking (a real lock-order inversion and a cross-thread borrow), and shows
# what lockscope found in the trace.
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
if command -v dot >/dev/null; then
  "$cli" graph "$trace" --format=dot | dot -Tsvg -o "$BUILD_DIR/demo-graph.svg"
  echo "== lock-order graph rendered to $BUILD_DIR/demo-graph.svg"
fi
