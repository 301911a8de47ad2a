// pthread_cond_wait and friends: the wait releases its mutex and takes it
// again, through the hooks (BeforeRelease, then AfterAcquire once it
// returns, timed out or not), so the held-lock stack stays true and a wait
// forms no false edge. The wait itself is not a lock wait: the watchdog
// does not count it.
#include <pthread.h>

#include "interpose/interposer.h"
#include "interpose/mutex_hooks.h"
#include "interpose/real.h"

using lockscope::interpose::Passthrough;
using lockscope::runtime::Access;
namespace li = lockscope::interpose;

namespace lockscope::interpose {
namespace {

template <typename Fn>
int TrackedWait(pthread_mutex_t* m, Fn&& wait) {
  ObjectState* o = MutexReacquireHook(m);
  if (o != nullptr) runtime::BeforeRelease(o, Access::kExclusive);
  const int rc = wait();
  if (o != nullptr) runtime::AfterAcquire(o, Access::kExclusive);
  return rc;
}

}  // namespace
}  // namespace lockscope::interpose

extern "C" {

int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  if (Passthrough()) return li::Real().cond_wait(c, m);
  return li::TrackedWait(m, [&] { return li::Real().cond_wait(c, m); });
}

int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m,
                           const timespec* t) {
  if (Passthrough()) return li::Real().cond_timedwait(c, m, t);
  return li::TrackedWait(m,
                         [&] { return li::Real().cond_timedwait(c, m, t); });
}

int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m,
                           clockid_t clock, const timespec* t) {
  if (Passthrough()) return li::Real().cond_clockwait(c, m, clock, t);
  return li::TrackedWait(
      m, [&] { return li::Real().cond_clockwait(c, m, clock, t); });
}

}  // extern "C"
