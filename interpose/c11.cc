// C11 <threads.h>: glibc's mtx_* and cnd_* call its internal pthread
// functions, not the exported ones, so they are interposed on their own. An
// mtx_t is a pthread_mutex_t (glibc lays them out alike), tracked through
// the same paths; results map to thrd_* as glibc maps them.
#include <errno.h>
#include <pthread.h>
#include <threads.h>

#include "interpose/interposer.h"
#include "interpose/mutex_hooks.h"
#include "interpose/real.h"

using lockscope::interpose::Passthrough;
using lockscope::runtime::Access;
namespace li = lockscope::interpose;

namespace {

static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));

pthread_mutex_t* AsPthread(mtx_t* m) {
  return reinterpret_cast<pthread_mutex_t*>(m);
}

int ToThrd(int rc) {
  switch (rc) {
    case 0:
      return thrd_success;
    case EBUSY:
      return thrd_busy;
    case ETIMEDOUT:
      return thrd_timedout;
    case ENOMEM:
      return thrd_nomem;
    default:
      return thrd_error;
  }
}

}  // namespace

extern "C" {

int mtx_init(mtx_t* m, int type) {
  if (!Passthrough()) li::Forget(m, false);
  const int rc = li::Real().mtx_init(m, type);
  if (rc == thrd_success && !Passthrough()) {
    li::FindOrCreate(m, li::LockType::kMutex, LOCKSCOPE_SITE_PC());
  }
  return rc;
}

void mtx_destroy(mtx_t* m) {
  if (!Passthrough()) li::ForgetMutex(AsPthread(m));
  li::Real().mtx_destroy(m);
}

int mtx_lock(mtx_t* m) {
  if (Passthrough()) return li::Real().mtx_lock(m);
  return ToThrd(li::TrackedMutexLock(AsPthread(m), LOCKSCOPE_SITE_PC()));
}

int mtx_trylock(mtx_t* m) {
  if (Passthrough()) return li::Real().mtx_trylock(m);
  return ToThrd(li::TrackedMutexTrylock(AsPthread(m), LOCKSCOPE_SITE_PC()));
}

int mtx_timedlock(mtx_t* __restrict m, const timespec* __restrict t) {
  if (Passthrough()) return li::Real().mtx_timedlock(m, t);
  return ToThrd(
      li::TrackedMutexTimedlock(AsPthread(m), t, LOCKSCOPE_SITE_PC()));
}

int mtx_unlock(mtx_t* m) {
  if (!Passthrough()) li::MutexReleaseHook(AsPthread(m));
  return li::Real().mtx_unlock(m);
}

int cnd_wait(cnd_t* c, mtx_t* m) {
  if (Passthrough()) return li::Real().cnd_wait(c, m);
  li::ObjectState* o = li::MutexReacquireHook(AsPthread(m));
  if (o != nullptr) lockscope::runtime::BeforeRelease(o, Access::kExclusive);
  const int rc = li::Real().cnd_wait(c, m);
  if (o != nullptr) lockscope::runtime::AfterAcquire(o, Access::kExclusive);
  return rc;
}

int cnd_timedwait(cnd_t* __restrict c, mtx_t* __restrict m,
                  const timespec* __restrict t) {
  if (Passthrough()) return li::Real().cnd_timedwait(c, m, t);
  li::ObjectState* o = li::MutexReacquireHook(AsPthread(m));
  if (o != nullptr) lockscope::runtime::BeforeRelease(o, Access::kExclusive);
  const int rc = li::Real().cnd_timedwait(c, m, t);
  if (o != nullptr) lockscope::runtime::AfterAcquire(o, Access::kExclusive);
  return rc;
}

}  // extern "C"
