// runtime/notify_log.h — which condition variables a thread has notified,
// for the watchdog: a waiter is deadlocked when every thread known to
// notify its condition variable is blocked on a lock the waiter holds.
//
// Written by the owner thread only (OnCondNotify, interposed
// pthread_cond_signal/broadcast), read by the watchdog from any thread:
// relaxed atomics, no lock. Keys are the condition variable's address (a
// CondState or a pthread_cond_t). Bounded; past kCapacity distinct keys the
// log is `overflowed` and the watchdog treats the thread as a possible
// notifier of every condition variable (it never reports on its account).
#ifndef LOCKSCOPE_RUNTIME_NOTIFY_LOG_H_
#define LOCKSCOPE_RUNTIME_NOTIFY_LOG_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace lockscope::runtime {

class NotifyLog {
 public:
  static constexpr size_t kCapacity = 32;

  // Owner thread: remembers `key` (a scan of at most kCapacity words when
  // it is already there, which is the common case).
  void Add(uintptr_t key) {
    const size_t n = size_.load(std::memory_order_relaxed);
    for (size_t i = 0; i < n; ++i) {
      if (keys_[i].load(std::memory_order_relaxed) == key) return;
    }
    if (n == kCapacity) {
      overflowed_.store(true, std::memory_order_relaxed);
      return;
    }
    keys_[n].store(key, std::memory_order_relaxed);
    size_.store(n + 1, std::memory_order_release);
  }
  // Any thread.
  bool Contains(uintptr_t key) const {
    const size_t n = size_.load(std::memory_order_acquire);
    for (size_t i = 0; i < n; ++i) {
      if (keys_[i].load(std::memory_order_relaxed) == key) return true;
    }
    return false;
  }
  bool overflowed() const {
    return overflowed_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<uintptr_t> keys_[kCapacity] = {};
  std::atomic<size_t> size_{0};
  std::atomic<bool> overflowed_{false};
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_NOTIFY_LOG_H_
