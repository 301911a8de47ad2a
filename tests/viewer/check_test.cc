// `lockscope check`: exit codes under each policy, and the text report.
#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using collector::FindingKind;
using ::testing::HasSubstr;

std::string Single(FindingKind kind, bool suppressed = false,
                   bool guarded = false) {
  const std::string path = TempPath("single.lstrace");
  WriteSingleFindingTrace(path, kind, suppressed, guarded);
  return path;
}

int Exit(const std::vector<std::string>& args) {
  return RunCli(args).exit_code;
}

TEST(CheckTest, ExitCodes) {
  const std::string clean = TempPath("clean.lstrace");
  WriteCleanTrace(clean);
  EXPECT_EQ(Exit({"check", clean}), 0);
  EXPECT_EQ(Exit({"check", BankTrace()}), 1);
  EXPECT_EQ(Exit({"check", Single(FindingKind::kLockOrderCycle)}), 1);
  EXPECT_EQ(Exit({"check", Single(FindingKind::kRecursiveLock)}), 1);
  EXPECT_EQ(Exit({"check", clean, Single(FindingKind::kBorrowConflict)}), 1);
}

TEST(CheckTest, SuppressedInTheProcessPasses) {
  EXPECT_EQ(Exit({"check", Single(FindingKind::kLockOrderCycle, true)}), 0);
  EXPECT_EQ(
      Exit({"check", "--strict", Single(FindingKind::kLockOrderCycle, true)}),
      0);
}

TEST(CheckTest, GuardedAndWarningsFailOnlyWithStrict) {
  const std::string guarded =
      Single(FindingKind::kLockOrderCycle, false, /*guarded=*/true);
  EXPECT_EQ(Exit({"check", guarded}), 0);
  EXPECT_EQ(Exit({"check", "--strict", guarded}), 1);
  const std::string warning = Single(FindingKind::kLockClassCycle);
  EXPECT_EQ(Exit({"check", warning}), 0);
  EXPECT_EQ(Exit({"check", "--strict", warning}), 1);
}

TEST(CheckTest, FailOnRestrictsKinds) {
  const std::string cycle = Single(FindingKind::kLockOrderCycle);
  EXPECT_EQ(Exit({"check", "--fail-on=cross-thread-borrow", cycle}), 0);
  EXPECT_EQ(Exit({"check", "--fail-on=cross-thread-borrow,lock-order-cycle",
                  cycle}),
            1);
  EXPECT_EQ(Exit({"check", "--fail-on", "lock-order-cycle", cycle}), 1);
  ExpectOneLineError(RunCli({"check", "--fail-on=deadlocks", cycle}),
                     "unknown finding kind 'deadlocks'");
}

TEST(CheckTest, SuppressionFile) {
  const std::string cycle = Single(FindingKind::kLockOrderCycle);
  const std::string rules = TempPath("lockscope.supp");
  WriteFile(rules, "# known inversion\ncycle:Offender\n");
  const CliResult result = RunCli({"check", "--suppressions", rules, cycle});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("suppressed"));
  EXPECT_THAT(result.out, HasSubstr("cycle:Offender"));

  const std::string other = TempPath("other.supp");
  WriteFile(other, "borrow:Offender\n");
  EXPECT_EQ(Exit({"check", "--suppressions=" + other, cycle}), 1);

  const std::string bad = TempPath("bad.supp");
  WriteFile(bad, "cycel:x\n");
  ExpectOneLineError(RunCli({"check", "--suppressions=" + bad, cycle}),
                     "bad.supp");
  ExpectOneLineError(
      RunCli({"check", "--suppressions=" + TempPath("none.supp"), cycle}),
      "none.supp");
}

TEST(CheckTest, TextReportListsEveryFindingAndReportsFailures) {
  const CliResult result = RunCli({"check", BankTrace()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "");
  const std::string& out = result.out;
  // Full reports of failing findings, then the list.
  EXPECT_THAT(out, HasSubstr("SUMMARY: lockscope: lock-order-cycle accounts "
                             "=> ledger => accounts"));
  EXPECT_THAT(out, HasSubstr("FAIL       lock-order-cycle accounts => ledger "
                             "=> accounts"));
  EXPECT_THAT(out, HasSubstr("guarded    lock-order-cycle alpha => beta"));
  EXPECT_THAT(out, HasSubstr("warning    lock-class-cycle"));
  EXPECT_THAT(out, HasSubstr("FAIL       cross-thread-borrow app"));
  EXPECT_THAT(out, HasSubstr("lockscope check: FAILED: 3 failing"));
  // A guarded cycle's full report is not printed (it does not fail).
  EXPECT_EQ(out.find("SUMMARY: lockscope: lock-order-cycle alpha"),
            std::string::npos);
}

TEST(CheckTest, CrossProcessInversionFailsWhenBothHalvesAreGiven) {
  const std::string a = TempPath("a.lstrace");
  const std::string b = TempPath("b.lstrace");
  WriteHalfInversion(a, 11, true);
  WriteHalfInversion(b, 22, false);
  EXPECT_EQ(Exit({"check", a}), 0);
  EXPECT_EQ(Exit({"check", b}), 0);
  const CliResult both = RunCli({"check", a, b});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.out, HasSubstr("left => right => left"));
  EXPECT_THAT(both.out, HasSubstr("in " + a + ", " + b));
}

TEST(CheckTest, OutputFile) {
  const std::string out = TempPath("report.json");
  const CliResult result =
      RunCli({"check", "--format=json", "-o", out, BankTrace()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(MustParse(ReadFile(out)), nullptr);
  ExpectOneLineError(RunCli({"check", "-o", TempPath("no/such/dir/x.txt"),
                             BankTrace()}),
                     "cannot open output file");
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
