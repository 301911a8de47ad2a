// Tests for collector/analysis/analyzer.h. Synthetic edge sequences with
// explicit thread ids, fed from one thread: no real threads, fully
// deterministic.
#include "collector/analysis/analyzer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

ObjectInfo Lock(ObjectId id, const std::string& name,
                const std::string& class_name = "",
                ObjectKind kind = ObjectKind::kMutex) {
  ObjectInfo info;
  info.id = id;
  info.kind = kind;
  info.name = name;
  info.class_name = class_name.empty() ? name : class_name;
  return info;
}

// Stacks are numbered so a test can tell which sighting an edge kept:
// to_stack = 1000 * from + to, from_stack = that + 1.
EdgeObservation Edge(ObjectId from, ObjectId to, ThreadId thread,
                     std::vector<ObjectId> held = {},
                     Access from_access = Access::kExclusive,
                     Access to_access = Access::kExclusive) {
  EdgeObservation e;
  e.from = from;
  e.to = to;
  e.thread = thread;
  e.from_access = from_access;
  e.to_access = to_access;
  e.held = std::move(held);
  e.to_stack = 1000 * from + to;
  e.from_stack = 1000 * from + to + 1;
  e.time_ns = static_cast<int64_t>(from * 10 + to);
  return e;
}

class AnalyzerCycleTest : public ::testing::TestWithParam<int> {};

TEST_P(AnalyzerCycleTest, CycleOfAnyLengthIsReportedInCycleOrder) {
  const int n = GetParam();
  Analyzer analyzer;
  for (int i = 1; i <= n; ++i)
    analyzer.AddObject(Lock(i, absl::StrCat("L", i)));
  for (int i = 1; i < n; ++i) {
    EdgeUpdate u = analyzer.AddEdge(Edge(i, i + 1, /*thread=*/1));
    ASSERT_TRUE(u.new_edge);
    ASSERT_THAT(u.findings, IsEmpty()) << i;
  }
  EdgeUpdate u = analyzer.AddEdge(Edge(n, 1, /*thread=*/2));
  ASSERT_THAT(u.findings, SizeIs(1));
  const Finding& f = u.findings[0];
  EXPECT_EQ(f.kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.id, 1u);
  EXPECT_EQ(f.count, 1u);
  // Cycle order starts at the closing edge's `to`; the closing edge is last.
  std::vector<ObjectId> objects;
  std::string names;
  for (int i = 1; i <= n; ++i) {
    objects.push_back(i);
    absl::StrAppend(&names, "L", i, " => ");
  }
  EXPECT_THAT(f.objects, ElementsAreArray(objects));
  ASSERT_THAT(f.edges, SizeIs(n));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(f.edges[i].from, objects[i]);
    EXPECT_EQ(f.edges[i].to, objects[(i + 1) % n]);
    EXPECT_EQ(f.edges[i].to_stack, 1000 * f.edges[i].from + f.edges[i].to);
    EXPECT_EQ(f.edges[i].from_stack, f.edges[i].to_stack + 1);
  }
  EXPECT_EQ(f.edges.back().thread, 2u);
  EXPECT_THAT(f.threads, ElementsAre(1u, 2u));
  EXPECT_THAT(f.guarded_by, IsEmpty());
  EXPECT_EQ(f.stack, f.edges.back().to_stack);
  EXPECT_EQ(
      f.message,
      absl::StrCat("lock-order-cycle (potential deadlock): ", names, "L1"));
  // Every lock is its own class, so the class graph has the same cycle; the
  // instance finding covers it.
  EXPECT_THAT(analyzer.Findings(), SizeIs(1));
}

INSTANTIATE_TEST_SUITE_P(Lengths, AnalyzerCycleTest,
                         ::testing::Values(2, 3, 4, 5, 8, 20, 64));

