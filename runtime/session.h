// runtime/session.h — the process-wide side of the runtime: options, the
// registry of threads and objects, the lock-order analyzer, findings, the
// trace writer and the collector thread.
//
// Created on the first hook (possibly during static initialization) and
// never destroyed, so locks used from atexit handlers and static destructors
// keep working after the trace is closed.
//
// Hot paths never come here except through the slow paths in hooks.cc (a
// never-seen lock chain, a first use, a finding, a full event ring).
//
// Lock order (outer first): drain_mu_, graph_mu_, findings_mu_, registry_mu_, sym_mu_,
// trace_mu_. The runtime's own locks are RawMutex, never lockscope
// wrappers, so tracking cannot recurse into itself.
#ifndef LOCKSCOPE_RUNTIME_SESSION_H_
#define LOCKSCOPE_RUNTIME_SESSION_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "runtime/raw_mutex.h"
#include "collector/analysis/analyzer.h"
#include "collector/analysis/model.h"
#include "collector/analysis/suppressions.h"
#include "collector/trace/trace_writer.h"
#include "lockscope/internal/hooks.h"
#include "runtime/object_state.h"
#include "runtime/options.h"
#include "runtime/stack_capture.h"
#include "runtime/symbolizer.h"
#include "runtime/thread_state.h"

namespace lockscope::runtime {

int64_t NowNs();

// Past this many buffered trace bytes, writers on the slow paths flush
// themselves instead of waiting for the collector's period.
inline constexpr size_t kMaxBufferedBytes = size_t{1} << 20;

class Session {
 public:
  static Session& Get();

  const Options& options() const { return options_; }
  EventsMode events() const { return options_.events; }
  bool watchdog_enabled() const { return options_.watchdog_ms > 0; }

  // Threads: registers a new ThreadState for the calling thread.
  ThreadState* NewThread();
  // The thread's exit destructor ran.
  void ThreadExited(ThreadState* thread);

  // Objects.
  ObjectState* NewObject(ObjectKind kind, std::string_view name,
                         const Site& created);
  void DestroyObject(ObjectState* object, bool held);
  // Writes the Object record and captures the first-use stack, once.
  void Announce(ObjectState* object);
  // The cell's owner changed: rewrites its Object record.
  void OwnerChanged(ObjectState* cell);

  // Captures the stack and interns it. The stack starts at `caller_pc` (the
  // return address into the user's code that a hook saw), or, when that pc
  // is 0 or not found, after `skip` frames above the caller.
  collector::StackId CaptureStack(int skip, uint64_t caller_pc = 0);

  // New lock-order edges from one acquisition (slow path).
  void AddEdges(const std::vector<collector::EdgeObservation>& edges);

  // A finding made by the runtime itself (recursive-lock, borrow, ...).
  // `dedup_key` folds repeats (0 = never fold). Returns true if reported now.
  bool Report(collector::Finding finding, uint64_t dedup_key);
  // Reports, flushes the trace, prints `headline` if the report did not, and
  // aborts.
  [[noreturn]] void ReportFatal(collector::Finding finding,
                                const std::string& headline);

  // An event ring is full: wakes the collector and waits for room (or
  // returns false at once when no collector runs; the event is dropped).
  bool WaitForRingSpace(ThreadState* thread);
  // Wakes the collector thread to drain, report and flush now.
  void WakeCollector();

  // Snapshot of every live thread's published wait state (watchdog).
  struct BlockedThread {
    collector::ThreadId thread;
    ThreadState::WaitState wait;
  };
  std::vector<BlockedThread> BlockedThreads();

  // Closes the trace (idempotent): drains events, writes counters, frames
  // and the End record. Called at exit.
  void Shutdown(const std::string& reason);
  // Flushes the trace now (findings, fatal paths).
  void FlushTrace();
  // Async-signal-safe best-effort flush.
  void FlushFromSignal();

  // Unsuppressed, unguarded error findings so far.
  uint64_t failing_findings() const {
    return failing_.load(std::memory_order_relaxed);
  }

  // Fork handlers (pthread_atfork).
  void PrepareFork();
  void AfterForkParent();
  void AfterForkChild();

  // Findings in the order made (see hooks.h FindingCount/DescribeFinding).
  uint64_t FindingCount();
  bool DescribeFinding(uint64_t index, std::string* line, bool* fails);

  // Test-only: findings made so far in this process (latest versions), and
  // their one-line forms (see runtime/test_only.h).
  std::vector<collector::Finding> TestOnlyFindings();
  std::vector<std::string> TestOnlyFindingLines();

 private:
  class Context;  // FindingContext snapshot for reports
  Session();
  void Init();
  void OpenTrace() ABSL_EXCLUSIVE_LOCKS_REQUIRED(trace_mu_);
  void StartCollector();
  void CollectorLoop();
  // Sleeps until the flush period ends or someone wakes the collector;
  // false when the collector must stop.
  bool WaitForCollectorWork();
  bool ReadAndClearWakeLocked();
  void DrainEvents();
  void WriteCounters(bool only_changed);
  void WriteFrames(const std::vector<uint64_t>& pcs);
  void WriteObjectLocked(const ObjectState& object)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(trace_mu_);
  void EmitFinding(collector::Finding finding);
  // Prints the reports of the findings made since the last call: on the
  // collector thread (woken by the finding), in Shutdown, or on the
  // finding's own thread when there is no collector or halt_on_finding.
  void ReportPendingFindings();
  static absl::flat_hash_set<collector::ObjectId> ObjectsNamedBy(
      const collector::Finding& finding);
  static absl::flat_hash_set<collector::StackId> StacksNamedBy(
      const collector::Finding& finding);
  std::unique_ptr<Context> MakeContext(const collector::Finding& finding);
  std::vector<collector::Frame> Symbolize(collector::StackId id);
  const std::vector<collector::Frame>& SymbolizePcLocked(uint64_t pc)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sym_mu_);
  void RefreshThreadName(collector::ThreadId id);

