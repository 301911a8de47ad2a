// Tests for collector/analysis/finding_kinds.h: the table's columns as the
// contract states them (DESIGN.md's findings table, docs/findings.md), and
// FailsByDefault, the one rule behind the process's exit status and
// `lockscope check`'s default verdict.
#include "collector/analysis/finding_kinds.h"

#include <iterator>
#include <set>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

TEST(FindingKindsTest, OneRowPerKindInEnumOrder) {
  ASSERT_EQ(FindingKinds().size(), static_cast<size_t>(kNumFindingKinds));
  std::set<std::string_view> names, titles, sarif;
  for (int i = 0; i < kNumFindingKinds; ++i) {
    const FindingKindInfo& row = FindingKinds()[i];
    EXPECT_EQ(static_cast<int>(row.kind), i);
    EXPECT_EQ(&KindInfo(row.kind), &row);
    EXPECT_FALSE(row.title.empty()) << row.name;
    EXPECT_FALSE(row.sarif_text.empty()) << row.name;
    EXPECT_FALSE(row.help.empty()) << row.name;
    names.insert(row.name);
    titles.insert(row.title);
    sarif.insert(row.sarif_text);
  }
  EXPECT_EQ(names.size(), FindingKinds().size());
  EXPECT_EQ(titles.size(), FindingKinds().size());
  EXPECT_EQ(sarif.size(), FindingKinds().size());
}

// lock-order-cycle and lock-class-cycle are lock-order cycles; an
// actual-deadlock is a wait-for cycle the watchdog saw. All three are
// printed, fingerprinted and suppressed ("cycle:") as cycles; only the
// first two are found again from a merged lock-order graph.
TEST(FindingKindsTest, CyclesAndWhatTheLockGraphFinds) {
  std::set<FindingKind> cycles, from_graph;
  for (const FindingKindInfo& row : FindingKinds()) {
    if (IsCycle(row.kind)) cycles.insert(row.kind);
    if (FromLockGraph(row.kind)) from_graph.insert(row.kind);
    // Whatever the lock graph finds is a cycle.
    if (row.from_lock_graph) {
      EXPECT_TRUE(row.is_cycle) << row.name;
    }
  }
  EXPECT_EQ(cycles, (std::set<FindingKind>{FindingKind::kLockOrderCycle,
                                           FindingKind::kLockClassCycle,
                                           FindingKind::kActualDeadlock}));
  EXPECT_EQ(from_graph, (std::set<FindingKind>{FindingKind::kLockOrderCycle,
                                               FindingKind::kLockClassCycle}));
}

// The rule types of suppression files (docs/suppressions.md).
TEST(FindingKindsTest, SuppressionFamilies) {
  const std::pair<FindingKind, std::string_view> kFamilies[] = {
      {FindingKind::kLockOrderCycle, "cycle"},
      {FindingKind::kLockClassCycle, "cycle"},
      {FindingKind::kActualDeadlock, "cycle"},
      {FindingKind::kCrossThreadBorrow, "borrow"},
      {FindingKind::kBorrowConflict, "borrow"},
      {FindingKind::kRecursiveLock, "lock"},
      {FindingKind::kUnlockNotOwner, "lock"},
      {FindingKind::kDestroyedWhileHeld, "lock"},
      {FindingKind::kWaitWhileHolding, "lock"},
      {FindingKind::kLockOrderViolation, "cycle"},
  };
  static_assert(std::size(kFamilies) == kNumFindingKinds);
  for (const auto& [kind, family] : kFamilies) {
    EXPECT_EQ(SuppressionFamilyName(KindInfo(kind).family), family)
        << KindInfo(kind).name;
  }
}

TEST(FindingKindsTest, FailsByDefaultOnlyUnsuppressedUnguardedErrors) {
  Finding finding;
  finding.kind = FindingKind::kLockOrderCycle;
  finding.severity = Severity::kError;
  EXPECT_TRUE(FailsByDefault(finding));

  Finding guarded = finding;
  guarded.guarded_by = {7};
  EXPECT_FALSE(FailsByDefault(guarded));

  Finding suppressed = finding;
  suppressed.suppressed = true;
  EXPECT_FALSE(FailsByDefault(suppressed));

  Finding warning = finding;
  warning.kind = FindingKind::kLockClassCycle;
  warning.severity = DefaultSeverity(warning.kind);
  EXPECT_FALSE(FailsByDefault(warning));

  Finding note = finding;
  note.kind = FindingKind::kWaitWhileHolding;
  note.severity = DefaultSeverity(note.kind);
  EXPECT_EQ(note.severity, Severity::kNote);
  EXPECT_FALSE(FailsByDefault(note));

  // Every kind at its default severity: only errors fail.
  for (const FindingKindInfo& row : FindingKinds()) {
    Finding f;
    f.kind = row.kind;
    f.severity = row.severity;
    EXPECT_EQ(FailsByDefault(f), row.severity == Severity::kError) << row.name;
  }
}

}  // namespace
}  // namespace lockscope::collector
