// The actual-deadlock watchdog: a real two-thread deadlock must end in a
// report and an abort within about the watchdog period (100 ms here, see
// tests.cmake), not in a hang.
#include <mutex>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "lockscope/cond_var.h"
#include "lockscope/mutex.h"
#include "runtime/watchdog.h"

namespace lockscope::runtime {
namespace {

// A thread blocked in lock().
WaitNode Node(collector::ThreadId thread, collector::ObjectId waiting_for,
              bool wants_exclusive,
              std::vector<std::pair<collector::ObjectId, bool>> holding) {
  WaitNode node;
  node.thread = thread;
  node.waiting_for = waiting_for;
  node.wants_exclusive = wants_exclusive;
  node.holding = std::move(holding);
  return node;
}

TEST(WaitCycleTest, FindsTwoThreadCycle) {
  std::vector<WaitNode> nodes(3);
  nodes[0] = Node(1, /*waiting_for=*/20, true, {{10, true}});
  nodes[1] = Node(2, /*waiting_for=*/10, true, {{20, true}});
  nodes[2] = Node(3, /*waiting_for=*/10, true, {});
  const std::vector<size_t> cycle = FindWaitCycle(nodes);
  ASSERT_EQ(cycle.size(), 2u);
  EXPECT_NE(cycle[0], cycle[1]);
  EXPECT_NE(cycle[0], 2u);
  EXPECT_NE(cycle[1], 2u);
}

TEST(WaitCycleTest, ReadersDoNotBlockReaders) {
  std::vector<WaitNode> nodes(2);
  nodes[0] = Node(1, 20, /*wants_exclusive=*/false, {{10, false}});
  nodes[1] = Node(2, 10, /*wants_exclusive=*/false, {{20, false}});
  EXPECT_TRUE(FindWaitCycle(nodes).empty());
  nodes[1].wants_exclusive = true;  // now 2 waits for 1's read lock
  nodes[0].holding = {{10, false}};
  nodes[1].holding = {{20, true}};
  EXPECT_EQ(FindWaitCycle(nodes).size(), 2u);
}

TEST(WaitCycleTest, ChainWithoutCycle) {
  std::vector<WaitNode> nodes(2);
  nodes[0] = Node(1, 20, true, {});
  nodes[1] = Node(2, 30, true, {{20, true}});
  EXPECT_TRUE(FindWaitCycle(nodes).empty());
}

void Deadlock() {
  lockscope::Mutex a{"wd_a"}, b{"wd_b"};
  absl::Notification a_held, b_held;
  std::thread t1([&] {
    std::lock_guard<lockscope::Mutex> ga(a);
    a_held.Notify();
    b_held.WaitForNotification();
    std::lock_guard<lockscope::Mutex> gb(b);
  });
  std::thread t2([&] {
    std::lock_guard<lockscope::Mutex> gb(b);
    b_held.Notify();
    a_held.WaitForNotification();
    std::lock_guard<lockscope::Mutex> ga(a);
  });
  t1.join();
  t2.join();
}

TEST(WatchdogDeathTest, RealDeadlockIsReportedAndAborts) {
  EXPECT_DEATH(Deadlock(),
               "lockscope: actual-deadlock: threads [0-9]+, [0-9]+ are "
               "blocked on each other for more than 100 ms");
}

// Both ends of each step: where the thread waits and where it took the
// lock the other thread waits for (its own site, not the lock's first use).
TEST(WatchdogDeathTest, RealDeadlockNamesWhereEachHeldLockWasTaken) {
  // A real newline in the pattern matches the report's line breaks. The
  // cycle may start at either thread, so each lock is looked for alone.
  // Frame #0 is the lambda (g++) or std::__invoke_impl it was inlined into
  // (clang); without a site the line would read "(no stack captured)".
  for (const char* lock : {"wd_a", "wd_b"}) {
    EXPECT_DEATH(Deadlock(), std::string(lock) + " acquired at:\n *#0 ");
  }
}

// A waiter holds `held` and waits on `cv`, whose only notifier (it notified
// once before) then blocks on `held`: nothing will ever wake the waiter.
void CondVarDeadlock() {
  lockscope::Mutex held{"wd_held"};
  lockscope::Mutex mu{"wd_mu"};
  lockscope::CondVar cv{"wd_cv"};
  absl::Notification notified, waiter_holds;
  std::thread notifier([&] {
    cv.notify_one();
    notified.Notify();
    waiter_holds.WaitForNotification();
    std::lock_guard<lockscope::Mutex> g(held);
    cv.notify_one();  // never reached
  });
  std::thread waiter([&] {
    notified.WaitForNotification();
    std::lock_guard<lockscope::Mutex> g(held);
    std::unique_lock<lockscope::Mutex> lock(mu);
    waiter_holds.Notify();
    cv.wait(lock);
  });
  waiter.join();
  notifier.join();
}

TEST(WatchdogDeathTest, NotifierBlockedOnTheWaitersLockIsReportedAndAborts) {
  EXPECT_DEATH(CondVarDeadlock(),
               "lockscope: actual-deadlock: thread [0-9]+ waits on condition "
               "variable 'wd_cv' \\(notified before only by thread [0-9]+\\) "
               "while holding 'wd_held', and thread [0-9]+ is blocked on "
               "'wd_held', for more than 100 ms");
}

}  // namespace
}  // namespace lockscope::runtime
