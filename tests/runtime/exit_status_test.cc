// What a finding does to the traced process: the exit status (exitcode),
// halt_on_finding, suppressions (good and bad files) and bad options.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace {

using ::lockscope::testing::ChildOptions;
using ::lockscope::testing::ChildProcess;
using ::lockscope::testing::ChildResult;
using ::lockscope::testing::RunChild;
using ::lockscope::testing::TempPath;
using ::testing::HasSubstr;
using ::testing::Not;

// Runs traced_program with `args` and LOCKSCOPE_OPTIONS=`options`; stdout
// is discarded.
ChildResult RunTraced(const std::vector<std::string>& args,
                      const std::string& options) {
  std::vector<std::string> argv = {LOCKSCOPE_TRACED_PROGRAM};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildOptions child;
  child.env = {"LOCKSCOPE_OPTIONS=" + options};
  child.discard_stdout = true;
  return RunChild(argv, child);
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = TempPath(name);
  EXPECT_TRUE(lockscope::testing::WriteFile(path, text)) << path;
  return path;
}

TEST(ExitStatusTest, FindingMakesTheExitStatus66ByDefault) {
  const ChildResult o = RunTraced({"inversion"}, "trace=off");
  EXPECT_EQ(o.status(), 66);
  EXPECT_THAT(o.err, HasSubstr("lockscope: lock-order-cycle (potential "
                               "deadlock)"));
  EXPECT_THAT(o.err, HasSubstr("SUMMARY: lockscope: lock-order-cycle"));
}

TEST(ExitStatusTest, TracedFindingIsReportedWhileTheProgramRuns) {
  // With a trace the report is printed by the collector thread, woken by
  // the finding: before the program goes on to print, even with a flush
  // period far longer than the run.
  // The child makes the finding, then waits for EOF on stdin before it
  // prints its marker and exits: the report must reach the stderr pipe while
  // the child waits. The parent closes stdin once it has read the report
  // (or after a minute, when the test has failed anyway); a report that
  // only comes at exit lands after the marker.
  const std::string trace = TempPath("exit_status_pause.lstrace");
  ChildOptions options;
  options.env = {"LOCKSCOPE_OPTIONS=trace=" + trace + ":flush_ms=60000"};
  options.stdin_pipe = true;
  options.discard_stdout = true;
  ChildProcess child({LOCKSCOPE_TRACED_PROGRAM, "inversion-pause"}, options);
  ASSERT_TRUE(child.started()) << child.error();
  EXPECT_TRUE(child.ReadUntil("SUMMARY: lockscope: lock-order-cycle",
                              /*from_stderr=*/true))
      << "no report while the program runs:\n"
      << child.err();
  const ChildResult o = child.Wait();
  EXPECT_EQ(o.status(), 66);
  const size_t report = o.err.find("lockscope: lock-order-cycle (potential");
  const size_t marker = o.err.find("traced_program: still running");
  ASSERT_NE(report, std::string::npos) << o.err;
  ASSERT_NE(marker, std::string::npos) << o.err;
  EXPECT_LT(report, marker) << o.err;
  EXPECT_THAT(o.err, HasSubstr("SUMMARY: lockscope: lock-order-cycle"));
}

TEST(ExitStatusTest, ExitcodeOptionSetsTheStatus) {
  EXPECT_EQ(RunTraced({"inversion"}, "trace=off:exitcode=3").status(), 3);
  EXPECT_EQ(RunTraced({"inversion"}, "trace=off:exitcode=0").status(), 0);
}

TEST(ExitStatusTest, CleanRunKeepsItsStatus) {
  EXPECT_EQ(RunTraced({"counts", "10"}, "trace=off").status(), 0);
}

TEST(ExitStatusTest, ReportOffIsSilent) {
  const ChildResult o = RunTraced({"inversion"}, "trace=off:report=off");
  EXPECT_EQ(o.status(), 66);
  EXPECT_THAT(o.err, Not(HasSubstr("lock-order-cycle")));
}

