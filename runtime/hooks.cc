// The hooks of runtime/hooks.h. Fast paths first and inline; everything
// that may take a lock, capture a stack or print is in a separate
// out-of-line *Slow function.
//
// A known pattern (every chain already validated by this thread) touches
// only thread-local memory and the object's own counters: no shared lock,
// no clock read unless events=all or the acquisition had to wait.
#include "runtime/hooks.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "collector/report.h"
#include "runtime/object_state.h"
#include "runtime/session.h"
#include "runtime/thread_state.h"

namespace lockscope::runtime {
namespace {

using collector::EventType;
using collector::StackId;

// Frames between a *Slow function and the user's call into the wrapper:
// Slow -> hook -> wrapper method.
constexpr int kSkipFromSlow = 2;

collector::Access ToModel(Access a) {
  return a == Access::kExclusive ? collector::Access::kExclusive
                                 : collector::Access::kShared;
}

std::string Describe(const ObjectState* o) {
  return absl::StrCat(std::string(collector::ObjectKindName(o->info.kind)), " '",
                      o->info.name, "'");
}

std::string ThreadLabel(ThreadState* t) {
  char name[64] = {0};
  pthread_getname_np(pthread_self(), name, sizeof(name));
  return name[0] != '\0' ? absl::StrCat("thread ", t->id(), " '", name, "'")
                         : absl::StrCat("thread ", t->id());
}

uint64_t SiteKey(uint64_t object, const Site& at) {
  return ChainKey(object, reinterpret_cast<uintptr_t>(at.file) ^ at.line,
                  Access::kShared, false);
}

__attribute__((noinline)) void RecordSlow(ThreadState* t,
                                          const collector::RawEvent& e) {
  while (!t->ring.TryPush(e)) {
    if (!Session::Get().WaitForRingSpace(t)) {
      t->dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
}

inline void Record(ThreadState* t, int64_t now, const ObjectState* o,
                   EventType type, Access a, bool was_try, StackId stack) {
  collector::RawEvent e;
  e.time_ns = now;
  e.object = o->id();
  e.stack = stack;
  e.type = type;
  e.access = ToModel(a);
  e.was_try = was_try;
  if (!t->ring.TryPush(e)) RecordSlow(t, e);
}

__attribute__((noinline)) void AnnounceSlow(ObjectState* o) {
  Session::Get().Announce(o);
}

inline void CountAcquisition(ObjectState* o, Access a) {
  if (!o->announced.load(std::memory_order_relaxed)) AnnounceSlow(o);
  if (a == Access::kExclusive) {
    BumpOwned(o->acquisitions);  // serialized by the lock itself
  } else {
    o->shared.fetch_add(1, std::memory_order_relaxed);
  }
}

// A chain this thread has never validated: capture the stack, hand every new
// edge to the analyzer, and remember the chain.
__attribute__((noinline)) StackId NewChainSlow(ThreadState* t, ObjectState* o,
                                               Access a, uint64_t key) {
  if (t->in_runtime) return 0;
  t->in_runtime = true;
  Session& s = Session::Get();
  const StackId stack = s.CaptureStack(kSkipFromSlow);
  if (!t->held.empty()) {
    std::vector<collector::EdgeObservation> edges;
    const int64_t now = NowNs();
    for (size_t i = 0; i < t->held.size(); ++i) {
      const HeldLock& h = t->held[i];
      if (h.object == o) continue;  // a shared re-lock is no edge
      collector::EdgeObservation e;
      e.from = h.id;
      e.to = o->id();
      e.from_access = ToModel(h.access);
      e.to_access = ToModel(a);
      e.thread = t->id();
      e.from_stack =
          h.stack != 0 ? h.stack
                       : h.object->first_stack.load(std::memory_order_relaxed);
      e.to_stack = stack;
      for (size_t j = 0; j < t->held.size(); ++j) {
        if (j != i && t->held[j].object != o) e.held.push_back(t->held[j].id);
      }
      e.time_ns = now;
      edges.push_back(std::move(e));
    }
    if (!edges.empty()) s.AddEdges(edges);
  }
  t->chains.Insert(key, stack);
  t->in_runtime = false;
  return stack;
}

// Pushes a blocking acquisition (waited or not) on the held stack.
inline void PushBlocking(ThreadState* t, ObjectState* o, Access a,
                         int64_t acquired_ns) {
  CountAcquisition(o, a);
  const uint64_t below = t->held.empty() ? 0 : t->held.back().chain_key;
  const uint64_t key = ChainKey(below, o->id(), a, /*was_try=*/false);
  StackId stack = 0;
  if (!t->chains.Lookup(key, &stack)) stack = NewChainSlow(t, o, a, key);
  t->held.push_back(HeldLock{o, o->id(), key, stack, acquired_ns, a, false});
}

[[noreturn]] __attribute__((noinline)) void RecursiveLockSlow(
    ThreadState* t, ObjectState* o, Access a, const HeldLock& held) {
  Session& s = Session::Get();
  collector::Finding f;
  f.kind = collector::FindingKind::kRecursiveLock;
  f.objects = {o->id()};
  f.threads = {t->id()};
  f.stack = s.CaptureStack(kSkipFromSlow);
  f.other_stack = held.stack != 0
                      ? held.stack
                      : o->first_stack.load(std::memory_order_relaxed);
  const std::string headline = absl::StrCat(
      "lockscope: recursive-lock: ", ThreadLabel(t), " locks ", Describe(o),
      a == Access::kExclusive ? " (exclusive)" : " (shared)",
      " while already holding it",
      held.access == Access::kExclusive ? " (exclusive)" : " (shared)",
      "; this would hang");
  f.message = headline.substr(sizeof("lockscope: ") - 1);
  s.ReportFatal(std::move(f), headline);
}

__attribute__((noinline)) void UnlockNotOwnerSlow(ThreadState* t,
                                                  ObjectState* o, Access a) {
  if (t->in_runtime) return;
  t->in_runtime = true;
  Session& s = Session::Get();
  collector::Finding f;
  f.kind = collector::FindingKind::kUnlockNotOwner;
  f.objects = {o->id()};
  f.threads = {t->id()};
  f.stack = s.CaptureStack(kSkipFromSlow);
  f.message = absl::StrCat(ThreadLabel(t), " unlocks ", Describe(o),
                           a == Access::kExclusive ? " (exclusive)"
                                                   : " (shared)",
                           " which it does not hold");
  AnnounceSlow(o);
  s.Report(std::move(f), ChainKey(o->id(), f.stack, a, true));
  t->in_runtime = false;
}

__attribute__((noinline)) void PublishWait(ThreadState* t, ObjectState* o,
                                           Access a, int64_t now) {
  const StackId stack = Session::Get().CaptureStack(kSkipFromSlow);
  RawMutexLock lock(&t->wait_mu);
  t->wait.waiting_for = o;
  t->wait.waiting_for_id = o->id();
  t->wait.access = a;
  t->wait.since_ns = now;
  ++t->wait.generation;
  t->wait.stack = stack;
  t->wait.holding.clear();
  for (const HeldLock& h : t->held) t->wait.holding.push_back({h.id, h.access});
}

__attribute__((noinline)) void ClearWait(ThreadState* t) {
  RawMutexLock lock(&t->wait_mu);
  t->wait.waiting_for = nullptr;
  t->wait.waiting_for_id = 0;
}

__attribute__((noinline)) void CrossThreadBorrowSlow(ThreadState* t,
                                                     ObjectState* cell,
                                                     Access a, const Site& at) {
  if (t->in_runtime) return;
  t->in_runtime = true;
  Session& s = Session::Get();
  const uint32_t owner = cell->owner_thread.load(std::memory_order_relaxed);
  collector::Finding f;
  f.kind = collector::FindingKind::kCrossThreadBorrow;
  f.objects = {cell->id()};
  f.threads = {t->id(), owner};
  f.stack = s.CaptureStack(kSkipFromSlow);
  f.message = absl::StrCat(
      Describe(cell), " owned by thread ", owner, " borrowed (",
      a == Access::kExclusive ? "borrow_mut" : "borrow", ") on ",
      ThreadLabel(t), " at ", at.file != nullptr ? at.file : "?", ":",
      at.line);
  // One finding per cell class and borrow site, however often it repeats.
  const uint64_t key = ChainKey(
      std::hash<std::string>()(cell->info.class_name),
      reinterpret_cast<uintptr_t>(at.file) * 31 + at.line, a, false);
  s.Report(std::move(f), key);
  t->in_runtime = false;
}

__attribute__((noinline)) StackId NewBorrowSiteSlow(ThreadState* t,
                                                    uint64_t key) {
  if (t->in_runtime) return 0;
  t->in_runtime = true;
  const StackId stack = Session::Get().CaptureStack(kSkipFromSlow);
  t->borrow_sites.Insert(key, stack);
  t->in_runtime = false;
  return stack;
}

}  // namespace

ObjectState* OnCreate(ObjectKind kind, std::string_view name,
                      const Site& created) noexcept {
  return Session::Get().NewObject(kind, name, created);
}

void OnDestroy(ObjectState* object, bool held) noexcept {
  if (object != nullptr) Session::Get().DestroyObject(object, held);
}

void AfterAcquire(ObjectState* o, Access a) noexcept {
  ThreadState* t = CurrentThread();
  const int64_t now = t->events_all ? NowNs() : 0;
  PushBlocking(t, o, a, now);
  if (now != 0) Record(t, now, o, EventType::kAcquired, a, false, 0);
}

uint64_t BeforeBlock(ObjectState* o, Access a) noexcept {
  ThreadState* t = CurrentThread();
  for (const HeldLock& h : t->held) {
    if (h.object == o &&
        (a == Access::kExclusive || h.access == Access::kExclusive)) {
      RecursiveLockSlow(t, o, a, h);
    }
  }
  const int64_t now = NowNs();
  if (t->watchdog) PublishWait(t, o, a, now);
  if (t->events_any) {
    if (!o->announced.load(std::memory_order_relaxed)) AnnounceSlow(o);
    Record(t, now, o, EventType::kAcquireWait, a, false, 0);
  }
  return static_cast<uint64_t>(now);
}

void AfterBlockedAcquire(ObjectState* o, Access a, uint64_t token) noexcept {
  ThreadState* t = CurrentThread();
  const int64_t now = NowNs();
  const uint64_t wait =
      now > static_cast<int64_t>(token) ? now - static_cast<int64_t>(token) : 0;
  o->contended.fetch_add(1, std::memory_order_relaxed);
  o->wait_total_ns.fetch_add(wait, std::memory_order_relaxed);
  StoreMax(o->wait_max_ns, wait);
  if (t->watchdog) ClearWait(t);
  PushBlocking(t, o, a, now);
  if (t->events_any) Record(t, now, o, EventType::kAcquired, a, false, 0);
}

void AfterTryAcquire(ObjectState* o, Access a) noexcept {
  ThreadState* t = CurrentThread();
  CountAcquisition(o, a);
  const int64_t now = t->events_all ? NowNs() : 0;
  const uint64_t below = t->held.empty() ? 0 : t->held.back().chain_key;
  t->held.push_back(HeldLock{o, o->id(), ChainKey(below, o->id(), a, true), 0,
                             now, a, true});
  if (now != 0) Record(t, now, o, EventType::kAcquired, a, true, 0);
}

void BeforeRelease(ObjectState* o, Access a) noexcept {
  ThreadState* t = CurrentThread();
  size_t n = t->held.size();
  HeldLock h;
  if (n != 0 && t->held[n - 1].object == o) {
    h = t->held[n - 1];
    t->held.pop_back();
  } else {
    size_t i = n;
    while (i > 0 && t->held[i - 1].object != o) --i;
    if (i == 0) {
      UnlockNotOwnerSlow(t, o, a);
      return;
    }
    h = t->held[i - 1];
    t->held.erase(t->held.begin() + static_cast<ptrdiff_t>(i - 1));
    t->RekeyFrom(i - 1);
  }
  if (h.acquired_ns != 0) {
    const int64_t now = NowNs();
    const uint64_t hold = now > h.acquired_ns ? now - h.acquired_ns : 0;
    o->hold_total_ns.fetch_add(hold, std::memory_order_relaxed);
    StoreMax(o->hold_max_ns, hold);
    o->hold_samples.fetch_add(1, std::memory_order_relaxed);
    if (t->events_any) Record(t, now, o, EventType::kReleased, a, false, 0);
  }
}

void OnBorrow(ObjectState* cell, Access a, bool was_try,
              const Site& at) noexcept {
  ThreadState* t = CurrentThread();
  if (!cell->announced.load(std::memory_order_relaxed)) AnnounceSlow(cell);
  // A cell has one owner thread; a racing cross-thread borrow may lose a
  // count, never corrupt memory.
  BumpOwned(a == Access::kExclusive ? cell->acquisitions : cell->shared);
  if (cell->owner_thread.load(std::memory_order_relaxed) != t->id()) {
    CrossThreadBorrowSlow(t, cell, a, at);
  }
  const uint64_t key = SiteKey(cell->id(), at);
  StackId stack = 0;
  const bool seen = t->borrow_sites.Lookup(key, &stack);
  if (!seen) stack = NewBorrowSiteSlow(t, key);
  if (t->events_all || (!seen && t->events_any)) {
    Record(t, NowNs(), cell, EventType::kBorrow, a, was_try,
           seen ? 0 : stack);
  }
}

void OnBorrowRelease(ObjectState* cell, Access a) noexcept {
  ThreadState* t = CurrentThread();
  if (t->events_all) {
    Record(t, NowNs(), cell, EventType::kBorrowRelease, a, false, 0);
  }
}

void OnBorrowConflict(ObjectState* cell, Access a, const Site& at,
                      Access outstanding, const Site& outstanding_at,
                      const char* headline) noexcept {
  ThreadState* t = CurrentThread();
  Session& s = Session::Get();
  collector::Finding f;
  f.kind = collector::FindingKind::kBorrowConflict;
  f.objects = {cell->id()};
  f.threads = {t->id()};
  f.stack = s.CaptureStack(1);
  // The outstanding borrow's stack, if this thread took it (its site was
  // recorded when first seen).
  StackId other = 0;
  if (t->borrow_sites.Lookup(SiteKey(cell->id(), outstanding_at), &other)) {
    f.other_stack = other;
  }
  (void)a;
  (void)at;
  (void)outstanding;
  f.message = std::string(headline).substr(sizeof("lockscope: ") - 1);
  AnnounceSlow(cell);
  s.ReportFatal(std::move(f), headline);
}

void RebindOwner(ObjectState* cell) noexcept {
  ThreadState* t = CurrentThread();
  cell->owner_thread.store(t->id(), std::memory_order_relaxed);
  Session::Get().OwnerChanged(cell);
}

uint64_t FindingCount() noexcept { return Session::Get().FindingCount(); }

bool DescribeFinding(uint64_t index, char* buf, size_t size,
                     bool* fails) noexcept {
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
