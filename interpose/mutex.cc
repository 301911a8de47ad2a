// pthread_mutex_* (and so std::mutex, std::recursive_mutex,
// std::timed_mutex), tracked like lockscope::Mutex: the fast path tries the
// lock first; only a busy lock goes through BeforeBlock (the watchdog sees
// the wait) and the blocking call.
//
// Kept semantics: a recursive mutex relocked by its holder is one
// acquisition (glibc's own count says which lock/unlock is the outer one);
// an error-checking mutex relocked by its holder still returns EDEADLK; a
// timed lock that times out forms no edge; trylock forms no edge.
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "interpose/interposer.h"
#include "interpose/mutex_hooks.h"
#include "interpose/real.h"
#include "runtime/interpose_support.h"

namespace lockscope::interpose {
namespace {

constexpr int kKindMask = 3;  // PTHREAD_MUTEX_KIND_MASK_NP
constexpr int kRecursive = PTHREAD_MUTEX_RECURSIVE_NP;
constexpr int kErrorCheck = PTHREAD_MUTEX_ERRORCHECK_NP;

// A recursive mutex its holder has locked more than once: the lock just
// taken (or the unlock about to happen) is an inner one.
inline bool InnerRecursive(const pthread_mutex_t* m) {
  return (m->__data.__kind & kKindMask) == kRecursive && m->__data.__count > 1;
}

// The calling thread already owns `m` (error-checking and recursive kinds
// record the owner).
bool OwnedBySelf(const pthread_mutex_t* m) {
  return m->__data.__owner == static_cast<int>(gettid());
}

bool Acquired(int rc) { return rc == 0 || rc == EOWNERDEAD; }

// The object of a mutex, cached in the mutex itself: glibc uses its __list
// field only for robust mutexes, so for the others it holds the mutex's own
// address (__prev, which tells a copied or foreign mutex apart) and its
// object (__next). One load from the line the lock word is on, instead of a
// table lookup, between the two atomic instructions of every lock and
// unlock. Never for robust or process-shared mutexes; pthread_mutex_init
// and std::mutex's constructor zero it; destroy and free clear it.
// glibc's kind bits (internal): 16 robust, 128 process-shared.
constexpr int kNoCache = 16 | 128;

inline ObjectState* Cached(const pthread_mutex_t* m) {
  auto* list = const_cast<__pthread_list_t*>(&m->__data.__list);
  if (__atomic_load_n(&list->__prev, __ATOMIC_RELAXED) !=
      reinterpret_cast<const __pthread_list_t*>(m)) {
    return nullptr;
  }
  return reinterpret_cast<ObjectState*>(
      __atomic_load_n(&list->__next, __ATOMIC_RELAXED));
}

__attribute__((noinline)) ObjectState* GetAndCache(pthread_mutex_t* m,
                                                   uint64_t pc) {
  ObjectState* o = Get(m, LockType::kMutex, pc);
  if ((m->__data.__kind & kNoCache) == 0) {
    __pthread_list_t* list = &m->__data.__list;
    __atomic_store_n(&list->__next, reinterpret_cast<__pthread_list_t*>(o),
                     __ATOMIC_RELAXED);
    __atomic_store_n(&list->__prev, reinterpret_cast<__pthread_list_t*>(m),
                     __ATOMIC_RELAXED);
  }
  return o;
}

inline ObjectState* GetMutex(pthread_mutex_t* m, uint64_t pc) {
  ObjectState* o = Cached(m);
  return __builtin_expect(o != nullptr, 1) ? o : GetAndCache(m, pc);
}

inline ObjectState* LookupMutex(pthread_mutex_t* m) {
  ObjectState* o = Cached(m);
  return __builtin_expect(o != nullptr, 1) ? o : Lookup(m);
}

// `lock` blocks: fn(m) is the real lock call (plain, timed or clocked).
template <typename Fn>
__attribute__((noinline)) int LockSlow(pthread_mutex_t* m, int try_rc,
                                       uint64_t pc, Fn&& lock) {
  if (try_rc == EOWNERDEAD) {  // robust: held, its owner died
    runtime::AfterAcquire(GetMutex(m, pc), Access::kExclusive);
    return try_rc;
  }
  if (try_rc != EBUSY) return try_rc;
  if ((m->__data.__kind & kKindMask) == kErrorCheck && OwnedBySelf(m)) {
    return lock(m);  // EDEADLK, as without lockscope
  }
  ObjectState* o = GetMutex(m, pc);
  const uint64_t token = runtime::BeforeBlock(o, Access::kExclusive);
  const int rc = lock(m);
  if (Acquired(rc)) {
    runtime::AfterBlockedAcquire(o, Access::kExclusive, token);
  } else {
    runtime::AfterBlockFailed(o, Access::kExclusive, token);
  }
  return rc;
}

template <typename Fn>
inline int TrackedLock(pthread_mutex_t* m, uint64_t pc, Fn&& lock) {
  const int rc = lockscope_real_mutex_trylock(m);
  if (__builtin_expect(rc == 0, 1)) {
    if (!InnerRecursive(m)) {
      runtime::AfterAcquire(GetMutex(m, pc), Access::kExclusive);
    }
    return 0;
  }
  return LockSlow(m, rc, pc, lock);
}

}  // namespace

// Used by the condition-variable and C11 interposers too.
void MutexReleaseHook(pthread_mutex_t* m) {
  if (InnerRecursive(m)) return;
  if (ObjectState* o = LookupMutex(m)) {
    runtime::BeforeRelease(o, Access::kExclusive);
  }
}

ObjectState* MutexReacquireHook(pthread_mutex_t* m) {
  if (InnerRecursive(m)) return nullptr;
  return LookupMutex(m);
}

void ForgetMutex(pthread_mutex_t* m) {
  if ((m->__data.__kind & kNoCache) == 0) {
    __atomic_store_n(&m->__data.__list.__prev, nullptr, __ATOMIC_RELAXED);
    __atomic_store_n(&m->__data.__list.__next, nullptr, __ATOMIC_RELAXED);
  }
  Forget(m, false);
}

int TrackedMutexLock(pthread_mutex_t* m, uint64_t pc) {
  return TrackedLock(m, pc, [](pthread_mutex_t* mu) {
    return lockscope_real_mutex_lock(mu);
  });
}

int TrackedMutexTrylock(pthread_mutex_t* m, uint64_t pc) {
  const int rc = lockscope_real_mutex_trylock(m);
  if (Acquired(rc) && !InnerRecursive(m)) {
    runtime::AfterTryAcquire(GetMutex(m, pc),
                             Access::kExclusive);
  }
  return rc;
}

int TrackedMutexTimedlock(pthread_mutex_t* m, const timespec* abstime,
                          uint64_t pc) {
  return TrackedLock(m, pc, [abstime](pthread_mutex_t* mu) {
    return Real().mutex_timedlock(mu, abstime);
  });
}

}  // namespace lockscope::interpose

