// fork() support (pthread_atfork): every runtime lock is held across the
// fork by the forking thread; the child keeps only that thread, opens its own
// trace (when the path has %p) and starts its own collector.
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "runtime/session.h"
#include "runtime/watchdog.h"

namespace lockscope::runtime {

void Session::PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  report_mu_.Lock();
  drain_mu_.Lock();
  graph_mu_.Lock();
  findings_mu_.Lock();
  registry_mu_.Lock();
  sym_mu_.Lock();
  trace_mu_.Lock();
  collector_mu_.Lock();
  depot_.PrepareFork();
}

void Session::AfterForkParent() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  depot_.AfterFork();
  collector_mu_.Unlock();
  trace_mu_.Unlock();
  sym_mu_.Unlock();
  registry_mu_.Unlock();
  findings_mu_.Unlock();
  graph_mu_.Unlock();
  drain_mu_.Unlock();
  report_mu_.Unlock();
}

void Session::AfterForkChild() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // This thread took every runtime lock in PrepareFork: release them. The
  // condition variable may count waiters that do not exist here (the
  // parent's collector thread): make it new.
  AfterForkParent();
  new (&collector_cv_) std::condition_variable();
  // Only the forking thread exists in the child. The others' states are
  // abandoned (never freed: their memory may be mid-update), but kept
  // reachable so that leak checkers do not report them.
  ThreadState* self = tls_thread_state;
  {
    RawMutexLock lock(&registry_mu_);
    for (ThreadState* t : threads_) {
      if (t != self) fork_abandoned_.threads.push_back(t);
    }
    threads_.clear();
    if (self != nullptr) threads_.push_back(self);
    for (ObjectState* o : live_) {
      o->announced.store(false, std::memory_order_relaxed);
      o->written_acquisitions = 0;
    }
  }
  {
    // The parent reports the findings it had not reported yet.
    RawMutexLock lock(&findings_mu_);
    pending_reports_.clear();
  }
  if (self != nullptr) {
    self->ring.Discard();
  }
  // The parent's collector thread does not exist here.
  if (collector_ != nullptr) fork_abandoned_.collectors.push_back(collector_);
  collector_ = nullptr;
  collector_running_.store(false, std::memory_order_release);
  bool tracing = false;
  {
    RawMutexLock lock(&trace_mu_);
    signal_writer_.store(nullptr, std::memory_order_release);
    // The parent's unflushed bytes belong to the parent: drop them unwritten
    // (the writer is kept, never destroyed: its destructor would flush).
    if (writer_ != nullptr) {
      fork_abandoned_.writers.push_back(std::move(writer_));
    }
    frames_written_.clear();
    events_written_ = 0;
    events_dropped_ = 0;
    closed_ = false;
    if (options_.trace.find("%p") != std::string::npos) OpenTrace();
    tracing = writer_ != nullptr;
    if (tracing) {
      depot_.ForEach([this](collector::StackId id,
                            const std::vector<uint64_t>& pcs)
                         ABSL_NO_THREAD_SAFETY_ANALYSIS {
                           writer_->WriteStack(id, pcs.data(), pcs.size());
                         });
    }
  }
  // Findings in the child may name threads of the parent (a cell's owner):
  // define them all in the child's trace. Their names are final here.
  std::vector<collector::ThreadInfo> infos;
  {
    RawMutexLock lock(&registry_mu_);
    for (auto& [id, info] : thread_info_) {
      if (self != nullptr && id == self->id()) {
        info.os_tid = static_cast<int64_t>(syscall(SYS_gettid));
      } else {
        final_names_.insert(id);
      }
      if (tracing) infos.push_back(info);
    }
  }
  if (tracing) {
    RawMutexLock lock(&trace_mu_);
    for (const auto& info : infos) writer_->WriteThread(info, NowNs());
  }
  StartCollector();
  if (watchdog_enabled()) StartWatchdog(this, options_.watchdog_ms);
}

}  // namespace lockscope::runtime
