// pthread_join: the joiner waits for the joined thread. The runtime sees it
// (runtime/waits.h): a join while holding a lock is a wait-while-holding
// note, and the watchdog's wait-for graph has the joiner waiting for its
// target, so a join of a thread that is blocked on a lock the joiner holds
// is an actual-deadlock instead of a hang.
#include <pthread.h>

#include "interpose/interposer.h"
#include "interpose/real.h"
#include "runtime/waits.h"

using lockscope::interpose::Passthrough;
namespace li = lockscope::interpose;

extern "C" {

int pthread_join(pthread_t thread, void** result) {
  if (Passthrough()) return li::Real().join(thread, result);
  const uint64_t token = lockscope::runtime::BeforeInterposedJoin(
      static_cast<uint64_t>(thread), LOCKSCOPE_SITE_PC());
  const int rc = li::Real().join(thread, result);
  lockscope::runtime::AfterInterposedWait(token);
  return rc;
}

}  // extern "C"
