// lockscope/rwlock.h — lockscope::RwLock, a drop-in std::shared_mutex.
//
// Exclusive side: lock/try_lock/unlock; shared side:
// lock_shared/try_lock_shared/unlock_shared, so std::unique_lock and
// std::shared_lock work. Tracked, edges remember whether each end was taken
// shared or exclusive. Write-locking an RwLock the thread holds (for reading
// or writing) prints "lockscope: recursive-lock" and aborts instead of
// hanging.
//
// Untracked: exactly a std::shared_mutex (same size, same code).
#ifndef LOCKSCOPE_RWLOCK_H_
#define LOCKSCOPE_RWLOCK_H_

#include <shared_mutex>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "lockscope/config.h"
#include "lockscope/source_location.h"

namespace lockscope {
inline namespace LOCKSCOPE_MODE_NAMESPACE {

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
  std::shared_mutex mu_;
};

}  // namespace LOCKSCOPE_MODE_NAMESPACE
}  // namespace lockscope

#endif  // LOCKSCOPE_RWLOCK_H_
