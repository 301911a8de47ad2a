// lockscope/internal/hooks.h — the one narrow interface between the instrumented
// wrappers (instrument/) and the lockscope runtime.
//
// This is the only runtime header the public headers include. It is plain
// C++17 and declares functions only, so an untracked build (where every call
// sits in a discarded `if constexpr` branch) needs no runtime library.
//
// Contract for callers (the wrappers):
//   - OnCreate is called once per object, before any other hook for it; the
//     returned handle stays valid until OnDestroy, which is called once.
//   - A lock acquisition reports exactly one of: AfterAcquire (lock() whose
//     fast try succeeded), BeforeBlock + AfterBlockedAcquire (lock() that had
//     to wait), AfterTryAcquire (successful try_lock). Every successful
//     acquisition is matched by one BeforeRelease, called while still held.
//   - Cells report OnBorrow / OnBorrowRelease around each borrow guard's
//     lifetime; borrow checking itself happens in the cell.
//   - Hooks never throw, never call back into the wrappers, and may be called
//     during static initialization and after main() returns.
#ifndef LOCKSCOPE_INTERNAL_HOOKS_H_
#define LOCKSCOPE_INTERNAL_HOOKS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lockscope::runtime {

enum class ObjectKind : uint8_t { kMutex, kRwLock, kCell };
enum class Access : uint8_t { kShared, kExclusive };

// A source position: the creation site of an object or the site of a borrow.
// The strings must outlive the program (they come from __builtin_FILE()).
struct Site {
  const char* file;
  const char* function;
  uint32_t line;
};

// Runtime bookkeeping for one lock or cell. Opaque to the wrappers.
struct ObjectState;

// Registers a new object. `name` may be empty (the creation site is used).
ObjectState* OnCreate(ObjectKind kind, std::string_view name,
                      const Site& created) noexcept;
// The object is being destroyed; `held` says whether some thread still holds
// (or borrows) it, as the wrapper saw it (a failing try_lock, a non-zero
// borrow count): then destroyed-while-held is reported. The handle is invalid
// afterwards.
void OnDestroy(ObjectState* object, bool held) noexcept;

// lock()/lock_shared() acquired without waiting. Forms lock-order edges.
void AfterAcquire(ObjectState* object, Access access) noexcept;
// lock()/lock_shared() found the lock busy and is about to block. Reports
// (and aborts on) recursive-lock before the thread hangs; marks the thread
// as waiting for the deadlock watchdog. Returns a token for
// AfterBlockedAcquire (the wait start time, or 0 when not measured).
uint64_t BeforeBlock(ObjectState* object, Access access) noexcept;
// The blocking acquisition that BeforeBlock announced has succeeded.
void AfterBlockedAcquire(ObjectState* object, Access access,
                         uint64_t token) noexcept;
// try_lock()/try_lock_shared() succeeded: held, but forms no edge.
void AfterTryAcquire(ObjectState* object, Access access) noexcept;
// About to unlock. Reports unlock-not-owner if this thread does not hold it.
void BeforeRelease(ObjectState* object, Access access) noexcept;

// A borrow guard was created at `at` (after the cell's own borrow check).
// Reports cross-thread-borrow when the calling thread is not the owner.
void OnBorrow(ObjectState* cell, Access access, bool was_try,
              const Site& at) noexcept;
// A borrow guard was dropped.
void OnBorrowRelease(ObjectState* cell, Access access) noexcept;
// The cell detected a conflicting borrow: records a borrow-conflict finding
// with both sites, flushes the trace, prints `headline` and the report, and
// aborts.
[[noreturn]] void OnBorrowConflict(ObjectState* cell, Access access,
                                   const Site& at, Access outstanding,
                                   const Site& outstanding_at,
                                   const char* headline) noexcept;
// Makes the calling thread the owner of `cell`.
void RebindOwner(ObjectState* cell) noexcept;

// Condition variables (lockscope::CondVar, instrument/lockscope/cond_var.h).
// Opaque to the wrappers; not a lock (no lock-order edges).
struct CondState;
// Registers a condition variable; `name` may be empty (the creation site
// names it). Ended with OnCondDestroy.
CondState* OnCondCreate(std::string_view name, const Site& created) noexcept;
void OnCondDestroy(CondState* cond) noexcept;
// About to wait on `cond`, releasing `released` (whose BeforeRelease the
// wrapper's own unlock reports next). Reports wait-while-holding when the
// thread holds any other lock; an untimed wait (`timed` false) is published
// for the watchdog. Returns a token for AfterCondWait.
uint64_t BeforeCondWait(CondState* cond, ObjectState* released, bool timed,
                        const Site& at) noexcept;
// The wait announced by BeforeCondWait returned (before the mutex is
// taken again).
void AfterCondWait(CondState* cond, uint64_t token) noexcept;
// The calling thread notifies `cond` (the watchdog remembers who does).
void OnCondNotify(CondState* cond) noexcept;

// The sleeping side of the lock words under the tracked Mutex and RwLock
// (instrument/lockscope/mutex.h, rwlock.h), whose uncontended paths are
// inline atomics. Not hooks: they track nothing (futex wait and wake).
//
// Sleeps while *word == expected; may return early (spuriously, or because
// the word changed), so callers re-check in a loop.
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) noexcept;
// FutexWait for at most `timeout_ns` (< 0: no limit); false when the time
// ran out.
bool FutexWaitFor(std::atomic<uint32_t>* word, uint32_t expected,
                  int64_t timeout_ns) noexcept;
// Wakes up to `count` threads sleeping in FutexWait on `word`.
void FutexWake(std::atomic<uint32_t>* word, int count) noexcept;

// Findings made so far in this process, for test listeners
// (lockscope/gtest.h): how many, and the one-line form of the `index`-th
// (0-based, in the order made) written into buf (NUL-terminated, truncated
// to `size`). *fails is set when the finding fails a check (unsuppressed,
// unguarded, error severity). False when index is out of range.
uint64_t FindingCount() noexcept;
bool DescribeFinding(uint64_t index, char* buf, size_t size,
                     bool* fails) noexcept;

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_INTERNAL_HOOKS_H_
