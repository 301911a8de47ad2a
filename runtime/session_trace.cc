// The trace's lifecycle on the Session's side: the background thread's
// rounds (reports, draining the per-thread event rings into the trace,
// counters, flushing), back-pressure when a ring is full, and the final
// close (Session::Shutdown).
#include <sched.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/session.h"

namespace lockscope::runtime {

void Session::StartBackgroundThread() {
  if (!trace_.opened()) return;
  background_.Start(options_.flush_ms,
                    [this](uint64_t round) { BackgroundWork(round); });
}

void Session::BackgroundWork(uint64_t round) {
  // After a finding, frames first: its symbols reach the file before its
  // report is formatted (which then finds its pcs resolved in the cache).
  // Edges alone wait for the close: symbolizing allocates a lot, and doing
  // it while the program runs changed how its own memory was reused (the
  // interposer's reuse test); a killed process's edges are symbolized by
  // the loader.
  if (frames_after_finding_.exchange(false, std::memory_order_acq_rel)) {
    WriteWantedFrames();
    FlushTrace();
  }
  ReportPendingFindings();
  DrainEvents();
  // Counters change constantly; a snapshot per second is plenty.
  if (round % std::max(1, 1000 / options_.flush_ms) == 0) {
    WriteCounters(/*only_changed=*/true);
  }
  FlushTrace();
}

void Session::DrainEvents() {
  RawMutexLock drain(&drain_mu_);
  const std::vector<ThreadState*> threads = registry_.Threads();
  std::vector<ThreadState*> finished;
  // Kept across drains (under drain_mu_): at events=all a fresh vector
  // each time cost an allocation and its page faults per drain.
  static std::vector<collector::RawEvent>* const drained =
      new std::vector<collector::RawEvent>();
  std::vector<collector::RawEvent>& buffer = *drained;
  for (ThreadState* t : threads) {
    const bool exited = t->exited.load(std::memory_order_acquire);
    const uint64_t dropped = t->dropped.exchange(0, std::memory_order_relaxed);
    buffer.clear();
    t->ring.DrainInto(&buffer);
    trace_.WriteEvents(t->id(), buffer, dropped);
    if (exited) finished.push_back(t);
  }
  if (!finished.empty()) registry_.FreeThreads(finished);
}

void Session::WriteCounters(bool only_changed) {
  trace_.WriteCounters(registry_.CountersToWrite(only_changed));
}

void Session::WakeBackgroundThread() { background_.Wake(); }

bool Session::WaitForRingSpace(ThreadState* thread) {
  if (!background_.running()) return false;
  WakeBackgroundThread();
  // Back-pressure: the background thread drains within microseconds once
  // woken.
  for (int i = 0; i < 100000; ++i) {
    if (!background_.running()) return false;
    if (thread->ring.has_room()) return true;
    if (i < 100) {
      sched_yield();
    } else {
      absl::SleepFor(absl::Microseconds(50));
    }
  }
  return false;
}

std::vector<BlockedThread> Session::BlockedThreads() {
  return registry_.BlockedThreads();
}

void Session::FlushTrace() { trace_.Flush(); }

void Session::FlushFromSignal() { trace_.FlushFromSignal(); }

void Session::Shutdown(const std::string& reason) {
  ReportPendingFindings();
  if (!trace_.writing()) return;
  background_.Stop();
  ReportPendingFindings();  // any the background thread had not reached
  DrainEvents();
  WriteCounters(/*only_changed=*/false);
  WriteWantedFrames();
  // Findings seen again since they were written: their final counts.
  std::vector<collector::Finding> repeated;
  lock_order_.WithFindings(
      [&](const std::vector<collector::Finding>& analyzer_findings) {
        repeated = findings_.MergeFinalCounts(analyzer_findings);
      });
  trace_.Close(repeated, reason, NowNs());
}

}  // namespace lockscope::runtime
