// tests/viewer/run_cli.h — runs the built `lockscope` binary and captures
// its exit status, stdout and stderr.
#ifndef LOCKSCOPE_TESTS_VIEWER_RUN_CLI_H_
#define LOCKSCOPE_TESTS_VIEWER_RUN_CLI_H_

#include <string>
#include <vector>

namespace lockscope::viewer::test_traces {

struct CliResult {
  // Exit status, or -1 if the process did not exit normally (a crash).
  int exit_code = -1;
  std::string out;
  std::string err;
  // Lines of `err` (without their newlines).
  std::vector<std::string> ErrLines() const;
};

// Runs LOCKSCOPE_CLI_PATH with `args`. `env` entries ("NAME=value") are
// added to a minimal environment; NO_COLOR is not set unless given.
CliResult RunCli(const std::vector<std::string>& args,
                 const std::vector<std::string>& env = {});

// Runs the binary with its stdout on a pseudo-terminal (stderr to a file),
// to test colour decisions made with isatty().
CliResult RunCliOnTerminal(const std::vector<std::string>& args,
                           const std::vector<std::string>& env = {});

}  // namespace lockscope::viewer::test_traces

#endif  // LOCKSCOPE_TESTS_VIEWER_RUN_CLI_H_
