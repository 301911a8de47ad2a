#include "runtime/background_thread.h"

#include <pthread.h>
#include <sched.h>

#include <chrono>
#include <mutex>
#include <new>
#include <utility>

#include "runtime/reentry.h"

namespace lockscope::runtime {

void BackgroundThread::Start(int period_ms,
                             std::function<void(uint64_t round)> work) {
  uint64_t generation = 0;
  {
    RawMutexLock lock(&mu_);
    stop_ = false;
    busy_ = false;  // a fork child's copy may say the parent's thread was
    generation = ++generation_;
  }
  period_ms_ = period_ms;
  work_ = std::move(work);
  running_.store(true, std::memory_order_release);
  thread_ = new std::thread([this, generation] { Loop(generation); });
}

void BackgroundThread::Loop(uint64_t generation) {
  ReentryGuard guard;  // for the thread's whole life (see reentry.h)
  pthread_setname_np(pthread_self(), "lockscope");
  // SCHED_BATCH: when the thread that made a finding wakes this one, the
  // scheduler does not preempt it for this one (wakeup preemption) inside
  // its lock(); on a loaded machine that handed the core to the
  // symbolizing and left the lock() waiting for milliseconds.
  sched_param param{};
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
  uint64_t round = 0;
  for (;;) {
    if (!WaitForWork(generation)) return;
    work_(++round);
    RawMutexLock lock(&mu_);
    busy_ = false;
  }
}

bool BackgroundThread::WaitForWork(uint64_t generation) {
  // std::condition_variable waits on the std::mutex inside mu_, which the
  // thread-safety analysis cannot follow; the lock is held whenever the
  // flags are read or written below.
  std::unique_lock<std::mutex> lock(mu_.native());
  cv_.wait_for(lock, std::chrono::milliseconds(period_ms_),
               [this, generation]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                 return stop_ || wake_ || generation_ != generation;
               });
  return ReadAndClearWakeLocked(generation);
}

bool BackgroundThread::ReadAndClearWakeLocked(uint64_t generation)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // A thread stopped while idle and never joined must not run for a later
  // Start.
  if (stop_ || generation_ != generation) return false;
  wake_ = false;
  busy_ = true;
  return true;
}

void BackgroundThread::Wake() {
  {
    RawMutexLock lock(&mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

void BackgroundThread::Stop() {
  {
    RawMutexLock lock(&mu_);
    stop_ = true;
  }
  cv_.notify_one();
  // Always joined, idle or not: a thread left running past Stop() would
  // still read this object (a later Start rewrites it) and outlive the
  // process's last word (ThreadSanitizer reports the leak and the race).
  if (thread_ != nullptr && thread_->get_id() != std::this_thread::get_id()) {
    thread_->join();
    delete thread_;
    thread_ = nullptr;
  }
  running_.store(false, std::memory_order_release);
}

void BackgroundThread::AbandonAfterFork() {
  // The condition variable may count waiters that do not exist here (the
  // parent's thread): make it new.
  new (&cv_) std::condition_variable();
  if (thread_ != nullptr) abandoned_.push_back(thread_);
  thread_ = nullptr;
  running_.store(false, std::memory_order_release);
}

}  // namespace lockscope::runtime
