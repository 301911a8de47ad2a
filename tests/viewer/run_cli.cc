#include "tests/viewer/run_cli.h"

#include <fcntl.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "gtest/gtest.h"
#include "tests/viewer/test_traces.h"

#ifndef LOCKSCOPE_CLI_PATH
#error "LOCKSCOPE_CLI_PATH must name the lockscope binary"
#endif

namespace lockscope::viewer::test_traces {
namespace {

struct Argv {
  std::vector<std::string> storage;
  std::vector<char*> pointers;
  explicit Argv(std::vector<std::string> items) : storage(std::move(items)) {
    for (std::string& item : storage) pointers.push_back(item.data());
    pointers.push_back(nullptr);
  }
  char** get() { return pointers.data(); }
};

Argv MakeEnv(const std::vector<std::string>& extra) {
  std::vector<std::string> env = {"PATH=/usr/bin:/bin",
                                  "LOCKSCOPE_OPTIONS=trace=off"};
  env.insert(env.end(), extra.begin(), extra.end());
  return Argv(env);
}

int WaitFor(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
  const std::string out_path = TempPath("stdout.txt");
  const std::string err_path = TempPath("stderr.txt");
  std::vector<std::string> all = {LOCKSCOPE_CLI_PATH};
  all.insert(all.end(), args.begin(), args.end());
  Argv argv(all);
  Argv envp = MakeEnv(env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  CliResult result;
  const int rc = posix_spawn(&pid, LOCKSCOPE_CLI_PATH, &actions, nullptr,
                             argv.get(), envp.get());
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot run " << LOCKSCOPE_CLI_PATH;
  if (rc != 0) return result;
  result.exit_code = WaitFor(pid);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  return result;
}

CliResult RunCliOnTerminal(const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
  CliResult result;
  int master = -1, slave = -1;
  if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    ADD_FAILURE() << "openpty failed";
    return result;
  }
  const std::string err_path = TempPath("stderr.txt");
  std::vector<std::string> all = {LOCKSCOPE_CLI_PATH};
  all.insert(all.end(), args.begin(), args.end());
  Argv argv(all);
  Argv envp = MakeEnv(env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, slave, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addclose(&actions, master);
  posix_spawn_file_actions_addclose(&actions, slave);
  pid_t pid;
  const int rc = posix_spawn(&pid, LOCKSCOPE_CLI_PATH, &actions, nullptr,
                             argv.get(), envp.get());
  posix_spawn_file_actions_destroy(&actions);
  close(slave);
  if (rc != 0) {
    close(master);
    ADD_FAILURE() << "cannot run " << LOCKSCOPE_CLI_PATH;
    return result;
  }
  // Drain the terminal while the child runs (a full pty buffer would block
  // it); reading fails with EIO once the child has closed its side.
  char buf[4096];
  while (true) {
    const ssize_t n = read(master, buf, sizeof(buf));
    if (n > 0) {
      result.out.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  close(master);
  result.exit_code = WaitFor(pid);
  result.err = ReadFile(err_path);
  unlink(err_path.c_str());
  return result;
}

}  // namespace lockscope::viewer::test_traces
