#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The lock names of the table's rows, in order.
std::vector<std::string> RowNames(const std::string& out) {
  std::vector<std::string> names;
  size_t start = out.find('\n') + 1;  // skip the header
  while (start < out.size()) {
    const size_t end = out.find('\n', start);
    const std::string line = out.substr(start, end - start);
    if (line.empty()) break;
    names.push_back(line.substr(0, line.find("  ")));
    start = end + 1;
  }
  return names;
}

TEST(LocksTest, TableFromCounters) {
  const CliResult result = RunCli({"locks", BankTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("LOCK"));
  EXPECT_THAT(result.out, HasSubstr("WAIT TOTAL"));
  EXPECT_THAT(result.out, HasSubstr("HOLD MAX"));
  // accounts: 10 acquisitions, 2 contended, wait 900ns/500ns, hold
  // 5.00us/1.50us.
  EXPECT_THAT(result.out,
              ::testing::ContainsRegex(
                  "accounts +mutex +10 +0 +2 \\(20.0%\\) +900ns +500ns +"
                  "5.00us +1.50us"));
  // Same-named instances are told apart by id; cells without counters are
  // left out.
  EXPECT_THAT(result.out, HasSubstr("src/account.h:7 #8"));
  EXPECT_THAT(result.out, Not(HasSubstr("app ")));
  // Default order: acquisitions, most first.
  const std::vector<std::string> names = RowNames(result.out);
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names[0], "ledger");
  EXPECT_EQ(names[1], "accounts");
  EXPECT_EQ(names[2], "config");
}

TEST(LocksTest, SortAndTop) {
  EXPECT_THAT(RowNames(RunCli({"locks", "--sort=wait", "--top=2",
                               BankTrace()})
                           .out),
              ::testing::ElementsAre("accounts", "config"));
  EXPECT_THAT(RowNames(RunCli({"locks", "--sort=contended", "--top", "1",
                               BankTrace()})
                           .out),
              ::testing::ElementsAre("accounts"));
  EXPECT_THAT(RowNames(RunCli({"locks", "--sort=hold", "--top=1",
                               BankTrace()})
                           .out),
              ::testing::ElementsAre("accounts"));
  EXPECT_THAT(
      RowNames(RunCli({"locks", "--sort=name", "--top=3", BankTrace()}).out),
      ::testing::ElementsAre("accounts", "alpha", "beta"));
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
