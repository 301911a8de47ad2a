#include "runtime/watchdog.h"

#include <pthread.h>

#include <algorithm>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/lock_names.h"
#include "runtime/reentry.h"
#include "runtime/session.h"

namespace lockscope::runtime {
namespace {

using Kind = ThreadState::WaitKind;

bool IsLockWait(const BlockedThread& b) {
  return b.wait.waiting_for_id != 0;
}

std::string LockName(const BlockedThread& b) {
  return b.wait.waiting_for != nullptr
             ? absl::StrCat("'", b.wait.waiting_for->info.name, "'")
             : absl::StrCat("lock ", b.wait.waiting_for_id);
}

std::string CondName(const BlockedThread& b) {
  if (b.wait.cond_name != nullptr) {
    return absl::StrCat("condition variable '", b.wait.cond_name, "'");
  }
  const std::string symbol =
      DataSymbolName(b.wait.cond_key, sizeof(pthread_cond_t));
  return symbol.empty() ? std::string("a condition variable")
                        : absl::StrCat("condition variable '", symbol, "'");
}

// Where the blocked thread `b` took `lock`, which it holds (0 if unknown).
collector::StackId HoldingStack(const BlockedThread& b,
                                collector::ObjectId lock) {
  for (size_t h = 0; h < b.wait.holding.size(); ++h) {
    if (b.wait.holding[h].first == lock && h < b.wait.holding_stacks.size()) {
      return b.wait.holding_stacks[h];
    }
  }
  return 0;
}

// The finding and headline of a cycle whose every thread waits in lock().
collector::Finding LockCycle(const std::vector<const BlockedThread*>& cycle,
                             int period_ms, std::string* headline) {
  collector::Finding f;
  f.kind = collector::FindingKind::kActualDeadlock;
  std::string threads;
  for (size_t k = 0; k < cycle.size(); ++k) {
    const BlockedThread& b = *cycle[k];
    // Thread k holds what thread k-1 waits for, and waits for the lock
    // thread k+1 holds: the edge (held -> wanted) of thread k.
    const BlockedThread& prev = *cycle[(k + cycle.size() - 1) % cycle.size()];
    collector::FindingEdge e;
    e.from = prev.wait.waiting_for_id;
    e.to = b.wait.waiting_for_id;
    e.thread = b.thread;
    e.from_stack = HoldingStack(b, e.from);
    e.to_stack = b.wait.stack;
    f.edges.push_back(e);
    f.objects.push_back(b.wait.waiting_for_id);
    f.threads.push_back(b.thread);
    absl::StrAppend(&threads, k == 0 ? "" : ", ", b.thread);
  }
  f.stack = cycle[0]->wait.stack;
  *headline = absl::StrCat("lockscope: actual-deadlock: threads ", threads,
                           " are blocked on each other for more than ",
                           period_ms, " ms");
  return f;
}

// A cycle through a condition wait or a join. Each thread's step says what
// it waits for and, when the thread before it in the cycle waits for a lock,
// that it holds that lock: "thread 2 waits on condition variable 'cv'
// (notified before only by thread 3) while holding 'state', and thread 3 is
// blocked on 'state'". Edges: from = the lock held that the previous thread
// waits for (0 if none), to = the lock waited for (0 for a condition wait
// or a join).
collector::Finding WaitCycle(const std::vector<const BlockedThread*>& cycle,
                             int period_ms, std::string* headline) {
  collector::Finding f;
  f.kind = collector::FindingKind::kActualDeadlock;
  // Start the sentence at the first thread that is not in lock().
  size_t first = 0;
  while (first < cycle.size() && IsLockWait(*cycle[first])) ++first;
  std::vector<std::string> steps;
  for (size_t step = 0; step < cycle.size(); ++step) {
    const size_t k = (first + step) % cycle.size();
    const BlockedThread& b = *cycle[k];
    const BlockedThread& prev = *cycle[(k + cycle.size() - 1) % cycle.size()];
    const BlockedThread& next = *cycle[(k + 1) % cycle.size()];
    collector::FindingEdge e;
    e.thread = b.thread;
    e.to_stack = b.wait.stack;
    if (IsLockWait(prev)) {
      for (const auto& [id, access] : b.wait.holding) {
        if (id == prev.wait.waiting_for_id) {
          e.from = id;
          e.from_stack = HoldingStack(b, id);
        }
      }
    }
    std::string text = absl::StrCat("thread ", b.thread);
    if (IsLockWait(b)) {
      e.to = b.wait.waiting_for_id;
      absl::StrAppend(&text, " is blocked on ", LockName(b));
      if (std::find(f.objects.begin(), f.objects.end(), e.to) ==
          f.objects.end()) {
        f.objects.push_back(e.to);
      }
    } else if (b.wait.kind == Kind::kJoin) {
      absl::StrAppend(&text, " joins thread ", next.thread);
    } else {
      std::vector<std::string> notifiers;
      for (collector::ThreadId id : b.notifiers) {
        notifiers.push_back(absl::StrCat(id));
      }
      absl::StrAppend(&text, " waits on ", CondName(b),
                      " (notified before only by thread",
                      notifiers.size() == 1 ? " " : "s ",
                      absl::StrJoin(notifiers, ", "), ")");
    }
    if (e.from != 0) {
      absl::StrAppend(&text, " while holding ", LockName(prev));
    }
    steps.push_back(std::move(text));
    f.edges.push_back(e);
    f.threads.push_back(b.thread);
  }
  f.stack = cycle[first % cycle.size()]->wait.stack;
  *headline = absl::StrCat("lockscope: actual-deadlock: ",
                           absl::StrJoin(steps, ", and "),
                           ", for more than ", period_ms, " ms");
  return f;
}

void WatchdogLoop(Session* session, int period_ms) {
  ReentryGuard guard;  // for the thread's whole life (see reentry.h)
  pthread_setname_np(pthread_self(), "lockscope-wd");
  for (;;) {
    absl::SleepFor(absl::Milliseconds(std::max(1, period_ms / 2)));
    std::string headline;
    std::optional<collector::Finding> f =
        ScanForDeadlock(session, period_ms, &headline);
    if (f.has_value()) session->ReportFatal(*std::move(f), headline);
  }
}

}  // namespace

std::optional<collector::Finding> ScanForDeadlock(Session* session,
                                                  int period_ms,
                                                  std::string* headline) {
  const int64_t period_ns = static_cast<int64_t>(period_ms) * 1000000;
  const int64_t now = NowNs();
  const std::vector<BlockedThread> blocked = session->BlockedThreads();
  std::vector<const BlockedThread*> source;
  for (const auto& b : blocked) {
    if (now - b.wait.since_ns >= period_ns) source.push_back(&b);
  }
  std::vector<WaitNode> nodes;
  for (const BlockedThread* b : source) {
    WaitNode node;
    node.thread = b->thread;
    for (const auto& [id, access] : b->wait.holding) {
      node.holding.push_back({id, access == Access::kExclusive});
    }
    if (IsLockWait(*b)) {
      node.kind = WaitNode::Kind::kLock;
      node.waiting_for = b->wait.waiting_for_id;
      node.wants_exclusive = b->wait.access == Access::kExclusive;
    } else if (b->wait.kind == Kind::kJoin) {
      node.kind = WaitNode::Kind::kJoin;
      for (const BlockedThread* other : source) {
        if (other->pthread == b->wait.join_target) {
          node.join_target = other->thread;
        }
      }
    } else {
      node.kind = WaitNode::Kind::kCond;
      node.notifiers = b->notifiers;
      node.notifiers_unknown = b->notifiers_unknown;
    }
    nodes.push_back(std::move(node));
  }
  const std::vector<size_t> indices = FindWaitCycle(nodes);
  if (indices.empty()) return std::nullopt;
  std::vector<const BlockedThread*> cycle;
  bool locks_only = true;
  for (size_t i : indices) {
    cycle.push_back(source[i]);
    locks_only = locks_only && IsLockWait(*source[i]);
  }
  collector::Finding f = locks_only ? LockCycle(cycle, period_ms, headline)
                                    : WaitCycle(cycle, period_ms, headline);
  f.message = headline->substr(sizeof("lockscope: ") - 1);
  return f;
}

void StartWatchdog(Session* session, int period_ms) {
  std::thread(WatchdogLoop, session, period_ms).detach();
}

}  // namespace lockscope::runtime
