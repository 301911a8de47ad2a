#include "runtime/watchdog.h"

#include <pthread.h>

#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/reentry.h"
#include "runtime/session.h"

namespace lockscope::runtime {

std::vector<size_t> FindWaitCycle(const std::vector<WaitNode>& nodes) {
  // waits_on[i] = the nodes holding what node i waits for, conflicting.
  const size_t n = nodes.size();
  std::vector<std::vector<size_t>> waits_on(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      for (const auto& [id, exclusive] : nodes[j].holding) {
        if (id == nodes[i].waiting_for &&
            (exclusive || nodes[i].wants_exclusive)) {
          waits_on[i].push_back(j);
          break;
        }
      }
    }
  }
  // Iterative DFS with colours; the first back edge closes a cycle.
  std::vector<int> colour(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<size_t> parent(n, n);
  for (size_t root = 0; root < n; ++root) {
    if (colour[root] != 0) continue;
    std::vector<std::pair<size_t, size_t>> stack{{root, 0}};
    colour[root] = 1;
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      if (next < waits_on[v].size()) {
        const size_t w = waits_on[v][next++];
        if (colour[w] == 1) {
          std::vector<size_t> cycle;
          for (size_t x = v; x != w; x = parent[x]) cycle.push_back(x);
          cycle.push_back(w);
          return std::vector<size_t>(cycle.rbegin(), cycle.rend());
        }
        if (colour[w] == 0) {
          colour[w] = 1;
          parent[w] = v;
          stack.push_back({w, 0});
        }
      } else {
        colour[v] = 2;
        stack.pop_back();
      }
    }
  }
  return {};
}

namespace {

void WatchdogLoop(Session* session, int period_ms) {
  ReentryGuard guard;  // for the thread's whole life (see reentry.h)
  pthread_setname_np(pthread_self(), "lockscope-wd");
  const int64_t period_ns = static_cast<int64_t>(period_ms) * 1000000;
  for (;;) {
    absl::SleepFor(absl::Milliseconds(std::max(1, period_ms / 2)));
    const int64_t now = NowNs();
    std::vector<BlockedThread> blocked = session->BlockedThreads();
    std::vector<WaitNode> nodes;
    std::vector<const BlockedThread*> source;
    for (const auto& b : blocked) {
      if (now - b.wait.since_ns < period_ns) continue;
      WaitNode node;
      node.thread = b.thread;
      node.waiting_for = b.wait.waiting_for_id;
      node.wants_exclusive = b.wait.access == Access::kExclusive;
      for (const auto& [id, access] : b.wait.holding) {
        node.holding.push_back({id, access == Access::kExclusive});
      }
      nodes.push_back(std::move(node));
      source.push_back(&b);
    }
    const std::vector<size_t> cycle = FindWaitCycle(nodes);
    if (cycle.empty()) continue;
    collector::Finding f;
    f.kind = collector::FindingKind::kActualDeadlock;
    std::string threads;
    for (size_t k = 0; k < cycle.size(); ++k) {
      const BlockedThread& b = *source[cycle[k]];
      // Thread k holds what thread k-1 waits for, and waits for the lock
      // thread k+1 holds: the edge (held -> wanted) of thread k.
      const BlockedThread& prev =
          *source[cycle[(k + cycle.size() - 1) % cycle.size()]];
      collector::FindingEdge e;
      e.from = prev.wait.waiting_for_id;
      e.to = b.wait.waiting_for_id;
      e.thread = b.thread;
      e.to_stack = b.wait.stack;
      f.edges.push_back(e);
      f.objects.push_back(b.wait.waiting_for_id);
      f.threads.push_back(b.thread);
      absl::StrAppend(&threads, k == 0 ? "" : ", ", b.thread);
    }
    f.stack = source[cycle[0]]->wait.stack;
    const std::string headline = absl::StrCat(
        "lockscope: actual-deadlock: threads ", threads,
        " are blocked on each other for more than ", period_ms, " ms");
    f.message = headline.substr(sizeof("lockscope: ") - 1);
    session->ReportFatal(std::move(f), headline);
  }
}

}  // namespace

void StartWatchdog(Session* session, int period_ms) {
  std::thread(WatchdogLoop, session, period_ms).detach();
}

}  // namespace lockscope::runtime
