// The hooks of lockscope/internal/hooks.h. Fast paths first and inline; everything
// that may take a lock, capture a stack or print is in a separate
// out-of-line *Slow function. The findings those slow paths make are built
// by runtime/findings_factory.h.
//
// A known pattern (every chain already validated by this thread) touches
// only thread-local memory and the object's own counters: no shared lock,
// no clock read unless events=all or the acquisition had to wait.
//
// The hot hooks (AfterAcquire, BeforeRelease, OnBorrow, OnBorrowRelease)
// are each one test of the common case (a registered thread, an announced
// object, events != all, a lone lock or a chain in the cache's front, an
// in-order unlock) that either finishes in a few instructions without
// calling anything, so the compiler saves no registers, or hands everything
// to one out-of-line *Slow function.
#include "lockscope/internal/hooks.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "absl/base/optimization.h"
#include "runtime/findings_factory.h"
#include "runtime/keep_errno.h"
#include "runtime/object_state.h"
#include "runtime/reentry.h"
#include "runtime/session.h"
#include "runtime/thread_state.h"
#include "runtime/waits.h"

namespace lockscope::runtime {
namespace {

using collector::EventType;
using collector::StackId;

// Frames between a *Slow function and the user's call into the wrapper:
// Slow -> hook -> wrapper method. Only a fallback: every slow path also gets
// `caller`, the hook's return address into the user's code (the wrapper is
// inlined there), where the stack is cut exactly.
constexpr int kSkipFromSlow = 2;

#define LOCKSCOPE_CALLER_PC() \
  reinterpret_cast<uint64_t>(__builtin_return_address(0))

// After a hook's call into its slow path: keeps the call from becoming a
// tail jump, which would drop the hook's frame and shift Session::Announce's
// frame count (it skips a fixed number of frames).
#define LOCKSCOPE_NO_TAIL_CALL() asm volatile("")

collector::Access ToModel(Access a) {
  return a == Access::kExclusive ? collector::Access::kExclusive
                                 : collector::Access::kShared;
}

collector::SourceSite SiteOf(const Site& at) {
  collector::SourceSite site;
  if (at.file != nullptr) site.file = at.file;
  if (at.function != nullptr) site.function = at.function;
  site.line = at.line;
  return site;
}

uint64_t SiteKey(uint64_t object, const Site& at) {
  return ChainKey(object, reinterpret_cast<uintptr_t>(at.file) ^ at.line,
                  Access::kShared, false);
}

__attribute__((noinline)) void RecordSlow(ThreadState* t,
                                          const collector::RawEvent& e) {
  KeepErrno keep_errno;
  ReentryGuard guard;
  while (!t->ring.TryPush(e)) {
    if (!Session::Get().WaitForRingSpace(t)) {
      t->dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
}

// `now` in ticks (TickClock); the ring's consumer converts it.
inline collector::RawEvent MakeEvent(int64_t now, const ObjectState* o,
                                     EventType type, Access a, bool was_try,
                                     StackId stack) {
  collector::RawEvent e;
  e.time_ns = now;
  e.object = o->id();
  e.stack = stack;
  e.type = type;
  e.access = ToModel(a);
  e.was_try = was_try;
  return e;
}

// Every EventRing::kDrainEvery events: wakes the background thread, so that
// it drains a quarter-full ring while this thread goes on.
__attribute__((noinline)) void DrainSoonSlow() {
  KeepErrno keep_errno;
  ReentryGuard guard;
  Session::Get().WakeBackgroundThread();
}

inline void Record(ThreadState* t, int64_t now, const ObjectState* o,
                   EventType type, Access a, bool was_try, StackId stack) {
  const collector::RawEvent e = MakeEvent(now, o, type, a, was_try, stack);
  if (!t->ring.TryPush(e)) {
    RecordSlow(t, e);
  } else if (t->ring.DrainDue()) {
    DrainSoonSlow();
  }
}

// Whether events=all (or a measured release) can stamp and record an event
// on a fast path without calling anything: the TSC clock and a ring with
// room as far as the producer already knows.
inline bool CanRecordFast(const ThreadState* t) {
  return TickClock::UsesTsc() && t->ring.HasKnownRoom();
}

// Hold-time counters of a measured acquisition, at its release: `ticks`
// is now - acquired, in TickClock ticks (converted when counters are
// written; a clock that went back counts as 0).
inline void CountHold(ObjectState* o, Access a, int64_t ticks) {
  const uint64_t hold = ticks > 0 ? static_cast<uint64_t>(ticks) : 0;
  if (a == Access::kExclusive) {  // still held: serialized by the lock
    BumpOwned(o->hold_total_ticks, hold);
    StoreMaxOwned(o->hold_max_ticks, hold);
    BumpOwned(o->hold_samples);
  } else {
    o->hold_total_ticks.fetch_add(hold, std::memory_order_relaxed);
    StoreMax(o->hold_max_ticks, hold);
    o->hold_samples.fetch_add(1, std::memory_order_relaxed);
  }
}

__attribute__((noinline)) void AnnounceSlow(ObjectState* o) {
  KeepErrno keep_errno;
  ReentryGuard guard;
  Session::Get().Announce(o);
}

// Counts one acquisition of an announced object.
inline void Count(ObjectState* o, Access a) {
  if (ABSL_PREDICT_TRUE(a == Access::kExclusive)) {
    BumpOwned(o->acquisitions);  // serialized by the lock itself
  } else {
    o->shared.fetch_add(1, std::memory_order_relaxed);
  }
}

inline void CountAcquisition(ObjectState* o, Access a) {
  if (!o->announced.load(std::memory_order_relaxed)) AnnounceSlow(o);
  Count(o, a);
}

// Whether lock-order paths run through held entry `h`: an exclusive
// blocking acquisition whose own edges were formed (a stack was recorded
// for its chain). A path may not pass a shared entry (a shared/shared lock
// on a cycle cannot deadlock, so the analyzer does not route cycles through
// one), nor a try_lock (it formed no edge into itself), nor an acquisition
// made from inside the runtime (validated nothing).
inline bool Passable(const HeldLock& h) {
  return h.access == Access::kExclusive && !h.was_try && h.stack != 0;
}

// A chain this thread has never validated: capture the stack, hand the new
// edges to the analyzer, and remember the chain.
//
// lockdep's rule, so that holding N locks costs O(N) edges, not O(N^2):
// the edge from the newest held lock only. Every older held lock already
// reaches it through the edges formed when the locks above it were taken,
// so a cycle through an older lock is still found, along real edges. Where
// a path cannot pass an entry (see Passable), the lock just below it gets
// its own edge too. Each edge still carries every other held lock: the
// candidate gates.
__attribute__((noinline)) StackId NewChainSlow(ThreadState* t, ObjectState* o,
                                               Access a, uint64_t key,
                                               uint64_t caller) {
  ReentryGuard guard;
  Session& s = Session::Get();
  const StackId stack = s.CaptureStack(kSkipFromSlow, caller);
  if (!t->held.empty()) {
    std::vector<collector::EdgeObservation> edges;
    const int64_t now = NowNs();
    std::vector<collector::ObjectId> held_ids;
    held_ids.reserve(t->held.size());
    for (const HeldLock& h : t->held) {
      if (h.object != o) held_ids.push_back(h.object->id());
    }
    // Walks down from the newest entry; `above` is the entry above the
    // current one (skipping re-locks of `o`), nullptr for the newest.
    const HeldLock* above = nullptr;
    for (size_t i = t->held.size(); i-- > 0;) {
      const HeldLock& h = t->held[i];
      if (h.object == o) continue;  // a shared re-lock is no edge
      const bool needs_edge = above == nullptr || !Passable(*above);
      above = &h;
      if (!needs_edge) continue;
      collector::EdgeObservation e;
      e.from = h.object->id();
      e.to = o->id();
      e.from_access = ToModel(h.access);
      e.to_access = ToModel(a);
      e.thread = t->id();
      // Where this thread took this `from` (its exact site; the whole stack
      // when the chain was captured there).
      e.from_stack = s.SiteStack(h.stack, h.site_pc);
      if (e.from_stack == 0) {
        e.from_stack = h.object->first_stack.load(std::memory_order_relaxed);
      }
      e.to_stack = stack;
      e.held.reserve(held_ids.size() - 1);
      for (collector::ObjectId id : held_ids) {
        if (id != e.from) e.held.push_back(id);
      }
      // A declared lock order checks every held lock against `o`, and
      // names where each was taken.
      if (s.has_declared_order()) {
        for (const HeldLock& other : t->held) {
          if (other.object == o || other.object->id() == e.from) continue;
          e.held_stacks.push_back(s.SiteStack(other.stack, other.site_pc));
        }
      }
      e.time_ns = now;
      edges.push_back(std::move(e));
    }
    std::reverse(edges.begin(), edges.end());  // oldest held lock first
    if (!edges.empty()) s.AddEdges(edges);
  }
  t->chains.Insert(key, stack);
  return stack;
}

// Pushes a blocking acquisition (waited or not) on the held stack. `nested`:
// the hook was reached from inside the runtime (see reentry.h), which
// validates no chain.
__attribute__((always_inline)) inline void PushBlocking(
    ThreadState* t, ObjectState* o, Access a, int64_t acquired_ticks,
    uint64_t caller, bool nested) {
  CountAcquisition(o, a);
  const uint64_t key = KeyOnTop(t->held, o->id(), a, /*was_try=*/false);
  StackId stack = 0;
  if (!nested && !t->chains.Lookup(key, &stack)) {
    stack = NewChainSlow(t, o, a, key, caller);
  }
  t->held.push_back(
      HeldLock{o, key, stack, caller, acquired_ticks, a, false});
}

[[noreturn]] __attribute__((noinline)) void RecursiveLockSlow(
    ThreadState* t, ObjectState* o, Access a, const HeldLock& held,
    uint64_t caller) {
  Session& s = Session::Get();
  std::string headline;
  HeldLock first = held;  // with the stack of where it was taken
  first.stack = s.SiteStack(held.stack, held.site_pc);
  collector::Finding f = RecursiveLockFinding(
      t, o, a, first, s.CaptureStack(kSkipFromSlow, caller), &headline);
  s.ReportFatal(std::move(f), headline);
}

__attribute__((noinline)) void UnlockNotOwnerSlow(ThreadState* t,
                                                  ObjectState* o, Access a,
                                                  uint64_t caller) {
  ReentryGuard guard;
  Session& s = Session::Get();
  const StackId stack = s.CaptureStack(kSkipFromSlow, caller);
  AnnounceSlow(o);
  s.Report(UnlockNotOwnerFinding(t, o, a, stack),
           ChainKey(o->id(), stack, a, true));
}

__attribute__((noinline)) void CrossThreadBorrowSlow(ThreadState* t,
                                                     ObjectState* cell,
                                                     Access a, const Site& at,
                                                     uint64_t caller) {
  ReentryGuard guard;
  Session& s = Session::Get();
  const StackId stack = s.CaptureStack(kSkipFromSlow, caller);
  s.Report(CrossThreadBorrowFinding(t, *cell, a, at, stack),
           CrossThreadBorrowKey(*cell, a, at));
}

__attribute__((noinline)) StackId NewBorrowSiteSlow(ThreadState* t,
                                                    uint64_t key,
                                                    uint64_t caller) {
  ReentryGuard guard;
  const StackId stack = Session::Get().CaptureStack(kSkipFromSlow, caller);
  t->borrow_sites.Insert(key, stack);
  return stack;
}

// The rest of AfterAcquire: first hook on this thread, first use of the
// object, events=all, or a chain not in the cache's front. Called (never
// tail-called) from the hook, so Session::Announce's frame count holds.
__attribute__((noinline)) void AcquireSlow(ThreadState* t, ObjectState* o,
                                           Access a, uint64_t caller) {
  KeepErrno keep_errno;
  const bool nested = tls_in_runtime;
  ReentryGuard guard;
  if (t == nullptr) t = CurrentThread();
  if (!o->announced.load(std::memory_order_relaxed)) {
    Session::Get().Announce(o);
  }
  const int64_t now = t->events_all ? TickClock::Now() : 0;
  PushBlocking(t, o, a, now, caller, nested);
  if (now != 0) Record(t, now, o, EventType::kAcquired, a, false, 0);
}

// The rest of BeforeRelease: an unlock out of order, of a lock the thread
// does not hold, or of a measured acquisition (hold time, events).
__attribute__((noinline)) void ReleaseSlow(ThreadState* t, ObjectState* o,
                                           Access a, uint64_t caller) {
  KeepErrno keep_errno;
  const bool nested = tls_in_runtime;
  ReentryGuard guard;
  if (t == nullptr) t = CurrentThread();
  const size_t n = t->held.size();
  HeldLock h;
  if (n != 0 && t->held[n - 1].object == o) {
    h = t->held[n - 1];
    t->held.pop_back();
  } else {
    size_t i = n;
    while (i > 0 && t->held[i - 1].object != o) --i;
    if (i == 0) {
      if (!nested) UnlockNotOwnerSlow(t, o, a, caller);
      return;
    }
    h = t->held[i - 1];
    t->held.erase(t->held.begin() + static_cast<ptrdiff_t>(i - 1));
    t->RekeyFrom(i - 1);
  }
  if (h.acquired_ticks != 0) {
    const int64_t now = TickClock::Now();
    CountHold(o, a, now - h.acquired_ticks);
    if (t->events_any) Record(t, now, o, EventType::kReleased, a, false, 0);
  }
}

// The rest of OnBorrow: first hook on this thread, first use of the cell, a
// borrow off the owner thread, a site not in the cache's front, events=all.
__attribute__((noinline)) void BorrowSlow(ThreadState* t, ObjectState* cell,
                                          Access a, bool was_try,
                                          const Site& at, uint64_t caller) {
  KeepErrno keep_errno;
  const bool nested = tls_in_runtime;
  ReentryGuard guard;
  if (t == nullptr) t = CurrentThread();
  if (!cell->announced.load(std::memory_order_relaxed)) {
    Session::Get().Announce(cell);
  }
  BumpOwned(a == Access::kExclusive ? cell->acquisitions : cell->shared);
  if (!nested &&
      cell->owner_thread.load(std::memory_order_relaxed) != t->id()) {
    CrossThreadBorrowSlow(t, cell, a, at, caller);
  }
  const uint64_t key = SiteKey(cell->id(), at);
  StackId stack = 0;
  const bool seen = t->borrow_sites.Lookup(key, &stack);
  if (!seen && !nested) stack = NewBorrowSiteSlow(t, key, caller);
  t->borrows.Push(cell, a, at, stack);
  if (t->events_all || (!seen && t->events_any)) {
    Record(t, TickClock::Now(), cell, EventType::kBorrow, a, was_try,
           seen ? 0 : stack);
  }
}

}  // namespace

ObjectState* OnCreate(ObjectKind kind, std::string_view name,
                      const Site& created) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  return Session::Get().NewObject(kind, name, created);
}

void OnDestroy(ObjectState* object, bool held) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  if (object != nullptr) Session::Get().DestroyObject(object, held);
}

void AfterAcquire(ObjectState* o, Access a) noexcept {
  ThreadState* t = tls_thread_state;
  if (ABSL_PREDICT_TRUE(t != nullptr &&
                        o->announced.load(std::memory_order_relaxed) &&
                        !t->held.full())) {
    const bool all = t->events_all;
    HeldStack& held = t->held;
    const uint64_t key = KeyOnTop(held, o->id(), a, false);
    StackId stack;
    if (ABSL_PREDICT_TRUE(t->chains.LookupFront(key, &stack) &&
                          (!all || CanRecordFast(t)))) {
      Count(o, a);
      const int64_t now = all ? TickClock::NowTsc() : 0;
      held.PushNotFull(
          HeldLock{o, key, stack, LOCKSCOPE_CALLER_PC(), now, a, false});
      if (all && ABSL_PREDICT_FALSE(t->ring.PushKnownRoom(MakeEvent(
                     now, o, EventType::kAcquired, a, false, 0)))) {
        DrainSoonSlow();
      }
      return;
    }
  }
  AcquireSlow(t, o, a, LOCKSCOPE_CALLER_PC());
  LOCKSCOPE_NO_TAIL_CALL();
}

uint64_t BeforeBlock(ObjectState* o, Access a) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  ThreadState* t = CurrentThread();
  for (const HeldLock& h : t->held) {
    if (h.object == o &&
        (a == Access::kExclusive || h.access == Access::kExclusive)) {
      RecursiveLockSlow(t, o, a, h, LOCKSCOPE_CALLER_PC());
    }
  }
  // The token is the wait's start in ticks.
  const int64_t now = TickClock::Now();
  if (t->watchdog) PublishLockWait(t, o, a, NowNs(), LOCKSCOPE_CALLER_PC());
  if (t->events_any) {
    if (!o->announced.load(std::memory_order_relaxed)) AnnounceSlow(o);
    Record(t, now, o, EventType::kAcquireWait, a, false, 0);
  }
  return static_cast<uint64_t>(now);
}

