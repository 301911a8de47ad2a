#include "interpose/real.h"

#include <dlfcn.h>
#include <sched.h>

namespace lockscope::interpose {

RealFunctions g_real;
std::atomic<bool> g_resolved{false};

}  // namespace lockscope::interpose

namespace lockscope::interpose {
namespace {

template <typename F>
void Find(F*& slot, const char* name, const char* version = nullptr) {
  void* p = version != nullptr ? dlvsym(RTLD_NEXT, name, version)
                               : dlsym(RTLD_NEXT, name);
  if (p == nullptr) p = dlsym(RTLD_DEFAULT, name);
  slot = reinterpret_cast<F*>(p);
}

}  // namespace

void ResolveRealFunctions() {
  // Serialized without a pthread lock (which would come back here).
  static std::atomic<int> state{0};  // 0 not started, 1 running, 2 done
  static constinit thread_local bool resolving
      __attribute__((tls_model("initial-exec"))) = false;
  if (resolving) return;  // dlsym called back (free): see Free() in free.cc
  int expected = 0;
  if (!state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
    while (state.load(std::memory_order_acquire) != 2) sched_yield();
    return;
  }
  resolving = true;
  RealFunctions r{};
  // The allocator's functions first: dlsym may free.
  Find(r.free, "free");
  Find(r.realloc, "realloc");
  Find(r.malloc_usable_size, "malloc_usable_size");
  if (r.free == nullptr) r.free = __libc_free;
  if (r.realloc == nullptr) r.realloc = __libc_realloc;
  g_real.free = r.free;
  g_real.realloc = r.realloc;
  g_real.malloc_usable_size = r.malloc_usable_size;
  Find(r.mutex_timedlock, "pthread_mutex_timedlock");
  Find(r.mutex_clocklock, "pthread_mutex_clocklock");
  Find(r.rwlock_timedrdlock, "pthread_rwlock_timedrdlock");
  Find(r.rwlock_timedwrlock, "pthread_rwlock_timedwrlock");
  Find(r.rwlock_clockrdlock, "pthread_rwlock_clockrdlock");
  Find(r.rwlock_clockwrlock, "pthread_rwlock_clockwrlock");
  Find(r.spin_init, "pthread_spin_init");
  Find(r.spin_destroy, "pthread_spin_destroy");
  Find(r.spin_lock, "pthread_spin_lock");
  Find(r.spin_trylock, "pthread_spin_trylock");
  Find(r.spin_unlock, "pthread_spin_unlock");
  // The condition variable ABI of glibc 2.3.2 (the default).
  Find(r.cond_wait, "pthread_cond_wait", "GLIBC_2.3.2");
  Find(r.cond_timedwait, "pthread_cond_timedwait", "GLIBC_2.3.2");
  Find(r.cond_clockwait, "pthread_cond_clockwait");
  Find(r.cond_signal, "pthread_cond_signal", "GLIBC_2.3.2");
  Find(r.cond_broadcast, "pthread_cond_broadcast", "GLIBC_2.3.2");
  Find(r.join, "pthread_join");
  Find(r.mtx_init, "mtx_init");
  Find(r.mtx_destroy, "mtx_destroy");
  Find(r.mtx_lock, "mtx_lock");
  Find(r.mtx_trylock, "mtx_trylock");
  Find(r.mtx_timedlock, "mtx_timedlock");
  Find(r.mtx_unlock, "mtx_unlock");
  Find(r.cnd_wait, "cnd_wait");
  Find(r.cnd_timedwait, "cnd_timedwait");
  g_real = r;
  g_resolved.store(true, std::memory_order_release);
  state.store(2, std::memory_order_release);
  resolving = false;
}

}  // namespace lockscope::interpose
