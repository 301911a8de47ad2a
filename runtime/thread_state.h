// runtime/thread_state.h — everything the runtime keeps per thread.
//
// Owned by its thread: the held-lock stack, the chain cache and the event
// ring's producer side are touched only by the owning thread, so the hot
// path takes no lock. The watchdog reads the published wait state under
// wait_mu. ThreadStates are created on a thread's first hook, registered with
// the session, and never freed before the session has drained their events
// (threads that exit are marked and their rings drained by the background
// thread).
#ifndef LOCKSCOPE_RUNTIME_THREAD_STATE_H_
#define LOCKSCOPE_RUNTIME_THREAD_STATE_H_

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "runtime/raw_mutex.h"
#include "collector/analysis/model.h"
#include "runtime/event_ring.h"
#include "runtime/notify_log.h"
#include "lockscope/internal/hooks.h"
#include "runtime/object_state.h"

namespace lockscope::runtime {

// One lock the thread holds. No fixed limit on how many.
struct HeldLock {
  // Never freed while held (OnDestroy of a held lock leaks it on purpose).
  ObjectState* object;
  // lockdep's chain key: a hash of the ids (and access modes) of this entry
  // and every entry below it (see RootKey/ChainKey).
  uint64_t chain_key;
  // The stack captured when this thread first took this chain (0 if none):
  // where this acquisition happened when site_pc is its first pc.
  collector::StackId stack;
  // Where this acquisition happened: the hook's return address into the
  // wrapper's caller (inlined wrappers: the user's function). Always set,
  // so an edge names where this thread took its `from` lock, not where the
  // chain was first seen (see Session::SiteStack).
  uint64_t site_pc;
  // Time acquired in ticks (TickClock), when measured (waited
  // acquisitions, events=all); else 0.
  int64_t acquired_ticks;
  Access access;
  bool was_try;
};

// The held-lock stack: a vector of HeldLock whose first kInline entries live
// inside the ThreadState, so a push or pop touches only thread-local memory
// and no allocator, with one capacity check and no inline/heap branch.
// Neither copyable nor movable (data_ may point at inline_).
class HeldStack {
 public:
  HeldStack() = default;
  HeldStack(const HeldStack&) = delete;
  HeldStack& operator=(const HeldStack&) = delete;

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  HeldLock& operator[](size_t i) { return data_[i]; }
  const HeldLock& operator[](size_t i) const { return data_[i]; }
  HeldLock& back() { return data_[size_ - 1]; }
  const HeldLock& back() const { return data_[size_ - 1]; }
  HeldLock* begin() { return data_; }
  HeldLock* end() { return data_ + size_; }
  const HeldLock* begin() const { return data_; }
  const HeldLock* end() const { return data_ + size_; }

  void push_back(const HeldLock& h) {
    if (ABSL_PREDICT_FALSE(full())) Grow();
    data_[size_++] = h;
  }
  // For hot paths that checked full() already (and went elsewhere if so):
  // a push that never calls out.
  bool full() const { return size_ == capacity_; }
  void PushNotFull(const HeldLock& h) { data_[size_++] = h; }
  void pop_back() { --size_; }
  // Removes *pos, keeping the order of the entries above it.
  HeldLock* erase(HeldLock* pos) {
    std::copy(pos + 1, end(), pos);
    --size_;
    return pos;
  }

 private:
  static constexpr size_t kInline = 16;

  __attribute__((noinline)) void Grow() {
    auto bigger = std::make_unique<HeldLock[]>(capacity_ * 2);
    std::copy(begin(), end(), bigger.get());
    capacity_ *= 2;
    heap_ = std::move(bigger);
    data_ = heap_.get();
  }

  HeldLock* data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = kInline;
  std::unique_ptr<HeldLock[]> heap_;
  HeldLock inline_[kInline];
};

// Chains this thread has already validated: a small direct-mapped front
// (one load and compare on a hit) over a hash map. The value is the stack
// captured when the chain was first seen. Keys are never 0.
class ChainCache {
 public:
  // The fast path: true and *stack set when the front holds `key`.
  bool LookupFront(uint64_t key, collector::StackId* stack) const {
    const Slot& s = front_[key & (kFront - 1)];
    if (s.key != key) return false;
    *stack = s.stack;
    return true;
  }
  // True and *stack set on a hit in the front or the map (which refills the
  // front).
  bool Lookup(uint64_t key, collector::StackId* stack) {
    if (LookupFront(key, stack)) return true;
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    front_[key & (kFront - 1)] = Slot{key, it->second};
    *stack = it->second;
    return true;
  }
  void Insert(uint64_t key, collector::StackId stack) {
    // Keys of destroyed locks never come back: a program that churns locks
    // would grow the cache forever. It is only a cache, so start over (the
    // next sight of each chain re-validates it on the slow path; absl frees
    // the large backing array on clear()).
    if (map_.size() >= kMaxEntries) {
      map_.clear();
      for (Slot& slot : front_) slot = Slot{};
    }
    map_[key] = stack;
    front_[key & (kFront - 1)] = Slot{key, stack};
  }

