// runtime/session.h — the process-wide side of the runtime: a thin facade
// that owns the options and the parts below, each with its own lock, and
// ties them together for the hooks' slow paths.
//
//   Registry          threads and objects          runtime/registry.h
//   LockOrder         the lock-order graph         runtime/lock_order.h
//   FindingStore      findings, pending reports    runtime/finding_store.h
//   SymbolCache       pcs to frames                runtime/symbol_cache.h
//   TraceSink         the trace file, stack depot  runtime/trace_sink.h
//   BackgroundThread  periodic drain/report/flush  runtime/background_thread.h
//
// The Session's own code is split by concern: session.cc (start-up,
// threads, objects, stacks, edges), reporter.cc (findings and reports),
// session_trace.cc (draining, counters, flushing, shutdown), fork.cc.
//
// Created on the first hook (possibly during static initialization) and
// never destroyed, so locks used from atexit handlers and static destructors
// keep working after the trace is closed.
//
// Hot paths never come here except through the slow paths in hooks.cc (a
// never-seen lock chain, a first use, a finding, a full event ring).
//
// Lock order, outer first (a lock may be taken while holding only locks
// above it). Written on the locks as ABSL_ACQUIRED_BEFORE, which clang's
// -Wthread-safety-beta checks in the runtime's build:
//   Session::report_mu_        one reporter at a time (ReportPendingFindings)
//   Session::drain_mu_         one consumer per event ring (DrainEvents)
//   LockOrder::mu_
//   FindingStore::mu_
//   Registry::mu_
//     ThreadState::wait_mu     (a leaf: each thread's published wait)
//   SymbolCache::mu_
//   TraceSink::mu_
//     StackDepot::mu_, BackgroundThread::mu_   (leaves)
// PrepareFork takes them all, but the wait_mus, in this order. The
// runtime's own locks are RawMutex, never lockscope wrappers, so tracking
// cannot recurse into itself.
#ifndef LOCKSCOPE_RUNTIME_SESSION_H_
#define LOCKSCOPE_RUNTIME_SESSION_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "collector/analysis/lock_order_file.h"
#include "collector/analysis/model.h"
#include "collector/analysis/suppressions.h"
#include "lockscope/internal/hooks.h"
#include "runtime/background_thread.h"
#include "runtime/finding_store.h"
#include "runtime/lock_order.h"
#include "runtime/object_state.h"
#include "runtime/options.h"
#include "runtime/raw_mutex.h"
#include "runtime/registry.h"
#include "runtime/stack_capture.h"
#include "runtime/symbol_cache.h"
#include "runtime/thread_state.h"
#include "runtime/trace_sink.h"

namespace lockscope::runtime {

int64_t NowNs();

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

  // The exit status of a program whose lock_order file cannot be read or
  // parsed: it stops at startup rather than run with half an order.
  static constexpr int kBadLockOrderExit = 2;

  // The stack for a held lock's site: `chain_stack` when it starts at
  // `site_pc` (captured at this very site), else the one-frame stack of
  // `site_pc`; `chain_stack` when the pc is unknown or the interposer's.
  collector::StackId SiteStack(collector::StackId chain_stack,
                               uint64_t site_pc);
  // SiteStack of a held lock, or where the lock was first used when its
  // site is unknown (0 when neither is).
  collector::StackId HeldSiteStack(const HeldLock& held);

  // Every borrow of `cell` outstanding on any registered thread (each
  // thread's OutstandingBorrows), oldest first per thread.
  std::vector<collector::FindingBorrow> OutstandingBorrows(
      const ObjectState* cell);

  // New lock-order edges from one acquisition (slow path). With a declared
  // lock order (lock_order=FILE), each edge that breaks it is reported as a
  // lock-order-violation, once per (held, taken) pair of lock names.
  void AddEdges(const std::vector<collector::EdgeObservation>& edges);
  // lock_order=FILE was given (set before any edge; const after).
  bool has_declared_order() const { return declared_order_ != nullptr; }

