// runtime/lock_order.h — the process's lock-order graph: the collector's
// Analyzer fed with the edges threads observe, and the objects its
// findings name (whose infos must outlive them).
//
// Thread-safe. Reached only from slow paths (a chain a thread has never
// validated, an object in the graph destroyed). See runtime/session.h for
// the lock order.
#ifndef LOCKSCOPE_RUNTIME_LOCK_ORDER_H_
#define LOCKSCOPE_RUNTIME_LOCK_ORDER_H_

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "collector/analysis/analyzer.h"
#include "collector/analysis/model.h"
#include "runtime/finding_store.h"  // FindingStore::mu_, in the lock order
#include "runtime/raw_mutex.h"
#include "runtime/registry.h"
#include "runtime/trace_sink.h"

namespace lockscope::runtime {

class LockOrder {
 public:
  // Adds new edges from one acquisition: their objects join the graph on
  // first sight (looked up in `registry`), edges whose gates changed are
  // written to `trace`. Returns the findings made.
  std::vector<collector::Finding> AddEdges(
      const std::vector<collector::EdgeObservation>& edges,
      Registry* registry, TraceSink* trace) ABSL_LOCKS_EXCLUDED(mu_);
  // A finding made from this graph's edges outside the analyzer (a
  // lock-order-violation): the infos of the objects it names outlive them,
  // as those of the analyzer's findings do. Call before reporting it.
  void KeepObjectsOf(const collector::Finding& finding)
      ABSL_LOCKS_EXCLUDED(mu_);
  // A destroyed object leaves the graph. True when a finding names it.
  bool RemoveObject(collector::ObjectId id) ABSL_LOCKS_EXCLUDED(mu_);
  // Calls fn(findings) with the analyzer's findings, under the lock.
  template <typename Fn>
  void WithFindings(Fn&& fn) ABSL_LOCKS_EXCLUDED(mu_) {
    RawMutexLock lock(&mu_);
    fn(analyzer_.Findings());
  }

  // fork() support: mu_ is held across the fork by the forking thread.
  void PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Lock(); }
  void AfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Unlock(); }

 private:
  // The session's lock-order annotation names mu_.
  friend class Session;

  void NameObjectsOf(const collector::Finding& finding)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  RawMutex mu_ ABSL_ACQUIRED_BEFORE(FindingStore::mu_);
  collector::Analyzer analyzer_ ABSL_GUARDED_BY(mu_);
  // Objects named by a lock-order finding: their infos outlive them.
  absl::flat_hash_set<collector::ObjectId> named_by_findings_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_LOCK_ORDER_H_
