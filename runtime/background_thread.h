// runtime/background_thread.h — the runtime's background thread (named
// "lockscope"): wakes every flush period, or at once when woken, and runs the
// session's periodic work (reports, draining the event rings, counters,
// flushing the trace). "Collector" names the analysis and trace code in
// collector/; this is only the thread that drives it.
//
// Thread-safe. Its lock is the innermost runtime lock but for the stack
// depot's (see the lock order in runtime/session.h): nothing is taken while
// it is held.
#ifndef LOCKSCOPE_RUNTIME_BACKGROUND_THREAD_H_
#define LOCKSCOPE_RUNTIME_BACKGROUND_THREAD_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "runtime/raw_mutex.h"

namespace lockscope::runtime {

class BackgroundThread {
 public:
  // Starts the thread: it calls work(round) (round = 1, 2, ...) every
  // period_ms, or sooner when woken, until Stop().
  void Start(int period_ms, std::function<void(uint64_t round)> work)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Whether the thread runs (started and not stopped).
  bool running() const { return running_.load(std::memory_order_acquire); }
  // Makes the thread run its work now rather than at the end of the period.
  void Wake() ABSL_LOCKS_EXCLUDED(mu_);
  // Stops the thread and joins it (unless called on the thread itself, which
  // then ends after its current round).
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // fork() support: mu_ is held across the fork by the forking thread.
  void PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Lock(); }
  void AfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Unlock(); }
  // In the child, after AfterFork: the parent's thread does not exist here;
  // forget it (kept reachable, never joined or freed) and start clean.
  void AbandonAfterFork();

 private:
  // The session's lock-order annotation names mu_.
  friend class TraceSink;

  void Loop(uint64_t generation);
  // Sleeps until the period ends or someone wakes the thread; false when
  // the thread must stop.
  bool WaitForWork(uint64_t generation) ABSL_LOCKS_EXCLUDED(mu_);
  bool ReadAndClearWakeLocked(uint64_t generation);

  RawMutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  // The thread is in a round of work (set and cleared under mu_).
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  // Counts Starts; a thread runs only while its Start is the latest.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::condition_variable cv_;
  std::atomic<bool> running_{false};
  int period_ms_ = 100;
  std::function<void(uint64_t)> work_;
  // Leaked after fork() in the child, where the thread does not exist.
  std::thread* thread_ = nullptr;
  // Threads of parents of this (forked) process: never used or freed.
  std::vector<std::thread*> abandoned_;
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_BACKGROUND_THREAD_H_