void AfterBlockedAcquire(ObjectState* o, Access a, uint64_t token) noexcept {
  KeepErrno keep_errno;
  const bool nested = tls_in_runtime;
  ReentryGuard guard;
  ThreadState* t = CurrentThread();
  const int64_t now = TickClock::Now();
  const uint64_t wait = TickClock::ToNs(now - static_cast<int64_t>(token));
  if (a == Access::kExclusive) {  // serialized by the lock itself
    BumpOwned(o->contended);
    BumpOwned(o->wait_total_ns, wait);
    StoreMaxOwned(o->wait_max_ns, wait);
  } else {
    o->contended.fetch_add(1, std::memory_order_relaxed);
    o->wait_total_ns.fetch_add(wait, std::memory_order_relaxed);
    StoreMax(o->wait_max_ns, wait);
  }
  if (t->watchdog) ClearLockWait(t);
  PushBlocking(t, o, a, now, LOCKSCOPE_CALLER_PC(), nested);
  if (t->events_any) Record(t, now, o, EventType::kAcquired, a, false, 0);
}

void AfterTryAcquire(ObjectState* o, Access a) noexcept {
  ThreadState* t = CurrentThread();
  CountAcquisition(o, a);
  const int64_t now = t->events_all ? TickClock::Now() : 0;
  t->held.push_back(HeldLock{o, KeyOnTop(t->held, o->id(), a, true), 0,
                             LOCKSCOPE_CALLER_PC(), now, a, true});
  if (now != 0) Record(t, now, o, EventType::kAcquired, a, true, 0);
}

