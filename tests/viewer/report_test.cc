// `lockscope report`: the file it writes, its options, its errors.
#include <sys/stat.h>

#include "tests/testing/child_process.h"
#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The CLI with a PATH that holds no dot.
CliResult RunWithoutDot(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {LOCKSCOPE_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  ::lockscope::testing::ChildOptions options;
  options.clear_env = true;
  options.env = {"PATH=/nonexistent", "LOCKSCOPE_OPTIONS=trace=off"};
  const ::lockscope::testing::ChildResult child =
      ::lockscope::testing::RunChild(argv, options);
  CliResult result;
  result.exit_code = child.exit_code;
  result.out = child.out;
  result.err = child.err;
  return result;
}

TEST(ReportCommandTest, WritesOnePageWithCheckVerdict) {
  const std::string html = TempPath("report.html");
  const CliResult result = RunCli({"report", "-o", html, BankTrace()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("lockscope report: wrote " + html));
  const std::string page = ReadFile(html);
  EXPECT_THAT(page, HasSubstr("<!DOCTYPE html>"));
  // The verdict line is check's, word for word.
  const CliResult check = RunCli({"check", BankTrace()});
  const std::string last = check.out.substr(
      check.out.rfind("lockscope check: "),
      check.out.size() - 1 - check.out.rfind("lockscope check: "));
  EXPECT_THAT(page, HasSubstr(last));
  EXPECT_THAT(page, HasSubstr("id=\"finding-1\""));
  EXPECT_THAT(page, HasSubstr("class=\"edge cycle-edge"));
  struct stat st;
  ASSERT_EQ(stat(html.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ReportCommandTest, StrictAndSuppressionsChangeTheVerdictAsForCheck) {
  const std::string path = TempPath("guarded.lstrace");
  WriteSingleFindingTrace(path, collector::FindingKind::kLockOrderCycle,
                          false, true);
  const std::string html = TempPath("r.html");
  ASSERT_EQ(RunCli({"report", "-o", html, path}).exit_code, 0);
  EXPECT_THAT(ReadFile(html), HasSubstr("lockscope check: passed"));
  ASSERT_EQ(RunCli({"report", "--strict", "-o", html, path}).exit_code, 0);
  EXPECT_THAT(ReadFile(html), HasSubstr("lockscope check: FAILED"));
}

TEST(ReportCommandTest, BothLayouts) {
  const std::string html = TempPath("r.html");
  ASSERT_EQ(RunCli({"report", "--layout=builtin", "-o", html, BankTrace()})
                .exit_code,
            0);
  EXPECT_THAT(ReadFile(html), HasSubstr("data-layout=\"built-in\""));
  const CliResult dot =
      RunCli({"report", "--layout=dot", "-o", html, BankTrace()});
  ASSERT_EQ(dot.exit_code, 0)
      << dot.err << " (scripts/setup.sh installs graphviz)";
  EXPECT_THAT(dot.err, HasSubstr("graph laid out by dot"));
  EXPECT_THAT(ReadFile(html), Not(HasSubstr("data-layout=\"built-in\"")));
  EXPECT_THAT(ReadFile(html), HasSubstr("class=\"edge cycle-edge cycle-fail"));
  // Without dot on PATH: auto falls back, dot is an error.
  const CliResult fallback = RunWithoutDot({"report", "-o", html, BankTrace()});
  ASSERT_EQ(fallback.exit_code, 0) << fallback.err;
  EXPECT_THAT(ReadFile(html), HasSubstr("data-layout=\"built-in\""));
  EXPECT_THAT(ReadFile(html), HasSubstr("Graphviz &apos;dot&apos; is not on PATH"));
  ExpectOneLineError(
      RunWithoutDot({"report", "--layout=dot", "-o", html, BankTrace()}),
      "'dot' not found");
}

TEST(ReportCommandTest, DirectoryMeansItsTraces) {
  const std::string dir = TempPath("traces");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  WriteHalfInversion(dir + "/a.lstrace", 1, true);
  WriteHalfInversion(dir + "/b.lstrace", 2, false);
  ASSERT_TRUE(WriteFile(dir + "/notes.txt", "not a trace"));
  const std::string html = TempPath("r.html");
  const CliResult result = RunCli({"report", "-o", html, dir});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string page = ReadFile(html);
  EXPECT_THAT(page, HasSubstr("2 traces"));
  EXPECT_THAT(page, HasSubstr("lock-order-cycle"));
  EXPECT_THAT(page, HasSubstr("cycle-edge cycle-fail f-1"));

  const std::string empty = TempPath("empty");
  ASSERT_EQ(mkdir(empty.c_str(), 0700), 0);
  ExpectOneLineError(RunCli({"report", "-o", html, empty}), "no *.lstrace file in this directory");
}

TEST(ReportCommandTest, UsageErrors) {
  ExpectOneLineError(RunCli({"report", BankTrace()}), "--output");
  ExpectOneLineError(
      RunCli({"report", "--layout=neato", "-o", TempPath("x.html"),
              BankTrace()}),
      "--layout");
  ExpectOneLineError(RunCli({"report", "-o", TempPath("x.html"),
                             TempPath("missing.lstrace")}),
                     "missing.lstrace");
  ExpectOneLineError(RunCli({"report", "--fail-on=nonsense", "-o",
                             TempPath("x.html"), BankTrace()}),
                     "nonsense");
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
