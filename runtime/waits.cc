// Condition waits and joins (runtime/waits.h): the CondVar wrapper's hooks
// and the interposer's entry points share one path, BeginWait/EndWait.
#include "runtime/waits.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime/findings_factory.h"
#include "runtime/keep_errno.h"
#include "runtime/lock_names.h"
#include "runtime/object_state.h"
#include "runtime/reentry.h"
#include "runtime/session.h"
#include "runtime/thread_state.h"

namespace lockscope::runtime {

// A CondVar's record: its name (the one given, else its creation site).
struct CondState {
  std::string name;
};

namespace {

// Frames between BeginWait's stack capture and the wait's caller, when the
// caller's pc is not found: BeginWait -> hook.
constexpr int kSkipFromBegin = 2;

#define LOCKSCOPE_CALLER_PC() \
  reinterpret_cast<uint64_t>(__builtin_return_address(0))

struct WaitSpec {
  ThreadState::WaitKind kind = ThreadState::WaitKind::kCond;
  uintptr_t cond_key = 0;
  const CondState* cond = nullptr;  // a CondVar; null for a pthread_cond_t
  ObjectState* released = nullptr;  // the mutex the wait releases
  uint64_t join_target = 0;         // pthread_t
  bool timed = false;
  // The wait site for de-duplication: the CondVar call site's hash, or 0
  // to key on the captured stack (interposed waits, whose return address
  // lies in the C++ library for every std::condition_variable).
  uint64_t site_key = 0;
  uint64_t caller_pc = 0;
};

// "condition variable 'queue_cv'" (a CondVar's name, a pthread_cond_t's data
// symbol) or "condition variable at 0x...".
std::string CondLabel(const WaitSpec& w) {
  if (w.cond != nullptr) {
    return absl::StrCat("condition variable '", w.cond->name, "'");
  }
  const std::string symbol = DataSymbolName(w.cond_key, sizeof(pthread_cond_t));
  if (!symbol.empty()) return absl::StrCat("condition variable '", symbol, "'");
  return absl::StrFormat("condition variable at %#x", w.cond_key);
}

std::string WhatTheWaitDoes(const WaitSpec& w) {
  if (w.kind == ThreadState::WaitKind::kJoin) {
    const collector::ThreadId target =
        Session::Get().ThreadOfPthread(w.join_target);
    return target != 0 ? absl::StrCat("joins thread ", target)
                       : std::string("joins a thread");
  }
  std::string what = absl::StrCat("waits on ", CondLabel(w));
  if (w.released != nullptr) {
    absl::StrAppend(&what, " (releasing ", DescribeObject(*w.released), ")");
  }
  return what;
}

// What a waiting thread holds (all but `released`, which the wait gives
// up) and where it took each, for the deadlock report's other end. Made
// before wait_mu is taken: interning a site takes the trace's lock.
struct Holding {
  std::vector<std::pair<collector::ObjectId, Access>> locks;
  std::vector<collector::StackId> sites;
};

Holding HeldDuringWait(Session& s, const ThreadState* t,
                       const ObjectState* released) {
  Holding out;
  for (const HeldLock& h : t->held) {
    if (h.object == released) continue;
    out.locks.push_back({h.object->id(), h.access});
    out.sites.push_back(s.HeldSiteStack(h));
  }
  return out;
}

// Reports wait-while-holding for every held lock the wait does not release
// (once per held lock class and wait site, per thread here and per process
// in the FindingStore), and publishes an untimed wait for the watchdog.
__attribute__((noinline)) void BeginWait(ThreadState* t, const WaitSpec& w) {
  Session& s = Session::Get();
  collector::StackId stack = 0;
  bool captured = false;
  auto capture = [&] {
    if (!captured) {
      stack = s.CaptureStack(kSkipFromBegin, w.caller_pc);
      captured = true;
    }
    return stack;
  };
  bool holds_other = false;
  for (const HeldLock& h : t->held) holds_other |= h.object != w.released;
  if (holds_other) {
    const uint64_t site = w.site_key != 0 ? w.site_key : capture();
    // The findings are made after the loop: reporting touches nothing of
    // t->held, but keep the loop free of calls that might.
    std::vector<std::pair<HeldLock, uint64_t>> fresh;
    for (const HeldLock& h : t->held) {
      if (h.object == w.released) continue;
      const uint64_t key =
          ChainKey(std::hash<std::string>()(h.object->info.class_name), site,
                   h.access, w.kind == ThreadState::WaitKind::kJoin);
      if (t->wait_sites.insert(key).second) fresh.push_back({h, key});
    }
    if (!fresh.empty()) {
      const std::string what = WhatTheWaitDoes(w);
      for (const auto& [h, key] : fresh) {
        s.Report(WaitWhileHoldingFinding(t, h, what, capture()), key);
      }
    }
  }
  if (w.timed || !t->watchdog) return;
  const collector::StackId wait_stack = capture();
  Holding holding = HeldDuringWait(s, t, w.released);
  RawMutexLock lock(&t->wait_mu);
  t->wait.kind = w.kind;
  t->wait.cond_key = w.cond_key;
  t->wait.cond_name = w.cond != nullptr ? w.cond->name.c_str() : nullptr;
  t->wait.join_target = w.join_target;
  t->wait.since_ns = NowNs();
  ++t->wait.generation;
  t->wait.stack = wait_stack;
  t->wait.holding = std::move(holding.locks);
  t->wait.holding_stacks = std::move(holding.sites);
}

void EndWait(ThreadState* t) {
  if (!t->watchdog) return;
  RawMutexLock lock(&t->wait_mu);
  t->wait.kind = ThreadState::WaitKind::kLock;
  t->wait.cond_key = 0;
  t->wait.cond_name = nullptr;
  t->wait.join_target = 0;
}

uint64_t SiteHash(const Site& at) {
  return ChainKey(reinterpret_cast<uintptr_t>(at.file), at.line,
                  Access::kShared, false);
}

}  // namespace

CondState* OnCondCreate(std::string_view name,
                        const Site& created) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  auto* cond = new CondState;
  cond->name = !name.empty()
                   ? std::string(name)
                   : absl::StrCat(created.file != nullptr ? created.file : "?",
                                  ":", created.line);
  return cond;
}

