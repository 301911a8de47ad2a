// runtime/symbol_cache.h — the in-process symbolizer and what it has
// resolved: each pc's inlined frames (innermost first) and its physical
// frame (last), for the reports on stderr and the trace's Frame records.
//
// Thread-safe. Symbolizing is slow (DWARF); each pc is resolved once. See
// runtime/session.h for the lock order.
#ifndef LOCKSCOPE_RUNTIME_SYMBOL_CACHE_H_
#define LOCKSCOPE_RUNTIME_SYMBOL_CACHE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "collector/analysis/model.h"
#include "collector/trace/symbolizer.h"
#include "runtime/raw_mutex.h"
#include "runtime/trace_sink.h"  // TraceSink::mu_, in the lock order

namespace lockscope::runtime {

class SymbolCache {
 public:
  // The frames of a whole stack, outermost pc last.
  std::vector<collector::Frame> Symbolize(const std::vector<uint64_t>& pcs)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Each pc's frames: inlined functions innermost first, physical last.
  std::vector<std::vector<collector::Frame>> SymbolizeEach(
      const std::vector<uint64_t>& pcs) ABSL_LOCKS_EXCLUDED(mu_);

  // fork() support: mu_ is held across the fork by the forking thread.
  void PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Lock(); }
  void AfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Unlock(); }

 private:
  // The session's lock-order annotation names mu_.
  friend class Registry;

  const std::vector<collector::Frame>& PcLocked(uint64_t pc)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  RawMutex mu_ ABSL_ACQUIRED_BEFORE(TraceSink::mu_);
  // Made on first use (it reads the process's modules).
  std::unique_ptr<collector::Symbolizer> symbolizer_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, std::vector<collector::Frame>> frames_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_SYMBOL_CACHE_H_
