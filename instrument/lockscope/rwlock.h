// lockscope/rwlock.h — lockscope::RwLock, a drop-in std::shared_mutex.
//
// Exclusive side: lock/try_lock/unlock; shared side:
// lock_shared/try_lock_shared/unlock_shared, so std::unique_lock and
// std::shared_lock work. Tracked, edges remember whether each end was taken
// shared or exclusive. Write-locking an RwLock the thread holds (for reading
// or writing) prints "lockscope: recursive-lock" and aborts instead of
// hanging.
//
// Untracked: exactly a std::shared_mutex (same size, same code). Tracked:
// the same size and alignment too.
#ifndef LOCKSCOPE_RWLOCK_H_
#define LOCKSCOPE_RWLOCK_H_

#include <atomic>
#include <climits>
#include <cstdint>
#include <shared_mutex>
#include <string_view>
#include <type_traits>

#include "absl/base/attributes.h"
#include "absl/base/thread_annotations.h"
#include "lockscope/config.h"
#include "lockscope/source_location.h"

namespace lockscope {
inline namespace LOCKSCOPE_MODE_NAMESPACE {
namespace internal {

// The lock under a tracked RwLock: a futex word instead of a
// std::shared_mutex, for the reason given at internal::WordLock (mutex.h).
// Behaves as std::shared_mutex does with glibc: readers are preferred (a
// reader gets in while no writer holds the lock, even if writers wait), not
// recursive, no spinning.
//
// The word: bit 31 a writer holds it; bits 0-28 how many readers hold it;
// bits 29 and 30 readers / writers may be sleeping. A sleeper sets its bit
// before it sleeps; whoever clears a bit wakes every sleeper, and they set
// it again if they still have to wait, so no wake-up is lost.
class WordRwLock {
 public:
  bool try_lock() noexcept {
    uint32_t s = word_.load(std::memory_order_relaxed);
    while ((s & (kWriter | kReaders)) == 0) {
      if (word_.compare_exchange_weak(s, s | kWriter,
                                      std::memory_order_acquire,
                                      std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;
  }
  bool try_lock_shared() noexcept {
    uint32_t s = word_.load(std::memory_order_relaxed);
    while ((s & kWriter) == 0) {
      if (word_.compare_exchange_weak(s, s + 1, std::memory_order_acquire,
                                      std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;
  }
  void lock() noexcept {
    if (!try_lock()) LockSlow();
  }
  void lock_shared() noexcept {
    if (!try_lock_shared()) LockSharedSlow();
  }
  void unlock() noexcept {
    if ((word_.exchange(0, std::memory_order_release) & kSleepers) != 0) {
      runtime::FutexWake(&word_, INT_MAX);
    }
  }
  void unlock_shared() noexcept {
    uint32_t s = word_.fetch_sub(1, std::memory_order_release) - 1;
    // The last reader out with writers asleep (no writer can hold it and
    // readers only sleep behind a writer, so the word is exactly that bit).
    if (s == kWritersSleep &&
        word_.compare_exchange_strong(s, 0, std::memory_order_relaxed)) {
      runtime::FutexWake(&word_, INT_MAX);
    }
  }

 private:
  static constexpr uint32_t kWriter = 1u << 31;
  static constexpr uint32_t kWritersSleep = 1u << 30;
  static constexpr uint32_t kReadersSleep = 1u << 29;
  static constexpr uint32_t kSleepers = kWritersSleep | kReadersSleep;
  static constexpr uint32_t kReaders = kReadersSleep - 1;

  ABSL_ATTRIBUTE_NOINLINE void LockSlow() noexcept {
    uint32_t s = word_.load(std::memory_order_relaxed);
    for (;;) {
      if ((s & (kWriter | kReaders)) == 0) {
        if (word_.compare_exchange_weak(s, s | kWriter,
                                        std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
          return;
        }
        continue;
      }
      if ((s & kWritersSleep) == 0) {
        if (!word_.compare_exchange_weak(s, s | kWritersSleep,
                                         std::memory_order_relaxed)) {
          continue;
        }
        s |= kWritersSleep;
      }
      runtime::FutexWait(&word_, s);
      s = word_.load(std::memory_order_relaxed);
    }
  }

  ABSL_ATTRIBUTE_NOINLINE void LockSharedSlow() noexcept {
    uint32_t s = word_.load(std::memory_order_relaxed);
    for (;;) {
      if ((s & kWriter) == 0) {
        if (word_.compare_exchange_weak(s, s + 1, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
          return;
        }
        continue;
      }
      if ((s & kReadersSleep) == 0) {
        if (!word_.compare_exchange_weak(s, s | kReadersSleep,
                                         std::memory_order_relaxed)) {
          continue;
        }
        s |= kReadersSleep;
      }
      runtime::FutexWait(&word_, s);
      s = word_.load(std::memory_order_relaxed);
    }
  }

  std::atomic<uint32_t> word_{0};
};

}  // namespace internal

class ABSL_LOCKABLE RwLock : private internal::TrackedHandle<kTrack> {
 public:
  explicit RwLock(std::string_view name = {},
                  SourceLocation created = SourceLocation::current()) noexcept {
    if constexpr (kTrack) {
      set_handle(runtime::OnCreate(runtime::ObjectKind::kRwLock, name,
                                   created.site()));
    }
  }
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;
  ~RwLock() {
    if constexpr (kTrack) {
      // A free lock is one we can take; the check costs nothing elsewhere.
      const bool held = !mu_.try_lock();
      if (!held) mu_.unlock();
      runtime::OnDestroy(handle(), held);
    }
  }

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

  void lock_shared() ABSL_SHARED_LOCK_FUNCTION() {
    if constexpr (kTrack) {
      if (mu_.try_lock_shared()) {
        runtime::AfterAcquire(handle(), runtime::Access::kShared);
        return;
      }
      const uint64_t token =
          runtime::BeforeBlock(handle(), runtime::Access::kShared);
      mu_.lock_shared();
      runtime::AfterBlockedAcquire(handle(), runtime::Access::kShared, token);
    } else {
      mu_.lock_shared();
    }
  }

  bool try_lock_shared() ABSL_SHARED_TRYLOCK_FUNCTION(true) {
    if (!mu_.try_lock_shared()) return false;
    if constexpr (kTrack) {
      runtime::AfterTryAcquire(handle(), runtime::Access::kShared);
    }
    return true;
  }

  void unlock_shared() ABSL_UNLOCK_FUNCTION() {
    if constexpr (kTrack) {
      runtime::BeforeRelease(handle(), runtime::Access::kShared);
    }
    mu_.unlock_shared();
  }

 private:
  // Untracked, the std::shared_mutex itself; tracked, internal::WordRwLock.
  std::conditional_t<
      kTrack,
      internal::PaddedLock<internal::WordRwLock,
                           sizeof(std::shared_mutex) -
                               sizeof(internal::TrackedHandle<true>)>,
      std::shared_mutex>
      mu_;
};

// Tracked or not, an RwLock takes the room of the std::shared_mutex it
// replaces.
static_assert(sizeof(RwLock) == sizeof(std::shared_mutex) &&
                  alignof(RwLock) == alignof(std::shared_mutex),
              "lockscope::RwLock must keep std::shared_mutex's layout");

}  // namespace LOCKSCOPE_MODE_NAMESPACE
}  // namespace lockscope

#endif  // LOCKSCOPE_RWLOCK_H_
