// The `lockscope` command line run in-process (viewer/main.cc's main, see
// cli_main.h) with its streams captured: exit statuses, one-line usage
// errors naming what is wrong, help and version, and a subcommand's output.
// main_test.cc runs the built binary for what needs a real process (a
// terminal, the environment).
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/viewer/cli_main.h"
#include "tests/viewer/test_traces.h"
#include "viewer/subcommand.h"
#include "viewer/build_info.h"

namespace lockscope::viewer {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using test_traces::TempPath;

struct MainRun {
  int status = -1;
  std::string out;
  std::string err;
};

// Calls main with "lockscope" and `args`, std::cout and std::cerr captured.
MainRun RunMain(std::vector<std::string> args) {
  args.insert(args.begin(), "lockscope");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  std::streambuf* const saved_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* const saved_err = std::cerr.rdbuf(err.rdbuf());
  MainRun run;
  run.status = LockscopeCliMain(static_cast<int>(args.size()), argv.data());
  std::cout.rdbuf(saved_out);
  std::cerr.rdbuf(saved_err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

// Exit status 2 and exactly one line on stderr, naming `what`.
void ExpectUsageError(const MainRun& run, const std::string& what) {
  EXPECT_EQ(run.status, kExitError) << run.err;
  EXPECT_THAT(run.err, StartsWith("lockscope: "));
  EXPECT_THAT(run.err, HasSubstr(what));
  EXPECT_THAT(run.err, EndsWith("\n"));
  EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST(MainInProcessTest, HelpListsEverySubcommand) {
  const MainRun run = RunMain({"--help"});
  EXPECT_EQ(run.status, kExitOk);
  for (const auto& subcommand : AllSubcommands()) {
    EXPECT_THAT(run.out, HasSubstr(std::string(subcommand->name())));
  }
  EXPECT_EQ(run.err, "");
}

TEST(MainInProcessTest, VersionIsTheProjectVersion) {
  const MainRun run = RunMain({"--version"});
  EXPECT_EQ(run.status, kExitOk);
  EXPECT_THAT(run.out, HasSubstr("lockscope " LOCKSCOPE_VERSION));
}

TEST(MainInProcessTest, UsageErrorsNameWhatIsWrong) {
  ExpectUsageError(RunMain({}), "subcommand");
  const MainRun unknown = RunMain({"frobnicate"});
  ExpectUsageError(unknown, "unknown subcommand 'frobnicate'");
  for (const auto& subcommand : AllSubcommands()) {
    EXPECT_THAT(unknown.err, HasSubstr(std::string(subcommand->name())));
  }
  // A subcommand's parse error points at that subcommand's help.
  ExpectUsageError(RunMain({"check", "--bogus", TempPath("x.lstrace")}),
                   "(see 'lockscope check --help')");
  ExpectUsageError(RunMain({"--color=sometimes", "summary", "x"}),
                   "sometimes");
}

TEST(MainInProcessTest, UnreadableTraceIsOneLineNamingTheFile) {
  const std::string missing = TempPath("missing.lstrace");
  ExpectUsageError(RunMain({"summary", missing}), missing);
}

TEST(MainInProcessTest, CheckExitStatusFollowsTheFindings) {
  const std::string clean = TempPath("clean.lstrace");
  const std::string bank = TempPath("bank.lstrace");
  test_traces::WriteCleanTrace(clean);
  test_traces::WriteBankTrace(bank);
  const MainRun passed = RunMain({"check", clean});
  EXPECT_EQ(passed.status, kExitOk) << passed.err;
  const MainRun failed = RunMain({"check", bank});
  EXPECT_EQ(failed.status, kExitFindings) << failed.err;
  EXPECT_THAT(failed.out, HasSubstr("lock-order-cycle"));
}

TEST(MainInProcessTest, ColorIsTheFlagsWhenStdoutIsNoTerminal) {
  const std::string bank = TempPath("bank.lstrace");
  test_traces::WriteBankTrace(bank);
  const std::string esc = "\x1b[";
  const MainRun always = RunMain({"--color=always", "summary", bank});
  EXPECT_EQ(always.status, kExitOk) << always.err;
  EXPECT_THAT(always.out, HasSubstr(esc));
  // The global option may follow the subcommand.
  EXPECT_THAT(RunMain({"summary", "--color=always", bank}).out,
              HasSubstr(esc));
  EXPECT_THAT(RunMain({"--color=never", "summary", bank}).out,
              Not(HasSubstr(esc)));
}

TEST(MainInProcessTest, RunsAgainAfterAFailure) {
  // main keeps no state between calls: a failed run does not leak into the
  // next one.
  const std::string clean = TempPath("clean.lstrace");
  test_traces::WriteCleanTrace(clean);
  ExpectUsageError(RunMain({"summary", "--bogus", clean}), "--bogus");
  const MainRun again = RunMain({"summary", clean});
  EXPECT_EQ(again.status, kExitOk) << again.err;
  EXPECT_EQ(again.err, "");
  EXPECT_NE(again.out, "");
}

}  // namespace
}  // namespace lockscope::viewer
