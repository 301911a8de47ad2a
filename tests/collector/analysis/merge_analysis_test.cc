// collector::Analysis::Build called directly on traces built in memory (no
// file, no CLI): a single trace is copied with its ids, several are merged
// into one program: locks matched by kind and name, threads kept apart,
// edges and counters combined, the lock-order analysis re-run, stored
// findings remapped and deduplicated, and a pc two processes symbolize
// differently split.
#include "collector/analysis/merge_analysis.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

using collector::Finding;
using collector::FindingKind;
using collector::ObjectId;
using collector::ObjectKind;
using collector::StackId;
using collector::ThreadId;
using collector::TraceData;
using ::testing::ElementsAre;

// Adds what a loaded trace holds, with the ids given.
class MemoryTrace {
 public:
  explicit MemoryTrace(int64_t pid) { data_.header.pid = pid; }

  ThreadId Thread(ThreadId id, const std::string& name) {
    data_.threads[id] = collector::ThreadInfo{id, 1000 + id, name};
    return id;
  }
  ObjectId Object(ObjectId id, const std::string& name,
                  ObjectKind kind = ObjectKind::kMutex) {
    collector::ObjectInfo& o = data_.objects[id];
    o.id = id;
    o.kind = kind;
    o.name = name;
    o.class_name = name;
    return id;
  }
  // A one-pc stack whose pc is symbolized as `function`.
  StackId Stack(StackId id, uint64_t pc, const std::string& function) {
    data_.stacks[id] = {pc};
    data_.frames[pc] = collector::Frame{pc, function, "src/app.cc", 7, ""};
    return id;
  }
  void Edge(ObjectId from, ObjectId to, ThreadId thread, StackId stack,
            const std::vector<ObjectId>& held = {}, uint64_t count = 1) {
    collector::EdgeState& e = data_.edges.emplace_back();
    e.first.from = from;
    e.first.to = to;
    e.first.thread = thread;
    e.first.to_stack = stack;
    e.first.from_stack = stack;
    e.first.held = held;
    e.gates = held;
    std::sort(e.gates.begin(), e.gates.end());
    e.count = count;
  }
  Finding& Stored(FindingKind kind, std::vector<ObjectId> objects,
                  std::vector<ThreadId> threads, StackId stack) {
    Finding& f = data_.findings.emplace_back();
    f.id = data_.findings.size();
    f.kind = kind;
    f.severity = collector::DefaultSeverity(kind);
    f.objects = std::move(objects);
    f.threads = std::move(threads);
    f.stack = stack;
    return f;
  }
  void Acquisitions(ObjectId id, uint64_t n, uint64_t wait_max_ns) {
    collector::ObjectCounters& c = data_.counters[id];
    c.object = id;
    c.acquisitions = n;
    c.wait_max_ns = wait_max_ns;
  }
  TraceData Take() { return std::move(data_); }

 private:
  TraceData data_;
};

