// `lockscope run` end to end: the real CLI runs plain programs
// (core_program.cc, mixed_program.cc) with the interposer preloaded.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Result {
  int status = -1;  // exit status of `lockscope run` (-1: it did not exit)
  std::string out;
  std::string err;
};

std::string TempFile(const std::string& tag) {
  std::string path = ::testing::TempDir() + "/lockscope-interpose-" + tag +
                     "-" + std::to_string(getpid()) + "-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd >= 0) close(fd);
  return path;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `lockscope ARGS...` with a minimal environment plus `env`; stdout and
// stderr go to files read back after it exits.
Result Lockscope(const std::vector<std::string>& args,
                 const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv_s = {LOCKSCOPE_CLI_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s = {"PATH=/usr/bin:/bin"};
  env_s.insert(env_s.end(), env.begin(), env.end());
  std::vector<char*> argv, envp;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string out = TempFile("out"), err = TempFile("err");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_TRUNC, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_TRUNC, 0);
  pid_t pid = 0;
  Result r;
  const int rc = posix_spawn(&pid, LOCKSCOPE_CLI_PATH, &actions, nullptr,
                             argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot run " << LOCKSCOPE_CLI_PATH;
  if (rc == 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) r.status = WEXITSTATUS(status);
  }
  r.out = Slurp(out);
  r.err = Slurp(err);
  unlink(out.c_str());
  unlink(err.c_str());
  return r;
}

// `lockscope run --options=trace=off... -- core_program MODE...`
Result RunCore(const std::vector<std::string>& mode,
               const std::string& options = "trace=off") {
  std::vector<std::string> args = {"run", "--options=" + options, "--",
                                   LOCKSCOPE_CORE_PROGRAM};
  args.insert(args.end(), mode.begin(), mode.end());
  return Lockscope(args);
}

TEST(InterposeRunTest, CycleOfTwoStdMutexesNamedByTheirVariables) {
  const Result r = RunCore({"abba"});
  EXPECT_EQ(r.status, 66) << r.err;
  EXPECT_THAT(r.err, HasSubstr("lock-order-cycle"));
  EXPECT_THAT(r.err, HasSubstr("accounts_mu => ledger_mu => accounts_mu"));
}

TEST(InterposeRunTest, CycleIsInTheTrace) {
  const std::string trace = TempFile("trace");
  const Result r = Lockscope({"run", "--trace=" + trace, "--options=report=off",
                              LOCKSCOPE_CORE_PROGRAM, "abba"});
  EXPECT_EQ(r.status, 66) << r.err;
  EXPECT_EQ(r.err, "");
  const Result check = Lockscope({"check", trace});
  EXPECT_EQ(check.status, 1) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("accounts_mu"));
  EXPECT_THAT(check.out, HasSubstr("ledger_mu"));
  unlink(trace.c_str());
}

TEST(InterposeRunTest, WrappersAndPlainMutexesShareOneRuntime) {
  const Result r = Lockscope(
      {"run", "--options=trace=off", LOCKSCOPE_MIXED_PROGRAM});
  EXPECT_EQ(r.status, 66) << r.err;
  EXPECT_THAT(r.err, HasSubstr("lock-order-cycle"));
  EXPECT_THAT(r.err, HasSubstr("wrapped_mu"));
  EXPECT_THAT(r.err, HasSubstr("plain_mu"));
}

TEST(InterposeRunTest, RealDeadlockEndsInActualDeadlockReport) {
  const Result r = RunCore({"deadlock"}, "trace=off:watchdog_ms=500");
  EXPECT_EQ(r.status, 128 + SIGABRT) << r.err;
  EXPECT_THAT(r.err, HasSubstr("actual-deadlock"));
  EXPECT_THAT(r.out, Not(HasSubstr("not reached")));
}

TEST(InterposeRunTest, TrylockFormsNoEdge) {
  const Result r = RunCore({"trylock"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("lockscope:")));
}

TEST(InterposeRunTest, RecursiveMutexRelocksWithoutFinding) {
  const Result r = RunCore({"recursive"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("lockscope:")));
}

TEST(InterposeRunTest, ConditionWaitMakesNoFalseFinding) {
  const Result r = RunCore({"condwait"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("lockscope:")));
}

