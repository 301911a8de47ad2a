#!/usr/bin/env bash
# The test command: installs the Debian packages lockscope needs (if
# missing), builds everything with -Werror, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build} bash scripts/build.sh "$@"
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j"${JOBS:-2}" --timeout 300
