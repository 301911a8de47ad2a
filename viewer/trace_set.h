// viewer/trace_set.h — loads the traces named on the command line and builds
// the one analysis that `cycles`, `check`, `graph`, `locks` and `merge` show.
//
// One trace: its tables and stored findings are used as they are, ids
// unchanged (so ids printed by `graph` match those accepted by `events`).
//
// Several traces are analysed as one program, so that an inversion whose two
// halves ran in different processes is found:
//   - A lock (mutex or rwlock) is identified across traces by kind and name
//     (the name is "file:line" of its creation site when none was given).
//     When one trace holds several locks with that name (instances made on
//     the same line), none of them can be matched to another process's, so
//     each stays a lock of its own; the class graph still relates them.
//     Cells are never shared between traces.
//   - The lock-order analysis is re-run with collector::Analyzer on the
//     union of the traces' Edge records (an edge seen in several traces keeps
//     the intersection of their gate sets, and the sum of their counts).
//     Stored lock-order-cycle and lock-class-cycle findings are replaced by
//     its findings, except that a stored cycle's "suppressed" mark carries
//     over to the re-found cycle over the same locks.
//   - Every other stored finding (borrows, recursive locks, deadlocks seen
//     by the watchdog, ...) is kept, with its ids remapped; one of the same
//     kind over the same shared locks in several traces is reported once,
//     its counts summed.
//   - Threads are never shared between traces; their names get the process
//     id appended ("worker [pid 41]") unless a merge already did that.
//   - Program counters keep their value unless two traces symbolize one pc
//     differently; then the later one gets a synthetic pc at or above
//     kSyntheticPcBase (never a user-space address), so a merged frame table
//     keyed by pc stays right.
#ifndef LOCKSCOPE_VIEWER_TRACE_SET_H_
#define LOCKSCOPE_VIEWER_TRACE_SET_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "collector/analyzer.h"
#include "collector/model.h"
#include "collector/trace_reader.h"
#include "collector/trace_writer.h"

namespace lockscope::viewer {

struct LoadOptions {
  // Receives each torn-tail warning (the text names the file and byte).
  std::function<void(const std::string&)> warn;
  // Print a progress line on stderr while reading a large trace. The caller
  // sets this only when stderr is a terminal.
  bool progress = false;
};

// Loads one trace (events are passed to `on_event`, if set, and not kept).
absl::StatusOr<collector::TraceData> LoadOne(
    const std::string& path, const LoadOptions& options,
    const std::function<void(const collector::TraceEvent&)>& on_event =
        nullptr);

// Loads every trace, in order. The first unreadable one is the error.
absl::StatusOr<std::vector<collector::TraceData>> LoadTraces(
    const std::vector<std::string>& paths, const LoadOptions& options);

inline constexpr uint64_t kSyntheticPcBase = 0xfff0000000000000ull;

// A finding of the analysis, with the traces it came from.
struct AnalyzedFinding {
  // Object, thread and stack ids are the Analysis's.
  collector::Finding finding;
  // Indexes into the trace list, sorted, never empty.
  std::vector<size_t> traces;
};

// A lock-order edge of the analysis.
struct AnalyzedEdge {
  // The first sighting (ids remapped); `first.held` is the gate set.
  collector::EdgeObservation first;
  // Locks held (besides from and to) at every sighting, sorted.
  std::vector<collector::ObjectId> gates;
  uint64_t count = 0;
  std::vector<size_t> traces;
};

// How one trace's ids map to the Analysis's ids.
struct IdMaps {
  absl::flat_hash_map<collector::ObjectId, collector::ObjectId> objects;
  absl::flat_hash_map<collector::ThreadId, collector::ThreadId> threads;
  absl::flat_hash_map<collector::StackId, collector::StackId> stacks;
  absl::flat_hash_map<uint64_t, uint64_t> pcs;
  absl::flat_hash_map<uint64_t, uint64_t> modules;
};

class Analysis : public collector::FindingContext {
 public:
  // See the file comment. `traces` must not be empty; the Analysis copies
  // what it needs and does not refer to `traces` afterwards.
  static Analysis Build(const std::vector<collector::TraceData>& traces);

  // True when built from more than one trace.
  bool merged = false;
  absl::flat_hash_map<collector::ObjectId, collector::ObjectInfo> objects;
  absl::flat_hash_map<collector::ThreadId, collector::ThreadInfo> threads;
  absl::flat_hash_map<collector::StackId, std::vector<uint64_t>> stacks;
  // Symbolized frames by pc (Frame::module holds the module's path): the
  // physical function at the pc, and the functions inlined there, innermost
  // first (as in collector::TraceData).
  absl::flat_hash_map<uint64_t, collector::Frame> frames;
  absl::flat_hash_map<uint64_t, std::vector<collector::Frame>> inlined;
  absl::flat_hash_map<uint64_t, collector::ModuleInfo> modules;
  // In first-seen order (trace order, then file order).
  std::vector<AnalyzedEdge> edges;
  std::vector<AnalyzedFinding> findings;
  // Per object; summed over traces (maxima kept as maxima).
  absl::flat_hash_map<collector::ObjectId, collector::ObjectCounters> counters;
  // The traces each object appears in, sorted.
  absl::flat_hash_map<collector::ObjectId, std::vector<size_t>> object_traces;
  // One entry per input trace.
  std::vector<IdMaps> maps;

  // The edge from -> to, or nullptr.
  const AnalyzedEdge* FindEdge(collector::ObjectId from,
                               collector::ObjectId to) const;

  // FindingContext. Stack() lists a pc's inlined functions, innermost first,
  // before its physical frame; an unsymbolized pc is a raw frame attributed
  // to the module whose range holds it.
  const collector::ObjectInfo* Object(collector::ObjectId id) const override;
  const collector::ThreadInfo* Thread(collector::ThreadId id) const override;
  std::vector<collector::Frame> Stack(collector::StackId id) const override;

 private:
  void IndexEdges();
  absl::flat_hash_map<std::pair<collector::ObjectId, collector::ObjectId>,
                      size_t>
      edge_index_;

  friend class AnalysisBuilder;
};

// Proto access to model access (ACCESS_UNSPECIFIED reads as exclusive).
collector::Access AccessFromProto(int access);

// Sorted map keys, for deterministic iteration over hash maps.
template <typename Map>
std::vector<typename Map::key_type> SortedKeys(const Map& map) {
  std::vector<typename Map::key_type> keys;
  keys.reserve(map.size());
  for (const auto& [key, value] : map) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_TRACE_SET_H_
