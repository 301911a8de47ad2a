// runtime/object_state.h — what the runtime keeps per lock or cell (the
// opaque runtime::ObjectState of hooks.h).
//
// Allocated by OnCreate, freed by OnDestroy, except that an object destroyed
// while held is deliberately leaked: another thread's held stack may still
// point at it. The counters are atomics so the background thread can snapshot
// them; the owning paths update them without read-modify-write where the
// lock itself already serializes the writers (exclusive acquisitions).
#ifndef LOCKSCOPE_RUNTIME_OBJECT_STATE_H_
#define LOCKSCOPE_RUNTIME_OBJECT_STATE_H_

#include <atomic>
#include <cstdint>

#include "collector/analysis/model.h"
#include "lockscope/internal/hooks.h"
#include "runtime/event_ring.h"  // TickClock

namespace lockscope::runtime {

// Cache-line aligned, with what every acquisition touches (announced, the
// acquisition counters, the owner, info.id) in the first line.
struct alignas(64) ObjectState {
  // Set once the Object record is in the trace (first use).
  std::atomic<bool> announced{false};
  ObjectKind kind = ObjectKind::kMutex;
  // Cells: the thread allowed to borrow.
  std::atomic<uint32_t> owner_thread{0};
  // Exclusive acquisitions (and exclusive borrows), and shared ones; the
  // trace's ObjectCounters.acquisitions is their sum.
  std::atomic<uint64_t> acquisitions{0};
  std::atomic<uint64_t> shared{0};

  // Immutable after creation (owner_thread of cells lives above). info.id
  // is in the first cache line.
  collector::ObjectInfo info;

  // Set once the object took part in a lock-order edge.
  std::atomic<bool> in_graph{false};
  // Set once a finding names it: its info outlives it, because the report
  // may be printed later (by the background thread) and named after it.
  std::atomic<bool> named_by_finding{false};
  // Stack of the object's first acquisition, captured when announced.
  std::atomic<collector::StackId> first_stack{0};

  std::atomic<uint64_t> contended{0};
  std::atomic<uint64_t> wait_total_ns{0};
  std::atomic<uint64_t> wait_max_ns{0};
  // Hold times in TickClock ticks (converted when snapshotted), so that a
  // release at events=all does no floating-point work.
  std::atomic<uint64_t> hold_total_ticks{0};
  std::atomic<uint64_t> hold_max_ticks{0};
  std::atomic<uint64_t> hold_samples{0};

  // Under the registry lock: acquisitions + shared as of the last
  // ObjectCounters record written.
  uint64_t written_acquisitions = 0;

  uint64_t id() const { return info.id; }
};

// Adds `n` to a counter that only the holder of an exclusive lock (or a
// cell's single owner) writes: no atomic read-modify-write needed.
inline void BumpOwned(std::atomic<uint64_t>& counter, uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n,
                std::memory_order_relaxed);
}

// Raises a maximum that only one writer at a time updates (see BumpOwned).
inline void StoreMaxOwned(std::atomic<uint64_t>& slot, uint64_t value) {
  if (value > slot.load(std::memory_order_relaxed)) {
    slot.store(value, std::memory_order_relaxed);
  }
}

inline void StoreMax(std::atomic<uint64_t>& slot, uint64_t value) {
  uint64_t cur = slot.load(std::memory_order_relaxed);
  while (value > cur && !slot.compare_exchange_weak(
                            cur, value, std::memory_order_relaxed)) {
  }
}

}  // namespace lockscope::runtime


namespace lockscope::runtime {
inline collector::ObjectCounters SnapshotCounters(const ObjectState& o) {
  collector::ObjectCounters c;
  c.object = o.id();
  c.shared = o.shared.load(std::memory_order_relaxed);
  c.acquisitions = o.acquisitions.load(std::memory_order_relaxed) + c.shared;
  c.contended = o.contended.load(std::memory_order_relaxed);
  c.wait_total_ns = o.wait_total_ns.load(std::memory_order_relaxed);
  c.wait_max_ns = o.wait_max_ns.load(std::memory_order_relaxed);
  c.hold_total_ns = TickClock::ToNs(static_cast<int64_t>(
      o.hold_total_ticks.load(std::memory_order_relaxed)));
  c.hold_max_ns = TickClock::ToNs(static_cast<int64_t>(
      o.hold_max_ticks.load(std::memory_order_relaxed)));
  c.hold_samples = o.hold_samples.load(std::memory_order_relaxed);
  return c;
}
}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_OBJECT_STATE_H_