void BeforeRelease(ObjectState* o, Access a) noexcept {
  ThreadState* t = tls_thread_state;
  if (ABSL_PREDICT_TRUE(t != nullptr && !t->held.empty() &&
                        t->held.back().object == o)) {
    HeldStack& held = t->held;
    // Unlock in reverse order of an unmeasured acquisition: a pop.
    const int64_t acquired = held.back().acquired_ticks;
    if (ABSL_PREDICT_TRUE(acquired == 0)) {
      held.pop_back();
      return;
    }
    // A measured one (events=all, or it waited): hold time and an event.
    if (t->events_any && CanRecordFast(t)) {
      const int64_t now = TickClock::NowTsc();
      CountHold(o, a, now - acquired);
      held.pop_back();
      if (ABSL_PREDICT_FALSE(t->ring.PushKnownRoom(
              MakeEvent(now, o, EventType::kReleased, a, false, 0)))) {
        DrainSoonSlow();
      }
      return;
    }
  }
  ReleaseSlow(t, o, a, LOCKSCOPE_CALLER_PC());
  LOCKSCOPE_NO_TAIL_CALL();
}

void OnBorrow(ObjectState* cell, Access a, bool was_try,
              const Site& at) noexcept {
  ThreadState* t = tls_thread_state;
  StackId stack;
  if (ABSL_PREDICT_TRUE(
          t != nullptr && !t->events_all &&
          cell->announced.load(std::memory_order_relaxed) &&
          cell->owner_thread.load(std::memory_order_relaxed) == t->id() &&
          t->borrow_sites.LookupFront(SiteKey(cell->id(), at), &stack))) {
    // A cell has one owner thread; a racing cross-thread borrow may lose a
    // count, never corrupt memory.
    BumpOwned(a == Access::kExclusive ? cell->acquisitions : cell->shared);
    t->borrows.Push(cell, a, at, stack);
    return;
  }
  BorrowSlow(t, cell, a, was_try, at, LOCKSCOPE_CALLER_PC());
  LOCKSCOPE_NO_TAIL_CALL();
}