  Options options_;

  RawMutex graph_mu_;
  collector::Analyzer analyzer_ ABSL_GUARDED_BY(graph_mu_);
  // Objects named by a lock-order finding: their infos outlive them.
  absl::flat_hash_set<collector::ObjectId> named_by_findings_
      ABSL_GUARDED_BY(graph_mu_);

  RawMutex findings_mu_;
  absl::flat_hash_map<uint64_t, uint64_t> dedup_ ABSL_GUARDED_BY(findings_mu_);
  absl::flat_hash_map<uint64_t, collector::Finding> findings_
      ABSL_GUARDED_BY(findings_mu_);
  absl::flat_hash_set<uint64_t> failing_ids_ ABSL_GUARDED_BY(findings_mu_);
  std::vector<uint64_t> order_ ABSL_GUARDED_BY(findings_mu_);
  uint64_t next_finding_id_ ABSL_GUARDED_BY(findings_mu_) = 1ull << 32;
  // Findings recorded and written, their reports not yet made.
  struct PendingReport {
    uint64_t id = 0;  // in findings_
    // Made early only for suppressions (shared_ptr: Context is defined in
    // reporter.cc, and this may be destroyed elsewhere).
    std::shared_ptr<Context> context;
  };
  std::vector<PendingReport> pending_reports_ ABSL_GUARDED_BY(findings_mu_);
  // Serializes ReportPendingFindings; taken before any other runtime lock.
  RawMutex report_mu_;
  collector::Suppressions suppressions_;
  std::atomic<uint64_t> failing_{0};

  RawMutex registry_mu_;
  std::vector<ThreadState*> threads_ ABSL_GUARDED_BY(registry_mu_);
  absl::flat_hash_map<collector::ThreadId, collector::ThreadInfo> thread_info_
      ABSL_GUARDED_BY(registry_mu_);
  // Threads whose name can no longer change: they exited, or (in a fork
  // child) belong to the parent. Their /proc entries are gone or stale.
  absl::flat_hash_set<collector::ThreadId> final_names_
      ABSL_GUARDED_BY(registry_mu_);
  absl::flat_hash_set<ObjectState*> live_ ABSL_GUARDED_BY(registry_mu_);
  absl::flat_hash_map<collector::ObjectId, ObjectState*> by_id_
      ABSL_GUARDED_BY(registry_mu_);
  // Infos of destroyed objects that a finding names (or that died held).
  absl::flat_hash_map<collector::ObjectId, collector::ObjectInfo> retired_
      ABSL_GUARDED_BY(registry_mu_);
  // Objects destroyed while held: never freed (see DestroyObject).
  std::vector<ObjectState*> abandoned_ ABSL_GUARDED_BY(registry_mu_);
  // What a fork child inherits from the parent but must never use or free
  // (AfterForkChild): kept reachable, so leak checkers see no leak.
  struct ForkAbandoned {
    std::vector<ThreadState*> threads;
    std::vector<std::unique_ptr<collector::TraceWriter>> writers;
    std::vector<std::thread*> collectors;
  };
  ForkAbandoned fork_abandoned_;
  std::atomic<uint32_t> next_thread_id_{1};
  std::atomic<uint64_t> next_object_id_{1};

  StackDepot depot_;

  RawMutex sym_mu_;
  std::unique_ptr<Symbolizer> symbolizer_ ABSL_GUARDED_BY(sym_mu_);
  // Symbolized pcs: inlined functions innermost first, physical last.
  absl::flat_hash_map<uint64_t, std::vector<collector::Frame>> frames_
      ABSL_GUARDED_BY(sym_mu_);

  RawMutex trace_mu_;
  std::unique_ptr<collector::TraceWriter> writer_ ABSL_GUARDED_BY(trace_mu_);
  // Same writer, for the signal handler (no lock there).
  std::atomic<collector::TraceWriter*> signal_writer_{nullptr};
  absl::flat_hash_set<uint64_t> frames_written_ ABSL_GUARDED_BY(trace_mu_);
  uint64_t events_written_ ABSL_GUARDED_BY(trace_mu_) = 0;
  uint64_t events_dropped_ ABSL_GUARDED_BY(trace_mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(trace_mu_) = false;
  bool write_error_reported_ ABSL_GUARDED_BY(trace_mu_) = false;
  std::vector<collector::ModuleInfo> modules_ ABSL_GUARDED_BY(trace_mu_);

  // Collector thread.
  RawMutex collector_mu_;
  bool stop_collector_ ABSL_GUARDED_BY(collector_mu_) = false;
  bool wake_collector_ ABSL_GUARDED_BY(collector_mu_) = false;
  std::condition_variable collector_cv_;
  std::atomic<bool> collector_running_{false};
  // Leaked after fork() in the child, where the thread does not exist.
  std::thread* collector_ = nullptr;
  // Serializes draining the event rings (one consumer per ring).
  RawMutex drain_mu_;
  int64_t start_ns_ = 0;
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_SESSION_H_
