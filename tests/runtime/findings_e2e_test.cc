// Every finding kind found in a real (tracked) program with real threads,
// and absent from its clean twin. Threads are ordered with joins, never
// sleeps, so each test is deterministic. Findings accumulate in the process,
// so each test uses lock names of its own.
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockscope/lockscope.h"
#include "runtime/test_only.h"

namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// Findings whose one-line form mentions `needle`.
std::vector<std::string> FindingsAbout(const std::string& needle) {
  std::vector<std::string> out;
  for (const std::string& line : lockscope::runtime::TestOnlyFindingLines()) {
    if (line.find(needle) != std::string::npos) out.push_back(line);
  }
  return out;
}

void RunThread(const std::function<void()>& fn) { std::thread(fn).join(); }

void LockBoth(lockscope::Mutex& first, lockscope::Mutex& second) {
  std::lock_guard<lockscope::Mutex> a(first);
  std::lock_guard<lockscope::Mutex> b(second);
}

TEST(FindingsTest, TwoLockInversionAcrossThreadsIsACycle) {
  lockscope::Mutex a{"inv2_a"}, b{"inv2_b"};
  RunThread([&] { LockBoth(a, b); });
  RunThread([&] { LockBoth(b, a); });
  const auto found = FindingsAbout("inv2_a");
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], AllOf(HasSubstr("lock-order-cycle"),
                              HasSubstr("inv2_b"), Not(HasSubstr("guarded"))));
}

TEST(FindingsTest, ConsistentOrderIsClean) {
  lockscope::Mutex a{"clean_a"}, b{"clean_b"};
  RunThread([&] { LockBoth(a, b); });
  RunThread([&] { LockBoth(a, b); });
  EXPECT_THAT(FindingsAbout("clean_a"), ::testing::IsEmpty());
}

TEST(FindingsTest, RepeatedInversionIsReportedOnce) {
  lockscope::Mutex a{"rep_a"}, b{"rep_b"};
  for (int i = 0; i < 50; ++i) {
    RunThread([&] { LockBoth(a, b); });
    RunThread([&] { LockBoth(b, a); });
  }
  EXPECT_EQ(FindingsAbout("rep_a").size(), 1u);
}

TEST(FindingsTest, ThreeLockCycleOverThreeThreads) {
  lockscope::Mutex a{"tri_a"}, b{"tri_b"}, c{"tri_c"};
  RunThread([&] { LockBoth(a, b); });
  RunThread([&] { LockBoth(b, c); });
  EXPECT_THAT(FindingsAbout("tri_a"), ::testing::IsEmpty());
  RunThread([&] { LockBoth(c, a); });
  const auto found = FindingsAbout("tri_a");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_THAT(found[0], AllOf(HasSubstr("lock-order-cycle"),
                              HasSubstr("tri_b"), HasSubstr("tri_c")));
}

TEST(FindingsTest, TryLockFormsNoEdge) {
  lockscope::Mutex a{"try_a"}, b{"try_b"};
  RunThread([&] {
    std::lock_guard<lockscope::Mutex> ga(a);
    ASSERT_TRUE(b.try_lock());
    b.unlock();
  });
  RunThread([&] { LockBoth(b, a); });
  EXPECT_THAT(FindingsAbout("try_a"), ::testing::IsEmpty());
}

TEST(FindingsTest, CycleUnderACommonGateIsGuarded) {
  lockscope::Mutex gate{"gate_g"}, a{"gated_a"}, b{"gated_b"};
  RunThread([&] {
    std::lock_guard<lockscope::Mutex> g(gate);
    LockBoth(a, b);
  });
  RunThread([&] {
    std::lock_guard<lockscope::Mutex> g(gate);
    LockBoth(b, a);
  });
  const auto found = FindingsAbout("gated_a");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_THAT(found[0], HasSubstr("[guarded by gate_g]"));
}

