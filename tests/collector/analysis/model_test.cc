// Tests for the names in collector/analysis/model.h: they are the contract's
// spelling (JSON, suppressions, reports), so each one is pinned.
#include "collector/analysis/model.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

TEST(ModelTest, FindingKindNamesRoundTrip) {
  const char* const kNames[] = {
      "lock-order-cycle",    "lock-class-cycle",     "actual-deadlock",
      "cross-thread-borrow", "borrow-conflict",      "recursive-lock",
      "unlock-not-owner",    "destroyed-while-held", "wait-while-holding",
      "lock-order-violation",
  };
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == kNumFindingKinds);
  for (int i = 0; i < kNumFindingKinds; ++i) {
    const auto kind = static_cast<FindingKind>(i);
    EXPECT_EQ(FindingKindName(kind), kNames[i]);
    std::optional<FindingKind> parsed = ParseFindingKind(kNames[i]);
    ASSERT_TRUE(parsed.has_value()) << kNames[i];
    EXPECT_EQ(*parsed, kind);
  }
}

TEST(ModelTest, ParseFindingKindRejectsOtherText) {
  EXPECT_FALSE(ParseFindingKind("").has_value());
  EXPECT_FALSE(ParseFindingKind("cycle").has_value());
  EXPECT_FALSE(ParseFindingKind("Lock-Order-Cycle").has_value());
  EXPECT_FALSE(ParseFindingKind("lock-order-cycle ").has_value());
}

TEST(ModelTest, SeverityDefaults) {
  for (int i = 0; i < kNumFindingKinds; ++i) {
    const auto kind = static_cast<FindingKind>(i);
    const Severity expected = kind == FindingKind::kLockClassCycle
                                  ? Severity::kWarning
                              : kind == FindingKind::kWaitWhileHolding
                                  ? Severity::kNote
                                  : Severity::kError;
    EXPECT_EQ(DefaultSeverity(kind), expected) << FindingKindName(kind);
  }
  EXPECT_EQ(SeverityName(Severity::kError), "error");
  EXPECT_EQ(SeverityName(Severity::kWarning), "warning");
  EXPECT_EQ(SeverityName(Severity::kNote), "note");
}

TEST(ModelTest, ObjectKindAndAccessNames) {
  EXPECT_EQ(ObjectKindName(ObjectKind::kMutex), "mutex");
  EXPECT_EQ(ObjectKindName(ObjectKind::kRwLock), "rwlock");
  EXPECT_EQ(ObjectKindName(ObjectKind::kCell), "cell");
  EXPECT_EQ(AccessName(Access::kShared), "shared");
  EXPECT_EQ(AccessName(Access::kExclusive), "exclusive");
}

}  // namespace
}  // namespace lockscope::collector