TEST(AnalyzerTest, ConsistentOrderIsNotAFinding) {
  Analyzer analyzer;
  for (int i = 1; i <= 5; ++i)
    analyzer.AddObject(Lock(i, absl::StrCat("L", i)));
  for (int round = 0; round < 3; ++round) {
    for (int a = 1; a <= 5; ++a) {
      for (int b = a + 1; b <= 5; ++b) {
        EXPECT_THAT(analyzer.AddEdge(Edge(a, b, round + 1)).findings,
                    IsEmpty());
      }
    }
  }
  EXPECT_THAT(analyzer.Findings(), IsEmpty());
  EXPECT_THAT(analyzer.Edges(), SizeIs(10));
  ASSERT_NE(analyzer.FindEdge(1, 2), nullptr);
  EXPECT_EQ(analyzer.FindEdge(1, 2)->count, 3u);
  EXPECT_EQ(analyzer.FindEdge(2, 1), nullptr);
}

TEST(AnalyzerTest, SameClassNestingIsNotAFinding) {
  Analyzer analyzer;
  // Hand-over-hand over one class, and transfer(a, b) in address order.
  for (int i = 1; i <= 4; ++i) {
    analyzer.AddObject(Lock(i, "bank.cc:10", "bank.cc:10"));
  }
  EXPECT_THAT(analyzer.AddEdge(Edge(1, 2, 1)).findings, IsEmpty());
  EXPECT_THAT(analyzer.AddEdge(Edge(2, 3, 1)).findings, IsEmpty());
  EXPECT_THAT(analyzer.AddEdge(Edge(3, 4, 1)).findings, IsEmpty());
  EXPECT_THAT(analyzer.AddEdge(Edge(1, 4, 2)).findings, IsEmpty());
  EXPECT_THAT(analyzer.AddEdge(Edge(2, 4, 3)).findings, IsEmpty());
  EXPECT_THAT(analyzer.Findings(), IsEmpty());
}

TEST(AnalyzerTest, ClassCycleAcrossFourInstances) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a1", "Account"));
  analyzer.AddObject(Lock(2, "a2", "Account"));
  analyzer.AddObject(Lock(3, "b1", "Ledger"));
  analyzer.AddObject(Lock(4, "b2", "Ledger"));
  EXPECT_THAT(analyzer.AddEdge(Edge(1, 3, 1)).findings, IsEmpty());
  EdgeUpdate u = analyzer.AddEdge(Edge(4, 2, 2));
  ASSERT_THAT(u.findings, SizeIs(1));
  const Finding& f = u.findings[0];
  EXPECT_EQ(f.kind, FindingKind::kLockClassCycle);
  EXPECT_EQ(f.severity, Severity::kWarning);
  // One instance per class: the one opening that class's edge.
  EXPECT_THAT(f.objects, ElementsAre(1u, 4u));
  ASSERT_THAT(f.edges, SizeIs(2));
  EXPECT_EQ(f.edges[0].from, 1u);
  EXPECT_EQ(f.edges[0].to, 3u);
  EXPECT_EQ(f.edges[1].from, 4u);
  EXPECT_EQ(f.edges[1].to, 2u);
  EXPECT_THAT(f.threads, ElementsAre(1u, 2u));
  EXPECT_EQ(f.message,
            "lock-class-cycle (potential deadlock between lock classes): "
            "Account => Ledger => Account");
  // The same class inversion through more instances is the same finding.
  analyzer.AddObject(Lock(5, "a3", "Account"));
  analyzer.AddObject(Lock(6, "b3", "Ledger"));
  EXPECT_THAT(analyzer.AddEdge(Edge(6, 5, 3)).findings, IsEmpty());
  ASSERT_THAT(analyzer.Findings(), SizeIs(1));
  EXPECT_EQ(analyzer.Findings()[0].count, 2u);
}

