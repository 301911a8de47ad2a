// What a finding does to the traced process: the exit status (exitcode),
// halt_on_finding, suppressions (good and bad files) and bad options.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Outcome {
  int status = -1;  // exit status, or 128 + signal
  std::string err;  // stderr
};

Outcome RunTraced(const std::string& mode, const std::string& options) {
  const std::string err_path = ::testing::TempDir() + "/exit_status_err." +
                               std::to_string(getpid());
  const std::string cmd = "LOCKSCOPE_OPTIONS='" + options + "' " +
                          LOCKSCOPE_TRACED_PROGRAM + " " + mode +
                          " >/dev/null 2>" + err_path;
  const int raw = std::system(cmd.c_str());
  Outcome o;
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  std::ifstream in(err_path);
  std::stringstream ss;
  ss << in.rdbuf();
  o.err = ss.str();
  std::remove(err_path.c_str());
  return o;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name + "." +
                           std::to_string(getpid());
  std::ofstream(path) << text;
  return path;
}

TEST(ExitStatusTest, FindingMakesTheExitStatus66ByDefault) {
  const Outcome o = RunTraced("inversion", "trace=off");
  EXPECT_EQ(o.status, 66);
  EXPECT_THAT(o.err, HasSubstr("lockscope: lock-order-cycle (potential "
                               "deadlock)"));
  EXPECT_THAT(o.err, HasSubstr("SUMMARY: lockscope: lock-order-cycle"));
}

TEST(ExitStatusTest, TracedFindingIsReportedWhileTheProgramRuns) {
  // With a trace the report is printed by the collector thread, woken by
  // the finding: before the program goes on to print, even with a flush
  // period far longer than the run.
  const std::string trace = ::testing::TempDir() + "/exit_status_pause." +
                            std::to_string(getpid()) + ".lstrace";
  const Outcome o =
      RunTraced("inversion-pause", "trace=" + trace + ":flush_ms=60000");
  std::remove(trace.c_str());
  EXPECT_EQ(o.status, 66);
  const size_t report = o.err.find("lockscope: lock-order-cycle (potential");
  const size_t marker = o.err.find("traced_program: still running");
  ASSERT_NE(report, std::string::npos) << o.err;
  ASSERT_NE(marker, std::string::npos) << o.err;
  EXPECT_LT(report, marker) << o.err;
  EXPECT_THAT(o.err, HasSubstr("SUMMARY: lockscope: lock-order-cycle"));
}

TEST(ExitStatusTest, ExitcodeOptionSetsTheStatus) {
  EXPECT_EQ(RunTraced("inversion", "trace=off:exitcode=3").status, 3);
  EXPECT_EQ(RunTraced("inversion", "trace=off:exitcode=0").status, 0);
}

TEST(ExitStatusTest, CleanRunKeepsItsStatus) {
  EXPECT_EQ(RunTraced("counts 10", "trace=off").status, 0);
}

TEST(ExitStatusTest, ReportOffIsSilent) {
  const Outcome o = RunTraced("inversion", "trace=off:report=off");
  EXPECT_EQ(o.status, 66);
  EXPECT_THAT(o.err, Not(HasSubstr("lock-order-cycle")));
}

TEST(ExitStatusTest, HaltOnFindingAborts) {
  const Outcome o = RunTraced("inversion", "trace=off:halt_on_finding=1");
  EXPECT_EQ(o.status, 128 + SIGABRT);
  EXPECT_THAT(o.err, HasSubstr("lockscope: lock-order-cycle"));
}

TEST(ExitStatusTest, SuppressedFindingDoesNotFail) {
  const std::string supp =
      WriteFile("supp", "# the exit_ locks are known\ncycle:exit_a\n");
  const Outcome o = RunTraced("inversion", "trace=off:suppressions=" + supp);
  EXPECT_EQ(o.status, 0);
  EXPECT_THAT(o.err, Not(HasSubstr("lock-order-cycle")));
  std::remove(supp.c_str());
}

TEST(ExitStatusTest, SuppressionForOtherLocksDoesNotHide) {
  const std::string supp = WriteFile("supp_other", "cycle:unrelated_lock\n");
  EXPECT_EQ(RunTraced("inversion", "trace=off:suppressions=" + supp).status, 66);
  std::remove(supp.c_str());
}

TEST(ExitStatusTest, BadSuppressionsFileIsOneClearLine) {
  const std::string supp = WriteFile("supp_bad", "cycel:exit_a\n");
  const Outcome o = RunTraced("inversion", "trace=off:suppressions=" + supp);
  EXPECT_EQ(o.status, 66);  // nothing suppressed
  EXPECT_THAT(o.err, HasSubstr(supp + ":1: unknown rule type 'cycel'"));
  EXPECT_THAT(o.err, HasSubstr("no suppressions in force"));
  std::remove(supp.c_str());
  const Outcome missing =
      RunTraced("inversion", "trace=off:suppressions=/nonexistent/supp.txt");
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/supp.txt"));
}

TEST(ExitStatusTest, BadOptionsAreReportedAndIgnored) {
  const Outcome o = RunTraced("counts 10", "trace=off:bogus=1:events=sometimes");
  EXPECT_EQ(o.status, 0);
  EXPECT_THAT(o.err, HasSubstr("lockscope: LOCKSCOPE_OPTIONS: unknown option "
                               "'bogus' (try help=1)"));
  EXPECT_THAT(o.err, HasSubstr("bad value 'sometimes' for events"));
}

TEST(ExitStatusTest, HelpListsTheOptions) {
  const Outcome o = RunTraced("counts 1", "trace=off:help=1");
  EXPECT_EQ(o.status, 0);
  EXPECT_THAT(o.err, HasSubstr("watchdog_ms=N"));
}

TEST(ExitStatusTest, UnwritableTracePathIsOneLineAndTheProgramRuns) {
  const Outcome o = RunTraced("inversion", "trace=/nonexistent-dir/x.lstrace");
  EXPECT_EQ(o.status, 66);
  EXPECT_THAT(o.err, HasSubstr("continuing without a trace"));
  EXPECT_THAT(o.err, HasSubstr("/nonexistent-dir/x.lstrace"));
}

}  // namespace