using lockscope::interpose::Passthrough;
namespace li = lockscope::interpose;

extern "C" {

int pthread_mutex_init(pthread_mutex_t* m, const pthread_mutexattr_t* attr) {
  if (!Passthrough()) li::Forget(m, false);  // a re-init: a new lock
  const int rc = lockscope_real_mutex_init(m, attr);
  if (rc == 0 && !Passthrough()) {
    li::FindOrCreate(m, li::LockType::kMutex, LOCKSCOPE_SITE_PC());
  }
  return rc;
}

int pthread_mutex_destroy(pthread_mutex_t* m) {
  // glibc refuses (EBUSY) to destroy a mutex in use: then it lives on.
  const int rc = lockscope_real_mutex_destroy(m);
  if (rc == 0 && !Passthrough()) li::ForgetMutex(m);
  return rc;
}

int pthread_mutex_lock(pthread_mutex_t* m) {
  if (Passthrough()) return lockscope_real_mutex_lock(m);
  return li::TrackedMutexLock(m, LOCKSCOPE_SITE_PC());
}

int pthread_mutex_trylock(pthread_mutex_t* m) {
  if (Passthrough()) return lockscope_real_mutex_trylock(m);
  return li::TrackedMutexTrylock(m, LOCKSCOPE_SITE_PC());
}

int pthread_mutex_timedlock(pthread_mutex_t* m, const timespec* abstime) {
  if (Passthrough()) return li::Real().mutex_timedlock(m, abstime);
  return li::TrackedMutexTimedlock(m, abstime, LOCKSCOPE_SITE_PC());
}

int pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t clock,
                            const timespec* abstime) {
  if (Passthrough()) return li::Real().mutex_clocklock(m, clock, abstime);
  return li::TrackedLock(m, LOCKSCOPE_SITE_PC(),
                         [clock, abstime](pthread_mutex_t* mu) {
                           return li::Real().mutex_clocklock(mu, clock,
                                                             abstime);
                         });
}

int pthread_mutex_unlock(pthread_mutex_t* m) {
  if (!Passthrough()) li::MutexReleaseHook(m);
  return lockscope_real_mutex_unlock(m);
}

}  // extern "C"