TEST(AnalyzerTest, InstanceCycleSuppressesClassFinding) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a1", "Account"));
  analyzer.AddObject(Lock(2, "b1", "Ledger"));
  EXPECT_THAT(analyzer.AddEdge(Edge(1, 2, 1)).findings, IsEmpty());
  EdgeUpdate u = analyzer.AddEdge(Edge(2, 1, 2));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_EQ(u.findings[0].kind, FindingKind::kLockOrderCycle);
  // Other instances repeating the inversion add no class finding either:
  // the instance cycle already covers those classes.
  analyzer.AddObject(Lock(3, "a2", "Account"));
  analyzer.AddObject(Lock(4, "b2", "Ledger"));
  EXPECT_THAT(analyzer.AddEdge(Edge(4, 3, 3)).findings, IsEmpty());
  ASSERT_THAT(analyzer.Findings(), SizeIs(1));
  EXPECT_EQ(analyzer.Findings()[0].kind, FindingKind::kLockOrderCycle);
}

TEST(AnalyzerTest, HarmlessClassCycleOutlivesAnUnrelatedInstanceCycle) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "c1", "Config", ObjectKind::kRwLock));
  analyzer.AddObject(Lock(2, "c2", "Config", ObjectKind::kRwLock));
  analyzer.AddObject(Lock(3, "m1", "Mu"));
  analyzer.AddObject(Lock(4, "m2", "Mu"));
  analyzer.AddObject(Lock(5, "a1", "A"));
  analyzer.AddObject(Lock(6, "b1", "B"));
  // Config read, then Mu; Mu, then Config read: a class cycle, harmless
  // (readers do not wait for readers).
  analyzer.AddEdge(Edge(1, 3, 1, {}, Access::kShared, Access::kExclusive));
  analyzer.AddEdge(Edge(4, 2, 2, {}, Access::kExclusive, Access::kShared));
  ASSERT_THAT(analyzer.Findings(), IsEmpty());
  // An instance cycle elsewhere; its sighting makes a new class edge, which
  // re-examines the harmless Config/Mu cycle while class findings of that
  // sighting are not reported. It must stay harmless, not be written off.
  analyzer.AddEdge(Edge(5, 6, 3));
  ASSERT_THAT(analyzer.AddEdge(Edge(6, 5, 4)).findings, SizeIs(1));
  // Config now written while taking Mu: the class cycle can deadlock.
  EdgeUpdate u = analyzer.AddEdge(
      Edge(1, 3, 5, {}, Access::kExclusive, Access::kExclusive));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_EQ(u.findings[0].kind, FindingKind::kLockClassCycle);
  EXPECT_THAT(u.findings[0].message, HasSubstr("Config => Mu => Config"));
}

TEST(AnalyzerTest, GatedCycleIsMarkedAndLosesGateWithSameId) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a"));
  analyzer.AddObject(Lock(2, "b"));
  analyzer.AddObject(Lock(9, "gate"));
  analyzer.AddObject(Lock(8, "other"));
  EdgeUpdate u1 = analyzer.AddEdge(Edge(1, 2, 1, {9, 8}));
  EXPECT_TRUE(u1.new_edge);
  EXPECT_TRUE(u1.gates_changed);
  EdgeUpdate u2 = analyzer.AddEdge(Edge(2, 1, 2, {9}));
  ASSERT_THAT(u2.findings, SizeIs(1));
  const uint64_t id = u2.findings[0].id;
  EXPECT_THAT(u2.findings[0].guarded_by, ElementsAre(9u));
  EXPECT_THAT(u2.findings[0].message, HasSubstr("[guarded by gate]"));

  // Shrinking a gate set without changing the cycle's gate says nothing.
  EdgeUpdate u3 = analyzer.AddEdge(Edge(1, 2, 3, {9}));
  EXPECT_FALSE(u3.new_edge);
  EXPECT_TRUE(u3.gates_changed);
  EXPECT_THAT(u3.findings, IsEmpty());
  EXPECT_THAT(analyzer.FindEdge(1, 2)->gates, ElementsAre(9u));

  // One sighting without the gate: the same finding comes back unguarded.
  EdgeUpdate u4 = analyzer.AddEdge(Edge(1, 2, 3));
  ASSERT_THAT(u4.findings, SizeIs(1));
  EXPECT_EQ(u4.findings[0].id, id);
  EXPECT_THAT(u4.findings[0].guarded_by, IsEmpty());
  EXPECT_THAT(u4.findings[0].message, Not(HasSubstr("guarded")));
  // The first sighting's thread and stacks are kept.
  EXPECT_EQ(analyzer.FindEdge(1, 2)->first.thread, 1u);
  EXPECT_EQ(analyzer.FindEdge(1, 2)->count, 3u);
  ASSERT_THAT(analyzer.Findings(), SizeIs(1));
  EXPECT_THAT(analyzer.Findings()[0].guarded_by, IsEmpty());
}

