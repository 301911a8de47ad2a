// collector/analysis/analyzer.h — turns lock-order edges into cycle findings.
//
// Locking contract: no internal locking. Calls must be serialized by the
// caller (the runtime holds its graph lock; the viewer is single-threaded).
//
// The analyzer keeps two graphs:
//   - the instance graph over live lock objects, with an incrementally
//     maintained topological order (Pearce–Kelly), so adding an edge that
//     keeps the graph acyclic costs little, and an edge that would close a
//     cycle is found at once, whatever the cycle's length;
//   - the class graph over lock classes (ObjectInfo::class_name), which
//     persists after objects die. Edges between two objects of the same class
//     (hand-over-hand, transfer(a, b)) are not class edges.
// An edge that would close a cycle is reported and remembered, but not
// inserted into the acyclic order (as in Abseil's GraphCycles); the graph of
// inserted edges stays a DAG.
//
// A cycle finding closed by the edge x -> y lists `objects` as the path
// y -> ... -> x (objects[0] is the closing edge's `to`), and the closing
// edge last in `edges`. Pointers returned by FindEdge() and Edges() are
// valid until the next non-const call.
//
// Findings are de-duplicated by their lock set: a second cycle over the same
// set of objects (or classes) bumps the count of the first. A lock-class-cycle
// is reported only when the same edge did not close an instance cycle.
//
// Shared access: a cycle in which some lock is awaited in shared mode on its
// incoming edge and held in shared mode on its outgoing edge cannot deadlock
// on glibc's reader-preferring rwlock (readers never wait for readers), so it
// is not reported.
//
// Gates: every edge remembers the intersection of the `held` sets of all its
// sightings. A cycle is guarded by the locks common to all its edges'
// intersections; guarded cycles are findings with `guarded_by` set. When a
// new sighting shrinks an edge's intersection so that a reported cycle loses
// its gate, the finding is returned again (same id) with the new gate set.
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_ANALYZER_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_ANALYZER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "collector/analysis/model.h"

namespace lockscope::collector {

// What AddEdge changed.
struct EdgeUpdate {
  // True when this (from, to) pair was never seen before.
  bool new_edge = false;
  // True when the edge's gate set changed (it is new, or shrank).
  bool gates_changed = false;
  // Findings made or updated by this sighting (new cycles, cycles that lost
  // their gate). Ids are assigned by the analyzer starting at `first_id`.
  std::vector<Finding> findings;
};

class Analyzer {
 public:
  // Finding ids start at `first_id` and increase by one.
  explicit Analyzer(uint64_t first_id = 1);
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Declares an object (its kind and class). Edges may only name objects
  // that were added and not removed; AddEdge ignores others.
  void AddObject(const ObjectInfo& object);
  // The object is gone: its edges leave the instance graph (ids are never
  // reused, so no phantom edge can form later). Reported findings stay.
  void RemoveObject(ObjectId id);

  // Records one sighting of an edge (try_lock acquisitions must not be
  // passed in: they cannot block). `time_ns` is stamped on new findings.
  EdgeUpdate AddEdge(const EdgeObservation& edge);

  // The edge's state, or nullptr if never seen (or its objects are gone).
  const EdgeState* FindEdge(ObjectId from, ObjectId to) const;

  // Every edge seen between live objects, in no particular order.
  std::vector<const EdgeState*> Edges() const;

  // Every finding made so far (latest version of each id).
  std::vector<Finding> Findings() const;

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_ANALYZER_H_