std::vector<std::string> Names(const Analysis& analysis,
                               const std::vector<ObjectId>& ids) {
  std::vector<std::string> names;
  for (ObjectId id : ids) {
    const collector::ObjectInfo* o = analysis.Object(id);
    names.push_back(o != nullptr ? o->name : "?");
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<const AnalyzedFinding*> OfKind(const Analysis& analysis,
                                           FindingKind kind) {
  std::vector<const AnalyzedFinding*> out;
  for (const AnalyzedFinding& f : analysis.findings) {
    if (f.finding.kind == kind) out.push_back(&f);
  }
  return out;
}

// One half of an inversion in process `pid`: `first` then `second`, with
// `gate` held around it when non-empty.
TraceData Half(int64_t pid, const std::string& first,
               const std::string& second, const std::string& gate = "") {
  MemoryTrace t(pid);
  const ThreadId main = t.Thread(1, "main");
  // Ids differ between the halves on purpose: names match the locks.
  const ObjectId a = t.Object(pid * 10 + 1, first);
  const ObjectId b = t.Object(pid * 10 + 2, second);
  std::vector<ObjectId> held;
  if (!gate.empty()) held.push_back(t.Object(pid * 10 + 3, gate));
  t.Edge(a, b, main, t.Stack(1, 0x401000, "Transfer"), held);
  return t.Take();
}

TEST(MergeAnalysisTest, SingleTraceKeepsItsIds) {
  MemoryTrace t(41);
  const ThreadId main = t.Thread(3, "main");
  const ObjectId a = t.Object(7, "accounts"), b = t.Object(9, "ledger");
  const StackId s = t.Stack(5, 0x401000, "Transfer");
  t.Edge(a, b, main, s);
  t.Stored(FindingKind::kCrossThreadBorrow, {a}, {main}, s);
  const std::vector<TraceData> traces = {t.Take()};
  const Analysis analysis = Analysis::Build(traces);
  EXPECT_FALSE(analysis.merged);
  ASSERT_NE(analysis.Object(7), nullptr);
  EXPECT_EQ(analysis.Object(7)->name, "accounts");
  ASSERT_NE(analysis.Thread(3), nullptr);
  EXPECT_EQ(analysis.Thread(3)->name, "main");  // no pid added
  ASSERT_EQ(analysis.maps.size(), 1u);
  EXPECT_EQ(analysis.maps[0].objects.at(9), 9u);
  EXPECT_EQ(analysis.maps[0].stacks.at(5), 5u);
  ASSERT_NE(analysis.FindEdge(7, 9), nullptr);
  EXPECT_THAT(analysis.FindEdge(7, 9)->traces, ElementsAre(0u));
  // Stored findings are kept as they are: no re-analysis of one trace.
  ASSERT_EQ(analysis.findings.size(), 1u);
  EXPECT_EQ(analysis.findings[0].finding.kind, FindingKind::kCrossThreadBorrow);
  EXPECT_THAT(analysis.findings[0].traces, ElementsAre(0u));
}

TEST(MergeAnalysisTest, InversionSplitOverTwoProcessesIsFound) {
  const std::vector<TraceData> traces = {Half(1, "left", "right"),
                                         Half(2, "right", "left")};
  const Analysis analysis = Analysis::Build(traces);
  EXPECT_TRUE(analysis.merged);
  // "left" and "right" are one lock each across the processes.
  EXPECT_EQ(analysis.objects.size(), 2u);
  EXPECT_EQ(analysis.maps[0].objects.at(11), analysis.maps[1].objects.at(22));
  EXPECT_EQ(analysis.maps[0].objects.at(12), analysis.maps[1].objects.at(21));
  const auto cycles = OfKind(analysis, FindingKind::kLockOrderCycle);
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_THAT(Names(analysis, cycles[0]->finding.objects),
              ElementsAre("left", "right"));
  EXPECT_THAT(cycles[0]->traces, ElementsAre(0u, 1u));
  // Each process's main thread is its own, named by pid.
  std::vector<std::string> threads;
  for (const auto& [id, info] : analysis.threads) threads.push_back(info.name);
  std::sort(threads.begin(), threads.end());
  EXPECT_THAT(threads, ElementsAre("main [pid 1]", "main [pid 2]"));
}

TEST(MergeAnalysisTest, GateIsWhatEverySightingHeld) {
  // The same edge in both processes, under a gate in one only: the merged
  // edge keeps the intersection (no gate), so the cycle with a third
  // process's reversed half is not guarded.
  const std::vector<TraceData> traces = {
      Half(1, "left", "right", "gate"), Half(2, "left", "right"),
      Half(3, "right", "left", "gate")};
  const Analysis analysis = Analysis::Build(traces);
  const ObjectId left = analysis.maps[0].objects.at(11);
  const ObjectId right = analysis.maps[0].objects.at(12);
  const AnalyzedEdge* edge = analysis.FindEdge(left, right);
  ASSERT_NE(edge, nullptr);
  EXPECT_TRUE(edge->gates.empty());
  EXPECT_EQ(edge->count, 2u);
  EXPECT_THAT(edge->traces, ElementsAre(0u, 1u));
  const auto cycles = OfKind(analysis, FindingKind::kLockOrderCycle);
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_TRUE(cycles[0]->finding.guarded_by.empty());

  // Without the ungated sighting, both halves hold the gate: guarded.
  const std::vector<TraceData> gated = {Half(1, "left", "right", "gate"),
                                        Half(3, "right", "left", "gate")};
  const Analysis guarded = Analysis::Build(gated);
  const auto guarded_cycles = OfKind(guarded, FindingKind::kLockOrderCycle);
  ASSERT_EQ(guarded_cycles.size(), 1u);
  EXPECT_THAT(Names(guarded, guarded_cycles[0]->finding.guarded_by),
              ElementsAre("gate"));
}

TEST(MergeAnalysisTest, StoredCycleIsReplacedButKeepsItsSuppression) {
  std::vector<TraceData> traces = {Half(1, "left", "right"),
                                   Half(2, "right", "left")};
  // Process 2 saw the whole cycle itself and had it suppressed.
  Finding& stored = traces[1].findings.emplace_back();
  stored.id = 1;
  stored.kind = FindingKind::kLockOrderCycle;
  stored.objects = {21, 22};
  stored.suppressed = true;
  const Analysis analysis = Analysis::Build(traces);
  const auto cycles = OfKind(analysis, FindingKind::kLockOrderCycle);
  ASSERT_EQ(cycles.size(), 1u) << "the stored cycle was not replaced";
  EXPECT_TRUE(cycles[0]->finding.suppressed);
}

TEST(MergeAnalysisTest, SameStoredFindingInTwoProcessesIsReportedOnce) {
  std::vector<TraceData> traces;
  for (int64_t pid : {1, 2}) {
    MemoryTrace t(pid);
    const ThreadId worker = t.Thread(2, "worker");
    const ObjectId shared = t.Object(pid * 10, "shared");
    const ObjectId own = t.Object(pid * 10 + 1, "twin");
    const ObjectId twin = t.Object(pid * 10 + 2, "twin");  // name not unique
    const StackId s = t.Stack(4, 0x402000, "Destroy");
    t.Stored(FindingKind::kDestroyedWhileHeld, {shared}, {worker}, s).count =
        static_cast<uint64_t>(pid);
    t.Stored(FindingKind::kDestroyedWhileHeld, {own}, {worker}, s);
    (void)twin;
    traces.push_back(t.Take());
  }
  const Analysis analysis = Analysis::Build(traces);
  const auto found = OfKind(analysis, FindingKind::kDestroyedWhileHeld);
  // "shared" is one lock in both processes: one finding, counts summed.
  // The "twin" locks cannot be matched (two per trace): one each.
  ASSERT_EQ(found.size(), 3u);
  EXPECT_THAT(Names(analysis, found[0]->finding.objects),
              ElementsAre("shared"));
  EXPECT_EQ(found[0]->finding.count, 3u);
  EXPECT_THAT(found[0]->traces, ElementsAre(0u, 1u));
  EXPECT_THAT(found[1]->traces, ElementsAre(0u));
  EXPECT_THAT(found[2]->traces, ElementsAre(1u));
  EXPECT_NE(found[1]->finding.objects, found[2]->finding.objects);
  // Remapped: the threads and stacks are the merged ones.
  const collector::ThreadInfo* thread =
      analysis.Thread(found[2]->finding.threads.at(0));
  ASSERT_NE(thread, nullptr);
  EXPECT_EQ(thread->name, "worker [pid 2]");
  const std::vector<collector::Frame> frames =
      analysis.Stack(found[2]->finding.stack);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames[0].function, "Destroy");
  // Every finding id is distinct.
  EXPECT_NE(found[0]->finding.id, found[1]->finding.id);
  EXPECT_NE(found[1]->finding.id, found[2]->finding.id);
}

TEST(MergeAnalysisTest, PcSymbolizedDifferentlyIsSplit) {
  MemoryTrace one(1), two(2);
  one.Thread(1, "main");
  two.Thread(1, "main");
  one.Stack(1, 0x401000, "Alpha");
  two.Stack(1, 0x401000, "Beta");  // same pc, another program's code
  const std::vector<TraceData> traces = {one.Take(), two.Take()};
  const Analysis analysis = Analysis::Build(traces);
  const uint64_t first = analysis.maps[0].pcs.at(0x401000);
  const uint64_t second = analysis.maps[1].pcs.at(0x401000);
  EXPECT_EQ(first, 0x401000u);
  EXPECT_GE(second, kSyntheticPcBase);
  EXPECT_EQ(analysis.frames.at(first).function, "Alpha");
  EXPECT_EQ(analysis.frames.at(second).function, "Beta");
  EXPECT_EQ(analysis.Stack(analysis.maps[1].stacks.at(1)).at(0).function,
            "Beta");
}

TEST(MergeAnalysisTest, CountersAreSummedAndMaximaKept) {
  std::vector<TraceData> traces;
  for (int64_t pid : {1, 2}) {
    MemoryTrace t(pid);
    const ObjectId id = t.Object(pid, "hot");
    t.Acquisitions(id, 10 * static_cast<uint64_t>(pid),
                   100 * static_cast<uint64_t>(3 - pid));
    traces.push_back(t.Take());
  }
  const Analysis analysis = Analysis::Build(traces);
  ASSERT_EQ(analysis.counters.size(), 1u);
  const collector::ObjectCounters& c = analysis.counters.begin()->second;
  EXPECT_EQ(c.acquisitions, 30u);
  EXPECT_EQ(c.wait_max_ns, 200u);
  EXPECT_THAT(analysis.object_traces.at(c.object), ElementsAre(0u, 1u));
}

}  // namespace
}  // namespace lockscope::collector
