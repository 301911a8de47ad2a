#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// Event lines of the timeline (between the header and the count line).
std::vector<std::string> EventLines(const std::string& out) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < out.size()) {
    const size_t end = out.find('\n', start);
    lines.push_back(out.substr(start, end - start));
    start = end + 1;
  }
  if (lines.size() < 2) return {};
  return std::vector<std::string>(lines.begin() + 1, lines.end() - 1);
}

TEST(EventsTest, TimelineSortedByTime) {
  const CliResult result = RunCli({"events", BankTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::vector<std::string> lines = EventLines(result.out);
  ASSERT_EQ(lines.size(), 11u) << result.out;
  EXPECT_THAT(lines[0], ContainsRegex(
                            "0\\.000001000 +2 worker +acquire-wait +accounts "
                            "+exclusive"));
  EXPECT_THAT(lines[1],
              ContainsRegex("0\\.000001200 +1 main +acquired +ledger "
                            "+exclusive +try"));
  EXPECT_THAT(lines[3], ContainsRegex("config +shared"));
  EXPECT_THAT(lines[10], ContainsRegex("borrow-release +app"));
  EXPECT_THAT(result.out, HasSubstr("11 of 11 events shown"));
}

TEST(EventsTest, FilterByThreadAndLockNameOrId) {
  const CliResult by_name = RunCli({"events", "--thread=main", BankTrace()});
  EXPECT_EQ(EventLines(by_name.out).size(), 4u);
  EXPECT_THAT(by_name.out, Not(HasSubstr("worker")));
  const CliResult by_id = RunCli({"events", "--thread=2", "--lock=1",
                                  BankTrace()});
  const std::vector<std::string> lines = EventLines(by_id.out);
  ASSERT_EQ(lines.size(), 3u) << by_id.out;
  for (const std::string& line : lines) {
    EXPECT_THAT(line, HasSubstr("accounts"));
  }
  EXPECT_EQ(EventLines(RunCli({"events", "--lock=ledger", BankTrace()}).out)
                .size(),
            4u);
}

TEST(EventsTest, TimeWindowAndLimit) {
  const CliResult window =
      RunCli({"events", "--since=1400", "--until=1700", BankTrace()});
  EXPECT_EQ(EventLines(window.out).size(), 4u) << window.out;
  const CliResult limited = RunCli({"events", "--limit=2", BankTrace()});
  const std::vector<std::string> lines = EventLines(limited.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("0.000001000"));
  EXPECT_THAT(lines[1], HasSubstr("0.000001200"));
  EXPECT_THAT(limited.out, HasSubstr("2 of 11 events shown\n"));
  EXPECT_THAT(window.out,
              HasSubstr("4 of 4 matching events shown (11 in the trace)"));
}

TEST(EventsTest, UnknownThreadOrLockIsAnError) {
  ExpectOneLineError(RunCli({"events", "--thread=nobody", BankTrace()}),
                     "no such thread");
  ExpectOneLineError(RunCli({"events", "--lock=99", BankTrace()}), "--lock=99");
  ExpectOneLineError(
      RunCli({"events", "--since=10", "--until=5", BankTrace()}), "--until");
  // events reads exactly one trace.
  ExpectOneLineError(RunCli({"events", BankTrace(), BankTrace()}), "");
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
