// tests/interpose/run_program.h — runs a plain program through
// `lockscope run` (the built CLI) with its traces in a directory of its
// own, and reads back what the traces hold with `lockscope check
// --format=json`, `lockscope graph --format=json` and `lockscope summary`.
// Children are started with tests/testing/child_process.h.
#ifndef LOCKSCOPE_TESTS_INTERPOSE_RUN_PROGRAM_H_
#define LOCKSCOPE_TESTS_INTERPOSE_RUN_PROGRAM_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/testing/child_process.h"

namespace lockscope::interpose_test {

// How a run ended, and every *.lstrace its directory holds after it,
// sorted.
struct Outcome : ::lockscope::testing::ChildResult {
  std::vector<std::string> traces;
};

struct Finding {
  std::string kind;
  bool failing = false;
  std::set<std::string> locks;  // lock names
  std::string summary;
};

// A new, empty directory in the test's TempDir() (removed with it).
std::string MakeRunDir();

// Runs `lockscope run --options=trace=DIR/t.%p.lstrace[:OPTIONS] -- ARGV`
// with `input` on stdin, in an environment of PATH only, killing it after
// `timeout_s` seconds.
Outcome RunUnderLockscope(const std::string& dir,
                          const std::vector<std::string>& argv,
                          const std::string& options = "",
                          const std::string& input = "", int timeout_s = 15);

// Runs the CLI itself with `args`, in an environment of PATH and `env`
// ("NAME=value" entries), killing it after `timeout_s` seconds. A CLI that
// cannot be started or times out is a test failure.
::lockscope::testing::ChildResult RunCli(
    const std::vector<std::string>& args,
    const std::vector<std::string>& env = {}, int timeout_s = 15);

// The findings `lockscope check --format=json TRACE` lists. A check that
// does not run or prints no JSON is a test failure (and no findings).
std::vector<Finding> FindingsOf(const std::string& trace);

// The lock-order edges (from name, to name) of `lockscope graph
// --format=json TRACE`.
std::set<std::pair<std::string, std::string>> EdgesOf(const std::string& trace);

// The number `lockscope summary TRACE` gives on its "LABEL:" line (e.g.
// "edges"), or -1.
long SummaryCount(const std::string& trace, const std::string& label);

// "ring[0]", ..., "ring[n-1]".
std::set<std::string> RingNames(int n);

}  // namespace lockscope::interpose_test

#endif  // LOCKSCOPE_TESTS_INTERPOSE_RUN_PROGRAM_H_
