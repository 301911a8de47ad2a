// runtime/registry.h — the process's threads and objects as the runtime
// knows them: every registered ThreadState (until its events are drained
// after it exits), thread names, every live ObjectState by id, and the infos
// of destroyed objects that findings still name.
//
// Thread-safe. ThreadStates and ObjectStates are created by the session and
// handed over here; the registry frees exited threads (FreeThreads) and
// keeps, never frees, objects destroyed while held (Abandon). See
// runtime/session.h for the lock order.
#ifndef LOCKSCOPE_RUNTIME_REGISTRY_H_
#define LOCKSCOPE_RUNTIME_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "collector/analysis/model.h"
#include "runtime/object_state.h"
#include "runtime/raw_mutex.h"
#include "runtime/symbol_cache.h"  // SymbolCache::mu_, in the lock order
#include "runtime/thread_state.h"

namespace lockscope::runtime {

// A live thread's published wait state (for the watchdog).
struct BlockedThread {
  collector::ThreadId thread = 0;
  ThreadState::WaitState wait;
  uint64_t pthread = 0;
  // A condition wait: the other threads that notified its condition
  // variable before, and whether some thread's notify log overflowed (any
  // thread may then be a notifier).
  std::vector<collector::ThreadId> notifiers;
  bool notifiers_unknown = false;
};

class Registry {
 public:
  // Threads.
  collector::ThreadId NextThreadId() {
    return next_thread_id_.fetch_add(1, std::memory_order_relaxed);
  }
  void AddThread(ThreadState* thread, const collector::ThreadInfo& info)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The thread exited: its name is final.
  void NameIsFinal(collector::ThreadId id) ABSL_LOCKS_EXCLUDED(mu_);
  // Re-reads a live thread's name (/proc); true and *info set when it
  // changed. `own_name`: the name the thread itself read (the calling
  // thread is `id`), so /proc is not read.
  bool RefreshName(collector::ThreadId id, collector::ThreadInfo* info,
                   const char* own_name = nullptr) ABSL_LOCKS_EXCLUDED(mu_);
  // Every registered ThreadState (exited ones until FreeThreads).
  std::vector<ThreadState*> Threads() ABSL_LOCKS_EXCLUDED(mu_);
  // Calls fn(const ThreadState&) for every registered thread, under the
  // lock, so none of them can be freed meanwhile.
  template <typename Fn>
  void ForEachThread(Fn&& fn) ABSL_LOCKS_EXCLUDED(mu_) {
    RawMutexLock lock(&mu_);
    for (const ThreadState* t : threads_) fn(*t);
  }
  // Unregisters and deletes exited threads whose rings are drained.
  void FreeThreads(const std::vector<ThreadState*>& finished)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The threads blocked in a lock, an untimed condition wait or a join,
  // with what they wait for and hold.
  std::vector<BlockedThread> BlockedThreads() ABSL_LOCKS_EXCLUDED(mu_);
  // The id of the newest registered thread whose pthread_t is `pthread`
  // (live, or exited and not yet freed: a join target), or 0.
  collector::ThreadId ThreadOfPthread(uint64_t pthread)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Objects.
  uint64_t NextObjectId() {
    return next_object_id_.fetch_add(1, std::memory_order_relaxed);
  }
  void AddObject(ObjectState* object) ABSL_LOCKS_EXCLUDED(mu_);
  // The live object with this id, or nullptr.
  ObjectState* Find(collector::ObjectId id) ABSL_LOCKS_EXCLUDED(mu_);
  // Calls fn(ObjectState*) for each of `ids` that is live, under the lock,
  // so none of them can be freed meanwhile.
  template <typename Fn>
  void ForEachLive(const absl::flat_hash_set<collector::ObjectId>& ids,
                   Fn&& fn) ABSL_LOCKS_EXCLUDED(mu_) {
    RawMutexLock lock(&mu_);
    for (collector::ObjectId id : ids) {
      if (auto it = by_id_.find(id); it != by_id_.end()) fn(it->second);
    }
  }
  // Unregisters a destroyed object, keeping its info when `keep_info` (a
  // finding names it, or it died held). Returns its acquisitions as last
  // written to the trace.
  uint64_t RemoveObject(ObjectState* object, bool keep_info)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Keeps an object destroyed while held (another thread may still hold
  // it): reachable, so leak checkers see a deliberate keep, not a leak.
  void Abandon(ObjectState* object) ABSL_LOCKS_EXCLUDED(mu_);
  // Counters of announced live objects (only those that changed since last
  // written, if `only_changed`), marked written.
  std::vector<collector::ObjectCounters> CountersToWrite(bool only_changed)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Copies the infos of `objects` (live or retired) and `threads` into the
  // maps (for a report's context).
  void CopyInfos(
      const absl::flat_hash_set<collector::ObjectId>& objects,
      const absl::flat_hash_set<collector::ThreadId>& threads,
      absl::flat_hash_map<collector::ObjectId, collector::ObjectInfo>*
          object_infos,
      absl::flat_hash_map<collector::ThreadId, collector::ThreadInfo>*
          thread_infos) ABSL_LOCKS_EXCLUDED(mu_);

  // fork() support: mu_ is held across the fork by the forking thread.
  void PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Lock(); }
  void AfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Unlock(); }
  // In the child: only `self` (the forking thread) exists; the others'
  // states are abandoned (never freed: their memory may be mid-update, but
  // kept reachable), and no object is announced in the child's trace yet.
  void KeepOnlyAfterFork(ThreadState* self) ABSL_LOCKS_EXCLUDED(mu_);
  // In the child: the parent's threads' names are final; `self` gets its new
  // tid. Returns every thread's info.
  std::vector<collector::ThreadInfo> ThreadInfosAfterFork(ThreadState* self)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // The session's lock-order annotation names mu_.
  friend class FindingStore;

  RawMutex mu_ ABSL_ACQUIRED_BEFORE(SymbolCache::mu_, ThreadState::wait_mu);
  std::vector<ThreadState*> threads_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<collector::ThreadId, collector::ThreadInfo> thread_info_
      ABSL_GUARDED_BY(mu_);
  // Threads whose name can no longer change: they exited, or (in a fork
  // child) belong to the parent. Their /proc entries are gone or stale.
  absl::flat_hash_set<collector::ThreadId> final_names_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<ObjectState*> live_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<collector::ObjectId, ObjectState*> by_id_
      ABSL_GUARDED_BY(mu_);
  // Infos of destroyed objects that a finding names (or that died held).
  absl::flat_hash_map<collector::ObjectId, collector::ObjectInfo> retired_
      ABSL_GUARDED_BY(mu_);
  // Objects destroyed while held: never freed (see Abandon).
  std::vector<ObjectState*> abandoned_ ABSL_GUARDED_BY(mu_);
  // Threads of the parent that a fork child inherits but must never use or
  // free (KeepOnlyAfterFork).
  std::vector<ThreadState*> fork_abandoned_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint32_t> next_thread_id_{1};
  std::atomic<uint64_t> next_object_id_{1};
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_REGISTRY_H_
