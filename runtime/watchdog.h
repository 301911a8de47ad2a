// runtime/watchdog.h — the actual-deadlock watchdog (watchdog_ms > 0).
//
// A background thread that, every half period, looks at the threads blocked
// in lock(), in an untimed condition wait or in pthread_join (they publish
// what they wait for and what they hold; lock waits on the contended path
// only). A set of threads blocked for longer than the period on each other
// (runtime/wait_graph.h: a lock another one holds in a conflicting mode,
// the thread one joins, a condition variable whose every known notifier is
// one of them) is an actual deadlock: it is reported as `actual-deadlock`
// with every blocked thread's stack and what each waits for, the trace is
// flushed, and the process aborts, so a hung test fails in seconds with a
// diagnosis.
#ifndef LOCKSCOPE_RUNTIME_WATCHDOG_H_
#define LOCKSCOPE_RUNTIME_WATCHDOG_H_

#include <optional>
#include <string>
#include <vector>

#include "collector/analysis/model.h"
#include "runtime/wait_graph.h"

namespace lockscope::runtime {

class Session;

// Starts the watchdog thread (detached; it lives as long as the process).
void StartWatchdog(Session* session, int period_ms);

// One look at the blocked threads: the deadlock among those blocked for at
// least `period_ms` (0: every blocked thread), with the line the watchdog
// prints in *headline; nullopt when there is none. Reports nothing.
std::optional<collector::Finding> ScanForDeadlock(Session* session,
                                                  int period_ms,
                                                  std::string* headline);

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_WATCHDOG_H_