 private:
  static constexpr size_t kFront = 256;
  static constexpr size_t kMaxEntries = size_t{1} << 15;
  struct Slot {
    uint64_t key = 0;
    collector::StackId stack = 0;
  };
  Slot front_[kFront];
  absl::flat_hash_map<uint64_t, collector::StackId> map_;
};

// The chain key of a lock taken with nothing held below it: the id and
// access bits, unmixed (never 0, as ids start at 1; consecutive ids use
// different ChainCache front slots). A lone lock forms no edge; its chain is
// cached for the stack of where this thread first took it, which reports
// show for the outer lock of a new edge.
inline uint64_t RootKey(uint64_t id, Access access, bool was_try) {
  return id * 4 + (access == Access::kExclusive ? 2 : 0) + (was_try ? 1 : 0);
}

// The chain key of a lock taken on top of a chain whose key is `below`.
// Order-sensitive (the multiply), so A-then-B and B-then-A differ.
inline uint64_t ChainKey(uint64_t below, uint64_t id, Access access,
                         bool was_try) {
  uint64_t k = below * 0x9E3779B97F4A7C15ull ^ RootKey(id, access, was_try);
  k ^= k >> 31;
  k *= 0xBF58476D1CE4E5B9ull;
  k ^= k >> 29;
  return k == 0 ? 1 : k;  // 0 marks an empty ChainCache slot
}

// The key of the chain `held` would form with (id, access) on top.
inline uint64_t KeyOnTop(const HeldStack& held, uint64_t id, Access access,
                         bool was_try) {
  return held.empty() ? RootKey(id, access, was_try)
                      : ChainKey(held.back().chain_key, id, access, was_try);
}

// The borrows a thread holds (guards alive), newest last, so a
// borrow-conflict can name every outstanding borrow of its cell: site,
// thread, stack. Written by the owning thread only (a push on OnBorrow, a
// pop on OnBorrowRelease); read by a thread reporting a conflict, hence
// relaxed atomics (plain moves on x86) and `count` published with release.
// Bounded: past kMax, borrows are counted and not recorded.
class OutstandingBorrows {
 public:
  static constexpr uint32_t kMax = 16;
  struct Entry {
    std::atomic<const ObjectState*> cell{nullptr};
    std::atomic<const char*> file{nullptr};
    std::atomic<const char*> function{nullptr};
    std::atomic<uint32_t> line{0};
    std::atomic<bool> exclusive{false};
    std::atomic<collector::StackId> stack{0};
  };

  void Push(const ObjectState* cell, Access a, const Site& at,
            collector::StackId stack) {
    const uint32_t n = count_.load(std::memory_order_relaxed);
    if (ABSL_PREDICT_TRUE(n < kMax)) {
      Entry& e = entries_[n];
      e.cell.store(cell, std::memory_order_relaxed);
      e.file.store(at.file, std::memory_order_relaxed);
      e.function.store(at.function, std::memory_order_relaxed);
      e.line.store(at.line, std::memory_order_relaxed);
      e.exclusive.store(a == Access::kExclusive, std::memory_order_relaxed);
      e.stack.store(stack, std::memory_order_relaxed);
    }
    count_.store(n + 1, std::memory_order_release);
  }
  // Fast when `cell` is the newest borrow (guards die in reverse order).
  void Pop(const ObjectState* cell, Access a) {
    const uint32_t n = count_.load(std::memory_order_relaxed);
    if (ABSL_PREDICT_TRUE(n != 0 && n <= kMax &&
                          entries_[n - 1].cell.load(
                              std::memory_order_relaxed) == cell)) {
      count_.store(n - 1, std::memory_order_release);
      return;
    }
    PopSlow(cell, a, n);
  }
  // Calls fn(const Entry&) for each recorded borrow of `cell`.
  template <typename Fn>
  void ForEachOf(const ObjectState* cell, Fn&& fn) const {
    const uint32_t n =
        std::min(count_.load(std::memory_order_acquire), kMax);
    for (uint32_t i = 0; i < n; ++i) {
      if (entries_[i].cell.load(std::memory_order_relaxed) == cell) {
        fn(entries_[i]);
      }
    }
  }

