// `lockscope baseline` and `lockscope check --baseline`: findings in the
// baseline are listed and do not fail, new ones fail, stale entries are
// reported without failing; every output format says which is which.
#include <algorithm>
#include <map>

#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using collector::FindingKind;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string MakeBaseline(const std::vector<std::string>& traces) {
  const std::string path = TempPath("lockscope.baseline");
  std::vector<std::string> args{"baseline", "-o", path};
  args.insert(args.end(), traces.begin(), traces.end());
  const CliResult result = RunCli(args);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("wrote"));
  return path;
}

std::string SingleCycle() {
  const std::string path = TempPath("single.lstrace");
  WriteSingleFindingTrace(path, FindingKind::kLockOrderCycle);
  return path;
}

// The lines of `text` that are not comments.
std::vector<std::string> Entries(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (!line.empty() && line[0] != '#') out.push_back(line);
    start = end + 1;
  }
  return out;
}

TEST(BaselineTest, FileIsVersionedSortedAndNamesEachFinding) {
  const std::string baseline = MakeBaseline({BankTrace()});
  const std::string text = ReadFile(baseline);
  EXPECT_THAT(text, StartsWith("# lockscope baseline v1\n"));
  const std::vector<std::string> entries = Entries(text);
  // The bank trace's five findings, each its own fingerprint.
  ASSERT_EQ(entries.size(), 5u) << text;
  EXPECT_TRUE(std::is_sorted(entries.begin(), entries.end())) << text;
  EXPECT_THAT(text, HasSubstr("  # lock-order-cycle accounts, ledger\n"));
  EXPECT_THAT(text, HasSubstr("  # cross-thread-borrow app @ "));
  // Made again from the same trace: the same bytes.
  EXPECT_EQ(ReadFile(MakeBaseline({BankTrace()})), text);
  // To stdout with -o -.
  const CliResult out = RunCli({"baseline", "-o", "-", BankTrace()});
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.out, text);
}

TEST(BaselineTest, KnownFindingsPassNewOnesFail) {
  ASSERT_EQ(RunCli({"check", BankTrace()}).exit_code, 1);
  const std::string baseline = MakeBaseline({BankTrace()});
  const CliResult known = RunCli({"check", "--baseline=" + baseline, BankTrace()});
  EXPECT_EQ(known.exit_code, 0) << known.out << known.err;
  EXPECT_THAT(known.out, HasSubstr("  baseline   lock-order-cycle"));
  EXPECT_THAT(known.out, HasSubstr("passed"));
  EXPECT_THAT(known.out, HasSubstr("in the baseline"));
  EXPECT_THAT(known.out, Not(HasSubstr("FAIL")));

  // A finding that is not in the baseline fails; the baseline's ones still
  // pass.
  const CliResult mixed =
      RunCli({"check", "--baseline", baseline, BankTrace(), SingleCycle()});
  EXPECT_EQ(mixed.exit_code, 1) << mixed.out;
  EXPECT_THAT(mixed.out, HasSubstr("FAIL       lock-order-cycle m => n => m"));
  EXPECT_THAT(mixed.out, HasSubstr("  baseline   lock-order-cycle accounts"));
}

