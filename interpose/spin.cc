// pthread_spin_*: tracked as mutexes.
#include <errno.h>
#include <pthread.h>

#include "interpose/interposer.h"
#include "interpose/real.h"
#include "runtime/interpose_support.h"

using lockscope::interpose::Passthrough;
using lockscope::runtime::Access;
namespace li = lockscope::interpose;

extern "C" {

int pthread_spin_init(pthread_spinlock_t* s, int pshared) {
  if (!Passthrough()) li::Forget(const_cast<int*>(s), false);
  return li::Real().spin_init(s, pshared);
}

int pthread_spin_destroy(pthread_spinlock_t* s) {
  if (!Passthrough()) li::Forget(const_cast<int*>(s), false);
  return li::Real().spin_destroy(s);
}

int pthread_spin_lock(pthread_spinlock_t* s) {
  const li::RealFunctions& real = li::Real();
  if (Passthrough()) return real.spin_lock(s);
  void* key = const_cast<int*>(s);
  const uint64_t pc = LOCKSCOPE_SITE_PC();
  if (real.spin_trylock(s) == 0) {
    lockscope::runtime::AfterAcquire(li::Get(key, li::LockType::kSpin, pc),
                                     Access::kExclusive);
    return 0;
  }
  li::ObjectState* o = li::Get(key, li::LockType::kSpin, pc);
  const uint64_t token = lockscope::runtime::BeforeBlock(o, Access::kExclusive);
  const int rc = real.spin_lock(s);
  lockscope::runtime::AfterBlockedAcquire(o, Access::kExclusive, token);
  return rc;
}

int pthread_spin_trylock(pthread_spinlock_t* s) {
  const li::RealFunctions& real = li::Real();
  if (Passthrough()) return real.spin_trylock(s);
  const int rc = real.spin_trylock(s);
  if (rc == 0) {
    lockscope::runtime::AfterTryAcquire(
        li::Get(const_cast<int*>(s), li::LockType::kSpin,
                LOCKSCOPE_SITE_PC()),
        Access::kExclusive);
  }
  return rc;
}

int pthread_spin_unlock(pthread_spinlock_t* s) {
  if (!Passthrough()) {
    if (li::ObjectState* o = li::Lookup(const_cast<int*>(s))) {
      lockscope::runtime::BeforeRelease(o, Access::kExclusive);
    }
  }
  return li::Real().spin_unlock(s);
}

}  // extern "C"