TEST(AnalyzerTest, ClosingEdgeLosingGateReturnsSameId) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a"));
  analyzer.AddObject(Lock(2, "b"));
  analyzer.AddObject(Lock(9, "gate"));
  analyzer.AddEdge(Edge(1, 2, 1, {9}));
  EdgeUpdate u = analyzer.AddEdge(Edge(2, 1, 2, {9}));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_THAT(u.findings[0].guarded_by, ElementsAre(9u));
  EdgeUpdate again = analyzer.AddEdge(Edge(2, 1, 2));
  ASSERT_THAT(again.findings, SizeIs(1));
  EXPECT_EQ(again.findings[0].id, u.findings[0].id);
  EXPECT_THAT(again.findings[0].guarded_by, IsEmpty());
}

TEST(AnalyzerTest, CycleMembersAreNeverGates) {
  Analyzer analyzer;
  for (int i = 1; i <= 3; ++i)
    analyzer.AddObject(Lock(i, absl::StrCat("L", i)));
  // Every edge is taken while some member of the cycle is held; none of
  // them gates the cycle.
  analyzer.AddEdge(Edge(1, 2, 1, {3}));
  analyzer.AddEdge(Edge(2, 3, 1, {1}));
  EdgeUpdate u = analyzer.AddEdge(Edge(3, 1, 2, {1, 2}));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_THAT(u.findings[0].guarded_by, IsEmpty());
}

TEST(AnalyzerTest, RepeatedCycleBumpsCount) {
  Analyzer analyzer(/*first_id=*/100);
  analyzer.AddObject(Lock(1, "a"));
  analyzer.AddObject(Lock(2, "b"));
  analyzer.AddEdge(Edge(1, 2, 1));
  EdgeUpdate u = analyzer.AddEdge(Edge(2, 1, 2));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_EQ(u.findings[0].id, 100u);
  EXPECT_THAT(analyzer.AddEdge(Edge(2, 1, 3)).findings, IsEmpty());
  EXPECT_THAT(analyzer.AddEdge(Edge(2, 1, 2)).findings, IsEmpty());
  ASSERT_THAT(analyzer.Findings(), SizeIs(1));
  EXPECT_EQ(analyzer.Findings()[0].count, 3u);
  // A different lock set is a different finding with the next id.
  analyzer.AddObject(Lock(3, "c"));
  analyzer.AddEdge(Edge(2, 3, 1));
  EdgeUpdate u2 = analyzer.AddEdge(Edge(3, 2, 1));
  ASSERT_THAT(u2.findings, SizeIs(1));
  EXPECT_EQ(u2.findings[0].id, 101u);
}

TEST(AnalyzerTest, SharedSharedRwLockCycleIsNotReported) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "config", "", ObjectKind::kRwLock));
  analyzer.AddObject(Lock(2, "mu"));
  // Thread 1 holds config shared and takes mu; thread 2 holds mu and waits
  // for config shared. Readers do not wait for readers: no deadlock.
  analyzer.AddEdge(Edge(1, 2, 1, {}, Access::kShared, Access::kExclusive));
  EXPECT_THAT(
      analyzer.AddEdge(Edge(2, 1, 2, {}, Access::kExclusive, Access::kShared))
          .findings,
      IsEmpty());
  EXPECT_THAT(analyzer.Findings(), IsEmpty());
  // A writer on the closing edge can block behind the reader: reported.
  EdgeUpdate u = analyzer.AddEdge(
      Edge(2, 1, 3, {}, Access::kExclusive, Access::kExclusive));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_EQ(u.findings[0].kind, FindingKind::kLockOrderCycle);
}

