// pthread_rwlock_* (and so std::shared_mutex, std::shared_timed_mutex):
// tracked like lockscope::RwLock, read locks shared, write locks exclusive.
// A read or write lock by the thread that holds the write lock still
// returns EDEADLK, as glibc does.
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "interpose/interposer.h"
#include "interpose/real.h"
#include "runtime/interpose_support.h"

namespace lockscope::interpose {
namespace {

bool WriteLockedBySelf(const pthread_rwlock_t* rw) {
  return rw->__data.__cur_writer == static_cast<int>(gettid());
}

template <typename TryFn, typename LockFn>
inline int TrackedLock(pthread_rwlock_t* rw, Access access, uint64_t pc,
                       TryFn&& try_lock, LockFn&& lock) {
  int rc = try_lock(rw);
  if (__builtin_expect(rc == 0, 1)) {
    runtime::AfterAcquire(Get(rw, LockType::kRwLock, pc), access);
    return 0;
  }
  if (rc != EBUSY || WriteLockedBySelf(rw)) {
    return rc != EBUSY ? rc : lock(rw);  // EDEADLK, as without lockscope
  }
  ObjectState* o = Get(rw, LockType::kRwLock, pc);
  const uint64_t token = runtime::BeforeBlock(o, access);
  rc = lock(rw);
  if (rc == 0) {
    runtime::AfterBlockedAcquire(o, access, token);
  } else {
    runtime::AfterBlockFailed(o, access, token);
  }
  return rc;
}

int TryRead(pthread_rwlock_t* rw) { return lockscope_real_rwlock_tryrdlock(rw); }
int TryWrite(pthread_rwlock_t* rw) {
  return lockscope_real_rwlock_trywrlock(rw);
}

int TrackedTry(pthread_rwlock_t* rw, Access access, uint64_t pc) {
  const int rc = access == Access::kShared ? TryRead(rw) : TryWrite(rw);
  if (rc == 0) {
    runtime::AfterTryAcquire(Get(rw, LockType::kRwLock, pc), access);
  }
  return rc;
}

}  // namespace
}  // namespace lockscope::interpose

using lockscope::interpose::Passthrough;
using lockscope::runtime::Access;
namespace li = lockscope::interpose;

extern "C" {

int pthread_rwlock_init(pthread_rwlock_t* rw, const pthread_rwlockattr_t* a) {
  if (!Passthrough()) li::Forget(rw, false);  // a re-init: a new lock
  const int rc = lockscope_real_rwlock_init(rw, a);
  if (rc == 0 && !Passthrough()) {
    li::FindOrCreate(rw, li::LockType::kRwLock, LOCKSCOPE_SITE_PC());
  }
  return rc;
}

int pthread_rwlock_destroy(pthread_rwlock_t* rw) {
  const int rc = lockscope_real_rwlock_destroy(rw);
  if (rc == 0 && !Passthrough()) li::Forget(rw, false);
  return rc;
}

int pthread_rwlock_rdlock(pthread_rwlock_t* rw) {
  if (Passthrough()) return lockscope_real_rwlock_rdlock(rw);
  return li::TrackedLock(rw, Access::kShared, LOCKSCOPE_SITE_PC(), li::TryRead,
                         lockscope_real_rwlock_rdlock);
}

int pthread_rwlock_wrlock(pthread_rwlock_t* rw) {
  if (Passthrough()) return lockscope_real_rwlock_wrlock(rw);
  return li::TrackedLock(rw, Access::kExclusive, LOCKSCOPE_SITE_PC(),
                         li::TryWrite, lockscope_real_rwlock_wrlock);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t* rw) {
  if (Passthrough()) return lockscope_real_rwlock_tryrdlock(rw);
  return li::TrackedTry(rw, Access::kShared, LOCKSCOPE_SITE_PC());
}

int pthread_rwlock_trywrlock(pthread_rwlock_t* rw) {
  if (Passthrough()) return lockscope_real_rwlock_trywrlock(rw);
  return li::TrackedTry(rw, Access::kExclusive, LOCKSCOPE_SITE_PC());
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t* rw, const timespec* t) {
  if (Passthrough()) return li::Real().rwlock_timedrdlock(rw, t);
  return li::TrackedLock(rw, Access::kShared, LOCKSCOPE_SITE_PC(), li::TryRead,
                         [t](pthread_rwlock_t* r) {
                           return li::Real().rwlock_timedrdlock(r, t);
                         });
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t* rw, const timespec* t) {
  if (Passthrough()) return li::Real().rwlock_timedwrlock(rw, t);
  return li::TrackedLock(rw, Access::kExclusive, LOCKSCOPE_SITE_PC(),
                         li::TryWrite, [t](pthread_rwlock_t* r) {
                           return li::Real().rwlock_timedwrlock(r, t);
                         });
}

int pthread_rwlock_clockrdlock(pthread_rwlock_t* rw, clockid_t c,
                               const timespec* t) {
  if (Passthrough()) return li::Real().rwlock_clockrdlock(rw, c, t);
  return li::TrackedLock(rw, Access::kShared, LOCKSCOPE_SITE_PC(), li::TryRead,
                         [c, t](pthread_rwlock_t* r) {
                           return li::Real().rwlock_clockrdlock(r, c, t);
                         });
}

int pthread_rwlock_clockwrlock(pthread_rwlock_t* rw, clockid_t c,
                               const timespec* t) {
  if (Passthrough()) return li::Real().rwlock_clockwrlock(rw, c, t);
  return li::TrackedLock(rw, Access::kExclusive, LOCKSCOPE_SITE_PC(),
                         li::TryWrite, [c, t](pthread_rwlock_t* r) {
                           return li::Real().rwlock_clockwrlock(r, c, t);
                         });
}

int pthread_rwlock_unlock(pthread_rwlock_t* rw) {
  if (!Passthrough()) {
    if (li::ObjectState* o = li::Lookup(rw)) {
      // Write-locked (by this thread, if the program is right) or read.
      lockscope::runtime::BeforeRelease(
          o, rw->__data.__cur_writer != 0 ? Access::kExclusive
                                          : Access::kShared);
    }
  }
  return lockscope_real_rwlock_unlock(rw);
}

}  // extern "C"
