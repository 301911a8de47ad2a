// Waits that are not lock acquisitions (runtime/waits.cc), through the
// tracked CondVar: wait-while-holding notes, and the watchdog's view of
// condition waits, checked with one synchronous scan (TestOnlyWatchdogScan)
// so that nothing depends on timing. The watchdog itself runs with a period
// no test reaches (tests.cmake); its real deadlocks are in watchdog_test.
// Threads are ordered with notifications and joins, never sleeps; a test
// that needs a thread to be blocked polls the published wait states.
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockscope/lockscope.h"
#include "runtime/test_only.h"
#include "runtime/wait_graph.h"

namespace lockscope::runtime {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// The wait-while-holding findings made so far whose message mentions
// `text`.
std::vector<collector::Finding> WaitNotes(const std::string& text) {
  std::vector<collector::Finding> out;
  for (const collector::Finding& f : TestOnlyFindings()) {
    if (f.kind == collector::FindingKind::kWaitWhileHolding &&
        f.message.find(text) != std::string::npos) {
      out.push_back(f);
    }
  }
  return out;
}

// Yields until `n` threads publish a wait (the watchdog runs, so blocked
// lock() calls and untimed condition waits do).
void AwaitBlocked(size_t n) {
  while (TestOnlyBlockedThreads() < n) std::this_thread::yield();
}

TEST(WaitWhileHoldingTest, CondVarWaitHoldingAnotherLockIsOneNote) {
  lockscope::Mutex outer{"ww_outer"};
  lockscope::Mutex inner{"ww_inner"};
  lockscope::CondVar cv{"ww_cv"};
  std::lock_guard<lockscope::Mutex> hold(outer);
  std::unique_lock<lockscope::Mutex> lock(inner);
  for (int i = 0; i < 3; ++i) {  // one site, three waits: one note
    cv.wait_for(lock, std::chrono::milliseconds(0));
  }
  const std::vector<collector::Finding> notes = WaitNotes("'ww_cv'");
  ASSERT_EQ(notes.size(), 1u);
  const collector::Finding& f = notes[0];
  EXPECT_EQ(f.severity, collector::Severity::kNote);
  EXPECT_THAT(f.message,
              ContainsRegex("thread [0-9]+.* waits on condition variable "
                            "'ww_cv' \\(releasing mutex 'ww_inner'\\) while "
                            "holding mutex 'ww_outer' \\(exclusive\\)"));
  EXPECT_NE(f.stack, 0u) << "the wait's stack";
  EXPECT_NE(f.other_stack, 0u) << "where the held lock was taken";
  // The runtime's own verdict (exit status, test listeners): not failing.
  bool found = false;
  for (uint64_t i = 0; i < FindingCount(); ++i) {
    char line[512];
    bool fails = true;
    ASSERT_TRUE(DescribeFinding(i, line, sizeof(line), &fails));
    if (std::string(line).find("wait-while-holding ww_outer") == 0) {
      found = true;
      EXPECT_FALSE(fails) << line;
    }
  }
  EXPECT_TRUE(found) << "no wait-while-holding ww_outer among "
                     << FindingCount() << " findings";
}

TEST(WaitWhileHoldingTest, EachWaitSiteIsItsOwnNote) {
  lockscope::Mutex outer{"ws_outer"};
  lockscope::Mutex inner{"ws_inner"};
  lockscope::CondVar cv{"ws_cv"};
  std::lock_guard<lockscope::Mutex> hold(outer);
  std::unique_lock<lockscope::Mutex> lock(inner);
  cv.wait_for(lock, std::chrono::milliseconds(0));
  cv.wait_until(lock, std::chrono::steady_clock::now());
  EXPECT_EQ(WaitNotes("'ws_cv'").size(), 2u);
}

TEST(WaitWhileHoldingTest, HoldingOnlyTheReleasedMutexIsNoNote) {
  lockscope::Mutex mu{"wn_mu"};
  lockscope::CondVar cv{"wn_cv"};
  std::unique_lock<lockscope::Mutex> lock(mu);
  EXPECT_EQ(cv.wait_for(lock, std::chrono::milliseconds(0)),
            std::cv_status::timeout);
  EXPECT_TRUE(WaitNotes("'wn_cv'").empty());
  EXPECT_EQ(TestOnlyHeldCount(), 1u) << "the wait took the mutex back";
}

// A waiter holds `held` and waits on `cv`; its only notifier notified once
// before and is now blocked on `held`: nothing will ever wake the waiter.
TEST(WatchdogScanTest, NotifierBlockedOnTheWaitersLockIsADeadlock) {
  lockscope::Mutex held{"dl_held"};
  lockscope::Mutex mu{"dl_mu"};
  lockscope::CondVar cv{"dl_cv"};
  bool done = false;
  absl::Notification notified, waiter_holds;
  std::thread notifier([&] {
    cv.notify_one();  // a known notifier from now on
    notified.Notify();
    waiter_holds.WaitForNotification();
    std::lock_guard<lockscope::Mutex> g(held);  // blocks: the waiter holds it
  });
  std::thread waiter([&] {
    notified.WaitForNotification();
    std::lock_guard<lockscope::Mutex> g(held);
    std::unique_lock<lockscope::Mutex> lock(mu);
    waiter_holds.Notify();
    cv.wait(lock, [&] { return done; });
  });
  AwaitBlocked(2);
  const std::optional<collector::Finding> f = TestOnlyWatchdogScan();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, collector::FindingKind::kActualDeadlock);
  EXPECT_THAT(f->message,
              ContainsRegex("actual-deadlock: thread [0-9]+ waits on "
                            "condition variable 'dl_cv' \\(notified before "
                            "only by thread [0-9]+\\) while holding "
                            "'dl_held', and thread [0-9]+ is blocked on "
                            "'dl_held', for more than 0 ms"));
  EXPECT_EQ(f->threads.size(), 2u);
  // Not deadlocked in fact: this thread, which nobody waits for, wakes it.
  {
    std::lock_guard<lockscope::Mutex> g(mu);
    done = true;
  }
  cv.notify_all();
  waiter.join();
  notifier.join();
}