TEST(AnalyzerTest, SharedExclusiveRwLockCycleIsReported) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "config", "", ObjectKind::kRwLock));
  analyzer.AddObject(Lock(2, "mu"));
  analyzer.AddEdge(Edge(1, 2, 1, {}, Access::kShared, Access::kExclusive));
  EdgeUpdate u = analyzer.AddEdge(
      Edge(2, 1, 2, {}, Access::kExclusive, Access::kExclusive));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_THAT(u.findings[0].objects, ElementsAre(1u, 2u));
}

TEST(AnalyzerTest, NewAccessModeOnOrderedEdgeRevivesHarmlessCycle) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "config", "", ObjectKind::kRwLock));
  analyzer.AddObject(Lock(2, "mu"));
  analyzer.AddEdge(Edge(1, 2, 1, {}, Access::kShared, Access::kExclusive));
  analyzer.AddEdge(Edge(2, 1, 2, {}, Access::kExclusive, Access::kShared));
  ASSERT_THAT(analyzer.Findings(), IsEmpty());
  // Now config is held exclusively while taking mu: a writer holding config
  // blocks the reader waiting on it.
  EdgeUpdate u = analyzer.AddEdge(
      Edge(1, 2, 3, {}, Access::kExclusive, Access::kExclusive));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_EQ(u.findings[0].kind, FindingKind::kLockOrderCycle);
}

TEST(AnalyzerTest, NewPathRevivesHarmlessCycle) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "config", "", ObjectKind::kRwLock));
  analyzer.AddObject(Lock(2, "mu"));
  analyzer.AddObject(Lock(3, "log"));
  analyzer.AddEdge(Edge(1, 2, 1, {}, Access::kShared, Access::kExclusive));
  analyzer.AddEdge(Edge(2, 1, 2, {}, Access::kExclusive, Access::kShared));
  ASSERT_THAT(analyzer.Findings(), IsEmpty());
  // config held exclusively, then log, then mu: a second path config ->
  // mu on which config is held for writing.
  EXPECT_THAT(analyzer.AddEdge(Edge(1, 3, 3)).findings, IsEmpty());
  EdgeUpdate u = analyzer.AddEdge(Edge(3, 2, 3));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_THAT(u.findings[0].objects, ElementsAre(1u, 3u, 2u));
}

TEST(AnalyzerTest, RemovedObjectsFormNoPhantomCycle) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a"));
  analyzer.AddObject(Lock(2, "b"));
  analyzer.AddEdge(Edge(1, 2, 1));
  analyzer.RemoveObject(1);
  EXPECT_EQ(analyzer.FindEdge(1, 2), nullptr);
  EXPECT_THAT(analyzer.Edges(), IsEmpty());
  // A new lock at a's old address gets a fresh id: b -> c is no inversion
  // of the dead a -> b.
  analyzer.AddObject(Lock(3, "c"));
  EXPECT_THAT(analyzer.AddEdge(Edge(2, 3, 2)).findings, IsEmpty());
  analyzer.RemoveObject(2);
  analyzer.AddObject(Lock(4, "d"));
  EXPECT_THAT(analyzer.AddEdge(Edge(3, 4, 2)).findings, IsEmpty());
  EXPECT_THAT(analyzer.AddEdge(Edge(4, 3, 2)).findings, SizeIs(1));
  // Edges naming dead objects are ignored.
  EdgeUpdate dead = analyzer.AddEdge(Edge(3, 1, 2));
  EXPECT_FALSE(dead.new_edge);
  EXPECT_EQ(analyzer.FindEdge(3, 1), nullptr);
  ASSERT_THAT(analyzer.Findings(), SizeIs(1));
  EXPECT_THAT(analyzer.Findings()[0].objects, ElementsAre(3u, 4u));
}

