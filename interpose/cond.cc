// pthread_cond_wait and friends: the wait releases its mutex and takes it
// again, through the hooks (BeforeRelease, then AfterAcquire once it
// returns, timed out or not), so the held-lock stack stays true and a wait
// forms no false edge. The wait itself is not a lock wait, but the runtime
// sees it (runtime/waits.h): a wait while holding another lock is a
// wait-while-holding note, and an untimed wait is in the watchdog's
// wait-for graph, which learns who notifies each condition variable from
// pthread_cond_signal and pthread_cond_broadcast.
#include <pthread.h>

#include "interpose/interposer.h"
#include "interpose/mutex_hooks.h"
#include "interpose/real.h"
#include "runtime/waits.h"

using lockscope::interpose::Passthrough;
using lockscope::runtime::Access;
namespace li = lockscope::interpose;

namespace lockscope::interpose {
namespace {

template <typename Fn>
int TrackedWait(pthread_cond_t* c, pthread_mutex_t* m, bool timed,
                uint64_t site_pc, Fn&& wait) {
  ObjectState* o = MutexReacquireHook(m);
  const uint64_t token =
      runtime::BeforeInterposedCondWait(c, o, timed, site_pc);
  if (o != nullptr) runtime::BeforeRelease(o, Access::kExclusive);
  const int rc = wait();
  runtime::AfterInterposedWait(token);
  if (o != nullptr) runtime::AfterAcquire(o, Access::kExclusive);
  return rc;
}

}  // namespace
}  // namespace lockscope::interpose

extern "C" {

int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  if (Passthrough()) return li::Real().cond_wait(c, m);
  return li::TrackedWait(c, m, false, LOCKSCOPE_SITE_PC(),
                         [&] { return li::Real().cond_wait(c, m); });
}

int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m,
                           const timespec* t) {
  if (Passthrough()) return li::Real().cond_timedwait(c, m, t);
  return li::TrackedWait(c, m, true, LOCKSCOPE_SITE_PC(),
                         [&] { return li::Real().cond_timedwait(c, m, t); });
}

int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m,
                           clockid_t clock, const timespec* t) {
  if (Passthrough()) return li::Real().cond_clockwait(c, m, clock, t);
  return li::TrackedWait(
      c, m, true, LOCKSCOPE_SITE_PC(),
      [&] { return li::Real().cond_clockwait(c, m, clock, t); });
}

int pthread_cond_signal(pthread_cond_t* c) {
  if (!Passthrough()) lockscope::runtime::OnInterposedCondNotify(c);
  return li::Real().cond_signal(c);
}

int pthread_cond_broadcast(pthread_cond_t* c) {
  if (!Passthrough()) lockscope::runtime::OnInterposedCondNotify(c);
  return li::Real().cond_broadcast(c);
}

}  // extern "C"
