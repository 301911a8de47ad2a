#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::HasSubstr;

TEST(MergeTest, MergedTraceHoldsTheCrossProcessCycle) {
  const std::string a = TempPath("a.lstrace");
  const std::string b = TempPath("b.lstrace");
  const std::string merged = TempPath("merged.lstrace");
  WriteHalfInversion(a, 11, true);
  WriteHalfInversion(b, 22, false);
  const CliResult merge = RunCli({"merge", "-o", merged, a, b});
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_EQ(merge.err, "");
  EXPECT_THAT(merge.out, HasSubstr("merged 2 traces into " + merged));

  const CliResult check = RunCli({"check", merged});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("left => right => left"));
  // Each half's stack survives, though both used the same pc.
  EXPECT_THAT(check.out, HasSubstr("#0 Produce src/producer.cc:11"));
  EXPECT_THAT(check.out, HasSubstr("#0 Consume src/consumer.cc:22"));
  EXPECT_THAT(check.out, HasSubstr("producer [pid 11]"));

  const CliResult summary = RunCli({"summary", merged});
  EXPECT_THAT(summary.out, HasSubstr("threads:   2"));
  EXPECT_THAT(summary.out, HasSubstr("objects:   3 mutex"));
  EXPECT_THAT(summary.out, HasSubstr("closed: merge"));
}

TEST(MergeTest, UnionKeepsEventsCountersAndFindings) {
  const std::string clean = TempPath("clean.lstrace");
  const std::string merged = TempPath("merged.lstrace");
  WriteCleanTrace(clean);
  ASSERT_EQ(RunCli({"merge", "-o", merged, BankTrace(), clean}).exit_code, 0);
  const CliResult summary = RunCli({"summary", merged});
  EXPECT_THAT(summary.out, HasSubstr("events:    15 events recorded: "));
  EXPECT_THAT(summary.out,
              HasSubstr("objects:   11 mutexes, 1 rwlock, 1 cell"));
  EXPECT_THAT(summary.out, HasSubstr("1 cross-thread-borrow"));
  const CliResult locks = RunCli({"locks", "--sort=name", merged});
  EXPECT_THAT(locks.out, ::testing::ContainsRegex("accounts +mutex +10 "));
  EXPECT_THAT(locks.out, ::testing::ContainsRegex("first +mutex +1 "));
  const CliResult events = RunCli({"events", "--lock=first", merged});
  EXPECT_THAT(events.out, HasSubstr("2 of 2 matching events shown (15 in the "
                                    "trace)"));
  // Merging the merge again is stable.
  const std::string again = TempPath("again.lstrace");
  ASSERT_EQ(RunCli({"merge", "-o", again, merged}).exit_code, 0);
  EXPECT_EQ(RunCli({"check", again}).exit_code, 1);
}

TEST(MergeTest, InlinedFramesSurvive) {
  const std::string path = TempPath("inlined.lstrace");
  {
    TraceBuilder b(path, 3);
    const collector::ThreadId t = b.Thread("main");
    const collector::ObjectId x = b.Mutex("x", 1);
    const collector::ObjectId y = b.Mutex("y", 2);
    const collector::StackId stack = b.InlinedStack(
        {"main", "src/main.cc", 30}, {{"Transfer", "src/bank.cc", 42}});
    b.Edge(x, y, t, stack, stack);
    b.Edge(y, x, t, stack, stack);
    b.End(10);
  }
  const std::string merged = TempPath("merged.lstrace");
  ASSERT_EQ(RunCli({"merge", "-o", merged, path, BankTrace()}).exit_code, 0);
  const CliResult cycles = RunCli({"cycles", merged});
  EXPECT_THAT(cycles.out, HasSubstr("x => y => x"));
  EXPECT_THAT(cycles.out, HasSubstr("#0 Transfer src/bank.cc:42\n"
                                    "      #1 main src/main.cc:30"));
}

TEST(MergeTest, RefusesToOverwriteAnInput) {
  const std::string clean = TempPath("clean.lstrace");
  WriteCleanTrace(clean);
  const std::string before = ReadFile(clean);
  ExpectOneLineError(RunCli({"merge", "-o", clean, clean}), "also an input");
  EXPECT_EQ(ReadFile(clean), before);
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