TEST(AnalyzerTest, ClassGraphOutlivesItsObjects) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a1", "A"));
  analyzer.AddObject(Lock(2, "b1", "B"));
  analyzer.AddEdge(Edge(1, 2, 1));
  analyzer.RemoveObject(1);
  analyzer.RemoveObject(2);
  // Later instances of the same classes in the other order: no instance
  // cycle (the first pair is dead), but the classes are inverted.
  analyzer.AddObject(Lock(3, "a2", "A"));
  analyzer.AddObject(Lock(4, "b2", "B"));
  EdgeUpdate u = analyzer.AddEdge(Edge(4, 3, 2));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_EQ(u.findings[0].kind, FindingKind::kLockClassCycle);
  EXPECT_THAT(u.findings[0].objects, ElementsAre(1u, 4u));
}

// The runtime forms edges from the newest held lock only (lockdep's rule):
// a thread holding a, b, c makes a -> b and b -> c, each with the locks
// below as candidate gates, never a -> c. The inversion c -> a is still a
// cycle, through b, along the real edges.
TEST(AnalyzerTest, NewestHeldEdgesCloseCyclesThroughThePath) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a"));
  analyzer.AddObject(Lock(2, "b"));
  analyzer.AddObject(Lock(3, "c"));
  analyzer.AddEdge(Edge(1, 2, 1));
  analyzer.AddEdge(Edge(2, 3, 1, {1}));
  EdgeUpdate u = analyzer.AddEdge(Edge(3, 1, 2));
  ASSERT_THAT(u.findings, SizeIs(1));
  const Finding& f = u.findings[0];
  EXPECT_THAT(f.objects, ElementsAre(1u, 2u, 3u));
  ASSERT_THAT(f.edges, SizeIs(3));
  EXPECT_EQ(f.edges[0].to_stack, 1002u);
  EXPECT_EQ(f.edges[1].to_stack, 2003u);
  EXPECT_EQ(f.edges[2].to_stack, 3001u);
  EXPECT_THAT(f.guarded_by, IsEmpty());
}

// The same held under a gate g by both threads: the cycle is guarded, as
// it was when every held lock had its own edge.
TEST(AnalyzerTest, GateOfAPathIsEveryHeldLockBelow) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(9, "g"));
  analyzer.AddObject(Lock(1, "a"));
  analyzer.AddObject(Lock(2, "b"));
  analyzer.AddObject(Lock(3, "c"));
  analyzer.AddEdge(Edge(9, 1, 1));
  analyzer.AddEdge(Edge(1, 2, 1, {9}));
  analyzer.AddEdge(Edge(2, 3, 1, {9, 1}));
  analyzer.AddEdge(Edge(9, 3, 2));
  EdgeUpdate u = analyzer.AddEdge(Edge(3, 1, 2, {9}));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_THAT(u.findings[0].guarded_by, ElementsAre(9u));
}

// A lock in the middle of a held chain dies: the older lock reached the
// newer one only through it. The acquisition that made dead -> c while a
// was held is the edge a -> c, so a later c -> a is still a cycle.
TEST(AnalyzerTest, DeadMiddleLockIsBridged) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a"));
  analyzer.AddObject(Lock(2, "middle"));
  analyzer.AddObject(Lock(3, "c"));
  analyzer.AddEdge(Edge(1, 2, 1));
  analyzer.AddEdge(Edge(2, 3, 1, {1}));
  analyzer.RemoveObject(2);
  const EdgeState* bridge = analyzer.FindEdge(1, 3);
  ASSERT_NE(bridge, nullptr);
  EXPECT_EQ(bridge->first.thread, 1u);
  EXPECT_EQ(bridge->first.to_stack, 2003u);    // where c was taken
  EXPECT_EQ(bridge->first.from_stack, 1003u);  // where a was taken
  EXPECT_THAT(bridge->gates, IsEmpty());
  EdgeUpdate u = analyzer.AddEdge(Edge(3, 1, 2));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_THAT(u.findings[0].objects, ElementsAre(1u, 3u));
  EXPECT_EQ(u.findings[0].edges[0].thread, 1u);
}

