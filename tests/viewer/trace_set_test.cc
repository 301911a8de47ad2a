#include "viewer/trace_set.h"

#include <algorithm>
#include <string>
#include <vector>

#include "collector/analysis/suppressions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/viewer/test_traces.h"
#include "viewer/verdict.h"

namespace lockscope::viewer {
namespace {

using collector::FindingKind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using test_traces::TempPath;

std::vector<collector::TraceData> Load(const std::vector<std::string>& paths) {
  absl::StatusOr<std::vector<collector::TraceData>> traces =
      LoadTraces(paths, LoadOptions{});
  EXPECT_TRUE(traces.ok()) << traces.status();
  return traces.ok() ? *std::move(traces)
                     : std::vector<collector::TraceData>{};
}

std::vector<std::string> LockNames(const Analysis& analysis,
                                   const collector::Finding& finding) {
  std::vector<std::string> names;
  for (collector::ObjectId id : finding.objects) {
    names.push_back(analysis.Object(id) ? analysis.Object(id)->name : "?");
  }
  std::sort(names.begin(), names.end());
  return names;
}

size_t CountKind(const Analysis& analysis, FindingKind kind) {
  return std::count_if(
      analysis.findings.begin(), analysis.findings.end(),
      [&](const AnalyzedFinding& f) { return f.finding.kind == kind; });
}

const AnalyzedFinding* FirstOfKind(const Analysis& analysis,
                                   FindingKind kind) {
  for (const AnalyzedFinding& f : analysis.findings) {
    if (f.finding.kind == kind) return &f;
  }
  return nullptr;
}

TEST(TraceSetTest, SingleTraceKeepsIdsAndStoredFindings) {
  const std::string path = TempPath("bank.lstrace");
  test_traces::WriteBankTrace(path);
  const auto traces = Load({path});
  ASSERT_EQ(traces.size(), 1u);
  const Analysis analysis = Analysis::Build(traces);
  EXPECT_FALSE(analysis.merged);
  EXPECT_EQ(analysis.objects.size(), traces[0].objects.size());
  ASSERT_NE(analysis.Object(1), nullptr);
  EXPECT_EQ(analysis.Object(1)->name, "accounts");
  ASSERT_EQ(analysis.findings.size(), traces[0].findings.size());
  for (size_t i = 0; i < analysis.findings.size(); ++i) {
    EXPECT_EQ(analysis.findings[i].finding.id, traces[0].findings[i].id);
    EXPECT_THAT(analysis.findings[i].traces, ElementsAre(0u));
  }
  EXPECT_NE(analysis.FindEdge(1, 2), nullptr);
  EXPECT_EQ(analysis.FindEdge(2, 5), nullptr);
  const std::vector<collector::Frame> frames = analysis.Stack(1);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames[0].function, "Transfer");
}

TEST(TraceSetTest, CycleWhoseHalvesRanInTwoProcessesIsFound) {
  const std::string a = TempPath("half_a.lstrace");
  const std::string b = TempPath("half_b.lstrace");
  test_traces::WriteHalfInversion(a, 101, /*forward=*/true);
  test_traces::WriteHalfInversion(b, 202, /*forward=*/false);

  EXPECT_TRUE(Analysis::Build(Load({a})).findings.empty());
  EXPECT_TRUE(Analysis::Build(Load({b})).findings.empty());

  const Analysis both = Analysis::Build(Load({a, b}));
  EXPECT_TRUE(both.merged);
  ASSERT_EQ(CountKind(both, FindingKind::kLockOrderCycle), 1u);
  const AnalyzedFinding* cycle =
      FirstOfKind(both, FindingKind::kLockOrderCycle);
  EXPECT_THAT(LockNames(both, cycle->finding), ElementsAre("left", "right"));
  EXPECT_THAT(cycle->traces, ElementsAre(0u, 1u));
  EXPECT_FALSE(IsGuarded(cycle->finding));
  // "left" and "right" are one lock each; "unrelated" exists once.
  EXPECT_EQ(both.objects.size(), 3u);
}

TEST(TraceSetTest, ThreadsOfDifferentProcessesStayApartAndNamePid) {
  const std::string a = TempPath("half_a.lstrace");
  const std::string b = TempPath("half_b.lstrace");
  test_traces::WriteHalfInversion(a, 101, true);
  test_traces::WriteHalfInversion(b, 202, false);
  const Analysis both = Analysis::Build(Load({a, b}));
  std::vector<std::string> names;
  for (const auto& [id, thread] : both.threads) names.push_back(thread.name);
  EXPECT_THAT(names, UnorderedElementsAre("producer [pid 101]",
                                          "consumer [pid 202]"));
}

TEST(TraceSetTest, SameNamedInstancesAreNotMatchedAcrossTraces) {
  const std::string a = TempPath("bank_a.lstrace");
  const std::string b = TempPath("bank_b.lstrace");
  test_traces::WriteBankTrace(a);
  test_traces::WriteBankTrace(b);
  const Analysis both = Analysis::Build(Load({a, b}));
  // accounts, ledger, gate, alpha, beta, config shared; per trace: the app
  // cell and four same-named lock instances.
  EXPECT_EQ(both.objects.size(), 6u + 2u * 5u);
  // The cycles are re-found once over the shared locks, guarded one too.
  EXPECT_EQ(CountKind(both, FindingKind::kLockOrderCycle), 2u);
  // Borrow findings are about each process's own cell.
  EXPECT_EQ(CountKind(both, FindingKind::kCrossThreadBorrow), 2u);
  EXPECT_EQ(CountKind(both, FindingKind::kBorrowConflict), 2u);
  for (const AnalyzedFinding& f : both.findings) {
    if (f.finding.kind != FindingKind::kLockOrderCycle) continue;
    EXPECT_THAT(f.traces, ElementsAre(0u, 1u));
    const std::vector<std::string> names = LockNames(both, f.finding);
    if (names == std::vector<std::string>{"alpha", "beta"}) {
      ASSERT_EQ(f.finding.guarded_by.size(), 1u);
      EXPECT_EQ(both.Object(f.finding.guarded_by[0])->name, "gate");
    } else {
      EXPECT_THAT(names, ElementsAre("accounts", "ledger"));
      EXPECT_TRUE(f.finding.guarded_by.empty());
    }
  }
}

TEST(TraceSetTest, GateIsTheIntersectionOverTraces) {
  const std::string guarded = TempPath("guarded.lstrace");
  const std::string open = TempPath("open.lstrace");
  test_traces::WriteSingleFindingTrace(guarded, FindingKind::kLockOrderCycle,
                                       false, /*guarded=*/true);
  test_traces::WriteSingleFindingTrace(open, FindingKind::kLockOrderCycle,
                                       false, /*guarded=*/false);
  const Analysis only_guarded = Analysis::Build(Load({guarded, guarded}));
  ASSERT_EQ(CountKind(only_guarded, FindingKind::kLockOrderCycle), 1u);
  EXPECT_TRUE(IsGuarded(
      FirstOfKind(only_guarded, FindingKind::kLockOrderCycle)->finding));

  const Analysis mixed = Analysis::Build(Load({guarded, open}));
  ASSERT_EQ(CountKind(mixed, FindingKind::kLockOrderCycle), 1u);
  EXPECT_FALSE(
      IsGuarded(FirstOfKind(mixed, FindingKind::kLockOrderCycle)->finding));
  const AnalyzedEdge* edge = mixed.edges.empty() ? nullptr : &mixed.edges[0];
  ASSERT_NE(edge, nullptr);
  EXPECT_TRUE(edge->gates.empty());
  EXPECT_EQ(edge->count, 2u);
}

TEST(TraceSetTest, SuppressedMarkCarriesOverToTheReanalyzedCycle) {
  const std::string suppressed = TempPath("suppressed.lstrace");
  const std::string clean = TempPath("clean.lstrace");
  test_traces::WriteSingleFindingTrace(suppressed, FindingKind::kLockOrderCycle,
                                       /*suppressed=*/true);
  test_traces::WriteCleanTrace(clean);
  const Analysis both = Analysis::Build(Load({suppressed, clean}));
  const AnalyzedFinding* cycle =
      FirstOfKind(both, FindingKind::kLockOrderCycle);
  ASSERT_NE(cycle, nullptr);
  EXPECT_TRUE(cycle->finding.suppressed);
}

TEST(TraceSetTest, ConflictingPcsAreRenumbered) {
  // Both halves put their first frame at the same pc, with different
  // functions ("Produce" and "Consume").
  const std::string a = TempPath("half_a.lstrace");
  const std::string b = TempPath("half_b.lstrace");
  test_traces::WriteHalfInversion(a, 1, true);
  test_traces::WriteHalfInversion(b, 2, false);
  const Analysis both = Analysis::Build(Load({a, b}));
  std::vector<std::string> functions;
  for (const AnalyzedEdge& edge : both.edges) {
    const std::vector<collector::Frame> frames = both.Stack(edge.first.to_stack);
    ASSERT_EQ(frames.size(), 1u);
    functions.push_back(frames[0].function);
  }
  EXPECT_THAT(functions, ElementsAre("Produce", "Consume"));
  EXPECT_GE(both.maps[1].pcs.begin()->second, kSyntheticPcBase);
}

// Writes a trace with one edge x -> y whose stack has inlined frames.
void WriteInlinedTrace(const std::string& path) {
  test_traces::TraceBuilder b(path, 7);
  const collector::ThreadId t = b.Thread("main");
  const collector::ObjectId x = b.Mutex("x", 1);
  const collector::ObjectId y = b.Mutex("y", 2);
  const collector::StackId stack =
      b.InlinedStack({"main", "src/main.cc", 30},
                     {{"lockscope::Mutex::lock()", "lockscope/mutex.h", 100},
                      {"Transfer", "src/bank.cc", 42}});
  b.Edge(x, y, t, stack, stack);
  b.End(10);
}

std::vector<std::string> Functions(const std::vector<collector::Frame>& frames) {
  std::vector<std::string> out;
  for (const collector::Frame& frame : frames) out.push_back(frame.function);
  return out;
}

TEST(TraceSetTest, InlinedFramesComeBeforeTheirPhysicalFrame) {
  const std::string path = TempPath("inlined.lstrace");
  const std::string clean = TempPath("clean.lstrace");
  WriteInlinedTrace(path);
  test_traces::WriteCleanTrace(clean);
  const Analysis one = Analysis::Build(Load({path}));
  ASSERT_EQ(one.edges.size(), 1u);
  EXPECT_THAT(Functions(one.Stack(one.edges[0].first.to_stack)),
              ElementsAre("lockscope::Mutex::lock()", "Transfer", "main"));
  // Merged with a trace that put a different function at the same pc, the
  // chain moves with its (renumbered) pc.
  const Analysis both = Analysis::Build(Load({clean, path}));
  const AnalyzedEdge* edge = nullptr;
  for (const AnalyzedEdge& e : both.edges) {
    if (both.Object(e.first.from)->name == "x") edge = &e;
  }
  ASSERT_NE(edge, nullptr);
  const std::vector<collector::Frame> frames =
      both.Stack(edge->first.to_stack);
  EXPECT_THAT(Functions(frames),
              ElementsAre("lockscope::Mutex::lock()", "Transfer", "main"));
  EXPECT_GE(frames[0].pc, kSyntheticPcBase);
  EXPECT_EQ(frames[0].pc, frames[2].pc);
}

TEST(TraceSetTest, CountersAreSummedPerLock) {
  const std::string a = TempPath("bank_a.lstrace");
  test_traces::WriteBankTrace(a);
  const Analysis both = Analysis::Build(Load({a, a}));
  const collector::ObjectId accounts = both.maps[0].objects.at(1);
  EXPECT_EQ(both.maps[1].objects.at(1), accounts);
  const collector::ObjectCounters& c = both.counters.at(accounts);
  EXPECT_EQ(c.acquisitions, 20u);
  EXPECT_EQ(c.wait_total_ns, 1800u);
  EXPECT_EQ(c.wait_max_ns, 500u);
}

TEST(TraceSetTest, UnreadableTraceIsAnErrorNamingTheFile) {
  const std::string missing = TempPath("missing.lstrace");
  absl::StatusOr<std::vector<collector::TraceData>> traces =
      LoadTraces({missing}, LoadOptions{});
  ASSERT_FALSE(traces.ok());
  EXPECT_THAT(std::string(traces.status().message()), HasSubstr(missing));
}

}  // namespace
}  // namespace lockscope::viewer
