#include "tests/viewer/run_cli.h"

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <cerrno>

#include "gtest/gtest.h"
#include "tests/testing/child_process.h"

#ifndef LOCKSCOPE_CLI_PATH
#error "LOCKSCOPE_CLI_PATH must name the lockscope binary"
#endif

namespace lockscope::viewer::test_traces {
namespace {

// The child: the CLI with `args`, in a minimal environment plus `env`.
std::vector<std::string> Argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {LOCKSCOPE_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

testing::ChildOptions Options(const std::vector<std::string>& extra) {
  testing::ChildOptions options;
  options.clear_env = true;
  options.env = {"PATH=/usr/bin:/bin", "LOCKSCOPE_OPTIONS=trace=off"};
  options.env.insert(options.env.end(), extra.begin(), extra.end());
  return options;
}

CliResult ToCliResult(const testing::ChildResult& child) {
  EXPECT_EQ(child.error, "");
  CliResult result;
  result.exit_code = child.exit_code;
  result.out = child.out;
  result.err = child.err;
  return result;
}

}  // namespace

std::vector<std::string> CliResult::ErrLines() const {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    lines.push_back(err.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

CliResult RunCli(const std::vector<std::string>& args,
                 const std::vector<std::string>& env) {
  return ToCliResult(testing::RunChild(Argv(args), Options(env)));
}

CliResult RunCliOnTerminal(const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
  int master = -1, slave = -1;
  if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    ADD_FAILURE() << "openpty failed";
    return CliResult();
  }
  // Neither end leaks into the child beyond its stdout.
  fcntl(master, F_SETFD, FD_CLOEXEC);
  fcntl(slave, F_SETFD, FD_CLOEXEC);
  testing::ChildOptions options = Options(env);
  options.stdout_fd = slave;
  testing::ChildProcess child(Argv(args), options);
  close(slave);
  // Drain the terminal while the child runs (a full pty buffer would block
  // it); reading fails with EIO once the child has closed its side.
  std::string out;
  char buf[4096];
  while (child.started()) {
    const ssize_t n = read(master, buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (!(n < 0 && errno == EINTR)) {
      break;
    }
  }
  close(master);
  CliResult result = ToCliResult(child.Wait());
  result.out = out;
  return result;
}

}  // namespace lockscope::viewer::test_traces