// No bridge where no thread held the older lock while taking the newer:
// a -> middle by one thread and middle -> c by another say nothing about
// a and c once middle is gone.
TEST(AnalyzerTest, NoBridgeWithoutAThreadHoldingBoth) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a"));
  analyzer.AddObject(Lock(2, "middle"));
  analyzer.AddObject(Lock(3, "c"));
  analyzer.AddEdge(Edge(1, 2, 1));
  analyzer.AddEdge(Edge(2, 3, 2));
  analyzer.RemoveObject(2);
  EXPECT_EQ(analyzer.FindEdge(1, 3), nullptr);
  // The class graph outlives objects (its own finding kind); no instance
  // cycle.
  for (const Finding& f : analyzer.AddEdge(Edge(3, 1, 3)).findings) {
    EXPECT_EQ(f.kind, FindingKind::kLockClassCycle) << f.message;
  }
}

// A later sighting of middle -> c that held a counts too.
TEST(AnalyzerTest, BridgeFromAnySightingThatHeldTheOlderLock) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a"));
  analyzer.AddObject(Lock(2, "middle"));
  analyzer.AddObject(Lock(3, "c"));
  analyzer.AddEdge(Edge(2, 3, 2));
  analyzer.AddEdge(Edge(1, 2, 1));
  analyzer.AddEdge(Edge(2, 3, 1, {1}));
  analyzer.RemoveObject(2);
  EXPECT_NE(analyzer.FindEdge(1, 3), nullptr);
  EXPECT_THAT(analyzer.AddEdge(Edge(3, 1, 3)).findings, SizeIs(1));
}

TEST(AnalyzerTest, RefusedEdgeRejoinsOrderWhenPathDies) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a"));
  analyzer.AddObject(Lock(2, "b"));
  analyzer.AddObject(Lock(3, "c"));
  analyzer.AddEdge(Edge(1, 3, 1));
  analyzer.AddEdge(Edge(3, 2, 1));
  ASSERT_THAT(analyzer.AddEdge(Edge(2, 1, 2)).findings, SizeIs(1));
  analyzer.RemoveObject(3);
  // b -> a was seen; with c gone it is an ordinary edge, so a -> b closes
  // a new two-lock cycle.
  EdgeUpdate u = analyzer.AddEdge(Edge(1, 2, 3));
  ASSERT_THAT(u.findings, SizeIs(1));
  EXPECT_THAT(u.findings[0].objects, ElementsAre(2u, 1u));
  EXPECT_THAT(analyzer.Findings(), SizeIs(2));
}

TEST(AnalyzerTest, EdgeGatesAreIntersectionOfSightings) {
  Analyzer analyzer;
  for (int i = 1; i <= 6; ++i)
    analyzer.AddObject(Lock(i, absl::StrCat("L", i)));
  EdgeUpdate u1 = analyzer.AddEdge(Edge(1, 2, 1, {5, 3, 4, 1, 2}));
  EXPECT_THAT(analyzer.FindEdge(1, 2)->gates, ElementsAre(3u, 4u, 5u));
  EdgeUpdate u2 = analyzer.AddEdge(Edge(1, 2, 2, {4, 5, 6}));
  EXPECT_TRUE(u2.gates_changed);
  EXPECT_THAT(analyzer.FindEdge(1, 2)->gates, ElementsAre(4u, 5u));
  EdgeUpdate u3 = analyzer.AddEdge(Edge(1, 2, 2, {4, 5}));
  EXPECT_FALSE(u3.gates_changed);
  EXPECT_EQ(analyzer.FindEdge(1, 2)->first.thread, 1u);
  EXPECT_EQ(analyzer.FindEdge(1, 2)->count, 3u);
}

TEST(AnalyzerTest, SelfEdgeAndUnknownObjectsAreIgnored) {
  Analyzer analyzer;
  analyzer.AddObject(Lock(1, "a"));
  EXPECT_FALSE(analyzer.AddEdge(Edge(1, 1, 1)).new_edge);
  EXPECT_FALSE(analyzer.AddEdge(Edge(1, 7, 1)).new_edge);
  EXPECT_THAT(analyzer.Edges(), IsEmpty());
}

}  // namespace
}  // namespace lockscope::collector
