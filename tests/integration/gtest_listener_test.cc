// lockscope/gtest.h: runs gtest_listener_program (tracked and untracked) as a
// child process and checks which of its tests the listener failed.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct ChildRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs `program --gtest_filter=filter` with LOCKSCOPE_OPTIONS=options.
ChildRun RunProgram(const char* program, const std::string& filter,
               const std::string& options) {
  setenv("LOCKSCOPE_OPTIONS", options.c_str(), 1);
  const std::string command = std::string("'") + program +
                              "' '--gtest_filter=" + filter + "' 2>&1";
  ChildRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.output.append(buf, n);
  const int status = pclose(pipe);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

constexpr char kQuiet[] = "trace=off:report=off:exitcode=0";

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

TEST(GoogleTestListenerTest, FailsOnlyTheTestDuringWhichTheFindingAppeared) {
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_TRACKED, "Listener.*", kQuiet);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("lockscope listener installed: yes"));
  EXPECT_THAT(run.output, HasSubstr("[       OK ] Listener.A_Clean"));
  EXPECT_THAT(run.output, HasSubstr("[  FAILED  ] Listener.B_Inversion ("));
  EXPECT_THAT(run.output,
              HasSubstr("[       OK ] Listener.C_CleanAfterInversion"));
  EXPECT_THAT(run.output, HasSubstr(" 1 FAILED TEST"));
  // The failure names the finding by its one-line form, once.
  EXPECT_THAT(run.output,
              HasSubstr("lockscope finding during this test: "
                        "lock-order-cycle "));
  EXPECT_EQ(CountOf(run.output, "lockscope finding"), 1u) << run.output;
  // ...inside B_Inversion's block of the output.
  const size_t failure = run.output.find("lockscope finding during this test");
  ASSERT_NE(failure, std::string::npos);
  EXPECT_LT(run.output.find("[ RUN      ] Listener.B_Inversion"), failure);
  EXPECT_GT(run.output.find("[  FAILED  ] Listener.B_Inversion ("), failure);
  const std::string line =
      run.output.substr(failure, run.output.find('\n', failure) - failure);
  EXPECT_THAT(line, HasSubstr("inverted_a"));
  EXPECT_THAT(line, HasSubstr("inverted_b"));
}

TEST(GoogleTestListenerTest, CleanTestsPass) {
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_TRACKED,
                             "Listener.A_Clean:Listener.C_*", kQuiet);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("[  PASSED  ] 2 tests."));
}

TEST(GoogleTestListenerTest, GuardedCycleIsAFindingButDoesNotFail) {
  // report=stderr shows that the finding was made; the test still passes.
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_TRACKED, "Guarded.*",
                             "trace=off:report=stderr:exitcode=0");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("lock-order-cycle"));
  EXPECT_THAT(run.output, HasSubstr("[       OK ] Guarded.CycleUnderGate"));
  EXPECT_THAT(run.output, Not(HasSubstr("lockscope finding")));
}

TEST(GoogleTestListenerTest, SuppressedFindingDoesNotFail) {
  char path[] = "/tmp/lockscope_listener_supp_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "cycle:inverted_\n";
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_TRACKED, "Listener.*",
                             std::string(kQuiet) + ":suppressions=" + path);
  unlink(path);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("[  PASSED  ] 3 tests."));
}

TEST(GoogleTestListenerTest, FindingInSuiteSetUpFailsTheNextTestSayingSo) {
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_TRACKED, "SuiteSetUp.*",
                             kQuiet);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("[  FAILED  ] SuiteSetUp.FirstTest ("));
  EXPECT_THAT(run.output,
              HasSubstr("lockscope finding made before this test started"));
  EXPECT_THAT(run.output, HasSubstr("suite_a"));
}

TEST(GoogleTestListenerTest, UntrackedBuildInstallsNothingAndPasses) {
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_PLAIN, "*", kQuiet);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("lockscope listener installed: no"));
  EXPECT_THAT(run.output, HasSubstr("[  PASSED  ] 5 tests."));
}

}  // namespace