TEST(FindingsTest, RwLockSharedEdgesKnowTheirMode) {
  // Readers on both sides of a shared-only "cycle": glibc's reader-preferring
  // rwlock cannot deadlock on it, so it is not reported.
  lockscope::RwLock x{"rw_x"};
  lockscope::RwLock y{"rw_y"};
  RunThread([&] {
    std::shared_lock<lockscope::RwLock> rx(x);
    std::shared_lock<lockscope::RwLock> ry(y);
  });
  RunThread([&] {
    std::shared_lock<lockscope::RwLock> ry(y);
    std::shared_lock<lockscope::RwLock> rx(x);
  });
  EXPECT_THAT(FindingsAbout("rw_x"), ::testing::IsEmpty());
  // A writer on one side makes it a real potential deadlock.
  lockscope::RwLock p{"rwx_p"};
  lockscope::RwLock q{"rwx_q"};
  RunThread([&] {
    std::unique_lock<lockscope::RwLock> wp(p);
    std::unique_lock<lockscope::RwLock> wq(q);
  });
  RunThread([&] {
    std::shared_lock<lockscope::RwLock> rq(q);
    std::unique_lock<lockscope::RwLock> wp(p);
  });
  EXPECT_EQ(FindingsAbout("rwx_p").size(), 1u);
}

// Edges run from the newest held lock only (lockdep's rule, so holding N
// locks costs O(N) edges). An inversion of the outer and the inner lock of
// a held chain is still a cycle, through the locks between them.
TEST(FindingsTest, InversionAcrossAHeldChainIsACycle) {
  lockscope::Mutex a{"chain_a"}, m{"chain_m"}, c{"chain_c"};
  RunThread([&] {
    std::lock_guard<lockscope::Mutex> ga(a);
    LockBoth(m, c);
  });
  RunThread([&] { LockBoth(c, a); });
  const auto found = FindingsAbout("chain_a");
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], AllOf(HasSubstr("lock-order-cycle"),
                              HasSubstr("chain_c"), Not(HasSubstr("guarded"))));
}

// A read-held lock in the middle of the chain: a cycle may not pass a
// shared lock (shared/shared cannot deadlock), so the lock below it keeps
// its own edge and the inversion is found.
TEST(FindingsTest, InversionAcrossAReadHeldLockIsACycle) {
  lockscope::Mutex a{"chain_ra"}, c{"chain_rc"};
  lockscope::RwLock r{"chain_rr"};
  RunThread([&] {
    std::lock_guard<lockscope::Mutex> ga(a);
    std::shared_lock<lockscope::RwLock> gr(r);
    std::lock_guard<lockscope::Mutex> gc(c);
  });
  RunThread([&] { LockBoth(c, a); });
  const auto found = FindingsAbout("chain_ra");
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], AllOf(HasSubstr("chain_rc"), Not(HasSubstr("chain_rr"))));
}

// A try_lock in the middle forms no edge into itself: the lock below it
// keeps its own edge and the inversion is found.
TEST(FindingsTest, InversionAcrossATryLockedLockIsACycle) {
  lockscope::Mutex a{"chain_ta"}, t{"chain_tt"}, c{"chain_tc"};
  RunThread([&] {
    std::lock_guard<lockscope::Mutex> ga(a);
    ASSERT_TRUE(t.try_lock());
    { std::lock_guard<lockscope::Mutex> gc(c); }
    t.unlock();
  });
  RunThread([&] { LockBoth(c, a); });
  const auto found = FindingsAbout("chain_ta");
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], HasSubstr("chain_tc"));
}

// The lock in the middle of the chain is destroyed before the inversion:
// the acquisition of c while a was held still counts.
TEST(FindingsTest, InversionAcrossADestroyedLockIsACycle) {
  lockscope::Mutex a{"chain_da"}, c{"chain_dc"};
  {
    lockscope::Mutex m{"chain_dm"};
    RunThread([&] {
      std::lock_guard<lockscope::Mutex> ga(a);
      LockBoth(m, c);
    });
  }
  RunThread([&] { LockBoth(c, a); });
  const auto found = FindingsAbout("chain_da");
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], AllOf(HasSubstr("chain_dc"), Not(HasSubstr("chain_dm"))));
}

// Unnamed locks made on one line share a class (like every Account::mu).
struct Account {
  lockscope::Mutex mu;
};
struct Branch {
  lockscope::Mutex mu;
};

TEST(FindingsTest, SameClassNestingIsNotAFinding) {
  Account x, y;
  RunThread([&] { LockBoth(x.mu, y.mu); });
  RunThread([&] { LockBoth(y.mu, x.mu); });  // instance cycle, same class
  // The instance cycle is real and reported; no class cycle on top of it.
  for (const std::string& line : FindingsAbout("findings_e2e_test.cc")) {
    EXPECT_THAT(line, Not(HasSubstr("lock-class-cycle")));
  }
}

