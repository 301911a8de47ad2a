#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

const Json* EventNamed(const Json& events, const std::string& name) {
  for (const Json& event : events.array) {
    if (event.Get("name") && event.Get("name")->string == name) return &event;
  }
  return nullptr;
}

TEST(ExportTest, ChromeTraceEvents) {
  const CliResult result =
      RunCli({"export", BankTrace(), "--format=chrome-json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::unique_ptr<Json> json = MustParse(result.out);
  ASSERT_NE(json, nullptr);
  const Json* events = json->Get("traceEvents");
  ASSERT_TRUE(events && events->is_array());

  const Json* wait = EventNamed(*events, "wait accounts");
  ASSERT_NE(wait, nullptr);
  EXPECT_EQ(wait->Get("ph")->string, "X");
  EXPECT_DOUBLE_EQ(wait->Get("ts")->number, 1.0);   // 1000ns after start
  EXPECT_DOUBLE_EQ(wait->Get("dur")->number, 0.5);  // until acquired
  EXPECT_EQ(wait->Get("tid")->number, 2);
  EXPECT_EQ(wait->Get("pid")->number, 4242);

  const Json* hold = EventNamed(*events, "hold accounts");
  ASSERT_NE(hold, nullptr);
  EXPECT_DOUBLE_EQ(hold->Get("dur")->number, 0.3);
  const Json* borrow = EventNamed(*events, "borrow app");
  ASSERT_NE(borrow, nullptr);
  EXPECT_EQ(borrow->Get("args")->Get("access")->string, "shared");

  const Json* finding = EventNamed(*events, "cross-thread-borrow");
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->Get("ph")->string, "i");

  int thread_names = 0;
  for (const Json& event : events->array) {
    if (event.Get("name")->string == "thread_name") {
      EXPECT_EQ(event.Get("ph")->string, "M");
      ++thread_names;
    }
  }
  EXPECT_EQ(thread_names, 2);
}

TEST(ExportTest, UnfinishedWaitRunsToTheEnd) {
  const std::string path = TempPath("hung.lstrace");
  {
    TraceBuilder b(path, 5);
    const collector::ThreadId t = b.Thread("stuck");
    const collector::ObjectId m = b.Mutex("m", 1);
    b.Events(t, {Ev(100, m, collector::EventType::kAcquireWait)});
    b.End(1100);
  }
  const std::string out = TempPath("hung.json");
  ASSERT_EQ(RunCli({"export", path, "-o", out}).exit_code, 0);
  std::unique_ptr<Json> json = MustParse(ReadFile(out));
  ASSERT_NE(json, nullptr);
  const Json* wait = EventNamed(*json->Get("traceEvents"), "wait m");
  ASSERT_NE(wait, nullptr);
  EXPECT_DOUBLE_EQ(wait->Get("dur")->number, 1.0);
  EXPECT_TRUE(wait->Get("args")->Get("unfinished")->boolean);
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
