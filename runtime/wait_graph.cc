#include "runtime/wait_graph.h"

#include "absl/container/flat_hash_map.h"

namespace lockscope::runtime {

std::vector<size_t> FindWaitCycle(const std::vector<WaitNode>& nodes) {
  const size_t n = nodes.size();
  absl::flat_hash_map<collector::ThreadId, size_t> by_thread;
  for (size_t i = 0; i < n; ++i) by_thread[nodes[i].thread] = i;
  auto index_of = [&](collector::ThreadId id) {
    auto it = by_thread.find(id);
    return it != by_thread.end() ? it->second : n;
  };
  // next[i]: the nodes node i waits for. all[i]: it needs every one of them
  // (a condition waiter: any notifier could wake it) rather than any one (a
  // lock waiter: one stuck holder is enough to block it).
  std::vector<std::vector<size_t>> next(n);
  std::vector<bool> all(n, false);
  for (size_t i = 0; i < n; ++i) {
    const WaitNode& node = nodes[i];
    switch (node.kind) {
      case WaitNode::Kind::kLock:
        for (size_t j = 0; j < n; ++j) {
          if (i == j) continue;
          for (const auto& [id, exclusive] : nodes[j].holding) {
            if (id == node.waiting_for &&
                (exclusive || node.wants_exclusive)) {
              next[i].push_back(j);
              break;
            }
          }
        }
        break;
      case WaitNode::Kind::kJoin: {
        const size_t j = index_of(node.join_target);
        if (j != n && j != i) next[i].push_back(j);
        break;
      }
      case WaitNode::Kind::kCond: {
        all[i] = true;
        if (node.notifiers_unknown) break;
        for (collector::ThreadId notifier : node.notifiers) {
          const size_t j = index_of(notifier);
          if (j == n || j == i) {  // a running notifier may still notify
            next[i].clear();
            break;
          }
          next[i].push_back(j);
        }
        break;
      }
    }
  }
  // The largest deadlocked set: start from every node and drop the ones
  // whose wait some node outside the set can end, until none changes.
  std::vector<bool> stuck(n, true);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < n; ++i) {
      if (!stuck[i]) continue;
      bool blocked = !next[i].empty();
      if (all[i]) {
        for (size_t j : next[i]) blocked = blocked && stuck[j];
      } else {
        bool any = false;
        for (size_t j : next[i]) any = any || stuck[j];
        blocked = blocked && any;
      }
      if (!blocked) {
        stuck[i] = false;
        changed = true;
      }
    }
  }
  // Walk from a stuck node along stuck successors until one repeats.
  size_t start = n;
  for (size_t i = 0; i < n && start == n; ++i) {
    if (stuck[i]) start = i;
  }
  if (start == n) return {};
  std::vector<size_t> position(n, n);
  std::vector<size_t> walk;
  size_t v = start;
  while (position[v] == n) {
    position[v] = walk.size();
    walk.push_back(v);
    for (size_t j : next[v]) {
      if (stuck[j]) {
        v = j;
        break;
      }
    }
  }
  return std::vector<size_t>(walk.begin() + static_cast<ptrdiff_t>(position[v]),
                             walk.end());
}

}  // namespace lockscope::runtime