TEST(ExitStatusTest, HaltOnFindingAborts) {
  const ChildResult o = RunTraced({"inversion"}, "trace=off:halt_on_finding=1");
  EXPECT_EQ(o.status(), 128 + SIGABRT);
  EXPECT_THAT(o.err, HasSubstr("lockscope: lock-order-cycle"));
}

TEST(ExitStatusTest, SuppressedFindingDoesNotFail) {
  const std::string supp =
      WriteFile("supp", "# the exit_ locks are known\ncycle:exit_a\n");
  const ChildResult o =
      RunTraced({"inversion"}, "trace=off:suppressions=" + supp);
  EXPECT_EQ(o.status(), 0);
  EXPECT_THAT(o.err, Not(HasSubstr("lock-order-cycle")));
}

TEST(ExitStatusTest, SuppressionForOtherLocksDoesNotHide) {
  const std::string supp = WriteFile("supp_other", "cycle:unrelated_lock\n");
  EXPECT_EQ(RunTraced({"inversion"},
                      "trace=off:suppressions=" + supp).status(), 66);
}

TEST(ExitStatusTest, BadSuppressionsFileIsOneClearLine) {
  const std::string supp = WriteFile("supp_bad", "cycel:exit_a\n");
  const ChildResult o =
      RunTraced({"inversion"}, "trace=off:suppressions=" + supp);
  EXPECT_EQ(o.status(), 66);  // nothing suppressed
  EXPECT_THAT(o.err, HasSubstr(supp + ":1: unknown rule type 'cycel'"));
  EXPECT_THAT(o.err, HasSubstr("no suppressions in force"));
  const ChildResult missing =
      RunTraced({"inversion"}, "trace=off:suppressions=/nonexistent/supp.txt");
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/supp.txt"));
}

// Like a sanitizer given bad flags, a tracked program refuses to run with
// settings other than the ones asked for: every problem one line, the last
// one saying so, exit status 2, and no trace written.
TEST(ExitStatusTest, BadOptionsRefuseToRun) {
  const std::string trace = TempPath("bad_options.lstrace");
  const ChildResult o = RunTraced(
      {"counts", "10"}, "trace=" + trace + ":bogus=1:events=sometimes");
  EXPECT_EQ(o.status(), 2) << o.err;
  EXPECT_EQ(o.err,
            "lockscope: LOCKSCOPE_OPTIONS: unknown option 'bogus' (try "
            "help=1)\n"
            "lockscope: LOCKSCOPE_OPTIONS: bad value 'sometimes' for events "
            "(expected contended, all or none); exiting with status 2\n");
  EXPECT_NE(access(trace.c_str(), F_OK), 0) << "a trace was written";
}

TEST(ExitStatusTest, OutOfRangeValueIsOneLineAndRefused) {
  const ChildResult o = RunTraced({"counts", "1"}, "stack_depth=0:trace=off");
  EXPECT_EQ(o.status(), 2);
  EXPECT_EQ(o.err,
            "lockscope: LOCKSCOPE_OPTIONS: bad value '0' for stack_depth "
            "(expected an integer 1..256); exiting with status 2\n");
}

TEST(ExitStatusTest, WrongSeparatorIsRefusedNotTakenAsAFileName) {
  const ChildResult o = RunTraced({"counts", "1"}, "trace=off;report=off");
  EXPECT_EQ(o.status(), 2);
  EXPECT_THAT(o.err, HasSubstr("write trace=off:report=off"));
}

TEST(ExitStatusTest, HelpListsTheOptions) {
  const ChildResult o = RunTraced({"counts", "1"}, "trace=off:help=1");
  EXPECT_EQ(o.status(), 0);
  EXPECT_THAT(o.err, HasSubstr("watchdog_ms=N"));
}

TEST(ExitStatusTest, UnwritableTracePathIsOneLineAndTheProgramRuns) {
  const ChildResult o =
      RunTraced({"inversion"}, "trace=/nonexistent-dir/x.lstrace");
  EXPECT_EQ(o.status(), 66);
  EXPECT_THAT(o.err, HasSubstr("continuing without a trace"));
  EXPECT_THAT(o.err, HasSubstr("/nonexistent-dir/x.lstrace"));
}

}  // namespace