TEST(BaselineTest, StaleEntriesAreReportedWithoutFailing) {
  const std::string baseline = MakeBaseline({BankTrace(), SingleCycle()});
  const CliResult result =
      RunCli({"check", "--baseline=" + baseline, BankTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr("baseline entries that matched no finding"));
  EXPECT_THAT(result.out, HasSubstr("stale"));
  EXPECT_THAT(result.out, HasSubstr("# lock-order-cycle m, n"));

  const CliResult json = RunCli(
      {"check", "--format=json", "--baseline=" + baseline, BankTrace()});
  std::unique_ptr<Json> parsed = MustParse(json.out);
  ASSERT_NE(parsed, nullptr);
  const Json* absent = parsed->Get("baseline")->Get("absent");
  ASSERT_NE(absent, nullptr);
  ASSERT_EQ(absent->array.size(), 1u);
  EXPECT_EQ(absent->array[0].Get("label")->string, "lock-order-cycle m, n");
}

TEST(BaselineTest, JsonSaysBaselinePerFinding) {
  const std::string baseline = MakeBaseline({BankTrace()});
  for (const bool with : {false, true}) {
    std::vector<std::string> args{"check", "--format=json", BankTrace(),
                                  SingleCycle()};
    if (with) args.push_back("--baseline=" + baseline);
    std::unique_ptr<Json> parsed = MustParse(RunCli(args).out);
    ASSERT_NE(parsed, nullptr);
    size_t in_baseline = 0;
    for (const Json& finding : parsed->Get("findings")->array) {
      const Json* flag = finding.Get("baseline");
      ASSERT_TRUE(flag != nullptr && flag->is_bool());
      in_baseline += flag->boolean;
      if (flag->boolean) {
        EXPECT_FALSE(finding.Get("failing")->boolean);
      }
    }
    EXPECT_EQ(in_baseline, with ? 5u : 0u);
    EXPECT_EQ(parsed->Get("counts")->Get("baseline")->number,
              with ? 5 : 0);
    EXPECT_EQ(parsed->Get("baseline") != nullptr, with);
  }
}

TEST(BaselineTest, SarifBaselineState) {
  const std::string baseline = MakeBaseline({BankTrace(), SingleCycle()});
  const std::string half = TempPath("half.lstrace");
  WriteHalfInversion(half, 5, true);
  const std::string other = TempPath("other.lstrace");
  WriteHalfInversion(other, 6, false);
  // bank: unchanged; left <=> right: new; m, n: absent.
  const CliResult result = RunCli({"check", "--format=sarif",
                                   "--baseline=" + baseline, BankTrace(),
                                   half, other});
  EXPECT_EQ(result.exit_code, 1);
  std::unique_ptr<Json> parsed = MustParse(result.out);
  ASSERT_NE(parsed, nullptr);
  std::map<std::string, int> states;
  for (const Json& r :
       parsed->Get("runs")->array.at(0).Get("results")->array) {
    const Json* state = r.Get("baselineState");
    ASSERT_NE(state, nullptr);
    ++states[state->string];
    if (state->string == "absent") {
      EXPECT_EQ(r.Get("ruleId")->string, "lock-order-cycle");
      EXPECT_THAT(r.Get("message")->Get("text")->string,
                  HasSubstr("matched no finding"));
    }
    if (state->string == "new") {
      EXPECT_THAT(r.Get("message")->Get("text")->string, HasSubstr("left"));
    }
  }
  EXPECT_EQ(states, (std::map<std::string, int>{
                        {"absent", 1}, {"new", 1}, {"unchanged", 5}}));
  // No baseline, no baselineState.
  const CliResult plain = RunCli({"check", "--format=sarif", BankTrace()});
  EXPECT_THAT(plain.out, Not(HasSubstr("baselineState")));
}

TEST(BaselineTest, JunitMarksThem) {
  const std::string baseline = MakeBaseline({BankTrace(), SingleCycle()});
  const CliResult result = RunCli(
      {"check", "--format=junit", "--baseline=" + baseline, BankTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr("failures=\"0\""));
  EXPECT_THAT(result.out, HasSubstr("<system-out>baseline ("));
  EXPECT_THAT(result.out, HasSubstr("stale baseline entry "));
}

TEST(BaselineTest, SameFindingsFromOtherProcessesMatch) {
  // The two halves of one inversion in two processes, ids assigned in
  // another order; then the same halves from other pids, read the other
  // way round.
  const std::string a = TempPath("a.lstrace"), b = TempPath("b.lstrace");
  WriteHalfInversion(a, 100, true);
  WriteHalfInversion(b, 200, false);
  const std::string baseline = MakeBaseline({a, b});
  const std::string c = TempPath("c.lstrace"), d = TempPath("d.lstrace");
  WriteHalfInversion(c, 3000, true);
  WriteHalfInversion(d, 4000, false);
  EXPECT_EQ(RunCli({"check", d, c}).exit_code, 1);
  const CliResult result = RunCli({"check", "--baseline=" + baseline, d, c});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.out, Not(HasSubstr("stale")));
}

TEST(BaselineTest, BadBaselineIsOneLine) {
  const std::string bad = TempPath("bad.baseline");
  WriteFile(bad, "# lockscope baseline v1\nnot-a-fingerprint\n");
  ExpectOneLineError(RunCli({"check", "--baseline=" + bad, BankTrace()}),
                     "bad.baseline:2: expected a fingerprint");
  const std::string unversioned = TempPath("old.baseline");
  WriteFile(unversioned, "40e3f79c4aa676b5\n");
  ExpectOneLineError(
      RunCli({"check", "--baseline=" + unversioned, BankTrace()}),
      "old.baseline:1: not a lockscope baseline");
  ExpectOneLineError(
      RunCli({"check", "--baseline=" + TempPath("none"), BankTrace()}),
      "cannot open baseline file");
  // -o is required.
  EXPECT_EQ(RunCli({"baseline", BankTrace()}).exit_code, 2);
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
