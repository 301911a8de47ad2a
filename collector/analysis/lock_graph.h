// collector/analysis/lock_graph.h — a directed graph that stays acyclic, with
// an incrementally maintained topological order (Pearce–Kelly).
//
// Locking contract: no internal locking. Calls must be serialized by the
// caller (the Analyzer's owner serializes every call into it).
//
// Internal to the collector: the Analyzer keeps one LockGraph over lock
// objects and one over lock classes. Nodes are arbitrary uint64 ids (0 is a
// valid id here; the analyzer never uses it). Every node has a rank, and
// every inserted edge x -> y satisfies Rank(x) < Rank(y). InsertEdge keeps
// that true by reordering only the affected region (the nodes whose ranks lie
// between the edge's endpoints), so inserting an edge consistent with the
// order costs O(1) and inserting any other edge costs time proportional to
// the region it disturbs. An edge that would close a cycle is refused and the
// graph is left unchanged, exactly as Abseil's GraphCycles does.
//
// There are no size limits and no recursion: every search uses an explicit
// stack or queue, so a chain of a million locks is fine.
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_LOCK_GRAPH_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_LOCK_GRAPH_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace lockscope::collector::internal {

class LockGraph {
 public:
  LockGraph() = default;
  LockGraph(const LockGraph&) = delete;
  LockGraph& operator=(const LockGraph&) = delete;

  // Adds `id` if absent (InsertEdge adds its endpoints implicitly). A new
  // node is ranked after every existing node.
  void AddNode(uint64_t id);
  bool HasNode(uint64_t id) const { return nodes_.contains(id); }
  // Removes `id` and every edge touching it; a no-op if absent. Removal
  // keeps the order valid, so it costs only the node's degree.
  void RemoveNode(uint64_t id);

  // Inserts the edge x -> y and returns true, or returns false and changes
  // nothing when the edge would close a cycle (y already reaches x, or
  // x == y). Inserting an edge that is already present returns true.
  bool InsertEdge(uint64_t x, uint64_t y);
  // Removes the edge x -> y if present.
  void RemoveEdge(uint64_t x, uint64_t y);
  bool HasEdge(uint64_t x, uint64_t y) const;

  // A shortest path from -> ... -> to over inserted edges, both ends
  // included, or empty when `to` is unreachable (or either node is absent).
  // FindPath(y, x) after a refused InsertEdge(x, y) is the rest of the cycle.
  std::vector<uint64_t> FindPath(uint64_t from, uint64_t to) const;
  bool IsReachable(uint64_t from, uint64_t to) const {
    return !FindPath(from, to).empty();
  }

  // The node's position in the topological order: every inserted edge
  // x -> y has Rank(x) < Rank(y), so a search for a path to y never needs
  // to visit a node ranked above y. Requires HasNode(id).
  int64_t Rank(uint64_t id) const;
  // The node's successors, or nullptr if the node is absent. Valid until
  // the next non-const call.
  const absl::flat_hash_set<uint64_t>* Successors(uint64_t id) const;

  size_t num_nodes() const { return nodes_.size(); }
  size_t num_edges() const { return num_edges_; }

  // Checks the representation: in/out sets mirror each other, every edge
  // respects the ranks, ranks are distinct. For tests.
  bool TestOnlyCheckInvariants() const;

 private:
  struct Node {
    int64_t rank = 0;
    bool visited = false;  // scratch mark for one InsertEdge; false between
    absl::flat_hash_set<uint64_t> in;
    absl::flat_hash_set<uint64_t> out;
  };

  // Pearce–Kelly's two searches over the affected region. ForwardDfs
  // collects into delta_f_ the nodes reachable from `start` ranked below
  // `upper_bound`; it returns false if it meets the node ranked exactly
  // `upper_bound` (the edge's source: a cycle). BackwardDfs collects into
  // delta_b_ the nodes reaching `start` ranked above `lower_bound`.
  bool ForwardDfs(uint64_t start, int64_t upper_bound);
  void BackwardDfs(uint64_t start, int64_t lower_bound);
  // Gives delta_b_ then delta_f_ the ranks they held, in that order, and
  // clears the visited marks.
  void Reorder();
  void ClearVisited(const std::vector<uint64_t>& ids);

  absl::flat_hash_map<uint64_t, Node> nodes_;
  int64_t next_rank_ = 0;
  size_t num_edges_ = 0;
  // Scratch space reused across InsertEdge calls.
  std::vector<uint64_t> delta_f_;
  std::vector<uint64_t> delta_b_;
  std::vector<uint64_t> stack_;
};

}  // namespace lockscope::collector::internal

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_LOCK_GRAPH_H_
