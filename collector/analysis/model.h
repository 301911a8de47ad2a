// collector/analysis/model.h — the plain data that flows from the runtime into
// the collector, and from traces into the viewer.
//
// Nothing here allocates behind the caller's back or knows about threads:
// these are values. The runtime fills them in (it owns stacks, clocks and
// thread identity); the analysis (analyzer.h) turns edges into findings; the
// trace writer and reader move them to and from .lstrace files; the report
// printer (report.h) turns a finding into text.
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_MODEL_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockscope::collector {

// Object ids are unique within a process and never reused; 0 means none.
using ObjectId = uint64_t;
// Thread ids are small, assigned in order of first use, never reused; 0 = none.
using ThreadId = uint32_t;
// Stack ids name interned stacks; 0 means "no stack captured".
using StackId = uint64_t;

enum class ObjectKind : uint8_t { kMutex, kRwLock, kCell };
enum class Access : uint8_t { kShared, kExclusive };

std::string_view ObjectKindName(ObjectKind kind);  // "mutex", "rwlock", "cell"
std::string_view AccessName(Access access);        // "shared", "exclusive"

// The finding kinds, one per row of finding_kinds.inc (which also holds
// each kind's name, severity, family and texts; see finding_kinds.h).
enum class FindingKind : uint8_t {
#define LOCKSCOPE_FINDING_KIND(kind, ...) kind,
#include "collector/analysis/finding_kinds.inc"
#undef LOCKSCOPE_FINDING_KIND
};
inline constexpr int kNumFindingKinds = 0
#define LOCKSCOPE_FINDING_KIND(...) +1
#include "collector/analysis/finding_kinds.inc"
#undef LOCKSCOPE_FINDING_KIND
    ;

// The contract names: "lock-order-cycle", "lock-class-cycle", ...
std::string_view FindingKindName(FindingKind kind);
std::optional<FindingKind> ParseFindingKind(std::string_view name);

// kError fails by default; kWarning fails with --strict; kNote (listed, for
// review) fails with --strict or when its kind is named in --fail-on.
enum class Severity : uint8_t { kError, kWarning, kNote };
// "error", "warning", "note" (also the SARIF levels).
std::string_view SeverityName(Severity severity);
// The default severity of a kind (its row in finding_kinds.inc).
Severity DefaultSeverity(FindingKind kind);

struct SourceSite {
  std::string file;
  std::string function;
  uint32_t line = 0;
};

struct ObjectInfo {
  ObjectId id = 0;
  ObjectKind kind = ObjectKind::kMutex;
  // Given name, else "file:line" of the creation site.
  std::string name;
  // Lock class: the given name if any, else the creation site "file:line".
  std::string class_name;
  SourceSite created;
  ThreadId created_thread = 0;
  // Cells only: the thread allowed to borrow.
  ThreadId owner_thread = 0;
};

struct ThreadInfo {
  ThreadId id = 0;
  int64_t os_tid = 0;
  std::string name;
};

// One symbolized frame.
struct Frame {
  uint64_t pc = 0;
  std::string function;  // demangled; empty if unknown
  std::string file;      // empty if unknown
  uint32_t line = 0;     // 0 if unknown
  std::string module;    // path of the ELF module, empty if unknown
};

// A loaded ELF module of a traced process (trace.proto Module).
struct ModuleInfo {
  uint64_t id = 0;
  std::string path;
  std::string build_id;  // lowercase hex
  uint64_t base = 0;     // load bias
  uint64_t end = 0;      // end of the highest executable mapping
};

// A sighting of the lock-order edge from -> to: `thread` acquired `to`
// (blocking, not try_lock) while holding `from` and the locks in `held`.
struct EdgeObservation {
  ObjectId from = 0;
  ObjectId to = 0;
  Access from_access = Access::kExclusive;
  Access to_access = Access::kExclusive;
  ThreadId thread = 0;
  // Where `from` was acquired, and where `to` was acquired while holding it.
  StackId from_stack = 0;
  StackId to_stack = 0;
  // The other locks held at that moment (excluding from and to): the
  // candidate gate locks.
  std::vector<ObjectId> held;
  int64_t time_ns = 0;
  // Where this thread took each of `held` (same order; runtime only, and
  // only when a declared lock order needs it: never written to traces).
  std::vector<StackId> held_stacks;
};

// What is known about one lock-order edge over all its sightings (the
// analyzer's state, and an Edge record of a trace).
struct EdgeState {
  EdgeObservation first;          // the first sighting (stacks, thread)
  std::vector<ObjectId> gates;    // intersection of held sets, sorted
  uint64_t count = 0;             // sightings
};

struct FindingEdge {
  ObjectId from = 0;
  ObjectId to = 0;
  ThreadId thread = 0;
  StackId to_stack = 0;
  StackId from_stack = 0;
};

// A borrow of a cell that was still alive when a borrow-conflict was
// found: who took it, how, where.
struct FindingBorrow {
  ThreadId thread = 0;
  Access access = Access::kShared;
  SourceSite site;    // the borrow() / borrow_mut() call
  StackId stack = 0;  // 0 = none captured
};

struct Finding {
  // Unique within a process/trace; a later finding with the same id
  // replaces the earlier one (a guarded cycle that lost its gate, say).
  uint64_t id = 0;
  FindingKind kind = FindingKind::kLockOrderCycle;
  Severity severity = Severity::kError;
  // The objects the finding is about; for cycles, in cycle order.
  std::vector<ObjectId> objects;
  std::vector<ThreadId> threads;
  // Cycles and deadlocks: one edge per step, in cycle order.
  std::vector<FindingEdge> edges;
  // Gate locks held across every edge of a cycle; non-empty = guarded.
  std::vector<ObjectId> guarded_by;
  // The offending operation's stack, and the other party's (0 = none).
  StackId stack = 0;
  StackId other_stack = 0;
  // borrow-conflict: every outstanding borrow of the cell, oldest first per
  // thread (empty in traces written before they were recorded: then
  // other_stack is the newest one's).
  std::vector<FindingBorrow> borrows;
  // One-line description (the live report's headline, without the prefix).
  std::string message;
  int64_t time_ns = 0;
  // Times this finding (same dedup key) was seen; 1 on first report.
  uint64_t count = 1;
  bool suppressed = false;
};

// Event types as stored in traces (trace.proto EventType).
enum class EventType : uint8_t {
  kAcquireWait = 1,
  kAcquired = 2,
  kReleased = 3,
  kBorrow = 4,
  kBorrowRelease = 5,
};

// One event as recorded by a thread, before encoding.
struct RawEvent {
  int64_t time_ns = 0;
  ObjectId object = 0;
  StackId stack = 0;
  EventType type = EventType::kAcquired;
  Access access = Access::kExclusive;
  bool was_try = false;
};

// Cumulative per-object counters (trace.proto ObjectCounters).
struct ObjectCounters {
  ObjectId object = 0;
  uint64_t acquisitions = 0;
  uint64_t contended = 0;
  uint64_t wait_total_ns = 0;
  uint64_t wait_max_ns = 0;
  uint64_t hold_total_ns = 0;
  uint64_t hold_max_ns = 0;
  uint64_t hold_samples = 0;
  uint64_t shared = 0;
};

// Looks up what a finding refers to. Implemented by the runtime (live
// reports) and by a loaded trace (the viewer), so one printer serves both.
class FindingContext {
 public:
  virtual ~FindingContext() = default;
  // nullptr when unknown.
  virtual const ObjectInfo* Object(ObjectId id) const = 0;
  virtual const ThreadInfo* Thread(ThreadId id) const = 0;
  // The symbolized frames of a stack, innermost first; empty if unknown.
  virtual std::vector<Frame> Stack(StackId id) const = 0;
};

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_MODEL_H_
