// collector/analysis/merge_analysis.h — the one analysis of one or more
// loaded traces that the viewer's `cycles`, `check`, `graph`, `locks` and
// `merge` show.
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
//     Stored findings of the kinds it finds (FromLockGraph: lock-order-cycle
//     and lock-class-cycle) are replaced by its findings, except that a
//     stored cycle's "suppressed" mark carries over to the re-found cycle
//     over the same locks.
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
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_MERGE_ANALYSIS_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_MERGE_ANALYSIS_H_

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "collector/analysis/model.h"
#include "collector/analysis/trace_data.h"

namespace lockscope::collector {

inline constexpr uint64_t kSyntheticPcBase = 0xfff0000000000000ull;

// A finding of the analysis, with the traces it came from.
struct AnalyzedFinding {
  // Object, thread and stack ids are the Analysis's.
  Finding finding;
  // Indexes into the trace list, sorted, never empty.
  std::vector<size_t> traces;
};

// A lock-order edge of the analysis.
struct AnalyzedEdge {
  // The first sighting (ids remapped); `first.held` is the gate set.
  EdgeObservation first;
  // Locks held (besides from and to) at every sighting, sorted.
  std::vector<ObjectId> gates;
  uint64_t count = 0;
  std::vector<size_t> traces;
};

// How one trace's ids map to the Analysis's ids.
struct IdMaps {
  absl::flat_hash_map<ObjectId, ObjectId> objects;
  absl::flat_hash_map<ThreadId, ThreadId> threads;
  absl::flat_hash_map<StackId, StackId> stacks;
  absl::flat_hash_map<uint64_t, uint64_t> pcs;
  absl::flat_hash_map<uint64_t, uint64_t> modules;
};

// The stack tables (stacks, symbolized frames by pc, modules) are in
// StackTables, as in TraceData.
class Analysis : public FindingContext, public StackTables {
 public:
  // See the file comment. `traces` must not be empty; the Analysis copies
  // what it needs and does not refer to `traces` afterwards.
  static Analysis Build(const std::vector<TraceData>& traces);

  // True when built from more than one trace.
  bool merged = false;
  absl::flat_hash_map<ObjectId, ObjectInfo> objects;
  absl::flat_hash_map<ThreadId, ThreadInfo> threads;
  // In first-seen order (trace order, then file order).
  std::vector<AnalyzedEdge> edges;
  std::vector<AnalyzedFinding> findings;
  // Per object; summed over traces (maxima kept as maxima).
  absl::flat_hash_map<ObjectId, ObjectCounters> counters;
  // The traces each object appears in, sorted.
  absl::flat_hash_map<ObjectId, std::vector<size_t>> object_traces;
  // One entry per input trace.
  std::vector<IdMaps> maps;

  // The edge from -> to, or nullptr.
  const AnalyzedEdge* FindEdge(ObjectId from, ObjectId to) const;

  // FindingContext.
  const ObjectInfo* Object(ObjectId id) const override;
  const ThreadInfo* Thread(ThreadId id) const override;
  std::vector<Frame> Stack(StackId id) const override {
    return ExpandStack(id);
  }

 private:
  void IndexEdges();
  absl::flat_hash_map<std::pair<ObjectId, ObjectId>, size_t> edge_index_;

  friend class AnalysisBuilder;
};

// Sorted map keys, for deterministic iteration over hash maps.
template <typename Map>
std::vector<typename Map::key_type> SortedKeys(const Map& map) {
  std::vector<typename Map::key_type> keys;
  keys.reserve(map.size());
  for (const auto& [key, value] : map) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_MERGE_ANALYSIS_H_
