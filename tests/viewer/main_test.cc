// The `lockscope` command line as a whole: help, usage errors, colour, and
// bad input given to every subcommand.
#include <sys/stat.h>

#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* const kSubcommands[] = {"summary", "cycles", "borrows",
                                    "locks",   "events", "graph",
                                    "check",   "merge",  "export",
                                    "baseline", "order"};

TEST(MainTest, HelpListsEverySubcommandWithExamples) {
  const CliResult result = RunCli({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* name : kSubcommands) {
    EXPECT_THAT(result.out, HasSubstr(name));
  }
  EXPECT_THAT(result.out, HasSubstr("Examples:"));
  EXPECT_EQ(result.err, "");
}

TEST(MainTest, EverySubcommandHelpHasAnExample) {
  for (const char* name : kSubcommands) {
    const CliResult result = RunCli({name, "--help"});
    EXPECT_EQ(result.exit_code, 0) << name;
    EXPECT_THAT(result.out, HasSubstr("Example")) << name;
    EXPECT_THAT(result.out, HasSubstr(std::string("lockscope ") + name))
        << name;
  }
}

TEST(MainTest, VersionFlag) {
  const CliResult result = RunCli({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("lockscope "));
}

TEST(MainTest, UsageErrorsAreOneLineAndExitTwo) {
  ExpectOneLineError(RunCli({}), "subcommand");
  ExpectOneLineError(RunCli({"frobnicate"}), "frobnicate");
  ExpectOneLineError(RunCli({"summary", "--bogus", BankTrace()}), "--bogus");
  ExpectOneLineError(RunCli({"summary"}), "TRACE");
  ExpectOneLineError(RunCli({"--color=sometimes", "summary", BankTrace()}),
                     "sometimes");
  ExpectOneLineError(RunCli({"locks", "--sort=size", BankTrace()}), "size");
  ExpectOneLineError(RunCli({"graph", "--format=svg", BankTrace()}), "svg");
  ExpectOneLineError(RunCli({"merge", BankTrace()}), "--output");
}

TEST(MainTest, ColorFollowsFlagTerminalAndNoColor) {
  const std::string esc = "\x1b[";
  EXPECT_THAT(RunCli({"--color=always", "summary", BankTrace()}).out,
              HasSubstr(esc));
  // The global option may also follow the subcommand.
  EXPECT_THAT(RunCli({"summary", "--color=always", BankTrace()}).out,
              HasSubstr(esc));
  EXPECT_THAT(RunCli({"summary", BankTrace()}).out, Not(HasSubstr(esc)));
  EXPECT_THAT(RunCliOnTerminal({"--color=never", "summary", BankTrace()}).out,
              Not(HasSubstr(esc)));

  const CliResult terminal = RunCliOnTerminal({"summary", BankTrace()});
  EXPECT_EQ(terminal.exit_code, 0);
  EXPECT_THAT(terminal.out, HasSubstr(esc));
  EXPECT_THAT(
      RunCliOnTerminal({"summary", BankTrace()}, {"NO_COLOR=1"}).out,
      Not(HasSubstr(esc)));
  EXPECT_THAT(RunCliOnTerminal({"--color=always", "summary", BankTrace()},
                               {"NO_COLOR=1"})
                  .out,
              HasSubstr(esc));
}

struct BadInput {
  const char* name;
  std::string (*make)(const std::string& dir);
  const char* what;  // part of the expected message
};

std::string Bytes(const std::string& name, const std::string& bytes) {
  const std::string path = TempPath(name);
  WriteFile(path, bytes);
  return path;
}

const BadInput kBadInputs[] = {
    {"empty", [](const std::string&) { return Bytes("empty.lstrace", ""); },
     "empty"},
    {"garbage",
     [](const std::string&) {
       return Bytes("garbage.lstrace", std::string("\x7f" "ELF\x02\x01\x01", 7) +
                                           std::string(200, '\xee'));
     },
     "not a lockscope trace"},
    {"torn header",
     [](const std::string&) {
       return Bytes("torn.lstrace", ReadFile(BankTrace()).substr(0, 12));
     },
     "byte"},
    {"missing",
     [](const std::string&) { return TempPath("no-such-file.lstrace"); },
     "no-such-file.lstrace"},
    {"directory",
     [](const std::string&) {
       const std::string path = TempPath("a-directory.lstrace");
       mkdir(path.c_str(), 0755);
       return path;
     },
     "a-directory.lstrace"},
};

TEST(MainTest, BadInputIsOneLineAndExitTwoForEverySubcommand) {
  for (const BadInput& bad : kBadInputs) {
    const std::string path = bad.make("");
    for (const char* name : kSubcommands) {
      std::vector<std::string> args = {name, path};
      const std::string command = name;
      if (command == "merge" || command == "baseline" || command == "order") {
        args = {name, "-o", TempPath("out." + command), path};
      }
      SCOPED_TRACE(std::string(name) + " on " + bad.name);
      const CliResult result = RunCli(args);
      ExpectOneLineError(result, bad.what);
      EXPECT_THAT(result.err, HasSubstr(path));
    }
  }
}

TEST(MainTest, BadTraceAmongGoodOnesStillFails) {
  const std::string missing = TempPath("gone.lstrace");
  ExpectOneLineError(RunCli({"check", BankTrace(), missing}), "gone.lstrace");
}

TEST(MainTest, TornTailWarnsOnceAndUsesTheIntactPrefix) {
  const std::string bytes = ReadFile(BankTrace());
  const std::string path =
      Bytes("torn_tail.lstrace", bytes.substr(0, bytes.size() - 4));
  const CliResult summary = RunCli({"summary", path});
  EXPECT_EQ(summary.exit_code, 0);
  ASSERT_EQ(summary.ErrLines().size(), 1u) << summary.err;
  EXPECT_THAT(summary.err, HasSubstr("lockscope: warning: "));
  EXPECT_THAT(summary.err, HasSubstr("truncated at byte"));
  EXPECT_THAT(summary.out, HasSubstr("no end record"));
  // The findings before the tear still fail the check.
  const CliResult check = RunCli({"check", path});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_EQ(check.ErrLines().size(), 1u) << check.err;
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