TEST(InterposeRunTest, ExitStatusPassesThrough) {
  EXPECT_EQ(RunCore({"exit", "3"}).status, 3);
  EXPECT_EQ(RunCore({"exit", "0"}).status, 0);
}

TEST(InterposeRunTest, KilledBySignalIs128PlusSignal) {
  EXPECT_EQ(RunCore({"signal", std::to_string(SIGTERM)}).status,
            128 + SIGTERM);
}

// SIGTERM sent to `lockscope run` (by kill, as a supervisor would) reaches
// the program; the program's death by it is lockscope's 128+15.
TEST(InterposeRunTest, ForwardsSigtermToTheProgram) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  std::vector<std::string> args_s = {LOCKSCOPE_CLI_PATH, "run",
                                     "--options=trace=off",
                                     LOCKSCOPE_CORE_PROGRAM, "pause"};
  std::vector<std::string> env_s = {"PATH=/usr/bin:/bin"};
  std::vector<char*> argv, envp;
  for (std::string& a : args_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, out[1]);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, LOCKSCOPE_CLI_PATH, &actions, nullptr,
                        argv.data(), envp.data()),
            0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  // The program says it is running (and blocked in pause()).
  std::string line;
  char c = 0;
  while (read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  EXPECT_EQ(line, "ready");
  kill(pid, SIGTERM);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  close(out[0]);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
}

TEST(InterposeRunTest, OutputPassesThroughUntouched) {
  const Result r = RunCore({"echo", "hello"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "out:hello\n");
  EXPECT_EQ(r.err, "err:hello\n");
}

TEST(InterposeRunTest, MissingProgramIs127) {
  const Result r = Lockscope({"run", "/nonexistent/lockscope-no-such-program"});
  EXPECT_EQ(r.status, 127);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/lockscope-no-such-program"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(InterposeRunTest, NonExecutableProgramIs126) {
  const std::string path = TempFile("noexec");
  chmod(path.c_str(), 0644);
  const Result r = Lockscope({"run", path});
  EXPECT_EQ(r.status, 126);
  EXPECT_THAT(r.err, HasSubstr(path));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  unlink(path.c_str());
}

TEST(InterposeRunTest, StaticProgramIsRefused) {
#ifndef LOCKSCOPE_STATIC_PROGRAM
  GTEST_SKIP() << "no static C++ runtime (libc.a/libstdc++.a) to build a "
                  "statically linked program with";
#else
  const Result r = Lockscope({"run", LOCKSCOPE_STATIC_PROGRAM});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("statically linked"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
#endif
}

TEST(InterposeRunTest, BadOptionIsRefusedBeforeTheProgramStarts) {
  const std::string marker = TempFile("marker");
  unlink(marker.c_str());
  const Result r = Lockscope({"run", "--options=no_such_option=1",
                              LOCKSCOPE_CORE_PROGRAM, "marker", marker});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown option 'no_such_option'"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "the program ran";
  // The same program with good options does run.
  const Result ok = Lockscope({"run", "--options=trace=off",
                               LOCKSCOPE_CORE_PROGRAM, "marker", marker});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(access(marker.c_str(), F_OK), 0);
  unlink(marker.c_str());
}

TEST(InterposeRunTest, EnvironmentOptionsApplyAndOptionsWin) {
  // exitcode=7 from the environment, overridden by --options=exitcode=9.
  const Result env_only = Lockscope(
      {"run", LOCKSCOPE_CORE_PROGRAM, "abba"},
      {"LOCKSCOPE_OPTIONS=trace=off:report=off:exitcode=7"});
  EXPECT_EQ(env_only.status, 7) << env_only.err;
  const Result both = Lockscope(
      {"run", "--options=exitcode=9", LOCKSCOPE_CORE_PROGRAM, "abba"},
      {"LOCKSCOPE_OPTIONS=trace=off:report=off:exitcode=7"});
  EXPECT_EQ(both.status, 9) << both.err;
}

TEST(InterposeRunTest, NoProgramIsUsageError) {
  const Result r = Lockscope({"run"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("no PROGRAM"));
}

}  // namespace
