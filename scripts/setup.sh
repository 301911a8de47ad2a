#!/usr/bin/env bash
# Installs every Debian 12 package lockscope needs to build, test and run.
# Idempotent: skips apt entirely when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  clang libclang-rt-14-dev
  libabsl-dev
  libunwind-dev
  libdw-dev libelf-dev
  libprotobuf-dev protobuf-compiler
  libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # `lockscope report` lays its graph out with dot; the report's browser
  # test (tests/viewer/report_browser_test.cc) opens pages in headless
  # Chromium and fails without it.
  graphviz
  chromium
  valgrind
  python3
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
