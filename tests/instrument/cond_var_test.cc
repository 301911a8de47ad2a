// lockscope::CondVar, built twice: untracked (a std::condition_variable
// waiting on the Mutex's std::mutex) and tracked (the runtime's futex
// condition variable). Both must behave as std::condition_variable does:
// waits release the mutex while they sleep and hold it again when they
// return, notifications wake waiters, timed waits time out. Tracked, the
// runtime's held-lock stack must stay true across every wait. Threads are
// ordered by the condition variables under test and joins, never sleeps.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "gtest/gtest.h"
#include "lockscope/lockscope.h"

#ifdef TRACK_THREAD_BORROWS
#include "runtime/test_only.h"
#endif

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

#ifndef TRACK_THREAD_BORROWS
static_assert(sizeof(lockscope::CondVar) == sizeof(std::condition_variable),
              "untracked CondVar must be exactly a std::condition_variable");
#endif
static_assert(!std::is_copy_constructible_v<lockscope::CondVar>);

size_t HeldByRuntime() {
#ifdef TRACK_THREAD_BORROWS
  return lockscope::runtime::TestOnlyHeldCount();
#else
  return 0;
#endif
}

// What HeldByRuntime should say when the thread holds n locks.
size_t TrackedHeld(size_t n) { return lockscope::kTrack ? n : 0; }

// Another thread can take `mu` now (the wait released it).
bool FreeElsewhere(lockscope::Mutex& mu) {
  bool free = false;
  std::thread([&] {
    free = mu.try_lock();
    if (free) mu.unlock();
  }).join();
  return free;
}

TEST(CondVarTest, WaitWithPredicateSeesTheNotifiersState) {
  lockscope::Mutex mu{"cv_state"};
  lockscope::CondVar cv{"cv_ready"};
  bool ready = false;
  int seen = 0;
  std::thread waiter([&] {
    std::unique_lock<lockscope::Mutex> lock(mu);
    cv.wait(lock, [&] { return ready; });
    EXPECT_TRUE(lock.owns_lock());
    EXPECT_FALSE(FreeElsewhere(mu)) << "the wait returned without the mutex";
    seen = 1;
  });
  {
    std::lock_guard<lockscope::Mutex> lock(mu);
    ready = true;
  }
  cv.notify_one();
  waiter.join();
  EXPECT_EQ(seen, 1);
  EXPECT_TRUE(FreeElsewhere(mu));
}

// The mutex is free while a thread waits: the notifier takes it, which it
// could not if the wait kept it.
TEST(CondVarTest, WaitReleasesTheMutexWhileItSleeps) {
  lockscope::Mutex mu;
  lockscope::CondVar cv;
  int stage = 0;  // 1: the waiter is waiting; 2: the notifier answered
  std::thread waiter([&] {
    std::unique_lock<lockscope::Mutex> lock(mu);
    stage = 1;
    cv.notify_all();
    cv.wait(lock, [&] { return stage == 2; });
    EXPECT_EQ(HeldByRuntime(), TrackedHeld(1));
  });
  {
    std::unique_lock<lockscope::Mutex> lock(mu);  // only while the waiter waits
    cv.wait(lock, [&] { return stage == 1; });
    stage = 2;
  }
  cv.notify_all();
  waiter.join();
}

TEST(CondVarTest, NotifyAllWakesEveryWaiter) {
  lockscope::Mutex mu{"cv_all"};
  lockscope::CondVar cv{"cv_all_cv"};
  constexpr int kWaiters = 4;
  int waiting = 0;
  bool go = false;
  int woke = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kWaiters; ++i) {
    threads.emplace_back([&] {
      std::unique_lock<lockscope::Mutex> lock(mu);
      ++waiting;
      cv.notify_all();
      cv.wait(lock, [&] { return go; });
      ++woke;
    });
  }
  {
    std::unique_lock<lockscope::Mutex> lock(mu);
    cv.wait(lock, [&] { return waiting == kWaiters; });
    go = true;
  }
  cv.notify_all();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(woke, kWaiters);
}

TEST(CondVarTest, TimedWaitsTimeOutHoldingTheMutex) {
  lockscope::Mutex mu{"cv_timed"};
  lockscope::CondVar cv{"cv_timed_cv"};
  std::unique_lock<lockscope::Mutex> lock(mu);
  EXPECT_EQ(cv.wait_for(lock, milliseconds(1)), std::cv_status::timeout);
  EXPECT_TRUE(lock.owns_lock());
  EXPECT_EQ(cv.wait_until(lock, steady_clock::now() - milliseconds(1)),
            std::cv_status::timeout);
  EXPECT_FALSE(cv.wait_for(lock, milliseconds(1), [] { return false; }));
  EXPECT_TRUE(cv.wait_for(lock, milliseconds(1), [] { return true; }));
  EXPECT_FALSE(cv.wait_until(lock, std::chrono::system_clock::now(),
                             [] { return false; }));
  EXPECT_EQ(HeldByRuntime(), TrackedHeld(1));
  EXPECT_FALSE(FreeElsewhere(mu));
}

TEST(CondVarTest, TimedWaitReturnsEarlyWhenNotified) {
  lockscope::Mutex mu{"cv_early"};
  lockscope::CondVar cv{"cv_early_cv"};
  bool ready = false;
  std::thread notifier;
  std::unique_lock<lockscope::Mutex> lock(mu);
  notifier = std::thread([&] {
    std::lock_guard<lockscope::Mutex> g(mu);  // after the wait released it
    ready = true;
    cv.notify_one();
  });
  // An hour: only the notification can end it in time for the test.
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::hours(1), [&] { return ready; }));
  lock.unlock();
  notifier.join();
}

}  // namespace
