// The Session's parts on their own, in-process: FindingStore's ids,
// de-duplication, order and failing count; BackgroundThread's wake-up and
// stop.
#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/background_thread.h"
#include "runtime/finding_store.h"

namespace lockscope::runtime {
namespace {

collector::Finding MakeFinding(uint64_t id, uint64_t count = 1) {
  collector::Finding f;
  f.id = id;
  f.kind = collector::FindingKind::kUnlockNotOwner;
  f.count = count;
  return f;
}

TEST(FindingStoreTest, RepeatsOfAKeyAreCountedNotStored) {
  FindingStore store;
  uint64_t first = 0;
  ASSERT_TRUE(store.NewId(/*dedup_key=*/7, &first));
  store.Record(MakeFinding(first), /*failing=*/true, /*report=*/false, {});
  uint64_t again = 0;
  EXPECT_FALSE(store.NewId(7, &again));
  EXPECT_FALSE(store.NewId(7, &again));
  EXPECT_EQ(store.Count(), 1u);
  EXPECT_EQ(store.Get(first).count, 3u);
  // Key 0 never folds.
  uint64_t a = 0;
  uint64_t b = 0;
  ASSERT_TRUE(store.NewId(0, &a));
  ASSERT_TRUE(store.NewId(0, &b));
  EXPECT_NE(a, b);
  EXPECT_NE(a, first);
}

TEST(FindingStoreTest, OrderFailingAndNewVersions) {
  FindingStore store;
  store.Record(MakeFinding(5), /*failing=*/true, false, {});
  store.Record(MakeFinding(2), /*failing=*/false, false, {});
  EXPECT_EQ(store.failing(), 1u);
  // A new version of finding 5 (now guarded, say): not failing any more,
  // and still first in the order made.
  store.Record(MakeFinding(5, 4), /*failing=*/false, false, {});
  EXPECT_EQ(store.failing(), 0u);
  EXPECT_EQ(store.Count(), 2u);
  collector::Finding f;
  bool fails = true;
  ASSERT_TRUE(store.At(0, &f, &fails));
  EXPECT_EQ(f.id, 5u);
  EXPECT_EQ(f.count, 4u);
  EXPECT_FALSE(fails);
  EXPECT_FALSE(store.At(2, &f, &fails));
  std::vector<uint64_t> ids;
  for (const collector::Finding& g : store.All()) ids.push_back(g.id);
  EXPECT_THAT(ids, ::testing::ElementsAre(2u, 5u));
}

TEST(FindingStoreTest, PendingReportsAreTakenOnce) {
  FindingStore store;
  store.Record(MakeFinding(1), true, /*report=*/true, PendingReport{1, {}});
  store.Record(MakeFinding(2), true, /*report=*/false, PendingReport{2, {}});
  store.Record(MakeFinding(3), true, /*report=*/true, PendingReport{3, {}});
  std::vector<uint64_t> ids;
  for (const PendingReport& p : store.TakePending()) ids.push_back(p.id);
  EXPECT_THAT(ids, ::testing::ElementsAre(1u, 3u));
  EXPECT_TRUE(store.TakePending().empty());
}

TEST(FindingStoreTest, FinalCountsOnlyGrow) {
  FindingStore store;
  store.Record(MakeFinding(1, 3), true, false, {});
  store.Record(MakeFinding(2, 1), true, false, {});
  store.Record(MakeFinding(3, 1), true, false, {});
  const std::vector<collector::Finding> repeated = store.MergeFinalCounts(
      {MakeFinding(1, 2), MakeFinding(2, 5), MakeFinding(99, 9)});
  EXPECT_EQ(store.Get(1).count, 3u);
  EXPECT_EQ(store.Get(2).count, 5u);
  std::vector<uint64_t> ids;
  for (const collector::Finding& f : repeated) ids.push_back(f.id);
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre(1u, 2u));
}

TEST(BackgroundThreadTest, WakeRunsWorkBeforeThePeriodEnds) {
  BackgroundThread thread;
  absl::Notification ran;
  std::atomic<uint64_t> last_round{0};
  // A period far longer than the test: only Wake() can make it run.
  thread.Start(/*period_ms=*/3600000, [&](uint64_t round) {
    last_round.store(round);
    if (!ran.HasBeenNotified()) ran.Notify();
  });
  EXPECT_TRUE(thread.running());
  thread.Wake();
  ran.WaitForNotification();
  EXPECT_EQ(last_round.load(), 1u);
  thread.Stop();
  EXPECT_FALSE(thread.running());
}

TEST(BackgroundThreadTest, StopWithoutWorkJoins) {
  BackgroundThread thread;
  std::atomic<int> rounds{0};
  thread.Start(/*period_ms=*/3600000, [&](uint64_t) { ++rounds; });
  thread.Stop();
  EXPECT_FALSE(thread.running());
  EXPECT_EQ(rounds.load(), 0);
}

}  // namespace
}  // namespace lockscope::runtime
