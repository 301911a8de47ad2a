#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::HasSubstr;

TEST(SummaryTest, ShowsProcessTablesEventsFindingsAndVerdict) {
  const CliResult result = RunCli({"summary", BankTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_THAT(result.out, HasSubstr("pid 4242, /usr/bin/bank"));
  EXPECT_THAT(result.out, HasSubstr("duration:  10.0us (closed: exit)"));
  EXPECT_THAT(result.out, HasSubstr("threads:   2 (main, worker)"));
  EXPECT_THAT(result.out, HasSubstr("objects:   9 mutexes, 1 rwlock, 1 cell"));
  // The count, what it is made of, and what the mode records at all.
  EXPECT_THAT(result.out,
              HasSubstr("events:    11 events recorded: 1 contended wait, 4 "
                        "acquisitions, 4 releases, 1 borrow, 1 borrow "
                        "release (events=all records every acquisition, "
                        "release and borrow), 3 dropped\n"));
  EXPECT_THAT(result.out, HasSubstr("edges:     7 lock-order edges"));
  EXPECT_THAT(result.out,
              HasSubstr("findings:  2 lock-order-cycle, 1 lock-class-cycle, "
                        "1 cross-thread-borrow, 1 borrow-conflict"));
  EXPECT_THAT(result.out,
              HasSubstr("verdict: FAIL: 3 findings would fail 'lockscope "
                        "check' (1 lock-order-cycle, 1 cross-thread-borrow, "
                        "1 borrow-conflict)"));
}

TEST(SummaryTest, CleanTraceVerdict) {
  const std::string path = TempPath("clean.lstrace");
  WriteCleanTrace(path);
  const CliResult result = RunCli({"summary", path});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("findings:  none"));
  EXPECT_THAT(result.out, HasSubstr("verdict: clean: no findings"));
}

TEST(SummaryTest, ThreadsSharingANameAreToldApartByTheirIds) {
  const std::string path = TempPath("pool.lstrace");
  {
    TraceBuilder b(path, 78);
    b.Thread("main");
    b.Thread("worker");
    b.Thread("worker");
    b.Thread("");
    b.End(1000);
  }
  const CliResult result = RunCli({"summary", path});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("threads:   4 (main, worker #2, worker #3, #4)"));
}

TEST(SummaryTest, SeveralTracesAreAlsoJudgedAsOneProgram) {
  const std::string a = TempPath("a.lstrace");
  const std::string b = TempPath("b.lstrace");
  WriteHalfInversion(a, 11, true);
  WriteHalfInversion(b, 22, false);
  const CliResult result = RunCli({"summary", a, b});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("pid 11"));
  EXPECT_THAT(result.out, HasSubstr("pid 22"));
  EXPECT_THAT(result.out, HasSubstr("all 2 traces as one program"));
  EXPECT_THAT(result.out, HasSubstr("verdict: FAIL: 1 finding would fail"));
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
