// The collector thread and the trace's lifecycle: draining the per-thread
// event rings into the trace, counters, flushing, back-pressure and the
// final close (Session::Shutdown).
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/reentry.h"
#include "runtime/session.h"

namespace lockscope::runtime {

void Session::StartCollector() {
  {
    RawMutexLock lock(&trace_mu_);
    if (writer_ == nullptr) return;
  }
  {
    RawMutexLock lock(&collector_mu_);
    stop_collector_ = false;
  }
  collector_running_.store(true, std::memory_order_release);
  collector_ = new std::thread([this] { CollectorLoop(); });
}

void Session::CollectorLoop() {
  ReentryGuard guard;  // for the thread's whole life (see reentry.h)
  pthread_setname_np(pthread_self(), "lockscope");
  uint64_t tick = 0;
  for (;;) {
    if (!WaitForCollectorWork()) return;
    ReportPendingFindings();
    DrainEvents();
    // Counters change constantly; a snapshot per second is plenty.
    if (++tick % std::max(1, 1000 / options_.flush_ms) == 0) {
      WriteCounters(/*only_changed=*/true);
    }
    FlushTrace();
  }
}

bool Session::WaitForCollectorWork() {
  // std::condition_variable waits on the std::mutex inside collector_mu_,
  // which the thread-safety analysis cannot follow; the lock is held
  // whenever the flags are read or written below.
  std::unique_lock<std::mutex> lock(collector_mu_.native());
  collector_cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_ms),
                         [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                           return stop_collector_ || wake_collector_;
                         });
  return ReadAndClearWakeLocked();
}

bool Session::ReadAndClearWakeLocked() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (stop_collector_) return false;
  wake_collector_ = false;
  return true;
}

void Session::DrainEvents() {
  RawMutexLock drain(&drain_mu_);
  std::vector<ThreadState*> threads;
  {
    RawMutexLock lock(&registry_mu_);
    threads = threads_;
  }
  std::vector<ThreadState*> finished;
  std::vector<collector::RawEvent> buffer;
  for (ThreadState* t : threads) {
    const bool exited = t->exited.load(std::memory_order_acquire);
    const uint64_t dropped = t->dropped.exchange(0, std::memory_order_relaxed);
    buffer.clear();
    t->ring.DrainInto(&buffer);
    RawMutexLock lock(&trace_mu_);
    if (writer_ != nullptr && !closed_ &&
        (!buffer.empty() || dropped > 0)) {
      writer_->WriteEvents(t->id(), buffer.data(), buffer.size(),
                           dropped);
      events_written_ += buffer.size();
    } else {
      events_dropped_ += buffer.size();
    }
    events_dropped_ += dropped;
    if (exited) finished.push_back(t);
  }
  if (finished.empty()) return;
  RawMutexLock lock(&registry_mu_);
  for (ThreadState* t : finished) {
    threads_.erase(std::find(threads_.begin(), threads_.end(), t));
    delete t;
  }
}

void Session::WriteCounters(bool only_changed) {
  std::vector<collector::ObjectCounters> out;
  {
    RawMutexLock lock(&registry_mu_);
    for (ObjectState* o : live_) {
      if (!o->announced.load(std::memory_order_acquire)) continue;
      const collector::ObjectCounters c = SnapshotCounters(*o);
      if (only_changed && c.acquisitions == o->written_acquisitions) continue;
      o->written_acquisitions = c.acquisitions;
      out.push_back(c);
    }
  }
  RawMutexLock lock(&trace_mu_);
  if (writer_ == nullptr || closed_) return;
  for (const auto& c : out) writer_->WriteCounters(c);
}

void Session::WakeCollector() {
  {
    RawMutexLock lock(&collector_mu_);
    wake_collector_ = true;
  }
  collector_cv_.notify_one();
}

bool Session::WaitForRingSpace(ThreadState* thread) {
  if (!collector_running_.load(std::memory_order_acquire)) return false;
  WakeCollector();
  // Back-pressure: the collector drains within microseconds once woken.
  for (int i = 0; i < 100000; ++i) {
    if (!collector_running_.load(std::memory_order_acquire)) return false;
    if (thread->ring.has_room()) return true;
    if (i < 100) {
      sched_yield();
    } else {
      absl::SleepFor(absl::Microseconds(50));
    }
  }
  return false;
}

std::vector<Session::BlockedThread> Session::BlockedThreads() {
  std::vector<BlockedThread> out;
  RawMutexLock lock(&registry_mu_);
  for (ThreadState* t : threads_) {
    RawMutexLock wlock(&t->wait_mu);
    if (t->wait.waiting_for_id != 0) out.push_back({t->id(), t->wait});
  }
  return out;
}

void Session::FlushTrace() {
  RawMutexLock lock(&trace_mu_);
  if (writer_ == nullptr) return;
  absl::Status s = writer_->Flush();
  if (!s.ok() && !write_error_reported_) {
    write_error_reported_ = true;
    std::fprintf(stderr, "lockscope: %s; later trace records are lost\n",
                 std::string(s.message()).c_str());
  }
}

void Session::FlushFromSignal() {
  collector::TraceWriter* w = signal_writer_.load(std::memory_order_acquire);
  if (w != nullptr) w->FlushFromSignal();
}

void Session::Shutdown(const std::string& reason) {
  ReportPendingFindings();
  {
    RawMutexLock lock(&trace_mu_);
    if (writer_ == nullptr || closed_) return;
  }
  {
    RawMutexLock lock(&collector_mu_);
    stop_collector_ = true;
  }
  collector_cv_.notify_one();
  if (collector_ != nullptr && collector_->get_id() != std::this_thread::get_id()) {
    collector_->join();
    delete collector_;
    collector_ = nullptr;
  }
  collector_running_.store(false, std::memory_order_release);
  ReportPendingFindings();  // any the collector had not reached
  DrainEvents();
  WriteCounters(/*only_changed=*/false);
  WriteFrames(depot_.AllPcs());
  // Findings seen again since they were written: their final counts.
  std::vector<collector::Finding> repeated;
  {
    RawMutexLock glock(&graph_mu_);
    RawMutexLock flock(&findings_mu_);
    for (const collector::Finding& f : analyzer_.Findings()) {
      auto it = findings_.find(f.id);
      if (it != findings_.end() && f.count > it->second.count) {
        it->second.count = f.count;
      }
    }
    for (const auto& [id, f] : findings_) {
      if (f.count > 1) repeated.push_back(f);
    }
  }
  RawMutexLock lock(&trace_mu_);
  if (writer_ == nullptr || closed_) return;
  for (const collector::Finding& f : repeated) writer_->WriteFinding(f);
  collector::TraceEndInfo end;
  end.end_time_ns = NowNs();
  end.events_written = events_written_;
  end.events_dropped = events_dropped_;
  end.reason = reason;
  writer_->WriteEnd(end);
  (void)writer_->Flush();
  closed_ = true;
}

}  // namespace lockscope::runtime
