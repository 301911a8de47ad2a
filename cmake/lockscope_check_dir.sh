#!/bin/sh
# lockscope_check_dir.sh — the driver behind lockscope_add_run_gate().
#
# Usage: lockscope_check_dir.sh --cli LOCKSCOPE --trace-dir DIR
#            [--suppressions FILE] [--strict] [--sarif FILE]
#        lockscope_check_dir.sh --reset --trace-dir DIR
#
# Runs `LOCKSCOPE check` once over every *.lstrace under DIR, so the traces
# of all tests form one lock graph, and exits with its status (0 clean,
# 1 failing findings, 2 unreadable input). --sarif also writes the verdict as
# SARIF to FILE. No traces at all is a pass, said out loud.
# --reset empties DIR (creating it) instead: the gate's set-up step.
set -u

cli= dir= supp= strict= sarif= reset=
while [ $# -gt 0 ]; do
  case $1 in
    --cli) cli=$2; shift 2 ;;
    --trace-dir) dir=$2; shift 2 ;;
    --suppressions) supp=$2; shift 2 ;;
    --strict) strict=1; shift ;;
    --sarif) sarif=$2; shift 2 ;;
    --reset) reset=1; shift ;;
    *) echo "lockscope_check_dir.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [ -n "$reset" ] && [ -n "$dir" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  exit
fi
if [ -z "$cli" ] || [ -z "$dir" ]; then
  echo "lockscope_check_dir.sh: need --cli and --trace-dir" >&2
  exit 2
fi

set --
if [ -d "$dir" ]; then
  old_ifs=$IFS
  IFS='
'
  for trace in $(find "$dir" -type f -name '*.lstrace' | LC_ALL=C sort); do
    set -- "$@" "$trace"
  done
  IFS=$old_ifs
fi
if [ $# -eq 0 ]; then
  echo "lockscope: no traces under $dir; nothing to check"
  exit 0
fi
if [ $# -eq 1 ]; then count="1 trace"; else count="$# traces"; fi
echo "lockscope: checking $count under $dir as one run"

[ -n "$strict" ] && set -- --strict "$@"
[ -n "$supp" ] && set -- "--suppressions=$supp" "$@"
"$cli" check "$@"
status=$?
if [ -n "$sarif" ] && [ $status -ne 2 ]; then
  mkdir -p "$(dirname "$sarif")"
  "$cli" check --format=sarif -o "$sarif" "$@" >/dev/null
  [ $? -eq 2 ] && status=2
  echo "lockscope: SARIF written to $sarif"
fi
exit $status