  // A finding made by the runtime itself (recursive-lock, borrow, ...).
  // `dedup_key` folds repeats (0 = never fold). Returns true if reported now.
  bool Report(collector::Finding finding, uint64_t dedup_key);
  // Reports, flushes the trace, prints `headline` if the report did not, and
  // aborts.
  [[noreturn]] void ReportFatal(collector::Finding finding,
                                const std::string& headline);

  // An event ring is full: wakes the background thread and waits for room
  // (or returns false at once when it does not run; the event is dropped).
  bool WaitForRingSpace(ThreadState* thread);
  // Wakes the background thread to drain, report and flush now.
  void WakeBackgroundThread();

  // Snapshot of every live thread's published wait state (watchdog).
  std::vector<BlockedThread> BlockedThreads();
  // The id of the live thread whose pthread_t is `pthread`, or 0.
  collector::ThreadId ThreadOfPthread(uint64_t pthread) {
    return registry_.ThreadOfPthread(pthread);
  }

  // Closes the trace (idempotent): drains events, writes counters, frames
  // and the End record. Called at exit.
  void Shutdown(const std::string& reason);
  // Flushes the trace now (findings, fatal paths).
  void FlushTrace();
  // Async-signal-safe best-effort flush.
  void FlushFromSignal();

  // Unsuppressed, unguarded error findings so far.
  uint64_t failing_findings() const { return findings_.failing(); }

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
  void OpenTrace();
  void StartBackgroundThread();
  // One round of the background thread: reports, events, counters (every
  // second), flush.
  void BackgroundWork(uint64_t round);
  void DrainEvents() ABSL_LOCKS_EXCLUDED(drain_mu_);
  void WriteCounters(bool only_changed);
  // Symbolizes the pcs of the stacks that findings and edges named since
  // the last call and writes their Frame records (off the hot path: the
  // background thread after a finding, the close, or a finding with no
  // background thread).
  void WriteWantedFrames();
  void EmitFinding(collector::Finding finding);
  // Prints the reports of the findings made since the last call: on the
  // background thread (woken by the finding), in Shutdown, or on the
  // finding's own thread when there is no background thread or
  // halt_on_finding.
  void ReportPendingFindings() ABSL_LOCKS_EXCLUDED(report_mu_);
  static absl::flat_hash_set<collector::ObjectId> ObjectsNamedBy(
      const collector::Finding& finding);
  static absl::flat_hash_set<collector::StackId> StacksNamedBy(
      const collector::Finding& finding);
  std::unique_ptr<Context> MakeContext(const collector::Finding& finding);
  // lock_order=FILE: reads it, or prints why not and exits with
  // kBadLockOrderExit.
  void LoadDeclaredOrder();
  void CheckDeclaredOrder(const std::vector<collector::EdgeObservation>& edges);
  // One (held, taken) pair of CheckDeclaredOrder.
  void CheckDeclaredPair(const collector::EdgeObservation& e);
  std::vector<collector::Frame> Symbolize(collector::StackId id);
  // `own_name`: see Registry::RefreshName.
  void RefreshThreadName(collector::ThreadId id,
                         const char* own_name = nullptr);

  Options options_;
  collector::Suppressions suppressions_;
  // A finding wants its frames: the background thread's next round writes
  // them (edges alone wait for the close).
  std::atomic<bool> frames_after_finding_{false};
  // lock_order=FILE, read once in Init (before any edge; const after).
  std::unique_ptr<const collector::DeclaredLockOrder> declared_order_;
  int64_t start_ns_ = 0;

  // Serializes ReportPendingFindings, so reports come out in the order the
  // findings were made. Guards no data.
  RawMutex report_mu_ ABSL_ACQUIRED_BEFORE(drain_mu_);
  // Serializes draining the event rings (one consumer per ring). Guards no
  // data.
  RawMutex drain_mu_ ABSL_ACQUIRED_BEFORE(LockOrder::mu_);

  LockOrder lock_order_;
  FindingStore findings_;
  Registry registry_;
  SymbolCache symbols_;
  TraceSink trace_;
  BackgroundThread background_;
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_SESSION_H_
