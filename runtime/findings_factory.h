// runtime/findings_factory.h — the findings the runtime makes itself, as
// collector::Finding data: recursive-lock, unlock-not-owner,
// destroyed-while-held, cross-thread-borrow and borrow-conflict.
//
// Each builder takes the facts the hook's slow path already has (the thread,
// the object, the access, the stack it captured) and returns the finding,
// with its message; it captures no stack and reports nothing, so the hooks
// keep their frame counts and decide what happens next (Session::Report or
// Session::ReportFatal). Runs on the calling thread (thread names come from
// pthread_self()).
#ifndef LOCKSCOPE_RUNTIME_FINDINGS_FACTORY_H_
#define LOCKSCOPE_RUNTIME_FINDINGS_FACTORY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "collector/analysis/model.h"
#include "lockscope/internal/hooks.h"
#include "runtime/object_state.h"
#include "runtime/thread_state.h"

namespace lockscope::runtime {

// `t` takes `o` in `a` while `held` (the same object) is on its held stack.
// *headline is the line printed before aborting ("lockscope: recursive-lock:
// ..."); the finding's message is the headline without its prefix.
collector::Finding RecursiveLockFinding(ThreadState* t, ObjectState* o,
                                        Access a, const HeldLock& held,
                                        collector::StackId stack,
                                        std::string* headline);

// `t` releases `o` in `a`, which it does not hold.
collector::Finding UnlockNotOwnerFinding(ThreadState* t, ObjectState* o,
                                         Access a, collector::StackId stack);

// The calling thread destroys `object` while it is held (or borrowed).
collector::Finding DestroyedWhileHeldFinding(collector::ThreadId thread,
                                             const ObjectState& object,
                                             collector::StackId stack);

// `t` borrows `cell` in `a` at `at`, off the cell's owner thread.
collector::Finding CrossThreadBorrowFinding(ThreadState* t,
                                            const ObjectState& cell, Access a,
                                            const Site& at,
                                            collector::StackId stack);
// Folds repeats of a cross-thread borrow: one finding per cell class and
// borrow site, however often it repeats.
uint64_t CrossThreadBorrowKey(const ObjectState& cell, Access a,
                              const Site& at);

// `t` borrows `cell` while a conflicting borrow is outstanding; `headline`
// is the line AppCell prints ("lockscope: borrow-conflict: ..."), `stack`
// the new borrow's, `outstanding` every borrow of the cell still alive
// (their threads join the finding's) and `other_stack` the newest one's.
collector::Finding BorrowConflictFinding(
    ThreadState* t, const ObjectState& cell, const char* headline,
    collector::StackId stack, collector::StackId other_stack,
    std::vector<collector::FindingBorrow> outstanding);

// `t` waits (`what`: "waits on condition variable 'cv' (releasing Mutex
// 'm')", "joins thread 4") while holding `held`, which the wait does not
// release. `stack` is the wait's; the held lock's acquisition stack is the
// other one.
collector::Finding WaitWhileHoldingFinding(ThreadState* t,
                                           const HeldLock& held,
                                           const std::string& what,
                                           collector::StackId stack);

// "Mutex 'accounts'": an object's kind and name, for messages.
std::string DescribeObject(const ObjectState& o);

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_FINDINGS_FACTORY_H_
