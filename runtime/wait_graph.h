// runtime/wait_graph.h — the watchdog's wait-for graph, on its own (no
// threads, no session), so tests can build one by hand.
//
// A node is a thread blocked for longer than the watchdog period in one of
// three ways: in lock() (it waits for every thread holding that lock in a
// conflicting mode), in pthread_join (it waits for the joined thread), or in
// an untimed condition wait (it waits for *any* thread that notifies the
// condition variable; the watchdog knows the threads that notified it
// before). A set of nodes is deadlocked when each one waits only on nodes
// of the set: a lock waiter on some holder in it, a joiner on its target, a
// condition waiter on every known notifier (so a waiter with an unknown or
// running notifier never is).
#ifndef LOCKSCOPE_RUNTIME_WAIT_GRAPH_H_
#define LOCKSCOPE_RUNTIME_WAIT_GRAPH_H_

#include <cstddef>
#include <utility>
#include <vector>

#include "collector/analysis/model.h"

namespace lockscope::runtime {

struct WaitNode {
  enum class Kind { kLock, kJoin, kCond };

  collector::ThreadId thread = 0;
  // kLock: the lock waited for, and whether exclusively.
  collector::ObjectId waiting_for = 0;
  bool wants_exclusive = true;
  // Held locks and whether each is held exclusively.
  std::vector<std::pair<collector::ObjectId, bool>> holding;
  Kind kind = Kind::kLock;
  // kJoin: the thread joined (0: unknown, not blocked).
  collector::ThreadId join_target = 0;
  // kCond: the other threads known to notify the condition variable, and
  // whether there may be others.
  std::vector<collector::ThreadId> notifiers;
  bool notifiers_unknown = false;
};

// A cycle of deadlocked nodes, as indices in cycle order (node i waits for
// node i+1: node i+1 holds the lock node i waits for in a conflicting mode,
// is the thread node i joins, or notified the condition variable node i
// waits on); empty if no node is deadlocked.
std::vector<size_t> FindWaitCycle(const std::vector<WaitNode>& nodes);

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_WAIT_GRAPH_H_