 private:
  __attribute__((noinline)) void PopSlow(const ObjectState* cell, Access a,
                                         uint32_t n) {
    if (n == 0) return;  // a guard moved here from another thread
    if (n > kMax) {      // the newest borrows were not recorded
      count_.store(n - 1, std::memory_order_release);
      return;
    }
    // Out of order (a guard outlived a newer one): remove the newest
    // matching entry, keeping the order of the rest.
    const bool exclusive = a == Access::kExclusive;
    for (uint32_t i = n; i-- > 0;) {
      if (entries_[i].cell.load(std::memory_order_relaxed) != cell ||
          entries_[i].exclusive.load(std::memory_order_relaxed) != exclusive) {
        continue;
      }
      for (uint32_t j = i; j + 1 < n; ++j) Copy(entries_[j + 1], entries_[j]);
      count_.store(n - 1, std::memory_order_release);
      return;
    }
  }
  static void Copy(const Entry& from, Entry& to) {
    constexpr auto r = std::memory_order_relaxed;
    to.cell.store(from.cell.load(r), r);
    to.file.store(from.file.load(r), r);
    to.function.store(from.function.load(r), r);
    to.line.store(from.line.load(r), r);
    to.exclusive.store(from.exclusive.load(r), r);
    to.stack.store(from.stack.load(r), r);
  }

  std::atomic<uint32_t> count_{0};
  Entry entries_[kMax];
};

class ThreadState {
  // First: read by the borrow fast path (owner check).
  const collector::ThreadId id_;
  const int64_t os_tid_;
  const uint64_t pthread_;

 public:
  ThreadState(collector::ThreadId id, int64_t os_tid)
      : id_(id),
        os_tid_(os_tid),
        pthread_(static_cast<uint64_t>(pthread_self())) {
    TickClock::Start();  // before this thread's first event
  }

  collector::ThreadId id() const { return id_; }
  int64_t os_tid() const { return os_tid_; }
  // The thread's pthread_t (a pthread_join names its target by it).
  uint64_t pthread() const { return pthread_; }

  // Owner-thread only. The fields every hook reads come first, next to the
  // top of the held stack (one cache line for a flat lock+unlock).
  //
  // Copied from the options when the thread registers (no shared read on
  // the hot path).
  bool events_all = false;
  bool events_any = false;
  bool watchdog = false;
  HeldStack held;
  ChainCache chains;
  // Borrow sites (cell id + site) already seen by this thread, with the
  // stack captured the first time.
  ChainCache borrow_sites;

  // The borrow guards this thread holds (see OutstandingBorrows).
  OutstandingBorrows borrows;

  // Producer side of the event ring (owner thread), consumer: the
  // background thread.
  EventRing ring;
  // Events this thread could not record; written by the owner, read by the
  // background thread.
  std::atomic<uint64_t> dropped{0};
  // Set when the thread has exited; the background thread frees nothing
  // before it has drained the ring.
  std::atomic<bool> exited{false};

  // Condition variables this thread has notified (runtime/waits.cc), read
  // by the watchdog.
  NotifyLog notified;
  // Owner-thread only: wait-while-holding keys (held lock class and wait
  // site) this thread has already reported.
  absl::flat_hash_set<uint64_t> wait_sites;

  // Published wait state for the watchdog (written by the owner in the
  // contended path only, and around untimed condition waits and joins).
  enum class WaitKind : uint8_t { kLock, kCond, kJoin };
  struct WaitState {
    // kLock: blocked in lock() on waiting_for (published while
    // waiting_for_id != 0); kCond: in an untimed condition wait on cond_key
    // (cond_name: the CondVar's name, empty for a pthread_cond_t); kJoin: in
    // pthread_join of the thread whose pthread_t is join_target.
    WaitKind kind = WaitKind::kLock;
    uintptr_t cond_key = 0;
    const char* cond_name = nullptr;
    uint64_t join_target = 0;
    ObjectState* waiting_for = nullptr;
    collector::ObjectId waiting_for_id = 0;
    Access access = Access::kExclusive;
    int64_t since_ns = 0;
    uint64_t generation = 0;
    // Locks the thread holds while it waits, with the access it holds them in.
    std::vector<std::pair<collector::ObjectId, Access>> holding;
    // Where each of `holding` was acquired (0 when unknown), for the
    // deadlock report.
    std::vector<collector::StackId> holding_stacks;
    collector::StackId stack = 0;
  };
  RawMutex wait_mu;
  WaitState wait ABSL_GUARDED_BY(wait_mu);

  // Recomputes chain keys from entry `from` up (after an unlock out of
  // order), so a cached chain always describes what is held.
  void RekeyFrom(size_t from) {
    for (size_t i = from; i < held.size(); ++i) {
      const HeldLock& h = held[i];
      const uint64_t id = h.object->id();
      held[i].chain_key =
          i == 0 ? RootKey(id, h.access, h.was_try)
                 : ChainKey(held[i - 1].chain_key, id, h.access, h.was_try);
    }
  }
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
