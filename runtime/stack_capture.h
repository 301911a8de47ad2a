// runtime/stack_capture.h — raw call stacks (libunwind), interned into ids,
// and the process's module map (for offline symbolization).
//
// Only slow paths capture: first-seen lock chains and borrow sites, findings,
// and waits when the watchdog is on.
#ifndef LOCKSCOPE_RUNTIME_STACK_CAPTURE_H_
#define LOCKSCOPE_RUNTIME_STACK_CAPTURE_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "runtime/raw_mutex.h"
#include "collector/analysis/model.h"
#include "collector/trace/trace_writer.h"

namespace lockscope::runtime {

// Return addresses of the caller's stack, innermost first, skipping `skip`
// frames above the caller and at most `depth` frames.
std::vector<uint64_t> CaptureStack(int skip, int depth);

// The ELF modules mapped in this process (dl_iterate_phdr), with build ids.
std::vector<collector::ModuleInfo> ListModules();

// Interns stacks: equal pc sequences get equal ids (never 0). Thread-safe.
class StackDepot {
 public:
  // Returns the id and whether the stack is new (the caller then writes it
  // to the trace).
  collector::StackId Intern(const std::vector<uint64_t>& pcs, bool* is_new);
  // The pcs of an interned stack (empty for an unknown id).
  std::vector<uint64_t> Get(collector::StackId id) const;
  // fork() support: held across the fork by the forking thread, released
  // after it in parent and child.
  void PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Lock(); }
  void AfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Unlock(); }
  // Calls fn(id, pcs) for every stack, under the depot's lock.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    RawMutexLock lock(&mu_);
    for (size_t i = 0; i < stacks_.size(); ++i) fn(i + 1, stacks_[i]);
  }

 private:
  // The session's lock-order annotation names mu_ (runtime/trace_sink.h).
  friend class TraceSink;

  mutable RawMutex mu_;
  absl::flat_hash_map<std::vector<uint64_t>, collector::StackId> ids_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::vector<uint64_t>> stacks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_STACK_CAPTURE_H_
