// runtime/waits.h — waits that are not lock acquisitions: condition waits
// and joins, seen by the interposer (pthread_cond_*wait, pthread_join). The
// CondVar wrapper's hooks (OnCondCreate ... OnCondNotify in
// <lockscope/internal/hooks.h>) are implemented next to these, in
// runtime/waits.cc.
//
// Each wait (1) reports `wait-while-holding` (a note) once per held lock
// class and wait site when the thread holds a lock the wait does not
// release, and (2) when untimed and the watchdog runs, publishes itself in
// the thread's wait state: the watchdog's wait-for graph then has a
// condition waiter waiting for the threads that notified its condition
// variable before (ThreadState::notified), and a joiner waiting for the
// thread it joins. Exported from liblockscope.so for
// liblockscope_preload.so.
#ifndef LOCKSCOPE_RUNTIME_WAITS_H_
#define LOCKSCOPE_RUNTIME_WAITS_H_

#include <cstdint>

#include "lockscope/internal/hooks.h"

namespace lockscope::runtime {

class ThreadState;

// A wait on the pthread_cond_t at `cond` that releases `released` (nullptr
// when the mutex is not tracked); `timed` for pthread_cond_timedwait and
// clockwait. `site_pc` is the return address into the caller. Returns a
// token for AfterInterposedWait.
uint64_t BeforeInterposedCondWait(const void* cond, ObjectState* released,
                                  bool timed, uint64_t site_pc) noexcept;
// pthread_join of the thread whose pthread_t is `target`.
uint64_t BeforeInterposedJoin(uint64_t target, uint64_t site_pc) noexcept;
// The wait or join returned.
void AfterInterposedWait(uint64_t token) noexcept;
// pthread_cond_signal / broadcast of the pthread_cond_t at `cond`.
void OnInterposedCondNotify(const void* cond) noexcept;

// A tracked lock's blocking path (runtime/hooks.cc), when the watchdog
// runs: the thread is about to block on `o` (PublishLockWait; `caller` is
// the hook's return address into the user's code), and got it
// (ClearLockWait). Published like the waits above, with the locks the
// thread holds and where it took each.
void PublishLockWait(ThreadState* t, ObjectState* o, Access a, int64_t now,
                     uint64_t caller);
void ClearLockWait(ThreadState* t);

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_WAITS_H_
