// interpose/mutex_hooks.h — the tracked mutex paths (mutex.cc), shared with
// the condition-variable and C11 interposers.
#ifndef LOCKSCOPE_INTERPOSE_MUTEX_HOOKS_H_
#define LOCKSCOPE_INTERPOSE_MUTEX_HOOKS_H_

#include <pthread.h>
#include <time.h>

#include <cstdint>

#include "interpose/lock_table.h"

namespace lockscope::interpose {

// Before `m` is released (unlock, or a condition wait): the release hook,
// unless it is an inner unlock of a recursive mutex or `m` is untracked.
void MutexReleaseHook(pthread_mutex_t* m);
// After a condition wait returned with `m` held again: the object to report
// the reacquisition for (nullptr: untracked, or an inner recursive level).
ObjectState* MutexReacquireHook(pthread_mutex_t* m);

// Ends the identity of a destroyed mutex (and its cached object).
void ForgetMutex(pthread_mutex_t* m);

// Tracked lock / trylock / timed lock (the caller checked Passthrough()).
int TrackedMutexLock(pthread_mutex_t* m, uint64_t site_pc);
int TrackedMutexTrylock(pthread_mutex_t* m, uint64_t site_pc);
int TrackedMutexTimedlock(pthread_mutex_t* m, const timespec* abstime,
                          uint64_t site_pc);

}  // namespace lockscope::interpose

#endif  // LOCKSCOPE_INTERPOSE_MUTEX_HOOKS_H_
