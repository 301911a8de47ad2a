// The `lockscope` command line run in-process (viewer/main.cc's main, see
// cli_main.h) with its streams captured: exit statuses, one-line usage
// errors naming what is wrong, help and version, and a subcommand's output.
// main_test.cc runs the built binary for what needs a real process (a
// terminal, the environment).
#include <cstdlib>
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

// Every usage error reads "lockscope: <command>: <what> (see 'lockscope
// <command> --help')", CLI11's own included, in lockscope's words.
TEST(MainInProcessTest, UsageErrorsAreLockscopesOwnOneLineForm) {
  const std::string a = TempPath("usage_a.lstrace");
  const std::string b = TempPath("usage_b.lstrace");
  struct Case {
    std::vector<std::string> args;
    std::string err;
  } cases[] = {
      {{"events", a, b},
       "lockscope: events: reads one trace; unexpected '" + b +
           "' (see 'lockscope events --help')\n"},
      {{"check"},
       "lockscope: check: no TRACE given (see 'lockscope check --help')\n"},
      {{"summary", "--bogus", a},
       "lockscope: summary: unknown option '--bogus' (see 'lockscope "
       "summary --help')\n"},
      {{"events", "--limit=abc", a},
       "lockscope: events: --limit: expected a number 0 or more, got 'abc' "
       "(see 'lockscope events --help')\n"},
      {{"locks", "--sort=foo", a},
       "lockscope: locks: --sort: 'foo' is not one of acquisitions, "
       "contended, wait, hold, name (see 'lockscope locks --help')\n"},
      {{"graph", a, "--format"},
       "lockscope: graph: --format: needs a value (FORMAT:{dot,json}) (see "
       "'lockscope graph --help')\n"},
      {{"check", "--fail-on=deadlocks", a},
       "lockscope: check: --fail-on: unknown finding kind 'deadlocks' "},
      {{"run"},
       "lockscope: run: no PROGRAM given (see 'lockscope run --help')\n"},
      {{}, "lockscope: no subcommand given (see 'lockscope --help')\n"},
  };
  for (const Case& c : cases) {
    const MainRun run = RunMain(c.args);
    EXPECT_EQ(run.status, kExitError) << c.err;
    EXPECT_THAT(run.err, StartsWith(c.err));
    EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << run.err;
  }
}

// A directory stands for the *.lstrace files under it, as the run gate
// reads it, for every command that takes traces.
TEST(MainInProcessTest, DirectoryIsItsTraces) {
  const std::string dir = TempPath("trace_dir");
  ASSERT_EQ(system(("rm -rf '" + dir + "' && mkdir -p '" + dir +
                    "/sub' '" + dir + "/empty'").c_str()),
            0);
  test_traces::WriteBankTrace(dir + "/sub/bank.lstrace");
  test_traces::WriteCleanTrace(dir + "/clean.lstrace");
  test_traces::WriteCleanTrace(dir + "/sub/not-a-trace.txt");
  const MainRun check = RunMain({"check", dir});
  EXPECT_EQ(check.status, kExitFindings) << check.err;
  EXPECT_THAT(check.out, HasSubstr("of 5 findings in 2 traces\n"));
  const MainRun summary = RunMain({"summary", dir});
  EXPECT_EQ(summary.status, kExitOk) << summary.err;
  EXPECT_THAT(summary.out, HasSubstr("trace " + dir + "/clean.lstrace\n"));
  EXPECT_THAT(summary.out, HasSubstr("trace " + dir + "/sub/bank.lstrace\n"));
  EXPECT_LT(summary.out.find("/clean.lstrace"), summary.out.find("/sub/bank"));
  // A command that reads one trace takes a directory holding one.
  EXPECT_EQ(RunMain({"events", dir + "/sub"}).status, kExitOk);
  const MainRun two = RunMain({"events", dir});
  ExpectUsageError(two, "lockscope: events: " + dir +
                            " holds 2 traces; name one of them");
  ExpectUsageError(RunMain({"cycles", dir + "/empty"}),
                   "lockscope: cycles: " + dir +
                       "/empty: no *.lstrace file in this directory");
}

// A finding seen in many traces names three and counts the rest; --verbose
// names them all.
TEST(MainInProcessTest, FindingInManyTracesNamesAFew) {
  std::vector<std::string> args = {"check"};
  for (int i = 0; i < 5; ++i) {
    args.push_back(TempPath("many_" + std::to_string(i) + ".lstrace"));
    test_traces::WriteBankTrace(args.back());
  }
  // The lock-order cycle is in all five (each of the bank's cell findings
  // is its own per process).
  const auto cycle_line = [](const std::string& out) {
    const size_t at = out.find("  FAIL       lock-order-cycle accounts");
    return at == std::string::npos
               ? std::string()
               : out.substr(at, out.find('\n', at) - at + 1);
  };
  const MainRun run = RunMain(args);
  EXPECT_EQ(run.status, kExitFindings) << run.err;
  EXPECT_EQ(cycle_line(run.out),
            "  FAIL       lock-order-cycle accounts => ledger => accounts in " +
                args[1] + ", " + args[2] + ", " + args[3] +
                " and 2 more traces (--verbose lists them)\n")
      << run.out;
  args.push_back("--verbose");
  const MainRun verbose = RunMain(args);
  EXPECT_EQ(cycle_line(verbose.out),
            "  FAIL       lock-order-cycle accounts => ledger => accounts in " +
                args[1] + ", " + args[2] + ", " + args[3] + ", " + args[4] +
                ", " + args[5] + "\n")
      << verbose.out;
}

// Counts are in the right number; summary says what its event count counts.
TEST(MainInProcessTest, PluralsAndEventsWording) {
  const std::string clean = TempPath("plural_clean.lstrace");
  test_traces::WriteCleanTrace(clean);
  const MainRun check = RunMain({"check", clean});
  EXPECT_THAT(check.out, HasSubstr("0 findings in 1 trace"));
  const MainRun summary = RunMain({"summary", clean});
  EXPECT_THAT(summary.out,
              HasSubstr("  events:    4 events recorded: 2 acquisitions, 2 "
                        "releases (events=all records every acquisition, "
                        "release and borrow), 3 dropped\n"));
  EXPECT_THAT(summary.out,
              HasSubstr("  objects:   2 mutexes, 0 rwlocks, 0 cells\n"));
  EXPECT_THAT(summary.out, HasSubstr("  edges:     1 lock-order edge\n"));
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
