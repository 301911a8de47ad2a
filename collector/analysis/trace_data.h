// collector/analysis/trace_data.h — a whole trace in memory, as plain model
// data: what trace I/O's LoadTrace (collector/trace/trace_loader.h) fills
// in and what the viewer and the cross-trace merge read. No proto type
// appears here; trace I/O converts at the edge (trace_convert.h).
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_TRACE_DATA_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_TRACE_DATA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "collector/analysis/model.h"

namespace lockscope::collector {

// The process a trace describes (trace.proto Header, without the framing
// fields magic, schema_version and clock).
struct TraceHeaderInfo {
  int64_t pid = 0;
  std::string executable;
  int64_t start_unix_ns = 0;
  int64_t start_clock_ns = 0;
  std::string options;
  std::string events_mode;  // "contended", "all", "none"
};

// How a trace was closed (trace.proto End).
struct TraceEndInfo {
  int64_t end_time_ns = 0;
  uint64_t events_written = 0;
  // The process-wide total, including every batch's dropped_before.
  uint64_t events_dropped = 0;
  std::string reason;
};

// Interned stacks and their symbolized frames, and the one place that
// expands a stack id into frames (for a trace and for a merged Analysis).
struct StackTables {
  absl::flat_hash_map<StackId, std::vector<uint64_t>> stacks;
  // Symbolized frames by pc (Frame::module holds the module's path): the
  // physical function at the pc...
  absl::flat_hash_map<uint64_t, Frame> frames;
  // ...and the functions inlined there, innermost first (see trace.proto).
  absl::flat_hash_map<uint64_t, std::vector<Frame>> inlined;
  absl::flat_hash_map<uint64_t, ModuleInfo> modules;

  // The frames of stack `id`, innermost first; a pc's inlined functions
  // come before its physical frame, all with the same pc. A pc with no
  // frame is a raw frame attributed to the module whose range holds it (the
  // highest base wins where ranges nest). Empty for an unknown id.
  std::vector<Frame> ExpandStack(StackId id) const;
  // The path of the module whose range holds `pc`, or "".
  std::string ModuleOfPc(uint64_t pc) const;
};

// A whole trace in memory, without its events (they are streamed).
class TraceData : public FindingContext, public StackTables {
 public:
  std::string path;
  TraceHeaderInfo header;
  absl::flat_hash_map<ThreadId, ThreadInfo> threads;
  absl::flat_hash_map<ObjectId, ObjectInfo> objects;
  // Destruction time of destroyed objects.
  absl::flat_hash_map<ObjectId, int64_t> destroyed;
  // Latest record of each (from, to) edge, in first-seen order. `first.held`
  // is the record's gate set as written; `gates` the same, sorted and
  // unique; `count` at least 1.
  std::vector<EdgeState> edges;
  // Latest version of each finding id, in first-seen order.
  std::vector<Finding> findings;
  absl::flat_hash_map<ObjectId, ObjectCounters> counters;
  // Set when the trace was closed (an End record); empty after a crash.
  std::optional<TraceEndInfo> end;
  uint64_t records = 0;
  uint64_t events = 0;
  // `events` by EventType (indexed by its value; 0 unused).
  uint64_t events_by_type[6] = {};
  // Events lost in the traced process (EventBatch.dropped_before, End).
  uint64_t events_dropped = 0;
  // Earliest and latest event time seen (0 if none).
  int64_t first_time_ns = 0;
  int64_t last_time_ns = 0;
  // Torn-tail warning, empty if the trace ended cleanly or just stopped.
  std::string warning;

  // FindingContext.
  const ObjectInfo* Object(ObjectId id) const override;
  const ThreadInfo* Thread(ThreadId id) const override;
  std::vector<Frame> Stack(StackId id) const override {
    return ExpandStack(id);
  }
};

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_TRACE_DATA_H_
