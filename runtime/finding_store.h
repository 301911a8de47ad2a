// runtime/finding_store.h — every finding made in this process (latest
// versions, in the order made), which of them fail, the de-duplication of
// repeats, and the reports not yet printed.
//
// Thread-safe. Stores and queues; it does not format or print (the
// session's reporter does). See runtime/session.h for the lock order.
#ifndef LOCKSCOPE_RUNTIME_FINDING_STORE_H_
#define LOCKSCOPE_RUNTIME_FINDING_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "collector/analysis/model.h"
#include "runtime/raw_mutex.h"
#include "runtime/registry.h"  // Registry::mu_, in the lock order

namespace lockscope::runtime {

// A finding recorded and written, its report not yet made.
struct PendingReport {
  uint64_t id = 0;  // of the finding
  // Made early only for suppressions (shared: it may be destroyed on
  // another thread than the one that made it).
  std::shared_ptr<collector::FindingContext> context;
};

class FindingStore {
 public:
  // A new runtime finding: false (and the earlier finding's count bumped)
  // when `dedup_key` (0 = never fold) was seen before; else true with a
  // fresh *id.
  bool NewId(uint64_t dedup_key, uint64_t* id) ABSL_LOCKS_EXCLUDED(mu_);
  // Stores `finding` (new, or a new version of one stored), whether it
  // fails, and queues `pending` for reporting when `report`.
  void Record(collector::Finding finding, bool failing, bool report,
              PendingReport pending) ABSL_LOCKS_EXCLUDED(mu_);
  // The reports queued so far, oldest first; the queue is left empty.
  std::vector<PendingReport> TakePending() ABSL_LOCKS_EXCLUDED(mu_);
  // Drops the queue (a fork child: the parent reports them).
  void DropPending() ABSL_LOCKS_EXCLUDED(mu_);
  // The stored finding with this id (it must exist).
  collector::Finding Get(uint64_t id) ABSL_LOCKS_EXCLUDED(mu_);
  // Findings in the order made.
  uint64_t Count() ABSL_LOCKS_EXCLUDED(mu_);
  // The index-th finding and whether it fails; false past the end.
  bool At(uint64_t index, collector::Finding* finding, bool* fails)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Every stored finding, by id.
  std::vector<collector::Finding> All() ABSL_LOCKS_EXCLUDED(mu_);
  // Raises stored findings' counts to the analyzer's final ones and
  // returns the stored findings seen more than once (their final counts).
  std::vector<collector::Finding> MergeFinalCounts(
      const std::vector<collector::Finding>& analyzer_findings)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Unsuppressed, unguarded error findings so far.
  uint64_t failing() const { return failing_.load(std::memory_order_relaxed); }

  // fork() support: mu_ is held across the fork by the forking thread.
  void PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Lock(); }
  void AfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Unlock(); }

 private:
  // The session's lock-order annotation names mu_.
  friend class LockOrder;

  RawMutex mu_ ABSL_ACQUIRED_BEFORE(Registry::mu_);
  absl::flat_hash_map<uint64_t, uint64_t> dedup_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, collector::Finding> findings_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint64_t> failing_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> order_ ABSL_GUARDED_BY(mu_);
  // Runtime findings' ids; the analyzer's lie below.
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1ull << 32;
  std::vector<PendingReport> pending_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> failing_{0};
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_FINDING_STORE_H_
