#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CyclesTest, SectionsWithSymbolizedStacks) {
  const CliResult result = RunCli({"cycles", BankTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_THAT(out, HasSubstr("== potential deadlocks (1) =="));
  EXPECT_THAT(out, HasSubstr("accounts => ledger => accounts"));
  EXPECT_THAT(out, HasSubstr("#0 Transfer src/bank.cc:42"));
  EXPECT_THAT(out, HasSubstr("#1 WorkerMain src/bank.cc:90"));
  EXPECT_THAT(out, HasSubstr("thread 2 'worker'"));
  EXPECT_THAT(out, HasSubstr("== guarded cycles (1) =="));
  EXPECT_THAT(out, HasSubstr("alpha => beta => alpha"));
  EXPECT_THAT(out, HasSubstr("gate"));
  EXPECT_THAT(out, HasSubstr("== lock class cycles (1) =="));
  EXPECT_THAT(out, HasSubstr("src/account.h:7 => src/branch.h:3"));
  // Sections come in that order.
  EXPECT_LT(out.find("potential deadlocks"), out.find("guarded cycles"));
  EXPECT_LT(out.find("guarded cycles"), out.find("lock class cycles"));
  // Borrow findings are not cycles.
  EXPECT_THAT(out, Not(HasSubstr("cross-thread-borrow")));
}

TEST(CyclesTest, MaxFramesLimitsStacks) {
  const CliResult result = RunCli({"cycles", "--max-frames=1", BankTrace()});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("#0 Transfer src/bank.cc:42"));
  EXPECT_THAT(result.out, Not(HasSubstr("#1 WorkerMain")));
}

TEST(CyclesTest, CrossProcessInversionAndCleanTrace) {
  const std::string a = TempPath("a.lstrace");
  const std::string b = TempPath("b.lstrace");
  WriteHalfInversion(a, 11, true);
  WriteHalfInversion(b, 22, false);
  const CliResult both = RunCli({"cycles", a, b});
  EXPECT_EQ(both.exit_code, 0);
  EXPECT_THAT(both.out, HasSubstr("left => right => left"));
  EXPECT_THAT(both.out, HasSubstr("#0 Produce src/producer.cc:11"));
  EXPECT_THAT(both.out, HasSubstr("#0 Consume src/consumer.cc:22"));
  EXPECT_THAT(both.out, HasSubstr("from: " + a + ", " + b));

  const CliResult one = RunCli({"cycles", a});
  EXPECT_EQ(one.exit_code, 0);
  EXPECT_THAT(one.out, HasSubstr("no lock-order cycles in 1 trace"));
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
