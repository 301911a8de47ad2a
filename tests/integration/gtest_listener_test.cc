// lockscope/gtest.h: runs gtest_listener_program (tracked and untracked) as a
// child process and checks which of its tests the listener failed.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using ChildRun = lockscope::testing::ChildResult;

// Runs `program --gtest_filter=filter` with LOCKSCOPE_OPTIONS=options;
// stdout and stderr interleaved in `out`.
ChildRun RunProgram(const char* program, const std::string& filter,
                    const std::string& options) {
  lockscope::testing::ChildOptions child;
  child.env = {"LOCKSCOPE_OPTIONS=" + options};
  child.merge_stderr = true;
  return lockscope::testing::RunChild({program, "--gtest_filter=" + filter},
                                      child);
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
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_THAT(run.out, HasSubstr("lockscope listener installed: yes"));
  EXPECT_THAT(run.out, HasSubstr("[       OK ] Listener.A_Clean"));
  EXPECT_THAT(run.out, HasSubstr("[  FAILED  ] Listener.B_Inversion ("));
  EXPECT_THAT(run.out,
              HasSubstr("[       OK ] Listener.C_CleanAfterInversion"));
  EXPECT_THAT(run.out, HasSubstr(" 1 FAILED TEST"));
  // The failure names the finding by its one-line form, once.
  EXPECT_THAT(run.out,
              HasSubstr("lockscope finding during this test: "
                        "lock-order-cycle "));
  EXPECT_EQ(CountOf(run.out, "lockscope finding"), 1u) << run.out;
  // ...inside B_Inversion's block of the output.
  const size_t failure = run.out.find("lockscope finding during this test");
  ASSERT_NE(failure, std::string::npos);
  EXPECT_LT(run.out.find("[ RUN      ] Listener.B_Inversion"), failure);
  EXPECT_GT(run.out.find("[  FAILED  ] Listener.B_Inversion ("), failure);
  const std::string line =
      run.out.substr(failure, run.out.find('\n', failure) - failure);
  EXPECT_THAT(line, HasSubstr("inverted_a"));
  EXPECT_THAT(line, HasSubstr("inverted_b"));
}

// The line of `needle` in `source` (1-based), 0 when absent.
int LineOf(const std::string& source, const std::string& needle) {
  const size_t at = source.find(needle);
  if (at == std::string::npos) return 0;
  return 1 + static_cast<int>(CountOf(source.substr(0, at), "\n"));
}

TEST(GoogleTestListenerTest, FailureIsLocatedAtTheTestNotAtTheHeader) {
  const std::string source =
      lockscope::testing::ReadFile(LOCKSCOPE_LISTENER_SOURCE);
  const int line = LineOf(source, "TEST(Listener, B_Inversion)");
  ASSERT_GT(line, 0) << LOCKSCOPE_LISTENER_SOURCE;
  const ChildRun run =
      RunProgram(LOCKSCOPE_LISTENER_TRACKED, "Listener.B_Inversion", kQuiet);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  // gtest prints "FILE:LINE: Failure"; an IDE jumps to FILE:LINE.
  EXPECT_THAT(run.out,
              HasSubstr("gtest_listener_program.cc:" + std::to_string(line) +
                        ": Failure\nlockscope finding during this test"))
      << run.out;
  EXPECT_THAT(run.out, Not(HasSubstr("lockscope/gtest.h:"))) << run.out;
}

TEST(GoogleTestListenerTest, CleanTestsPass) {
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_TRACKED,
                             "Listener.A_Clean:Listener.C_*", kQuiet);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("[  PASSED  ] 2 tests."));
}

TEST(GoogleTestListenerTest, GuardedCycleIsAFindingButDoesNotFail) {
  // report=stderr shows that the finding was made; the test still passes.
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_TRACKED, "Guarded.*",
                             "trace=off:report=stderr:exitcode=0");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("lock-order-cycle"));
  EXPECT_THAT(run.out, HasSubstr("[       OK ] Guarded.CycleUnderGate"));
  EXPECT_THAT(run.out, Not(HasSubstr("lockscope finding")));
}

TEST(GoogleTestListenerTest, SuppressedFindingDoesNotFail) {
  const std::string path = lockscope::testing::TempPath("listener.supp");
  ASSERT_TRUE(lockscope::testing::WriteFile(path, "cycle:inverted_\n"));
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_TRACKED, "Listener.*",
                             std::string(kQuiet) + ":suppressions=" + path);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("[  PASSED  ] 3 tests."));
}

TEST(GoogleTestListenerTest, FindingInSuiteSetUpFailsTheNextTestSayingSo) {
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_TRACKED, "SuiteSetUp.*",
                             kQuiet);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_THAT(run.out, HasSubstr("[  FAILED  ] SuiteSetUp.FirstTest ("));
  EXPECT_THAT(run.out,
              HasSubstr("lockscope finding made before this test started"));
  EXPECT_THAT(run.out, HasSubstr("suite_a"));
}

TEST(GoogleTestListenerTest, UntrackedBuildInstallsNothingAndPasses) {
  const ChildRun run = RunProgram(LOCKSCOPE_LISTENER_PLAIN, "*", kQuiet);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("lockscope listener installed: no"));
  EXPECT_THAT(run.out, HasSubstr("[  PASSED  ] 5 tests."));
}

}  // namespace
