// runtime/trace_sink.h — the trace file as the runtime writes it: the
// collector's TraceWriter, the stack depot whose stacks it defines, and
// what has been written (frames, event totals, whether it is closed).
//
// Thread-safe; every record goes through mu_, so records reach the file in
// an order where each is defined before it is named (a stack before the
// edge or finding that names it). Writes are dropped silently when no trace
// is open or after Close. See runtime/session.h for the lock order.
#ifndef LOCKSCOPE_RUNTIME_TRACE_SINK_H_
#define LOCKSCOPE_RUNTIME_TRACE_SINK_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "collector/analysis/model.h"
#include "collector/trace/trace_writer.h"
#include "runtime/background_thread.h"
#include "runtime/object_state.h"
#include "runtime/raw_mutex.h"
#include "runtime/stack_capture.h"

namespace lockscope::runtime {

// Past this many buffered trace bytes, writers on the slow paths flush
// themselves instead of waiting for the background thread's period.
inline constexpr size_t kMaxBufferedBytes = size_t{1} << 20;

class TraceSink {
 public:
  // Starts writing to `writer`: the module map first, then a flush, and
  // arms FlushFromSignal.
  void Attach(std::unique_ptr<collector::TraceWriter> writer)
      ABSL_LOCKS_EXCLUDED(mu_);
  // A trace was opened (it may be closed since).
  bool opened() ABSL_LOCKS_EXCLUDED(mu_);
  // A trace is open and not closed.
  bool writing() ABSL_LOCKS_EXCLUDED(mu_);

  void WriteThread(const collector::ThreadInfo& info, int64_t time_ns)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Writes the Object record of `object` unless it is announced already,
  // and marks it announced.
  void AnnounceObject(ObjectState* object) ABSL_LOCKS_EXCLUDED(mu_);
  // Writes the Object record again (a cell's owner changed).
  void WriteObject(const ObjectState& object) ABSL_LOCKS_EXCLUDED(mu_);
  // Interns a stack, writing it when new (under one lock: a thread that
  // finds it interned may name it in a record at once).
  collector::StackId InternStack(const std::vector<uint64_t>& pcs)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The pcs of an interned stack.
  std::vector<uint64_t> StackPcs(collector::StackId id) const;
  // Writes the edge and marks its two stacks as wanted (WantFrames).
  void WriteEdge(const collector::EdgeObservation& edge,
                 const std::vector<collector::ObjectId>& gates,
                 uint64_t count) ABSL_LOCKS_EXCLUDED(mu_);
  // The trace needs the Frame records of these stacks' pcs (a finding or an
  // edge names them); other stacks (first uses, waits) stay raw pcs, which
  // the module map attributes. Symbolizing is left to the background thread
  // and the close: see TakeWantedPcs.
  void WantFrames(const absl::flat_hash_set<collector::StackId>& stacks)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The pcs of the stacks wanted since the last call (each stack once),
  // less those whose Frame record is written already.
  std::vector<uint64_t> TakeWantedPcs() ABSL_LOCKS_EXCLUDED(mu_);
  // A destroyed object: its final counters when they changed since
  // `written` acquisitions were written, then the Destroyed record.
  void WriteDestroyed(const collector::ObjectCounters& counters,
                      uint64_t written, int64_t time_ns)
      ABSL_LOCKS_EXCLUDED(mu_);
  void WriteFinding(const collector::Finding& finding)
      ABSL_LOCKS_EXCLUDED(mu_);
  // One thread's drained events and how many it dropped; counted as
  // written or (no trace) dropped for the End record.
  void WriteEvents(collector::ThreadId thread,
                   const std::vector<collector::RawEvent>& events,
                   uint64_t dropped) ABSL_LOCKS_EXCLUDED(mu_);
  void WriteCounters(const std::vector<collector::ObjectCounters>& counters)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Of `pcs`, those whose Frame record is not written yet.
  std::vector<uint64_t> FramesToWrite(const std::vector<uint64_t>& pcs)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Frame records: per pc, its inlined frames innermost first and the
  // physical frame last (SymbolCache's form); each pc once.
  void WriteFrames(std::vector<std::vector<collector::Frame>> symbolized)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Writes buffered bytes; the first write error is reported once.
  void Flush() ABSL_LOCKS_EXCLUDED(mu_);
  // Async-signal-safe best effort (no lock).
  void FlushFromSignal();
  // Writes `repeated` findings (their final counts), the End record, and
  // closes. Does nothing when no trace is open or it is closed.
  void Close(const std::vector<collector::Finding>& repeated,
             const std::string& reason, int64_t end_ns)
      ABSL_LOCKS_EXCLUDED(mu_);

  // fork() support: mu_ and the depot's lock are held across the fork.
  void PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS;
  void AfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS;
  // In the child: the parent's trace and its unflushed bytes belong to the
  // parent; drop them unwritten (the writer is kept, never destroyed: its
  // destructor would flush) and start with nothing written.
  void AbandonAfterFork() ABSL_LOCKS_EXCLUDED(mu_);
  // In the child, after a new Attach: defines every stack interned so far.
  void WriteAllStacks() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // The session's lock-order annotation names mu_.
  friend class SymbolCache;

  bool WritingLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return writer_ != nullptr && !closed_;
  }
  void WantLocked(collector::StackId stack) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable RawMutex mu_
      ABSL_ACQUIRED_BEFORE(StackDepot::mu_, BackgroundThread::mu_);
  std::unique_ptr<collector::TraceWriter> writer_ ABSL_GUARDED_BY(mu_);
  // Same writer, for the signal handler (no lock there).
  std::atomic<collector::TraceWriter*> signal_writer_{nullptr};
  StackDepot depot_;
  absl::flat_hash_set<uint64_t> frames_written_ ABSL_GUARDED_BY(mu_);
  // Stacks whose frames the trace needs: all ever wanted, and those not
  // yet taken by TakeWantedPcs.
  absl::flat_hash_set<collector::StackId> wanted_ ABSL_GUARDED_BY(mu_);
  std::vector<collector::StackId> wanted_todo_ ABSL_GUARDED_BY(mu_);
  uint64_t events_written_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t events_dropped_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool write_error_reported_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<collector::ModuleInfo> modules_ ABSL_GUARDED_BY(mu_);
  // Writers of parents of this (forked) process: never used or destroyed.
  std::vector<std::unique_ptr<collector::TraceWriter>> abandoned_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_TRACE_SINK_H_
