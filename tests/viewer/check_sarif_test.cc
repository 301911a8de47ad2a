// `lockscope check --format=sarif`.
#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

TEST(CheckSarifTest, ShapeOfALog) {
  const CliResult result = RunCli({"check", "--format=sarif", BankTrace()});
  EXPECT_EQ(result.exit_code, 1);
  std::unique_ptr<Json> json = MustParse(result.out);
  ASSERT_NE(json, nullptr);
  ASSERT_NE(json->Get("version"), nullptr);
  EXPECT_EQ(json->Get("version")->string, "2.1.0");
  ASSERT_NE(json->Get("$schema"), nullptr);
  EXPECT_THAT(json->Get("$schema")->string, ::testing::HasSubstr("sarif"));
  const Json* runs = json->Get("runs");
  ASSERT_TRUE(runs && runs->is_array() && runs->array.size() == 1);
  const Json& run = runs->array[0];
  EXPECT_EQ(run.Get("tool")->Get("driver")->Get("name")->string, "lockscope");
  const Json* results = run.Get("results");
  ASSERT_TRUE(results && results->is_array());
  ASSERT_EQ(results->array.size(), 5u);
  for (const Json& r : results->array) {
    ASSERT_NE(r.Get("ruleId"), nullptr);
    ASSERT_NE(r.Get("message"), nullptr);
    EXPECT_NE(r.Get("message")->Get("text"), nullptr);
    const std::string& level = r.Get("level")->string;
    EXPECT_TRUE(level == "error" || level == "warning" || level == "note")
        << level;
    ASSERT_NE(r.Get("partialFingerprints"), nullptr);
  }
  const Json& cycle = results->array[0];
  EXPECT_EQ(cycle.Get("ruleId")->string, "lock-order-cycle");
  EXPECT_EQ(cycle.Get("level")->string, "error");
  // The primary location is where the second lock of the first edge was
  // taken; the file is relative (a uriBaseId) since it was recorded so.
  const Json& location = cycle.Get("locations")->array.at(0);
  const Json* physical = location.Get("physicalLocation");
  ASSERT_NE(physical, nullptr);
  EXPECT_EQ(physical->Get("artifactLocation")->Get("uri")->string,
            "src/bank.cc");
  EXPECT_EQ(physical->Get("region")->Get("startLine")->number, 42);
  // One thread flow per edge, two steps each.
  const Json& flows = cycle.Get("codeFlows")->array.at(0);
  ASSERT_EQ(flows.Get("threadFlows")->array.size(), 2u);
  EXPECT_EQ(flows.Get("threadFlows")->array[0].Get("locations")->array.size(),
            2u);
  // The guarded cycle is a note.
  EXPECT_EQ(results->array[1].Get("level")->string, "note");
}

TEST(CheckSarifTest, FingerprintsAreStableAcrossIdAssignments) {
  const std::string a = TempPath("a.lstrace");
  const std::string b = TempPath("b.lstrace");
  WriteHalfInversion(a, 11, true);
  WriteHalfInversion(b, 22, false);
  const auto fingerprint = [](const CliResult& result) {
    std::unique_ptr<Json> json = MustParse(result.out);
    const Json& r = json->Get("runs")->array.at(0).Get("results")->array.at(0);
    return r.Get("partialFingerprints")->values.at(0).string;
  };
  const std::string ab = fingerprint(RunCli({"check", "--format=sarif", a, b}));
  const std::string ba = fingerprint(RunCli({"check", "--format=sarif", b, a}));
  EXPECT_EQ(ab, ba);
  EXPECT_EQ(ab.size(), 16u);
}

TEST(CheckSarifTest, PrimaryLocationSkipsLockscopeAndSystemFrames) {
  const std::string path = TempPath("inlined.lstrace");
  {
    TraceBuilder b(path, 3);
    const collector::ThreadId t = b.Thread("main");
    const collector::ObjectId x = b.Mutex("x", 1);
    const collector::ObjectId y = b.Mutex("y", 2);
    const collector::StackId stack = b.InlinedStack(
        {"main", "src/main.cc", 30},
        {{"lockscope::Mutex::lock()", "/opt/include/lockscope/mutex.h", 100},
         {"std::lock_guard<lockscope::Mutex>::lock_guard(lockscope::Mutex&)",
          "/usr/include/c++/12/bits/std_mutex.h", 229},
         {"Transfer", "src/bank.cc", 42}});
    b.Edge(x, y, t, stack, stack);
    b.Edge(y, x, t, stack, stack);
    collector::Finding cycle;
    cycle.kind = collector::FindingKind::kLockOrderCycle;
    cycle.objects = {x, y};
    cycle.threads = {t};
    cycle.edges = {{x, y, t, stack, stack}, {y, x, t, stack, stack}};
    b.Finding(cycle);
    b.End(10);
  }
  const CliResult result = RunCli({"check", "--format=sarif", path});
  std::unique_ptr<Json> json = MustParse(result.out);
  ASSERT_NE(json, nullptr);
  const Json& r = json->Get("runs")->array.at(0).Get("results")->array.at(0);
  const Json* physical = r.Get("locations")->array.at(0).Get("physicalLocation");
  ASSERT_NE(physical, nullptr);
  EXPECT_EQ(physical->Get("artifactLocation")->Get("uri")->string,
            "src/bank.cc");
  EXPECT_EQ(physical->Get("region")->Get("startLine")->number, 42);
}

TEST(CheckSarifTest, SuppressedResultsCarryASuppression) {
  const std::string path = TempPath("suppressed.lstrace");
  WriteSingleFindingTrace(path, collector::FindingKind::kLockOrderCycle,
                          /*suppressed=*/true);
  const CliResult result = RunCli({"check", "--format=sarif", path});
  EXPECT_EQ(result.exit_code, 0);
  std::unique_ptr<Json> json = MustParse(result.out);
  ASSERT_NE(json, nullptr);
  const Json& r = json->Get("runs")->array.at(0).Get("results")->array.at(0);
  ASSERT_NE(r.Get("suppressions"), nullptr);
  EXPECT_EQ(r.Get("suppressions")->array.at(0).Get("kind")->string,
            "inSource");
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
