// collector/analysis/lock_graph.cc — Pearce–Kelly dynamic topological ordering.
//
// Reference: D. J. Pearce and P. H. J. Kelly, "A Dynamic Topological Sort
// Algorithm for Directed Acyclic Graphs", JEA 2006; the shape follows
// Abseil's absl/synchronization/internal/graphcycles.cc.
#include "collector/analysis/lock_graph.h"

#include <algorithm>
#include <deque>
#include <utility>

namespace lockscope::collector::internal {

void LockGraph::AddNode(uint64_t id) {
  auto [it, inserted] = nodes_.try_emplace(id);
  // Ranks only grow, so a new node sorts after everything and no edge can
  // yet violate the order. int64 does not wrap in any real run.
  if (inserted) it->second.rank = next_rank_++;
}

void LockGraph::RemoveNode(uint64_t id) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return;
  for (uint64_t succ : it->second.out) nodes_.find(succ)->second.in.erase(id);
  for (uint64_t pred : it->second.in) nodes_.find(pred)->second.out.erase(id);
  num_edges_ -= it->second.out.size() + it->second.in.size();
  // A removed rank is simply left unused: gaps do not break the order.
  nodes_.erase(it);
}

bool LockGraph::HasEdge(uint64_t x, uint64_t y) const {
  auto it = nodes_.find(x);
  return it != nodes_.end() && it->second.out.contains(y);
}

void LockGraph::RemoveEdge(uint64_t x, uint64_t y) {
  auto xi = nodes_.find(x);
  if (xi == nodes_.end() || !xi->second.out.erase(y)) return;
  nodes_.find(y)->second.in.erase(x);
  --num_edges_;
}

int64_t LockGraph::Rank(uint64_t id) const { return nodes_.at(id).rank; }

const absl::flat_hash_set<uint64_t>* LockGraph::Successors(uint64_t id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : &it->second.out;
}

bool LockGraph::InsertEdge(uint64_t x, uint64_t y) {
  if (x == y) return false;
  AddNode(x);
  AddNode(y);
  // No node is added below this point, so these references stay valid.
  Node& nx = nodes_.find(x)->second;
  Node& ny = nodes_.find(y)->second;
  if (nx.out.contains(y)) return true;
  if (nx.rank < ny.rank) {
    // Already consistent with the order: nothing moves.
    nx.out.insert(y);
    ny.in.insert(x);
    ++num_edges_;
    return true;
  }
  // y is ranked before x. The affected region is every node ranked in
  // [rank(y), rank(x)]: forward from y, backward from x.
  const int64_t upper = nx.rank;
  const int64_t lower = ny.rank;
  if (!ForwardDfs(y, upper)) {
    ClearVisited(delta_f_);
    return false;
  }
  BackwardDfs(x, lower);
  Reorder();
  nx.out.insert(y);
  ny.in.insert(x);
  ++num_edges_;
  return true;
}

bool LockGraph::ForwardDfs(uint64_t start, int64_t upper_bound) {
  delta_f_.clear();
  stack_.clear();
  stack_.push_back(start);
  while (!stack_.empty()) {
    const uint64_t n = stack_.back();
    stack_.pop_back();
    Node& node = nodes_.find(n)->second;
    if (node.visited) continue;
    node.visited = true;
    delta_f_.push_back(n);
    for (uint64_t w : node.out) {
      const Node& nw = nodes_.find(w)->second;
      if (nw.rank == upper_bound) {
        stack_.clear();
        return false;  // reached x: y already reaches x
      }
      if (!nw.visited && nw.rank < upper_bound) stack_.push_back(w);
    }
  }
  return true;
}

void LockGraph::BackwardDfs(uint64_t start, int64_t lower_bound) {
  delta_b_.clear();
  stack_.clear();
  stack_.push_back(start);
  while (!stack_.empty()) {
    const uint64_t n = stack_.back();
    stack_.pop_back();
    Node& node = nodes_.find(n)->second;
    if (node.visited) continue;
    node.visited = true;
    delta_b_.push_back(n);
    for (uint64_t w : node.in) {
      const Node& nw = nodes_.find(w)->second;
      if (!nw.visited && nw.rank > lower_bound) stack_.push_back(w);
    }
  }
}

void LockGraph::Reorder() {
  auto by_rank = [this](uint64_t a, uint64_t b) {
    return nodes_.find(a)->second.rank < nodes_.find(b)->second.rank;
  };
  std::sort(delta_b_.begin(), delta_b_.end(), by_rank);
  std::sort(delta_f_.begin(), delta_f_.end(), by_rank);
  // Everything that reaches x must now precede everything y reaches; the
  // pooled ranks are handed out in that order, each group keeping its
  // internal order.
  std::vector<uint64_t> order;
  order.reserve(delta_b_.size() + delta_f_.size());
  std::vector<int64_t> ranks;
  ranks.reserve(order.capacity());
  for (const std::vector<uint64_t>* group : {&delta_b_, &delta_f_}) {
    for (uint64_t id : *group) {
      Node& node = nodes_.find(id)->second;
      node.visited = false;
      order.push_back(id);
      ranks.push_back(node.rank);
    }
  }
  std::sort(ranks.begin(), ranks.end());
  for (size_t i = 0; i < order.size(); ++i) {
    nodes_.find(order[i])->second.rank = ranks[i];
  }
}

void LockGraph::ClearVisited(const std::vector<uint64_t>& ids) {
  for (uint64_t id : ids) nodes_.find(id)->second.visited = false;
}

std::vector<uint64_t> LockGraph::FindPath(uint64_t from, uint64_t to) const {
  auto from_it = nodes_.find(from);
  auto to_it = nodes_.find(to);
  if (from_it == nodes_.end() || to_it == nodes_.end()) return {};
  if (from == to) return {from};
  const int64_t bound = to_it->second.rank;
  if (from_it->second.rank > bound) return {};
  // Breadth-first, for the shortest path; nodes ranked above `to` cannot
  // lie on a path to it.
  absl::flat_hash_map<uint64_t, uint64_t> parent;
  parent.emplace(from, from);
  std::deque<uint64_t> queue{from};
  while (!queue.empty()) {
    const uint64_t n = queue.front();
    queue.pop_front();
    for (uint64_t w : nodes_.find(n)->second.out) {
      if (nodes_.find(w)->second.rank > bound) continue;
      if (!parent.emplace(w, n).second) continue;
      if (w == to) {
        std::vector<uint64_t> path{to};
        for (uint64_t at = to; at != from;) {
          at = parent[at];
          path.push_back(at);
        }
        std::reverse(path.begin(), path.end());
        return path;
      }
      queue.push_back(w);
    }
  }
  return {};
}

bool LockGraph::TestOnlyCheckInvariants() const {
  absl::flat_hash_set<int64_t> ranks;
  size_t edges = 0;
  for (const auto& [id, node] : nodes_) {
    if (node.visited) return false;
    if (!ranks.insert(node.rank).second) return false;
    for (uint64_t w : node.out) {
      auto it = nodes_.find(w);
      if (it == nodes_.end() || !it->second.in.contains(id)) return false;
      if (node.rank >= it->second.rank) return false;
      ++edges;
    }
    for (uint64_t w : node.in) {
      auto it = nodes_.find(w);
      if (it == nodes_.end() || !it->second.out.contains(id)) return false;
    }
  }
  return edges == num_edges_;
}

}  // namespace lockscope::collector::internal
