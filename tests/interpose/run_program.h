// tests/interpose/run_program.h — runs a plain program through
// `lockscope run` (the built CLI) with its traces in a scratch directory,
// and reads back what the traces hold with `lockscope check --format=json`,
// `lockscope graph --format=json` and `lockscope summary`.
#ifndef LOCKSCOPE_TESTS_INTERPOSE_RUN_PROGRAM_H_
#define LOCKSCOPE_TESTS_INTERPOSE_RUN_PROGRAM_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace lockscope::interpose_test {

struct Outcome {
  int exit_code = -1;    // exit status, or -1 if killed by a signal
  int term_signal = 0;   // the signal that killed it, if one did
  bool timed_out = false;
  std::string out;
  std::string err;
  std::vector<std::string> traces;  // every *.lstrace the run left, sorted
};

struct Finding {
  std::string kind;
  bool failing = false;
  std::set<std::string> locks;  // lock names
  std::string summary;
};

// A scratch directory, removed with everything in it when destroyed.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs `lockscope run --options=trace=DIR/t.%p.lstrace[:OPTIONS] -- ARGV`
// with `input` on stdin, in an environment of PATH only, killing it after
// `timeout_s` seconds.
Outcome RunUnderLockscope(const ScratchDir& dir,
                          const std::vector<std::string>& argv,
                          const std::string& options = "",
                          const std::string& input = "",
                          int timeout_s = 15);

// Runs the CLI itself with `args` (same environment and timeout).
Outcome RunCli(const ScratchDir& dir, const std::vector<std::string>& args,
               int timeout_s = 15);

// The findings `lockscope check --format=json TRACE` lists. A check that
// does not run or prints no JSON is a test failure (and no findings).
std::vector<Finding> FindingsOf(const ScratchDir& dir,
                                const std::string& trace);

// The lock-order edges (from name, to name) of `lockscope graph
// --format=json TRACE`.
std::set<std::pair<std::string, std::string>> EdgesOf(
    const ScratchDir& dir, const std::string& trace);

// The number `lockscope summary TRACE` gives on its "LABEL:" line (e.g.
// "edges"), or -1.
long SummaryCount(const ScratchDir& dir, const std::string& trace,
                  const std::string& label);

// "ring[0]", ..., "ring[n-1]".
std::set<std::string> RingNames(int n);

}  // namespace lockscope::interpose_test

#endif  // LOCKSCOPE_TESTS_INTERPOSE_RUN_PROGRAM_H_