void OnCondDestroy(CondState* cond) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  delete cond;
}

uint64_t BeforeCondWait(CondState* cond, ObjectState* released, bool timed,
                        const Site& at) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  ThreadState* t = CurrentThread();
  WaitSpec w;
  w.kind = ThreadState::WaitKind::kCond;
  w.cond_key = reinterpret_cast<uintptr_t>(cond);
  w.cond = cond;
  w.released = released;
  w.timed = timed;
  w.site_key = SiteHash(at);
  w.caller_pc = LOCKSCOPE_CALLER_PC();
  BeginWait(t, w);
  return 0;
}

void AfterCondWait(CondState* cond, uint64_t token) noexcept {
  (void)cond;
  (void)token;
  KeepErrno keep_errno;
  ReentryGuard guard;
  EndWait(CurrentThread());
}

void OnCondNotify(CondState* cond) noexcept {
  ThreadState* t = tls_thread_state;
  if (t == nullptr) {
    KeepErrno keep_errno;
    ReentryGuard guard;
    t = CurrentThread();
  }
  t->notified.Add(reinterpret_cast<uintptr_t>(cond));
}

bool FutexWaitFor(std::atomic<uint32_t>* word, uint32_t expected,
                  int64_t timeout_ns) noexcept {
  KeepErrno keep_errno;
  if (timeout_ns < 0) {
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr,
            0);
    return true;
  }
  timespec ts;
  ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000);
  ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000);
  const long rc = syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, &ts,
                          nullptr, 0);
  return !(rc == -1 && errno == ETIMEDOUT);
}

uint64_t BeforeInterposedCondWait(const void* cond, ObjectState* released,
                                  bool timed, uint64_t site_pc) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  ThreadState* t = CurrentThread();
  WaitSpec w;
  w.kind = ThreadState::WaitKind::kCond;
  w.cond_key = reinterpret_cast<uintptr_t>(cond);
  w.released = released;
  w.timed = timed;
  w.caller_pc = site_pc;
  BeginWait(t, w);
  return 0;
}

uint64_t BeforeInterposedJoin(uint64_t target, uint64_t site_pc) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  ThreadState* t = CurrentThread();
  WaitSpec w;
  w.kind = ThreadState::WaitKind::kJoin;
  w.join_target = target;
  w.caller_pc = site_pc;
  BeginWait(t, w);
  return 0;
}

void AfterInterposedWait(uint64_t token) noexcept {
  (void)token;
  KeepErrno keep_errno;
  ReentryGuard guard;
  EndWait(CurrentThread());
}

void OnInterposedCondNotify(const void* cond) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  CurrentThread()->notified.Add(reinterpret_cast<uintptr_t>(cond));
}

__attribute__((noinline)) void PublishLockWait(ThreadState* t,
                                               ObjectState* o, Access a,
                                               int64_t now, uint64_t caller) {
  Session& s = Session::Get();
  // PublishLockWait -> BeforeBlock -> the wrapper's lock(), when `caller`
  // is not found.
  constexpr int kSkipFromLockWait = 2;
  const collector::StackId stack = s.CaptureStack(kSkipFromLockWait, caller);
  Holding holding = HeldDuringWait(s, t, nullptr);
  RawMutexLock lock(&t->wait_mu);
  t->wait.waiting_for = o;
  t->wait.waiting_for_id = o->id();
  t->wait.access = a;
  t->wait.since_ns = now;
  ++t->wait.generation;
  t->wait.stack = stack;
  t->wait.holding = std::move(holding.locks);
  t->wait.holding_stacks = std::move(holding.sites);
}

__attribute__((noinline)) void ClearLockWait(ThreadState* t) {
  RawMutexLock lock(&t->wait_mu);
  t->wait.waiting_for = nullptr;
  t->wait.waiting_for_id = 0;
}

}  // namespace lockscope::runtime
#undef LOCKSCOPE_CALLER_PC