// The same waiter, but its notifier is blocked on a lock this (running)
// thread holds, and then waits for a handshake: a long wait, no deadlock.
TEST(WatchdogScanTest, LongWaitWhoseNotifierCanRunIsNoDeadlock) {
  lockscope::Mutex held{"lw_held"};
  lockscope::Mutex other{"lw_other"};
  lockscope::Mutex mu{"lw_mu"};
  lockscope::CondVar cv{"lw_cv"};
  bool done = false;
  absl::Notification notified;
  std::unique_lock<lockscope::Mutex> main_holds(other);
  std::thread notifier([&] {
    cv.notify_one();
    notified.Notify();
    std::lock_guard<lockscope::Mutex> g(other);  // blocks until main lets go
    {
      std::lock_guard<lockscope::Mutex> m(mu);
      done = true;
    }
    cv.notify_all();
  });
  std::thread waiter([&] {
    notified.WaitForNotification();
    std::lock_guard<lockscope::Mutex> g(held);
    std::unique_lock<lockscope::Mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  });
  AwaitBlocked(2);  // the waiter in its wait, the notifier in lock()
  EXPECT_EQ(TestOnlyWatchdogScan(), std::nullopt);
  main_holds.unlock();
  waiter.join();
  notifier.join();
  EXPECT_EQ(TestOnlyBlockedThreads(), 0u);
}

// A condition variable nobody has notified yet: its waiter may be woken by
// anyone, so it is never part of a deadlock.
TEST(WatchdogScanTest, WaitWithNoKnownNotifierIsNoDeadlock) {
  lockscope::Mutex mu{"nn_mu"};
  lockscope::CondVar cv{"nn_cv"};
  bool done = false;
  std::thread waiter([&] {
    std::unique_lock<lockscope::Mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  });
  AwaitBlocked(1);
  EXPECT_EQ(TestOnlyWatchdogScan(), std::nullopt);
  {
    std::lock_guard<lockscope::Mutex> g(mu);
    done = true;
  }
  cv.notify_one();
  waiter.join();
}

// The wait-for graph by hand.
WaitNode Lock(collector::ThreadId thread, collector::ObjectId waiting_for,
              std::vector<std::pair<collector::ObjectId, bool>> holding) {
  WaitNode n;
  n.thread = thread;
  n.waiting_for = waiting_for;
  n.holding = std::move(holding);
  return n;
}
WaitNode Cond(collector::ThreadId thread,
              std::vector<collector::ThreadId> notifiers,
              std::vector<std::pair<collector::ObjectId, bool>> holding) {
  WaitNode n;
  n.thread = thread;
  n.kind = WaitNode::Kind::kCond;
  n.notifiers = std::move(notifiers);
  n.holding = std::move(holding);
  return n;
}
WaitNode Join(collector::ThreadId thread, collector::ThreadId target,
              std::vector<std::pair<collector::ObjectId, bool>> holding) {
  WaitNode n;
  n.thread = thread;
  n.kind = WaitNode::Kind::kJoin;
  n.join_target = target;
  n.holding = std::move(holding);
  return n;
}

TEST(WaitGraphTest, JoinOfAThreadBlockedOnTheJoinersLock) {
  const std::vector<WaitNode> nodes = {Join(1, 2, {{10, true}}),
                                       Lock(2, 10, {})};
  EXPECT_EQ(FindWaitCycle(nodes).size(), 2u);
  EXPECT_TRUE(FindWaitCycle({Join(1, 3, {{10, true}}), Lock(2, 10, {})})
                  .empty())
      << "the joined thread (3) is not blocked";
}

TEST(WaitGraphTest, ConditionWaitNeedsEveryKnownNotifierStuck) {
  EXPECT_EQ(
      FindWaitCycle({Cond(1, {2}, {{10, true}}), Lock(2, 10, {})}).size(),
      2u);
  // A second notifier that is not blocked may still notify.
  EXPECT_TRUE(
      FindWaitCycle({Cond(1, {2, 3}, {{10, true}}), Lock(2, 10, {})}).empty());
  // Both notifiers blocked on the waiter's lock.
  const std::vector<size_t> both = FindWaitCycle(
      {Cond(1, {2, 3}, {{10, true}}), Lock(2, 10, {}), Lock(3, 10, {})});
  EXPECT_EQ(both.size(), 2u);
  // A notify log that overflowed: anyone may be a notifier.
  WaitNode unknown = Cond(1, {2}, {{10, true}});
  unknown.notifiers_unknown = true;
  EXPECT_TRUE(FindWaitCycle({unknown, Lock(2, 10, {})}).empty());
  // No known notifier at all.
  EXPECT_TRUE(FindWaitCycle({Cond(1, {}, {{10, true}}), Lock(2, 10, {})})
                  .empty());
}

TEST(WaitGraphTest, LockWaiterBehindADeadlockIsNotInTheCycle) {
  const std::vector<size_t> cycle =
      FindWaitCycle({Lock(3, 20, {}), Join(1, 2, {{10, true}, {20, true}}),
                     Lock(2, 10, {})});
  ASSERT_EQ(cycle.size(), 2u);
  EXPECT_NE(cycle[0], 0u);
  EXPECT_NE(cycle[1], 0u);
}

}  // namespace
}  // namespace lockscope::runtime
