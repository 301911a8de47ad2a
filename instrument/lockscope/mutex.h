// lockscope/mutex.h — lockscope::Mutex, a drop-in std::mutex.
//
// Meets Lockable: works with std::lock_guard, std::unique_lock,
// std::scoped_lock, std::lock, lockscope::CondVar (cond_var.h) and
// std::condition_variable_any (whose waits
// unlock and relock through this wrapper, so the runtime's view of what the
// thread holds stays true).
//
// Tracked (TRACK_THREAD_BORROWS): every acquisition is reported to the
// runtime, which builds the lock-order graph. Locking a Mutex the thread
// already holds prints "lockscope: recursive-lock" and aborts instead of
// hanging; unlocking one the thread does not hold reports unlock-not-owner;
// destroying one that is held reports destroyed-while-held.
//
// Untracked: exactly a std::mutex (same size, same code). Tracked: the same
// size and alignment too (a padded futex word and the runtime handle).
#ifndef LOCKSCOPE_MUTEX_H_
#define LOCKSCOPE_MUTEX_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <type_traits>

#include "absl/base/attributes.h"
#include "absl/base/thread_annotations.h"
#include "lockscope/config.h"
#include "lockscope/source_location.h"

namespace lockscope {
inline namespace LOCKSCOPE_MODE_NAMESPACE {
namespace internal {

// The lock under a tracked Mutex: a futex word instead of a std::mutex, so
// that an uncontended lock or unlock is one inline atomic instead of a call
// into libpthread, which pays for the runtime's hook call beside it
// (docs/PERFORMANCE.md). Behaves as std::mutex does on Linux: not
// recursive, not fair, no spinning; the sleeping is the runtime's
// (runtime::FutexWait/FutexWake). The word is 0 free, 1 held, 2 held with
// possible sleepers (Drepper, "Futexes Are Tricky", mutex 3).
class WordLock {
 public:
  bool try_lock() noexcept {
    uint32_t expected = 0;
    return word_.compare_exchange_strong(expected, 1,
                                         std::memory_order_acquire,
                                         std::memory_order_relaxed);
  }
  void lock() noexcept {
    if (!try_lock()) LockSlow();
  }
  void unlock() noexcept {
    if (word_.exchange(0, std::memory_order_release) == 2) {
      runtime::FutexWake(&word_, 1);
    }
  }

 private:
  // Marks the word 2 (a sleeper may exist) and sleeps until the exchange
  // finds it free; the lock is then held as 2, which at worst costs one
  // needless wake-up.
  ABSL_ATTRIBUTE_NOINLINE void LockSlow() noexcept {
    while (word_.exchange(2, std::memory_order_acquire) != 0) {
      runtime::FutexWait(&word_, 2);
    }
  }

  std::atomic<uint32_t> word_{0};
};

// CondVar's two forms (cond_var.h), which wait on a Mutex's insides.
template <typename M>
class PlainCond;
template <typename M>
class TrackedCond;

}  // namespace internal

class ABSL_LOCKABLE Mutex : private internal::TrackedHandle<kTrack> {
 public:
  // `name` identifies the lock in reports and lets traces from different
  // processes agree on it; without one, the creation site names it and all
  // unnamed Mutexes created on that line form one lock class.
  explicit Mutex(std::string_view name = {},
                 SourceLocation created = SourceLocation::current()) noexcept {
    if constexpr (kTrack) {
      set_handle(runtime::OnCreate(runtime::ObjectKind::kMutex, name,
                                   created.site()));
    }
  }
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  ~Mutex() {
    if constexpr (kTrack) {
      // A free lock is one we can take; the check costs nothing elsewhere.
      const bool held = !mu_.try_lock();
      if (!held) mu_.unlock();
      runtime::OnDestroy(handle(), held);
    }
  }

  // Blocks until the lock is held. Tracked: forms a lock-order edge from
  // the newest lock this thread holds (older ones reach it through it);
  // aborts with recursive-lock if it already holds this.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    if constexpr (kTrack) {
      if (mu_.try_lock()) {
        runtime::AfterAcquire(handle(), runtime::Access::kExclusive);
        return;
      }
      const uint64_t token =
          runtime::BeforeBlock(handle(), runtime::Access::kExclusive);
      mu_.lock();
      runtime::AfterBlockedAcquire(handle(), runtime::Access::kExclusive,
                                   token);
    } else {
      mu_.lock();
    }
  }

  // Takes the lock if it is free. Never blocks, so it forms no edge.
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    if (!mu_.try_lock()) return false;
    if constexpr (kTrack) {
      runtime::AfterTryAcquire(handle(), runtime::Access::kExclusive);
    }
    return true;
  }

  void unlock() ABSL_UNLOCK_FUNCTION() {
    if constexpr (kTrack) {
      runtime::BeforeRelease(handle(), runtime::Access::kExclusive);
    }
    mu_.unlock();
  }

 private:
  template <typename M>
  friend class internal::PlainCond;
  template <typename M>
  friend class internal::TrackedCond;

  // Untracked, the std::mutex itself; tracked, internal::WordLock padded
  // so that the handle and it take what a std::mutex takes.
  std::conditional_t<
      kTrack,
      internal::PaddedLock<internal::WordLock,
                           sizeof(std::mutex) -
                               sizeof(internal::TrackedHandle<true>)>,
      std::mutex>
      mu_;
};

// Tracked or not, a Mutex takes the room of the std::mutex it replaces.
static_assert(sizeof(Mutex) == sizeof(std::mutex) &&
                  alignof(Mutex) == alignof(std::mutex),
              "lockscope::Mutex must keep std::mutex's layout");

}  // namespace LOCKSCOPE_MODE_NAMESPACE
}  // namespace lockscope

#endif  // LOCKSCOPE_MUTEX_H_