void OnBorrowRelease(ObjectState* cell, Access a) noexcept {
  ThreadState* t = tls_thread_state;
  if (ABSL_PREDICT_TRUE(t != nullptr && !t->events_all)) {
    t->borrows.Pop(cell, a);
    return;
  }
  t = CurrentThread();
  t->borrows.Pop(cell, a);
  if (t->events_all) {
    Record(t, TickClock::Now(), cell, EventType::kBorrowRelease, a, false, 0);
  }
}

void OnBorrowConflict(ObjectState* cell, Access a, const Site& at,
                      Access outstanding, const Site& outstanding_at,
                      const char* headline) noexcept {
  ReentryGuard guard;
  ThreadState* t = CurrentThread();
  Session& s = Session::Get();
  const StackId stack = s.CaptureStack(1, LOCKSCOPE_CALLER_PC());
  // Every outstanding borrow of the cell, on every thread.
  std::vector<collector::FindingBorrow> borrows =
      s.OutstandingBorrows(cell);
  // The newest one's stack, if this thread took it (its site was recorded
  // when first seen): the cell passes only the newest site.
  StackId other = 0;
  t->borrow_sites.Lookup(SiteKey(cell->id(), outstanding_at), &other);
  if (borrows.empty()) {  // none recorded (past the bound): the cell's own
    collector::FindingBorrow b;
    b.access = ToModel(outstanding);
    b.site = SiteOf(outstanding_at);
    b.stack = other;
    borrows.push_back(std::move(b));
  }
  (void)a;
  (void)at;
  collector::Finding f = BorrowConflictFinding(t, *cell, headline, stack,
                                               other, std::move(borrows));
  AnnounceSlow(cell);
  s.ReportFatal(std::move(f), headline);
}

void RebindOwner(ObjectState* cell) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  ThreadState* t = CurrentThread();
  cell->owner_thread.store(t->id(), std::memory_order_relaxed);
  Session::Get().OwnerChanged(cell);
}

void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) noexcept {
  KeepErrno keep_errno;
  static_assert(sizeof(*word) == sizeof(uint32_t) &&
                std::atomic<uint32_t>::is_always_lock_free);
  syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void FutexWake(std::atomic<uint32_t>* word, int count) noexcept {
  KeepErrno keep_errno;
  syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

uint64_t FindingCount() noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  return Session::Get().FindingCount();
}

bool DescribeFinding(uint64_t index, char* buf, size_t size,
                     bool* fails) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  std::string line;
  bool f = false;
  if (!Session::Get().DescribeFinding(index, &line, &f)) return false;
  if (fails != nullptr) *fails = f;
  if (size > 0) {
    const size_t n = std::min(size - 1, line.size());
    line.copy(buf, n);
    buf[n] = '\0';
  }
  return true;
}

}  // namespace lockscope::runtime
#undef LOCKSCOPE_CALLER_PC
