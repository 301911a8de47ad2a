// `lockscope run` end to end: the real CLI runs plain programs
// (core_program.cc, mixed_program.cc) with the interposer preloaded.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/interpose/run_program.h"
#include "tests/testing/child_process.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace {

using ::lockscope::interpose_test::RunCli;
using ::lockscope::testing::ChildOptions;
using ::lockscope::testing::ChildProcess;
using ::lockscope::testing::ChildResult;
using ::lockscope::testing::ReadFile;
using ::lockscope::testing::TempPath;
using ::lockscope::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

// `lockscope run --options=trace=off... -- core_program MODE...`
ChildResult RunCore(const std::vector<std::string>& mode,
                    const std::string& options = "trace=off") {
  std::vector<std::string> args = {"run", "--options=" + options, "--",
                                   LOCKSCOPE_CORE_PROGRAM};
  args.insert(args.end(), mode.begin(), mode.end());
  return RunCli(args);
}

TEST(InterposeRunTest, CycleOfTwoStdMutexesNamedByTheirVariables) {
  const ChildResult r = RunCore({"abba"});
  EXPECT_EQ(r.exit_code, 66) << r.err;
  EXPECT_THAT(r.err, HasSubstr("lock-order-cycle"));
  EXPECT_THAT(r.err, HasSubstr("accounts_mu => ledger_mu => accounts_mu"));
}

TEST(InterposeRunTest, CycleIsInTheTrace) {
  const std::string trace = TempPath("trace.lstrace");
  const ChildResult r =
      RunCli({"run", "--trace=" + trace, "--options=report=off",
              LOCKSCOPE_CORE_PROGRAM, "abba"});
  EXPECT_EQ(r.exit_code, 66) << r.err;
  EXPECT_EQ(r.err, "");
  const ChildResult check = RunCli({"check", trace});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("accounts_mu"));
  EXPECT_THAT(check.out, HasSubstr("ledger_mu"));
}

TEST(InterposeRunTest, WrappersAndPlainMutexesShareOneRuntime) {
  const ChildResult r =
      RunCli({"run", "--options=trace=off", LOCKSCOPE_MIXED_PROGRAM});
  EXPECT_EQ(r.exit_code, 66) << r.err;
  EXPECT_THAT(r.err, HasSubstr("lock-order-cycle"));
  EXPECT_THAT(r.err, HasSubstr("wrapped_mu"));
  EXPECT_THAT(r.err, HasSubstr("plain_mu"));
}

TEST(InterposeRunTest, RealDeadlockEndsInActualDeadlockReport) {
  const ChildResult r = RunCore({"deadlock"}, "trace=off:watchdog_ms=500");
  EXPECT_EQ(r.exit_code, 128 + SIGABRT) << r.err;
  EXPECT_THAT(r.err, HasSubstr("actual-deadlock"));
  EXPECT_THAT(r.out, Not(HasSubstr("not reached")));
}

TEST(InterposeRunTest, TrylockFormsNoEdge) {
  const ChildResult r = RunCore({"trylock"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("lockscope:")));
}

TEST(InterposeRunTest, RecursiveMutexRelocksWithoutFinding) {
  const ChildResult r = RunCore({"recursive"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("lockscope:")));
}

