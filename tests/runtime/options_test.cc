#include "runtime/options.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(OptionsTest, DefaultsWhenEmpty) {
  std::vector<std::string> errors;
  const Options o = ParseOptions("", &errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(o.trace, "lockscope.%p.lstrace");
  EXPECT_TRUE(o.report);
  EXPECT_FALSE(o.halt_on_finding);
  EXPECT_EQ(o.exitcode, 66);
  EXPECT_EQ(o.stack_depth, 32);
  EXPECT_EQ(o.watchdog_ms, 0);
  EXPECT_EQ(o.events, EventsMode::kContended);
  EXPECT_FALSE(o.help);
}

TEST(OptionsTest, ParsesEveryKey) {
  std::vector<std::string> errors;
  const Options o = ParseOptions(
      "trace=out.%p.lstrace:report=off:halt_on_finding=1:exitcode=3:"
      "suppressions=supp.txt:stack_depth=8:watchdog_ms=250:events=all:"
      "flush_ms=20:help=1",
      &errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(o.trace, "out.%p.lstrace");
  EXPECT_FALSE(o.report);
  EXPECT_TRUE(o.halt_on_finding);
  EXPECT_EQ(o.exitcode, 3);
  EXPECT_EQ(o.suppressions, "supp.txt");
  EXPECT_EQ(o.stack_depth, 8);
  EXPECT_EQ(o.watchdog_ms, 250);
  EXPECT_EQ(o.events, EventsMode::kAll);
  EXPECT_EQ(o.flush_ms, 20);
  EXPECT_TRUE(o.help);
}

TEST(OptionsTest, TraceOffAndEventsNone) {
  std::vector<std::string> errors;
  const Options o = ParseOptions("trace=off:events=none", &errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(o.trace, "");
  EXPECT_EQ(o.events, EventsMode::kNone);
}

TEST(OptionsTest, UnknownKeyIsOneLineAndOthersStillApply) {
  std::vector<std::string> errors;
  const Options o = ParseOptions("tarce=x:exitcode=5", &errors);
  EXPECT_THAT(errors, ElementsAre("lockscope: LOCKSCOPE_OPTIONS: unknown "
                                  "option 'tarce' (did you mean 'trace'?)"));
  EXPECT_EQ(o.exitcode, 5);
}

TEST(OptionsTest, UnknownKeyFarFromEveryOptionPointsAtHelp) {
  std::vector<std::string> errors;
  ParseOptions("verbosity=3:x=1", &errors);
  EXPECT_THAT(errors,
              ElementsAre("lockscope: LOCKSCOPE_OPTIONS: unknown option "
                          "'verbosity' (try help=1)",
                          "lockscope: LOCKSCOPE_OPTIONS: unknown option "
                          "'x' (try help=1)"));
  errors.clear();
  ParseOptions("stackdepth=4:halt_on_findings=1:watchdog=5", &errors);
  EXPECT_THAT(errors,
              ElementsAre(HasSubstr("'stackdepth' (did you mean "
                                    "'stack_depth'?)"),
                          HasSubstr("'halt_on_findings' (did you mean "
                                    "'halt_on_finding'?)"),
                          HasSubstr("'watchdog' (try help=1)")));
}

// "trace=off;report=off" is one item for the ':' splitter: the value of
// trace would be "off;report=off", a file of that name.
TEST(OptionsTest, SemicolonOrCommaInAValueIsRefusedWithTheColonForm) {
  for (const char* text : {"trace=off;report=off", "trace=off,report=off"}) {
    std::vector<std::string> errors;
    const Options o = ParseOptions(text, &errors);
    EXPECT_THAT(errors,
                ElementsAre(absl::StrCat(
                    "lockscope: LOCKSCOPE_OPTIONS: bad value '", text + 6,
                    "' for trace (';' and ',' are not separators: write "
                    "trace=off:report=off)")));
    EXPECT_EQ(o.trace, "lockscope.%p.lstrace");
  }
}

TEST(OptionsTest, BooleansAreZeroOneFalseTrue) {
  std::vector<std::string> errors;
  EXPECT_TRUE(ParseOptions("halt_on_finding=true", &errors).halt_on_finding);
  EXPECT_FALSE(
      ParseOptions("halt_on_finding=1:halt_on_finding=false", &errors)
          .halt_on_finding);
  EXPECT_THAT(errors, IsEmpty());
  for (const char* bad : {"yes", "no", "on", "TRUE", ""}) {
    errors.clear();
    const Options o =
        ParseOptions(absl::StrCat("halt_on_finding=", bad), &errors);
    EXPECT_THAT(errors, ElementsAre(absl::StrCat(
                            "lockscope: LOCKSCOPE_OPTIONS: bad value '", bad,
                            "' for halt_on_finding (expected 0, 1, false or "
                            "true)")));
    EXPECT_FALSE(o.halt_on_finding);
  }
}

TEST(OptionsTest, BadValuesKeepDefaults) {
  std::vector<std::string> errors;
  const Options o = ParseOptions(
      "exitcode=abc:stack_depth=0:events=some:report=maybe:watchdog_ms=-1:"
      "halt_on_finding=2:trace=",
      &errors);
  ASSERT_EQ(errors.size(), 7u);
  EXPECT_EQ(errors[0],
            "lockscope: LOCKSCOPE_OPTIONS: bad value 'abc' for exitcode "
            "(expected an integer 0..255)");
  EXPECT_THAT(errors[2], HasSubstr("expected contended, all or none"));
  EXPECT_EQ(o.exitcode, 66);
  EXPECT_EQ(o.stack_depth, 32);
  EXPECT_EQ(o.events, EventsMode::kContended);
  EXPECT_TRUE(o.report);
  EXPECT_EQ(o.watchdog_ms, 0);
  EXPECT_EQ(o.trace, "lockscope.%p.lstrace");
}

TEST(OptionsTest, NotKeyValue) {
  std::vector<std::string> errors;
  ParseOptions("verbose", &errors);
  EXPECT_THAT(errors, ElementsAre("lockscope: LOCKSCOPE_OPTIONS: 'verbose' "
                                  "is not key=value (try help=1)"));
}

TEST(OptionsTest, OverlongInputIsRejectedNotParsed) {
  std::vector<std::string> errors;
  const Options o =
      ParseOptions("exitcode=1:" + std::string(kMaxOptionsLength, 'x'),
                   &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("longer than 4096"));
  EXPECT_EQ(o.exitcode, 66);

  errors.clear();
  ParseOptions("trace=" + std::string(kMaxValueLength + 1, 'y'), &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("value of trace is longer than 1024"));
}

TEST(OptionsTest, HelpListsEveryOption) {
  const std::string help = OptionsHelp();
  for (const char* key :
       {"trace=", "report=", "halt_on_finding=", "exitcode=", "suppressions=",
        "stack_depth=", "watchdog_ms=", "events=", "flush_ms=", "help="}) {
    EXPECT_THAT(help, HasSubstr(key));
  }
}

TEST(OptionsTest, HelpShowsRangesAndDefaults) {
  const std::string help = OptionsHelp();
  EXPECT_THAT(help, HasSubstr("  exitcode=N                 exit status when "
                              "unsuppressed findings exist; 0 = keep "
                              "(0..255, default 66)\n"));
  EXPECT_THAT(help, HasSubstr("stack_depth=N"));
  EXPECT_THAT(help, HasSubstr("(1..256, default 32)"));
  EXPECT_THAT(help, HasSubstr("(0..3600000, default 0)"));
  EXPECT_THAT(help, HasSubstr("(1..60000, default 100)"));
  EXPECT_THAT(help, HasSubstr("  events=contended|all|none  what the trace "
                              "records (default contended)\n"));
  EXPECT_THAT(help, HasSubstr("(default lockscope.%p.lstrace)"));
}

// The range help=1 shows for an integer option is the one the parser
// enforces: both ends are accepted, one past either end is refused.
TEST(OptionsTest, IntegerRangesInHelpAreEnforced) {
  int checked = 0;
  for (const OptionSpec& s : OptionSpecs()) {
    if (s.syntax != "N") continue;
    const std::vector<std::string> ends = absl::StrSplit(s.values, "..");
    ASSERT_EQ(ends.size(), 2u) << s.name << ": " << s.values;
    int lo = 0;
    int hi = 0;
    ASSERT_TRUE(absl::SimpleAtoi(ends[0], &lo)) << s.values;
    ASSERT_TRUE(absl::SimpleAtoi(ends[1], &hi)) << s.values;
    std::vector<std::string> errors;
    ParseOptions(absl::StrCat(s.name, "=", lo, ":", s.name, "=", hi),
                 &errors);
    EXPECT_THAT(errors, IsEmpty()) << s.name;
    for (int bad : {lo - 1, hi + 1}) {
      errors.clear();
      ParseOptions(absl::StrCat(s.name, "=", bad), &errors);
      EXPECT_THAT(errors,
                  ElementsAre(absl::StrCat(
                      "lockscope: LOCKSCOPE_OPTIONS: bad value '", bad,
                      "' for ", s.name, " (expected an integer ", s.values,
                      ")")));
    }
    ++checked;
  }
  EXPECT_EQ(checked, 4);  // exitcode, stack_depth, watchdog_ms, flush_ms
}

TEST(OptionsTest, ExpandTracePath) {
  EXPECT_EQ(ExpandTracePath("lockscope.%p.lstrace", 42), "lockscope.42.lstrace");
  EXPECT_EQ(ExpandTracePath("a%pb%p", 7), "a7b7");
  EXPECT_EQ(ExpandTracePath("plain%", 7), "plain%");
}

}  // namespace
}  // namespace lockscope::runtime
