// Mutex and RwLock with the std utilities, built twice: untracked and
// tracked (TRACK_THREAD_BORROWS). In both, the locks a thread holds are
// taken as another thread sees them; tracked, the runtime's held-lock stack
// must also stay true through every utility, including condition variable
// waits.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "lockscope/mutex.h"
#include "lockscope/rwlock.h"

#ifdef TRACK_THREAD_BORROWS
#include "runtime/test_only.h"
#endif

namespace {

// A lock as HeldBy sees it: can another thread take it exclusively now?
class Probe {
 public:
  template <typename Lock>
  Probe(Lock& lock)  // NOLINT: implicit, so lists of locks read naturally
      : try_take_([&lock] {
          if (!lock.try_lock()) return false;
          lock.unlock();
          return true;
        }) {}
  bool TryTake() const { return try_take_(); }

 private:
  std::function<bool()> try_take_;
};

// Checks that the calling thread holds exactly the locks of `held` and none
// of `free`, in both builds: another thread cannot take any of `held` and
// can take each of `free`. Tracked, the runtime's own count of the locks the
// thread holds must also be held.size().
void ExpectHolds(const std::vector<Probe>& held,
                 const std::vector<Probe>& free = {}) {
#ifdef TRACK_THREAD_BORROWS
  EXPECT_EQ(lockscope::runtime::TestOnlyHeldCount(), held.size());
#endif
  std::thread([&] {
    for (size_t i = 0; i < held.size(); ++i) {
      EXPECT_FALSE(held[i].TryTake()) << "held lock " << i << " is free";
    }
    for (size_t i = 0; i < free.size(); ++i) {
      EXPECT_TRUE(free[i].TryTake()) << "free lock " << i << " is taken";
    }
  }).join();
}

TEST(MutexTest, LockGuardHoldsAndReleases) {
  lockscope::Mutex mu{"guard"};
  {
    std::lock_guard<lockscope::Mutex> g(mu);
    ExpectHolds({mu});
    EXPECT_FALSE(mu.try_lock());
  }
  ExpectHolds({}, {mu});
  ASSERT_TRUE(mu.try_lock());
  mu.unlock();
}

TEST(MutexTest, UniqueLockDeferAndRelock) {
  lockscope::Mutex mu;
  std::unique_lock<lockscope::Mutex> l(mu, std::defer_lock);
  ExpectHolds({}, {mu});
  l.lock();
  ExpectHolds({mu});
  l.unlock();
  ExpectHolds({}, {mu});
  EXPECT_TRUE(l.try_lock());
  ExpectHolds({mu});
}

TEST(MutexTest, ScopedLockAndStdLockTakeBoth) {
  lockscope::Mutex a{"a"}, b{"b"};
  {
    std::scoped_lock both(a, b);
    ExpectHolds({a, b});
  }
  ExpectHolds({}, {a, b});
  std::lock(a, b);
  ExpectHolds({a, b});
  a.unlock();  // out of order
  ExpectHolds({b}, {a});
  b.unlock();
  ExpectHolds({}, {a, b});
}

TEST(MutexTest, MutualExclusionAcrossThreads) {
  lockscope::Mutex mu{"counter"};
  long counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        std::lock_guard<lockscope::Mutex> g(mu);
        ++counter;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, 80000);
}

TEST(MutexTest, ConditionVariableAnyKeepsHeldStackTrue) {
  lockscope::Mutex mu{"cv"};
  std::condition_variable_any cv;
  bool ready = false;
  std::thread producer([&] {
    std::lock_guard<lockscope::Mutex> g(mu);
    ready = true;
    cv.notify_one();
  });
  {
    std::unique_lock<lockscope::Mutex> l(mu);
    cv.wait(l, [&] { return ready; });
    // After the wait relocked through the wrapper: exactly one entry.
    ExpectHolds({mu});
  }
  producer.join();
  ExpectHolds({}, {mu});
}

TEST(MutexTest, HeldStackHasNoFixedLimit) {
  constexpr int kLocks = 200;
  std::vector<std::unique_ptr<lockscope::Mutex>> locks;
  for (int i = 0; i < kLocks; ++i) {
    locks.push_back(std::make_unique<lockscope::Mutex>());
  }
  std::vector<Probe> probes;
  for (auto& m : locks) probes.emplace_back(*m);
  for (auto& m : locks) m->lock();
  ExpectHolds(probes);
  for (auto it = locks.rbegin(); it != locks.rend(); ++it) (*it)->unlock();
  ExpectHolds({}, probes);
}

TEST(RwLockTest, SharedAndExclusiveWithStdUtilities) {
  lockscope::RwLock rw{"rw"};
  {
    std::shared_lock<lockscope::RwLock> r1(rw);
    std::shared_lock<lockscope::RwLock> r2(rw, std::try_to_lock);
    EXPECT_TRUE(r2.owns_lock());
    EXPECT_FALSE(rw.try_lock());
    // Two shared holds of one lock: two entries for the runtime.
    ExpectHolds({rw, rw});
  }
  {
    std::unique_lock<lockscope::RwLock> w(rw);
    EXPECT_FALSE(rw.try_lock_shared());
    ExpectHolds({rw});
  }
  ExpectHolds({}, {rw});
}

TEST(RwLockTest, ReadersRunTogetherWritersAlone) {
  lockscope::RwLock rw{"table"};
  int value = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        if (t == 0) {
          std::unique_lock<lockscope::RwLock> w(rw);
          ++value;
        } else {
          std::shared_lock<lockscope::RwLock> r(rw);
          EXPECT_GE(value, 0);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(value, 5000);
}

}  // namespace
