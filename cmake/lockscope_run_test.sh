#!/bin/sh
# lockscope_run_test.sh — the driver behind lockscope_add_test().
#
# Usage: lockscope_run_test.sh --cli LOCKSCOPE --trace-dir DIR
#            [--suppressions FILE] [--options OPTS] [--strict]
#            -- COMMAND [ARG...]
#
# Empties DIR, runs COMMAND with tracing into DIR/<name>.%p.lstrace (one
# trace per tracked process; <name> is DIR's last component), report=off and
# exitcode=0,
# then runs `LOCKSCOPE check` over those traces. Exits 0 only when the command
# exited 0 and the check passed; 1 otherwise; 2 on bad usage. A command that
# wrote no trace (it was built untracked or never created a lockscope
# object) checked nothing: it exits 77 (the test's SKIP_RETURN_CODE: ctest
# says "Skipped") when the command succeeded, 1 when it failed.
set -u

cli= dir= supp= opts= strict=
while [ $# -gt 0 ]; do
  case $1 in
    --cli) cli=$2; shift 2 ;;
    --trace-dir) dir=$2; shift 2 ;;
    --suppressions) supp=$2; shift 2 ;;
    --options) opts=$2; shift 2 ;;
    --strict) strict=1; shift ;;
    --) shift; break ;;
    *) echo "lockscope_run_test.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [ -z "$cli" ] || [ -z "$dir" ] || [ $# -eq 0 ]; then
  echo "lockscope_run_test.sh: need --cli, --trace-dir and -- COMMAND" >&2
  exit 2
fi
case $dir in
  *:*) echo "lockscope_run_test.sh: trace directory '$dir' contains ':'" >&2
       exit 2 ;;
esac
name=${dir##*/}
rm -rf "$dir" && mkdir -p "$dir" || exit 2

# report=off first: the check prints the same report, once; inherited keys
# and --options may turn it back on. trace and exitcode come last so they
# win. A suppressions path that LOCKSCOPE_OPTIONS cannot carry is left to the
# check alone.
runtime_supp=
case $supp in
  *:*) ;;
  ?*) runtime_supp="suppressions=$supp:" ;;
esac
LOCKSCOPE_OPTIONS="report=off:${LOCKSCOPE_OPTIONS:+$LOCKSCOPE_OPTIONS:}${opts:+$opts:}${runtime_supp}trace=$dir/$name.%p.lstrace:exitcode=0"
export LOCKSCOPE_OPTIONS

"$@"
status=$?

# The traces, in a stable order, become the positional parameters.
set --
old_ifs=$IFS
IFS='
'
for trace in $(find "$dir" -type f -name '*.lstrace' | LC_ALL=C sort); do
  set -- "$@" "$trace"
done
IFS=$old_ifs

check=0
if [ $# -eq 0 ]; then
  # Nothing was checked: not a pass. Exit 77, which lockscope_add_test sets
  # as the test's SKIP_RETURN_CODE, so ctest reports it as skipped (unless
  # the command itself failed: that fails the test as ever).
  echo "lockscope: $name wrote no trace (built without LOCKSCOPE_TRACK, or" \
       "no lockscope object was used); nothing to check, so the test is" \
       "skipped"
  if [ $status -ne 0 ]; then
    echo "lockscope_add_test: $name: the command exited with status $status"
    exit 1
  fi
  exit 77
else
  [ -n "$strict" ] && set -- --strict "$@"
  [ -n "$supp" ] && set -- "--suppressions=$supp" "$@"
  "$cli" check "$@"
  check=$?
fi

if [ $status -ne 0 ]; then
  echo "lockscope_add_test: $name: the command exited with status $status"
fi
case $check in
  0) ;;
  1) echo "lockscope_add_test: $name: lockscope check found failing findings" ;;
  *) echo "lockscope_add_test: $name: lockscope check could not judge the" \
          "traces (status $check)" ;;
esac
[ $status -eq 0 ] && [ $check -eq 0 ]
