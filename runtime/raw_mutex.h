// runtime/raw_mutex.h — the runtime's own lock.
//
// A std::mutex (a bare futex-based pthread mutex) with thread-safety
// annotations, as google/benchmark does. Not absl::Mutex, because:
//   - fork(): the runtime holds every lock across fork() and must release
//     them in the child, where absl::Mutex's waiter queue may still name
//     parent threads that do not exist (unlocking would wake a ghost), while a
//     pthread mutex owned by the forking thread unlocks cleanly;
//   - Debian's Abseil is built with its own deadlock detection on, which
//     would put a global lock under every runtime lock.
// Never a lockscope wrapper, so tracking cannot recurse into itself.
#ifndef LOCKSCOPE_RUNTIME_RAW_MUTEX_H_
#define LOCKSCOPE_RUNTIME_RAW_MUTEX_H_

#include <mutex>

#include "absl/base/thread_annotations.h"

namespace lockscope::runtime {

class ABSL_LOCKABLE RawMutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  // For std::condition_variable waits only.
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

class ABSL_SCOPED_LOCKABLE RawMutexLock {
 public:
  explicit RawMutexLock(RawMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_->Lock();
  }
  ~RawMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  RawMutexLock(const RawMutexLock&) = delete;
  RawMutexLock& operator=(const RawMutexLock&) = delete;

 private:
  RawMutex* const mu_;
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_RAW_MUTEX_H_
