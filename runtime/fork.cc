// fork() support (pthread_atfork): every runtime lock is held across the
// fork by the forking thread, taken in the lock order (runtime/session.h);
// the child keeps only that thread, opens its own trace (when the path has
// %p) and starts its own background thread.
#include <string>
#include <vector>

#include "runtime/session.h"
#include "runtime/watchdog.h"

namespace lockscope::runtime {

void Session::PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  report_mu_.Lock();
  drain_mu_.Lock();
  lock_order_.PrepareFork();
  findings_.PrepareFork();
  registry_.PrepareFork();
  symbols_.PrepareFork();
  trace_.PrepareFork();
  background_.PrepareFork();
}

void Session::AfterForkParent() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  background_.AfterFork();
  trace_.AfterFork();
  symbols_.AfterFork();
  registry_.AfterFork();
  findings_.AfterFork();
  lock_order_.AfterFork();
  drain_mu_.Unlock();
  report_mu_.Unlock();
}

void Session::AfterForkChild() {
  // This thread took every runtime lock in PrepareFork: release them.
  AfterForkParent();
  // The parent's background thread does not exist here.
  background_.AbandonAfterFork();
  // Only the forking thread exists in the child. The others' states are
  // abandoned (never freed: their memory may be mid-update), but kept
  // reachable so that leak checkers do not report them.
  ThreadState* self = tls_thread_state;
  registry_.KeepOnlyAfterFork(self);
  // The parent reports the findings it had not reported yet.
  findings_.DropPending();
  if (self != nullptr) {
    self->ring.Discard();
  }
  // The parent's unflushed bytes belong to the parent.
  trace_.AbandonAfterFork();
  if (options_.trace.find("%p") != std::string::npos) OpenTrace();
  const bool tracing = trace_.opened();
  if (tracing) trace_.WriteAllStacks();
  // Findings in the child may name threads of the parent (a cell's owner):
  // define them all in the child's trace. Their names are final here.
  const std::vector<collector::ThreadInfo> infos =
      registry_.ThreadInfosAfterFork(self);
  if (tracing) {
    for (const auto& info : infos) trace_.WriteThread(info, NowNs());
  }
  StartBackgroundThread();
  if (watchdog_enabled()) StartWatchdog(this, options_.watchdog_ms);
}

}  // namespace lockscope::runtime
