// The wrappers leave errno alone, as std::mutex does: a program may read
// errno after taking a lock on an error path (log the failed call under a
// lock). Every slow path of the runtime runs here (the first lock of an
// object and of a chain, stack capture, a finding written to the trace,
// a new thread, a new borrow site, a cross-thread borrow, a futex wait
// that finds the word changed), with errno set to a sentinel before each
// operation and checked after it. The test runs traced at events=all
// (tests.cmake), so the trace writer and the event rings are on the path.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include <sys/syscall.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "lockscope/lockscope.h"
#include "lockscope/internal/hooks.h"

namespace {

constexpr int kSentinel = 4242;

// The trace tests.cmake names (LOCKSCOPE_ERRNO_TRACE_DIR, in the build
// tree); unlinked at the end (the writer may still append to the unlinked
// file until exit).
class RemoveTrace : public ::testing::Environment {
 public:
  void TearDown() override {
    unlink((std::string(LOCKSCOPE_ERRNO_TRACE_DIR) + "/errno_test." +
            std::to_string(getpid()) + ".lstrace")
               .c_str());
  }
};
const auto* const kRemoveTrace =
    ::testing::AddGlobalTestEnvironment(new RemoveTrace);

// Runs `op` with errno set to the sentinel and returns errno after it.
template <typename Op>
int ErrnoAfter(Op&& op) {
  errno = kSentinel;
  op();
  return errno;
}

TEST(ErrnoTest, MutexSlowPathsKeepErrno) {
  lockscope::Mutex* a = nullptr;
  lockscope::Mutex* b = nullptr;
  EXPECT_EQ(ErrnoAfter([&] { a = new lockscope::Mutex("errno_a"); }),
            kSentinel);
  EXPECT_EQ(ErrnoAfter([&] { b = new lockscope::Mutex("errno_b"); }),
            kSentinel);
  EXPECT_EQ(ErrnoAfter([&] { a->lock(); }), kSentinel) << "first lock";
  EXPECT_EQ(ErrnoAfter([&] { b->lock(); }), kSentinel) << "new chain";
  EXPECT_EQ(ErrnoAfter([&] { EXPECT_FALSE(b->try_lock()); }), kSentinel)
      << "failed try_lock";
  EXPECT_EQ(ErrnoAfter([&] { a->unlock(); }), kSentinel)
      << "out-of-order unlock";
  EXPECT_EQ(ErrnoAfter([&] { b->unlock(); }), kSentinel);
  // b then a: closes the cycle, a finding is written and reported.
  EXPECT_EQ(ErrnoAfter([&] { b->lock(); }), kSentinel);
  EXPECT_EQ(ErrnoAfter([&] { a->lock(); }), kSentinel) << "cycle-closing lock";
  a->unlock();
  b->unlock();
  EXPECT_EQ(ErrnoAfter([&] { delete a; }), kSentinel);
  EXPECT_EQ(ErrnoAfter([&] { delete b; }), kSentinel);
}

TEST(ErrnoTest, NewThreadKeepsErrno) {
  lockscope::Mutex m("errno_thread");
  int seen = 0;
  std::thread([&] {
    // The thread's first hook registers it with the runtime.
    seen = ErrnoAfter([&] { std::lock_guard<lockscope::Mutex> g(m); });
  }).join();
  EXPECT_EQ(seen, kSentinel);
}

TEST(ErrnoTest, TryLockKeepsErrno) {
  lockscope::Mutex m("errno_try");
  // The first acquisition of the object is a successful try_lock.
  EXPECT_EQ(ErrnoAfter([&] { EXPECT_TRUE(m.try_lock()); }), kSentinel);
  m.unlock();
  int seen = 0;
  std::thread([&] {
    // The thread's first hook is a try_lock's.
    seen = ErrnoAfter([&] {
      EXPECT_TRUE(m.try_lock());
      m.unlock();
    });
  }).join();
  EXPECT_EQ(seen, kSentinel);
}

TEST(ErrnoTest, RwLockKeepsErrno) {
  lockscope::RwLock rw("errno_rw");
  EXPECT_EQ(ErrnoAfter([&] { rw.lock_shared(); }), kSentinel);
  EXPECT_EQ(ErrnoAfter([&] { rw.unlock_shared(); }), kSentinel);
  EXPECT_EQ(ErrnoAfter([&] { rw.lock(); }), kSentinel);
  EXPECT_EQ(ErrnoAfter([&] { rw.unlock(); }), kSentinel);
}

TEST(ErrnoTest, AppCellKeepsErrno) {
  lockscope::AppCell<int> cell(1, "errno_cell");
  EXPECT_EQ(ErrnoAfter([&] { *cell.borrow_mut() = 2; }), kSentinel)
      << "new borrow site";
  EXPECT_EQ(ErrnoAfter([&] { EXPECT_EQ(*cell.borrow(), 2); }), kSentinel);
  int seen = 0;
  std::thread([&] {
    // A cross-thread borrow: a finding, written and reported.
    seen = ErrnoAfter([&] { EXPECT_EQ(*cell.borrow(), 2); });
  }).join();
  EXPECT_EQ(seen, kSentinel);
}

TEST(ErrnoTest, FutexWaitOnAChangedWordKeepsErrno) {
  // The word no longer holds the expected value: the kernel answers EAGAIN
  // at once, as it does when a contended lock is released just before its
  // waiter sleeps.
  std::atomic<uint32_t> word{1};
  EXPECT_EQ(ErrnoAfter([&] { lockscope::runtime::FutexWait(&word, 2); }),
            kSentinel);
  EXPECT_EQ(ErrnoAfter([&] { lockscope::runtime::FutexWake(&word, 1); }),
            kSentinel);
}

// Whether thread `tid` of this process is asleep in a futex wait on a word
// inside [begin, end). /proc/self/task/TID/syscall holds "NR ARG1 ..." (the
// system call number and its arguments, in hex) while the thread is blocked
// in a system call, and "running" otherwise; ARG1 of futex is the word.
bool InFutexWaitOn(pid_t tid, const void* begin, const void* end) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/syscall");
  long nr = -1;
  std::string word;
  if (!(in >> nr >> word) || nr != SYS_futex) return false;
  const uintptr_t at = std::stoull(word, nullptr, 16);
  return at >= reinterpret_cast<uintptr_t>(begin) &&
         at < reinterpret_cast<uintptr_t>(end);
}