TEST(FindingsTest, ClassCycleAcrossDifferentInstances) {
  Account acc1, acc2;
  Branch br1, br2;
  RunThread([&] { LockBoth(acc1.mu, br1.mu); });
  RunThread([&] { LockBoth(br2.mu, acc2.mu); });
  int class_cycles = 0;
  for (const std::string& line : lockscope::runtime::TestOnlyFindingLines()) {
    if (line.find("lock-class-cycle") != std::string::npos) ++class_cycles;
  }
  EXPECT_EQ(class_cycles, 1);
}

TEST(FindingsTest, CrossThreadBorrowIsReportedOncePerSite) {
  lockscope::AppCell<int> cell{1, "xborrow_cell"};
  EXPECT_EQ(*cell.borrow(), 1);  // owner thread: fine
  EXPECT_THAT(FindingsAbout("xborrow_cell"), ::testing::IsEmpty());
  for (int i = 0; i < 3; ++i) {
    RunThread([&] { EXPECT_EQ(*cell.borrow(), 1); });
  }
  const auto found = FindingsAbout("xborrow_cell");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_THAT(found[0], HasSubstr("cross-thread-borrow"));
}

TEST(FindingsTest, RebindOwnerThreadHandsTheCellOver) {
  lockscope::AppCell<int> cell{1, "rebind_cell"};
  RunThread([&] {
    cell.rebind_owner_thread();
    *cell.borrow_mut() = 2;
  });
  EXPECT_THAT(FindingsAbout("rebind_cell"), ::testing::IsEmpty());
}

TEST(FindingsTest, UnlockByNonOwnerIsReported) {
  lockscope::Mutex mu{"nonowner_mu"};
  RunThread([&] { mu.lock(); });
  RunThread([&] { mu.unlock(); });
  const auto found = FindingsAbout("nonowner_mu");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_THAT(found[0], HasSubstr("unlock-not-owner"));
}

// Guards that must outlive their cell: never destroyed (that would touch
// the freed cell), but reachable, so LeakSanitizer does not count them.
std::vector<void*>& KeptForever() {
  static auto* kept = new std::vector<void*>;
  return *kept;
}

TEST(FindingsTest, DestroyedWhileHeldIsReported) {
  auto* mu = new lockscope::Mutex("doomed_mu");
  mu->lock();
  delete mu;
  auto cell = std::make_unique<lockscope::AppCell<int>>(0, "doomed_cell");
  // Keep the guard alive past the cell's destruction.
  KeptForever().push_back(new auto(cell->borrow()));
  cell.reset();
  EXPECT_THAT(FindingsAbout("doomed_mu"),
              Contains(HasSubstr("destroyed-while-held")));
  EXPECT_THAT(FindingsAbout("doomed_cell"),
              Contains(HasSubstr("destroyed-while-held")));
}

TEST(FindingsDeathTest, RecursiveLockAbortsInsteadOfHanging) {
  lockscope::Mutex mu{"rec_mu"};
  EXPECT_DEATH(
      {
        mu.lock();
        mu.lock();
      },
      "lockscope: recursive-lock: thread [0-9]+.* locks mutex 'rec_mu' "
      "\\(exclusive\\) while already holding it \\(exclusive\\); this would "
      "hang");
}

TEST(FindingsDeathTest, WriteLockWhileReadingAborts) {
  lockscope::RwLock rw{"rec_rw"};
  EXPECT_DEATH(
      {
        rw.lock_shared();
        rw.lock();
      },
      "lockscope: recursive-lock: .* locks rwlock 'rec_rw' \\(exclusive\\) "
      "while already holding it \\(shared\\)");
}

TEST(FindingsTest, SharedRelockOfAnRwLockIsAllowed) {
  lockscope::RwLock rw{"reread_rw"};
  rw.lock_shared();
  rw.lock_shared();
  rw.unlock_shared();
  rw.unlock_shared();
  EXPECT_THAT(FindingsAbout("reread_rw"), ::testing::IsEmpty());
}

TEST(FindingsDeathTest, BorrowConflictIsRecordedThenAborts) {
  lockscope::AppCell<int> cell{0, "conflict_cell"};
  EXPECT_DEATH(
      {
        auto m = cell.borrow_mut();
        auto r = cell.borrow();
      },
      "lockscope: borrow-conflict: borrow\\(\\) of 'conflict_cell'");
}

}  // namespace
