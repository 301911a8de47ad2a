// interpose/real.h — the real (libc) functions behind the interposed ones.
//
// The mutex and rwlock lock/unlock calls bind at link time to libc's
// __pthread_* aliases (GLIBC_2.2.5): callable before anything is
// initialized, with no dlsym. The rest are looked up with dlsym/dlvsym
// (RTLD_NEXT) in the library's constructor, or on first use if a call comes
// earlier (another library's constructor); dlsym may lock and allocate, but
// neither malloc nor the loader's locks are interposed, so that is safe.
#ifndef LOCKSCOPE_INTERPOSE_REAL_H_
#define LOCKSCOPE_INTERPOSE_REAL_H_

#include <pthread.h>
#include <threads.h>
#include <time.h>

#include <atomic>
#include <cstddef>

extern "C" {
int lockscope_real_mutex_init(pthread_mutex_t*, const pthread_mutexattr_t*);
int lockscope_real_mutex_destroy(pthread_mutex_t*);
int lockscope_real_mutex_lock(pthread_mutex_t*);
int lockscope_real_mutex_trylock(pthread_mutex_t*);
int lockscope_real_mutex_unlock(pthread_mutex_t*);
int lockscope_real_rwlock_init(pthread_rwlock_t*, const pthread_rwlockattr_t*);
int lockscope_real_rwlock_destroy(pthread_rwlock_t*);
int lockscope_real_rwlock_rdlock(pthread_rwlock_t*);
int lockscope_real_rwlock_tryrdlock(pthread_rwlock_t*);
int lockscope_real_rwlock_wrlock(pthread_rwlock_t*);
int lockscope_real_rwlock_trywrlock(pthread_rwlock_t*);
int lockscope_real_rwlock_unlock(pthread_rwlock_t*);
void __libc_free(void*);
void* __libc_realloc(void*, size_t);
}

// libc's own aliases of the lock calls, bound by version at link time (in
// every object that calls them: .symver is per object file).
__asm__(".symver lockscope_real_mutex_init, __pthread_mutex_init@GLIBC_2.2.5");
__asm__(".symver lockscope_real_mutex_destroy, __pthread_mutex_destroy@GLIBC_2.2.5");
__asm__(".symver lockscope_real_mutex_lock, __pthread_mutex_lock@GLIBC_2.2.5");
__asm__(".symver lockscope_real_mutex_trylock, __pthread_mutex_trylock@GLIBC_2.2.5");
__asm__(".symver lockscope_real_mutex_unlock, __pthread_mutex_unlock@GLIBC_2.2.5");
__asm__(".symver lockscope_real_rwlock_init, __pthread_rwlock_init@GLIBC_2.2.5");
__asm__(".symver lockscope_real_rwlock_destroy, __pthread_rwlock_destroy@GLIBC_2.2.5");
__asm__(".symver lockscope_real_rwlock_rdlock, __pthread_rwlock_rdlock@GLIBC_2.2.5");
__asm__(".symver lockscope_real_rwlock_tryrdlock, __pthread_rwlock_tryrdlock@GLIBC_2.2.5");
__asm__(".symver lockscope_real_rwlock_wrlock, __pthread_rwlock_wrlock@GLIBC_2.2.5");
__asm__(".symver lockscope_real_rwlock_trywrlock, __pthread_rwlock_trywrlock@GLIBC_2.2.5");
__asm__(".symver lockscope_real_rwlock_unlock, __pthread_rwlock_unlock@GLIBC_2.2.5");

namespace lockscope::interpose {

// Looked up by name (and version); see real.cc for the list.
struct RealFunctions {
  int (*mutex_timedlock)(pthread_mutex_t*, const timespec*);
  int (*mutex_clocklock)(pthread_mutex_t*, clockid_t, const timespec*);
  int (*rwlock_timedrdlock)(pthread_rwlock_t*, const timespec*);
  int (*rwlock_timedwrlock)(pthread_rwlock_t*, const timespec*);
  int (*rwlock_clockrdlock)(pthread_rwlock_t*, clockid_t, const timespec*);
  int (*rwlock_clockwrlock)(pthread_rwlock_t*, clockid_t, const timespec*);
  int (*spin_init)(pthread_spinlock_t*, int);
  int (*spin_destroy)(pthread_spinlock_t*);
  int (*spin_lock)(pthread_spinlock_t*);
  int (*spin_trylock)(pthread_spinlock_t*);
  int (*spin_unlock)(pthread_spinlock_t*);
  int (*cond_wait)(pthread_cond_t*, pthread_mutex_t*);
  int (*cond_timedwait)(pthread_cond_t*, pthread_mutex_t*, const timespec*);
  int (*cond_clockwait)(pthread_cond_t*, pthread_mutex_t*, clockid_t,
                        const timespec*);
  int (*cond_signal)(pthread_cond_t*);
  int (*cond_broadcast)(pthread_cond_t*);
  int (*join)(pthread_t, void**);
  int (*mtx_init)(mtx_t*, int);
  void (*mtx_destroy)(mtx_t*);
  int (*mtx_lock)(mtx_t*);
  int (*mtx_trylock)(mtx_t*);
  int (*mtx_timedlock)(mtx_t*, const timespec*);
  int (*mtx_unlock)(mtx_t*);
  int (*cnd_wait)(cnd_t*, mtx_t*);
  int (*cnd_timedwait)(cnd_t*, mtx_t*, const timespec*);
  void (*free)(void*);
  void* (*realloc)(void*, size_t);
  size_t (*malloc_usable_size)(void*);
};

// Filled by ResolveRealFunctions; complete once `resolved` is set.
extern RealFunctions g_real;
extern std::atomic<bool> g_resolved;

// Looks every function up (idempotent; the first call does the work).
void ResolveRealFunctions();

// Looks up the operator delete the program would call without the
// interposer (free.cc); idempotent.
void ResolveNextDelete();

// The real functions, resolved on first use when needed.
inline const RealFunctions& Real() {
  if (__builtin_expect(!g_resolved.load(std::memory_order_acquire), 0)) {
    ResolveRealFunctions();
  }
  return g_real;
}

}  // namespace lockscope::interpose

#endif  // LOCKSCOPE_INTERPOSE_REAL_H_