TEST(ErrnoTest, ContendedLockKeepsErrno) {
  // The main thread's lock() must take the contended path: find the lock
  // held (so the runtime's BeforeBlock and AfterBlockedAcquire run) and
  // sleep in FutexWait on the lock's word. A holder thread takes the lock
  // first; a watcher thread lets it go only once the kernel shows the main
  // thread asleep in futex() on a word inside `m`, which happens only after
  // the failed try_lock, BeforeBlock and the word's exchange to 2 (the lock
  // word itself is private to lockscope::Mutex).
  const pid_t waiter = gettid();
  if (!std::ifstream("/proc/self/task/" + std::to_string(waiter) +
                     "/syscall")) {
    GTEST_SKIP() << "no /proc/self/task/TID/syscall on this kernel";
  }
  lockscope::Mutex m("errno_contended");
  std::promise<void> holding, release;
  std::thread holder([&] {
    std::lock_guard<lockscope::Mutex> g(m);
    holding.set_value();
    release.get_future().wait();
  });
  holding.get_future().wait();
  bool seen_asleep = false;
  std::thread watcher([&] {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!(seen_asleep = InFutexWaitOn(waiter, &m, &m + 1)) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    release.set_value();
  });
  EXPECT_EQ(ErrnoAfter([&] { m.lock(); }), kSentinel);
  m.unlock();
  watcher.join();
  holder.join();
  EXPECT_TRUE(seen_asleep) << "lock() never slept in futex() on the lock";
}

}  // namespace
