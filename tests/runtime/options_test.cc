#include "runtime/options.h"

#include <string>
#include <vector>

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
                                  "option 'tarce' (try help=1)"));
  EXPECT_EQ(o.exitcode, 5);
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
        "stack_depth=", "watchdog_ms=", "events=", "help="}) {
    EXPECT_THAT(help, HasSubstr(key));
  }
}

TEST(OptionsTest, ExpandTracePath) {
  EXPECT_EQ(ExpandTracePath("lockscope.%p.lstrace", 42), "lockscope.42.lstrace");
  EXPECT_EQ(ExpandTracePath("a%pb%p", 7), "a7b7");
  EXPECT_EQ(ExpandTracePath("plain%", 7), "plain%");
}

}  // namespace
}  // namespace lockscope::runtime
