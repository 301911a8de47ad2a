#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::HasSubstr;

TEST(BorrowsTest, CrossThreadBorrowNamesOwnerBorrowerAndSite) {
  const CliResult result = RunCli({"borrows", BankTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("== cross-thread borrows (1) =="));
  EXPECT_THAT(result.out,
              HasSubstr("app (cell created at src/app.cc:5 in thread 1 "
                        "'main')"));
  EXPECT_THAT(result.out, HasSubstr("owner:       thread 1 'main'"));
  EXPECT_THAT(result.out, HasSubstr("borrowed in: thread 2 'worker'"));
  EXPECT_THAT(result.out, HasSubstr("#0 Render src/ui.cc:12"));
}

TEST(BorrowsTest, ConflictShowsBothSitesAndThreads) {
  const CliResult result = RunCli({"borrows", BankTrace()});
  EXPECT_THAT(result.out, HasSubstr("== borrow conflicts (1) =="));
  EXPECT_THAT(result.out, HasSubstr("new borrow in thread 1 'main' at:"));
  EXPECT_THAT(result.out, HasSubstr("#0 Update src/app.cc:20"));
  EXPECT_THAT(result.out,
              HasSubstr("outstanding borrow in thread 2 'worker' taken at:"));
  EXPECT_THAT(result.out, HasSubstr("#0 Paint src/app.cc:25"));
}

TEST(BorrowsTest, NoneFound) {
  const std::string path = TempPath("clean.lstrace");
  WriteCleanTrace(path);
  const CliResult result = RunCli({"borrows", path});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out,
              HasSubstr("no cross-thread borrows or borrow conflicts"));
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
