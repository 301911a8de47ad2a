#include "runtime/findings_factory.h"

#include <pthread.h>

#include <algorithm>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"

namespace lockscope::runtime {
namespace {

std::string Describe(const ObjectState& o) {
  return absl::StrCat(std::string(collector::ObjectKindName(o.info.kind)),
                      " '", o.info.name, "'");
}

std::string ThreadLabel(const ThreadState* t) {
  char name[64] = {0};
  pthread_getname_np(pthread_self(), name, sizeof(name));
  return name[0] != '\0' ? absl::StrCat("thread ", t->id(), " '", name, "'")
                         : absl::StrCat("thread ", t->id());
}

const char* ModeName(Access a) {
  return a == Access::kExclusive ? " (exclusive)" : " (shared)";
}

}  // namespace

collector::Finding RecursiveLockFinding(ThreadState* t, ObjectState* o,
                                        Access a, const HeldLock& held,
                                        collector::StackId stack,
                                        std::string* headline) {
  collector::Finding f;
  f.kind = collector::FindingKind::kRecursiveLock;
  f.objects = {o->id()};
  f.threads = {t->id()};
  f.stack = stack;
  f.other_stack = held.stack != 0
                      ? held.stack
                      : o->first_stack.load(std::memory_order_relaxed);
  *headline = absl::StrCat("lockscope: recursive-lock: ", ThreadLabel(t),
                           " locks ", Describe(*o), ModeName(a),
                           " while already holding it", ModeName(held.access),
                           "; this would hang");
  f.message = headline->substr(sizeof("lockscope: ") - 1);
  return f;
}

collector::Finding UnlockNotOwnerFinding(ThreadState* t, ObjectState* o,
                                         Access a, collector::StackId stack) {
  collector::Finding f;
  f.kind = collector::FindingKind::kUnlockNotOwner;
  f.objects = {o->id()};
  f.threads = {t->id()};
  f.stack = stack;
  f.message = absl::StrCat(ThreadLabel(t), " unlocks ", Describe(*o),
                           ModeName(a), " which it does not hold");
  return f;
}

collector::Finding DestroyedWhileHeldFinding(collector::ThreadId thread,
                                             const ObjectState& object,
                                             collector::StackId stack) {
  collector::Finding f;
  f.kind = collector::FindingKind::kDestroyedWhileHeld;
  f.objects = {object.id()};
  f.threads = {thread};
  f.stack = stack;
  f.message = absl::StrCat(
      Describe(object), " destroyed while ",
      object.kind == ObjectKind::kCell ? "borrowed" : "held");
  return f;
}

collector::Finding CrossThreadBorrowFinding(ThreadState* t,
                                            const ObjectState& cell, Access a,
                                            const Site& at,
                                            collector::StackId stack) {
  const uint32_t owner = cell.owner_thread.load(std::memory_order_relaxed);
  collector::Finding f;
  f.kind = collector::FindingKind::kCrossThreadBorrow;
  f.objects = {cell.id()};
  f.threads = {t->id(), owner};
  f.stack = stack;
  f.message = absl::StrCat(
      Describe(cell), " owned by thread ", owner, " borrowed (",
      a == Access::kExclusive ? "borrow_mut" : "borrow", ") on ",
      ThreadLabel(t), " at ", at.file != nullptr ? at.file : "?", ":",
      at.line);
  return f;
}

uint64_t CrossThreadBorrowKey(const ObjectState& cell, Access a,
                              const Site& at) {
  return ChainKey(std::hash<std::string>()(cell.info.class_name),
                  reinterpret_cast<uintptr_t>(at.file) * 31 + at.line, a,
                  false);
}

collector::Finding BorrowConflictFinding(ThreadState* t,
                                         const ObjectState& cell,
                                         const char* headline,
                                         collector::StackId stack,
                                         collector::StackId other_stack,
                                         std::vector<collector::FindingBorrow>
                                             outstanding) {
  collector::Finding f;
  f.kind = collector::FindingKind::kBorrowConflict;
  f.objects = {cell.id()};
  f.threads = {t->id()};
  for (const collector::FindingBorrow& b : outstanding) {
    if (b.thread != 0 && std::find(f.threads.begin(), f.threads.end(),
                                   b.thread) == f.threads.end()) {
      f.threads.push_back(b.thread);
    }
  }
  f.stack = stack;
  // Readers of older traces know only other_stack: the newest borrow's.
  f.other_stack = other_stack != 0 || outstanding.empty()
                      ? other_stack
                      : outstanding.back().stack;
  f.borrows = std::move(outstanding);
  f.message = std::string(headline).substr(sizeof("lockscope: ") - 1);
  return f;
}

collector::Finding WaitWhileHoldingFinding(ThreadState* t,
                                           const HeldLock& held,
                                           const std::string& what,
                                           collector::StackId stack) {
  collector::Finding f;
  f.kind = collector::FindingKind::kWaitWhileHolding;
  f.objects = {held.object->id()};
  f.threads = {t->id()};
  f.stack = stack;
  f.other_stack = held.stack != 0 ? held.stack
                                  : held.object->first_stack.load(
                                        std::memory_order_relaxed);
  f.message = absl::StrCat(ThreadLabel(t), " ", what, " while holding ",
                           Describe(*held.object), ModeName(held.access));
  return f;
}

std::string DescribeObject(const ObjectState& o) { return Describe(o); }

}  // namespace lockscope::runtime
