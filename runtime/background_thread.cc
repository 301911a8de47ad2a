#include "runtime/background_thread.h"

#include <pthread.h>

#include <chrono>
#include <mutex>
#include <new>
#include <utility>

#include "runtime/reentry.h"

namespace lockscope::runtime {

void BackgroundThread::Start(int period_ms,
                             std::function<void(uint64_t round)> work) {
  {
    RawMutexLock lock(&mu_);
    stop_ = false;
  }
  period_ms_ = period_ms;
  work_ = std::move(work);
  running_.store(true, std::memory_order_release);
  thread_ = new std::thread([this] { Loop(); });
}

void BackgroundThread::Loop() {
  ReentryGuard guard;  // for the thread's whole life (see reentry.h)
  pthread_setname_np(pthread_self(), "lockscope");
  uint64_t round = 0;
  for (;;) {
    if (!WaitForWork()) return;
    work_(++round);
  }
}

bool BackgroundThread::WaitForWork() {
  // std::condition_variable waits on the std::mutex inside mu_, which the
  // thread-safety analysis cannot follow; the lock is held whenever the
  // flags are read or written below.
  std::unique_lock<std::mutex> lock(mu_.native());
  cv_.wait_for(lock, std::chrono::milliseconds(period_ms_),
               [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                 return stop_ || wake_;
               });
  return ReadAndClearWakeLocked();
}

bool BackgroundThread::ReadAndClearWakeLocked()
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (stop_) return false;
  wake_ = false;
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
