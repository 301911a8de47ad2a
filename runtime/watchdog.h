// runtime/watchdog.h — the actual-deadlock watchdog (watchdog_ms > 0).
//
// A background thread that, every half period, looks at the threads blocked
// in lock() (they publish what they wait for and what they hold, on the
// contended path only). A cycle of threads, each blocked for longer than the
// period on a lock another one of them holds in a conflicting mode, is an
// actual deadlock: it is reported as `actual-deadlock` with every blocked
// thread's stack, the trace is flushed, and the process aborts, so a hung
// test fails in seconds with a diagnosis.
#ifndef LOCKSCOPE_RUNTIME_WATCHDOG_H_
#define LOCKSCOPE_RUNTIME_WATCHDOG_H_

#include <vector>

#include "collector/analysis/model.h"

namespace lockscope::runtime {

class Session;

// Starts the watchdog thread (detached; it lives as long as the process).
void StartWatchdog(Session* session, int period_ms);

// One blocked thread as the watchdog sees it.
struct WaitNode {
  collector::ThreadId thread = 0;
  collector::ObjectId waiting_for = 0;
  bool wants_exclusive = true;
  // Held locks and whether each is held exclusively.
  std::vector<std::pair<collector::ObjectId, bool>> holding;
};

// A wait-for cycle among `nodes`, as indices in cycle order (node i waits for
// a lock that node i+1 holds in a conflicting mode); empty if none.
// Exposed for tests.
std::vector<size_t> FindWaitCycle(const std::vector<WaitNode>& nodes);

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_WATCHDOG_H_
