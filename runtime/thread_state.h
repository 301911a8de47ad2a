// runtime/thread_state.h — everything the runtime keeps per thread.
//
// Owned by its thread: the held-lock stack, the chain cache and the event
// ring's producer side are touched only by the owning thread, so the hot
// path takes no lock. The watchdog reads the published wait state under
// wait_mu. ThreadStates are created on a thread's first hook, registered with
// the session, and never freed before the session has drained their events
// (threads that exit are marked and their rings drained by the collector).
#ifndef LOCKSCOPE_RUNTIME_THREAD_STATE_H_
#define LOCKSCOPE_RUNTIME_THREAD_STATE_H_

#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "runtime/raw_mutex.h"
#include "collector/model.h"
#include "runtime/event_ring.h"
#include "runtime/hooks.h"
#include "runtime/object_state.h"

namespace lockscope::runtime {

// One lock the thread holds. No fixed limit on how many.
struct HeldLock {
  ObjectState* object;
  uint64_t id;
  // lockdep's chain key: a hash of the ids (and access modes) of this entry
  // and every entry below it.
  uint64_t chain_key;
  // Where this acquisition happened, when known (0 otherwise).
  collector::StackId stack;
  // Time acquired, when measured (waited acquisitions, events=all); else 0.
  int64_t acquired_ns;
  Access access;
  bool was_try;
};

// Chains this thread has already validated: a small direct-mapped front
// (one load and compare on a hit) over a hash map. The value is the stack
// captured when the chain was first seen.
class ChainCache {
 public:
  // True and *stack set on a hit.
  bool Lookup(uint64_t key, collector::StackId* stack) {
    Slot& s = front_[key & (kFront - 1)];
    if (s.key == key) {
      *stack = s.stack;
      return true;
    }
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    s = Slot{key, it->second};
    *stack = it->second;
    return true;
  }
  void Insert(uint64_t key, collector::StackId stack) {
    map_[key] = stack;
    front_[key & (kFront - 1)] = Slot{key, stack};
  }

 private:
  static constexpr size_t kFront = 256;
  struct Slot {
    uint64_t key = 0;
    collector::StackId stack = 0;
  };
  Slot front_[kFront];
  absl::flat_hash_map<uint64_t, collector::StackId> map_;
};

inline uint64_t ChainKey(uint64_t below, uint64_t id, Access access,
                         bool was_try) {
  uint64_t k = below ^ (id * 4 + (access == Access::kExclusive ? 2 : 0) +
                        (was_try ? 1 : 0));
  k *= 0x9E3779B97F4A7C15ull;
  k ^= k >> 31;
  k *= 0xBF58476D1CE4E5B9ull;
  k ^= k >> 29;
  return k == 0 ? 1 : k;  // 0 marks an empty ChainCache slot
}

class ThreadState {
 public:
  ThreadState(collector::ThreadId id, int64_t os_tid)
      : id_(id), os_tid_(os_tid) {}

  collector::ThreadId id() const { return id_; }
  int64_t os_tid() const { return os_tid_; }

  // Owner-thread only.
  absl::InlinedVector<HeldLock, 16> held;
  ChainCache chains;
  // Borrow sites (cell id + site) already seen by this thread, with the
  // stack captured the first time.
  ChainCache borrow_sites;
  // Copied from the options when the thread registers (no shared read on
  // the hot path).
  bool events_all = false;
  bool events_any = false;
  bool watchdog = false;
  // Re-entrancy guard: set while the runtime itself runs a slow path on this
  // thread, so hooks reached from inside (allocators, libunwind) return.
  bool in_runtime = false;

  // Producer side of the event ring (owner thread), consumer: collector.
  EventRing ring;
  // Events this thread could not record; written by the owner, read by the
  // collector.
  std::atomic<uint64_t> dropped{0};
  // Set when the thread has exited; the collector frees nothing before it
  // has drained the ring.
  std::atomic<bool> exited{false};

  // Published wait state for the watchdog (written by the owner in the
  // contended path only).
  struct WaitState {
    ObjectState* waiting_for = nullptr;
    collector::ObjectId waiting_for_id = 0;
    Access access = Access::kExclusive;
    int64_t since_ns = 0;
    uint64_t generation = 0;
    // Locks the thread holds while it waits, with the access it holds them in.
    std::vector<std::pair<collector::ObjectId, Access>> holding;
    collector::StackId stack = 0;
  };
  RawMutex wait_mu;
  WaitState wait ABSL_GUARDED_BY(wait_mu);

  // Recomputes chain keys from entry `from` up (after an unlock out of
  // order), so a cached chain always describes what is held.
  void RekeyFrom(size_t from) {
    for (size_t i = from; i < held.size(); ++i) {
      const uint64_t below = i == 0 ? 0 : held[i - 1].chain_key;
      held[i].chain_key =
          ChainKey(below, held[i].id, held[i].access, held[i].was_try);
    }
  }

 private:
  const collector::ThreadId id_;
  const int64_t os_tid_;
};

// Creates and registers the calling thread's state (first hook on a thread,
// or again after its thread-exit destructor ran). Never returns nullptr.
ThreadState* CurrentThreadSlow();

// constinit: no TLS init wrapper call on the hot path.
extern constinit thread_local ThreadState* tls_thread_state
    __attribute__((tls_model("initial-exec")));

// The calling thread's state, created and registered on first use.
inline ThreadState* CurrentThread() {
  ThreadState* t = tls_thread_state;
  return t != nullptr ? t : CurrentThreadSlow();
}

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_THREAD_STATE_H_