TEST(InterposeRunTest, ConditionWaitMakesNoFalseFinding) {
  const ChildResult r = RunCore({"condwait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("lockscope:")));
}

TEST(InterposeRunTest, ExitStatusPassesThrough) {
  EXPECT_EQ(RunCore({"exit", "3"}).exit_code, 3);
  EXPECT_EQ(RunCore({"exit", "0"}).exit_code, 0);
}

TEST(InterposeRunTest, KilledBySignalIs128PlusSignal) {
  EXPECT_EQ(RunCore({"signal", std::to_string(SIGTERM)}).exit_code,
            128 + SIGTERM);
}

// SIGTERM sent to `lockscope run` (by kill, as a supervisor would) reaches
// the program; the program's death by it is lockscope's 128+15.
TEST(InterposeRunTest, ForwardsSigtermToTheProgram) {
  ChildOptions options;
  options.clear_env = true;
  options.env = {"PATH=/usr/bin:/bin"};
  options.timeout_seconds = 15;
  ChildProcess run({LOCKSCOPE_CLI_PATH, "run", "--options=trace=off",
                    LOCKSCOPE_CORE_PROGRAM, "pause"},
                   options);
  ASSERT_TRUE(run.started()) << run.error();
  // The program says it is running (and blocked in pause()).
  EXPECT_EQ(run.ReadLine(), "ready");
  kill(run.pid(), SIGTERM);
  const ChildResult r = run.Wait();
  EXPECT_FALSE(r.timed_out) << "the program did not get the SIGTERM";
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.err;
}

TEST(InterposeRunTest, OutputPassesThroughUntouched) {
  const ChildResult r = RunCore({"echo", "hello"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "out:hello\n");
  EXPECT_EQ(r.err, "err:hello\n");
}

TEST(InterposeRunTest, MissingProgramIs127) {
  const ChildResult r =
      RunCli({"run", "/nonexistent/lockscope-no-such-program"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/lockscope-no-such-program"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(InterposeRunTest, NonExecutableProgramIs126) {
  const std::string path = TempPath("noexec");
  ASSERT_TRUE(WriteFile(path, "#!/bin/sh\nexit 0\n"));
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  const ChildResult r = RunCli({"run", path});
  EXPECT_EQ(r.exit_code, 126);
  EXPECT_THAT(r.err, HasSubstr(path));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(InterposeRunTest, StaticProgramIsRefused) {
#ifndef LOCKSCOPE_STATIC_PROGRAM
  GTEST_SKIP() << "no static C++ runtime (libc.a/libstdc++.a) to build a "
                  "statically linked program with";
#else
  const ChildResult r = RunCli({"run", LOCKSCOPE_STATIC_PROGRAM});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("statically linked"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
#endif
}

TEST(InterposeRunTest, BadOptionIsRefusedBeforeTheProgramStarts) {
  const std::string marker = TempPath("marker");
  const ChildResult r = RunCli({"run", "--options=no_such_option=1",
                                LOCKSCOPE_CORE_PROGRAM, "marker", marker});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown option 'no_such_option'"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "the program ran";
  // The same program with good options does run.
  const ChildResult ok = RunCli(
      {"run", "--options=trace=off", LOCKSCOPE_CORE_PROGRAM, "marker", marker});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(access(marker.c_str(), F_OK), 0);
}

// An untracked program has no runtime to print help=1; `lockscope run
// --options=help=1` without a PROGRAM prints the runtime's list itself.
TEST(InterposeRunTest, HelpWithoutAProgramListsTheOptions) {
  const ChildResult r = RunCli({"run", "--options=help=1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("LOCKSCOPE_OPTIONS is a ':'-separated list"));
  EXPECT_THAT(r.out, HasSubstr("  stack_depth=N "));
  EXPECT_EQ(r.err, "");
  const ChildResult none = RunCli({"run"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("no PROGRAM given"));
}

TEST(InterposeRunTest, WrongSeparatorIsRefusedBeforeTheProgramStarts) {
  const ChildResult r = RunCli({"run", "--options=trace=off;report=off",
                                LOCKSCOPE_CORE_PROGRAM});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("write trace=off:report=off"));
}

// The dynamic loader ignores LD_PRELOAD for a setuid program: `lockscope
// run` says so in one line and does not start it.
TEST(InterposeRunTest, SetuidProgramIsRefusedBeforeItStarts) {
  const std::string program = TempPath("setuid_program");
  ASSERT_TRUE(WriteFile(program, ReadFile(LOCKSCOPE_CORE_PROGRAM)))
      << "cannot copy " << LOCKSCOPE_CORE_PROGRAM << " to " << program;
  struct stat st;
  if (chmod(program.c_str(), 04755) != 0 || stat(program.c_str(), &st) != 0 ||
      (st.st_mode & S_ISUID) == 0) {
    GTEST_SKIP() << "cannot set the setuid bit on " << program
                 << " (not root, or the file system drops it)";
  }
  const std::string marker = TempPath("marker");
  const ChildResult r =
      RunCli({"run", "--options=trace=off", program, "marker", marker});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(program + " is setuid"));
  EXPECT_THAT(r.err, HasSubstr("LD_PRELOAD"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "the program ran";
  // The same copy without the bit does run.
  ASSERT_EQ(chmod(program.c_str(), 0755), 0);
  const ChildResult ok =
      RunCli({"run", "--options=trace=off", program, "marker", marker});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(access(marker.c_str(), F_OK), 0);
}

TEST(InterposeRunTest, EnvironmentOptionsApplyAndOptionsWin) {
  // exitcode=7 from the environment, overridden by --options=exitcode=9.
  const ChildResult env_only =
      RunCli({"run", LOCKSCOPE_CORE_PROGRAM, "abba"},
             {"LOCKSCOPE_OPTIONS=trace=off:report=off:exitcode=7"});
  EXPECT_EQ(env_only.exit_code, 7) << env_only.err;
  const ChildResult both =
      RunCli({"run", "--options=exitcode=9", LOCKSCOPE_CORE_PROGRAM, "abba"},
             {"LOCKSCOPE_OPTIONS=trace=off:report=off:exitcode=7"});
  EXPECT_EQ(both.exit_code, 9) << both.err;
}

TEST(InterposeRunTest, NoProgramIsUsageError) {
  const ChildResult r = RunCli({"run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no PROGRAM"));
}

}  // namespace
