#include "runtime/session.h"

#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "runtime/findings_factory.h"
#include "runtime/keep_errno.h"
#include "runtime/lock_names.h"
#include "runtime/secure_mode.h"
#include "runtime/proc_file.h"
#include "runtime/interpose_support.h"
#include "runtime/keep_errno.h"
#include "runtime/reentry.h"
#include "runtime/watchdog.h"

namespace lockscope::runtime {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

namespace {

int64_t UnixNowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// gtest_discover_tests runs test binaries with --gtest_list_tests at build
// time; such a run must not leave a trace behind.
bool IsListingTests() {
  const std::string cmdline = ReadSmallFile("/proc/self/cmdline");
  return cmdline.find("--gtest_list_tests") != std::string::npos;
}

std::string Executable() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string Basename(const char* path) {
  if (path == nullptr) return "";
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? std::string(slash + 1) : std::string(path);
}

// Fatal signals: flush what the trace writer has buffered, then let the
// previous disposition run.
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
struct sigaction g_previous[std::size(kFatalSignals)];

void OnFatalSignal(int sig, siginfo_t*, void*) {
  ReentryGuard guard;
  Session::Get().FlushFromSignal();
  for (size_t i = 0; i < std::size(kFatalSignals); ++i) {
    if (kFatalSignals[i] == sig) sigaction(sig, &g_previous[i], nullptr);
  }
  raise(sig);
}

void InstallSignalHandlers() {
  for (size_t i = 0; i < std::size(kFatalSignals); ++i) {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = OnFatalSignal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(kFatalSignals[i], &sa, &g_previous[i]);
  }
}

void AtExit() {
  ReentryGuard guard;
  Session& s = Session::Get();
  s.Shutdown("exit");
  const int code = s.options().exitcode;
  if (code != 0 && s.failing_findings() > 0) {
    std::fflush(nullptr);
    _exit(code);
  }
}

pthread_key_t g_thread_key;

void OnThreadExit(void* p) {
  ReentryGuard guard;
  auto* t = static_cast<ThreadState*>(p);
  tls_thread_state = nullptr;
  Session::Get().ThreadExited(t);
}

}  // namespace

constinit thread_local ThreadState* tls_thread_state = nullptr;
constinit thread_local bool tls_in_runtime = false;

ThreadState* CurrentThreadSlow() {
  KeepErrno keep_errno;
  ReentryGuard guard;
  ThreadState* t = Session::Get().NewThread();
  tls_thread_state = t;
  pthread_setspecific(g_thread_key, t);
  return t;
}

Session& Session::Get() {
  static Session* const session = [] {
    auto* s = new Session();
    s->Init();
    return s;
  }();
  return *session;
}

Session::Session() = default;

void Session::Init() {
  ReentryGuard init_guard;
  start_ns_ = NowNs();
  std::vector<std::string> errors;
  const char* env = std::getenv("LOCKSCOPE_OPTIONS");
  options_ = ParseOptions(env != nullptr ? env : "", &errors);
  if (options_.help) std::fputs(OptionsHelp().c_str(), stderr);
  // Bad options refuse to run, as a sanitizer's do: a run with settings
  // other than the ones asked for is worse than none. _exit: nothing of the
  // runtime is set up yet, and the program may be mid-initialization.
  if (!errors.empty()) {
    for (size_t i = 0; i < errors.size(); ++i) {
      std::fprintf(stderr, "%s%s\n", errors[i].c_str(),
                   i + 1 == errors.size()
                       ? absl::StrCat("; exiting with status ",
                                      kBadOptionsExitStatus)
                             .c_str()
                       : "");
    }
    _exit(kBadOptionsExitStatus);
  }
  if (IsListingTests()) options_.trace.clear();
  // Setuid and the like: whoever runs the program may not pick its files.
  if (InSecureExecution()) {
    const std::string why = DropFileOptions(&options_);
    if (!why.empty()) std::fprintf(stderr, "%s\n", why.c_str());
  }
  if (!options_.suppressions.empty()) {
    auto s = collector::Suppressions::Load(options_.suppressions);
    if (s.ok()) {
      suppressions_ = *std::move(s);
    } else {
      std::fprintf(stderr, "lockscope: %s; no suppressions in force\n",
                   std::string(s.status().message()).c_str());
    }
  }
  if (!options_.lock_order.empty()) LoadDeclaredOrder();
  pthread_key_create(&g_thread_key, OnThreadExit);
  OpenTrace();
  // No trace, nothing to record events for.
  if (!trace_.opened()) options_.events = EventsMode::kNone;
  InstallSignalHandlers();
  // A failed fork() leaves its errno for the caller to read.
  pthread_atfork(
      [] {
        KeepErrno keep_errno;
        ReentryGuard guard;
        LockNamesPrepareFork();
        Session::Get().PrepareFork();
      },
      [] {
        KeepErrno keep_errno;
        ReentryGuard guard;
        Session::Get().AfterForkParent();
        LockNamesAfterFork();
      },
      [] {
        KeepErrno keep_errno;
        ReentryGuard guard;
        Session::Get().AfterForkChild();
        LockNamesAfterFork();
      });
  std::atexit(AtExit);
  StartBackgroundThread();
  if (watchdog_enabled()) StartWatchdog(this, options_.watchdog_ms);
}

void Session::OpenTrace() {
  if (options_.trace.empty()) return;
  const std::string path = ExpandTracePath(options_.trace, getpid());
  collector::TraceHeaderInfo header;
  header.pid = getpid();
  header.executable = Executable();
  header.start_unix_ns = UnixNowNs();
  header.start_clock_ns = start_ns_;
  header.options = options_.source;
  header.events_mode = std::string(EventsModeName(options_.events));
  auto writer = collector::TraceWriter::Create(path, header);
  if (!writer.ok()) {
    std::fprintf(stderr, "lockscope: %s; continuing without a trace\n",
                 std::string(writer.status().message()).c_str());
    return;
  }
  trace_.Attach(*std::move(writer));
}

ThreadState* Session::NewThread() {
  const collector::ThreadId id = registry_.NextThreadId();
  const int64_t tid = static_cast<int64_t>(syscall(SYS_gettid));
  auto* t = new ThreadState(id, tid);
  t->events_all = options_.events == EventsMode::kAll;
  t->events_any = options_.events != EventsMode::kNone;
  t->watchdog = watchdog_enabled();
  collector::ThreadInfo info;
  info.id = id;
  info.os_tid = tid;
  char name[64] = {0};
  if (pthread_getname_np(pthread_self(), name, sizeof(name)) == 0) {
    info.name = name;
  }
  registry_.AddThread(t, info);
  trace_.WriteThread(info, NowNs());
  return t;
}

void Session::ThreadExited(ThreadState* thread) {
  if (!thread->held.empty()) {
    std::fprintf(stderr,
                 "lockscope: warning: thread %u (tid %lld) exited holding %zu "
                 "lock(s)\n",
                 thread->id(), static_cast<long long>(thread->os_tid()),
                 thread->held.size());
  }
  // The exiting thread reads its own name (prctl, no file to open: a
  // thread that starts and ends pays for it).
  char own[17] = {0};
  const bool named = prctl(PR_GET_NAME, own, 0, 0, 0) == 0;
  RefreshThreadName(thread->id(), named ? own : nullptr);
  registry_.NameIsFinal(thread->id());
  thread->exited.store(true, std::memory_order_release);
}

void Session::RefreshThreadName(collector::ThreadId id,
                                const char* own_name) {
  collector::ThreadInfo info;
  if (registry_.RefreshName(id, &info, own_name)) {
    trace_.WriteThread(info, NowNs());
  }
}

// The hooks' enums (public, instrument/) and the model's (collector/) are
// kept apart so that neither side includes the other; these tie them.
static_assert(static_cast<int>(ObjectKind::kMutex) ==
              static_cast<int>(collector::ObjectKind::kMutex));
static_assert(static_cast<int>(ObjectKind::kRwLock) ==
              static_cast<int>(collector::ObjectKind::kRwLock));
static_assert(static_cast<int>(ObjectKind::kCell) ==
              static_cast<int>(collector::ObjectKind::kCell));
static_assert(static_cast<int>(Access::kShared) ==
              static_cast<int>(collector::Access::kShared));
static_assert(static_cast<int>(Access::kExclusive) ==
              static_cast<int>(collector::Access::kExclusive));

ObjectState* Session::NewObject(ObjectKind kind, std::string_view name,
                                const Site& created) {
  auto* o = new ObjectState();
  o->kind = kind;
  o->info.id = registry_.NextObjectId();
  o->info.kind = static_cast<collector::ObjectKind>(kind);
  o->info.created.file = created.file != nullptr ? created.file : "";
  o->info.created.function = created.function != nullptr ? created.function : "";
  o->info.created.line = created.line;
  const std::string site =
      absl::StrCat(Basename(created.file), ":", created.line);
  o->info.name = name.empty() ? site : std::string(name);
  o->info.class_name = o->info.name;
  ThreadState* t = CurrentThread();
  o->info.created_thread = t->id();
  o->info.owner_thread = t->id();
  o->owner_thread.store(t->id(), std::memory_order_relaxed);
  registry_.AddObject(o);
  return o;
}

void Session::DestroyObject(ObjectState* object, bool held) {
  if (held) {
    const collector::ThreadId thread = CurrentThread()->id();
    collector::Finding f =
        DestroyedWhileHeldFinding(thread, *object, CaptureStack(3));
    Announce(object);
    Report(std::move(f), 0);
  }
  // Forget the object in this thread's held stack, if it is there.
  if (ThreadState* t = tls_thread_state) {
    for (size_t i = 0; i < t->held.size(); ++i) {
      if (t->held[i].object == object) {
        t->held.erase(t->held.begin() + static_cast<ptrdiff_t>(i));
        t->RekeyFrom(i);
        break;
      }
    }
  }
  // Only objects a finding names need their info after death (reports
  // and DescribeFinding look them up); keeping every graph object's would
  // grow without bound.
  const bool in_findings =
      object->in_graph.load(std::memory_order_acquire) &&
      lock_order_.RemoveObject(object->id());
  const bool named =
      in_findings || object->named_by_finding.load(std::memory_order_acquire);
  const bool announced = object->announced.load(std::memory_order_acquire);
  const uint64_t written = registry_.RemoveObject(object, named || held);
  if (announced) {
    trace_.WriteDestroyed(SnapshotCounters(*object), written, NowNs());
  }
  // Another thread may still hold an object destroyed while held; keep it
  // (reachable, so leak checkers see a deliberate keep, not a leak).
  if (held) {
    registry_.Abandon(object);
  } else {
    delete object;
  }
}

}  // namespace lockscope::runtime

namespace lockscope::runtime {

void Session::Announce(ObjectState* object) {
  if (object->announced.load(std::memory_order_acquire)) return;
  const collector::StackId stack = CaptureStack(3);
  collector::StackId expected = 0;
  object->first_stack.compare_exchange_strong(expected, stack,
                                              std::memory_order_relaxed);
  trace_.AnnounceObject(object);
}

void Session::OwnerChanged(ObjectState* cell) {
  Announce(cell);
  trace_.WriteObject(*cell);
}

// Never inlined: `skip` counts this function's frame (the + 1 below).
__attribute__((noinline)) collector::StackId Session::CaptureStack(
    int skip, uint64_t caller_pc) {
  // Frame counting alone is brittle (cold-section splitting, tail calls):
  // when the hook's return address is known, cut the stack exactly there.
  constexpr int kSlack = 8;
  std::vector<uint64_t> pcs = runtime::CaptureStack(
      caller_pc != 0 ? 1 : skip + 1,
      options_.stack_depth + (caller_pc != 0 ? kSlack : 0));
  if (caller_pc != 0) {
    auto it = std::find(pcs.begin(), pcs.end(), caller_pc);
    const size_t cut = it != pcs.end()
                           ? static_cast<size_t>(it - pcs.begin())
                           : std::min<size_t>(pcs.size(), skip);
    pcs.erase(pcs.begin(), pcs.begin() + static_cast<ptrdiff_t>(cut));
    if (pcs.size() > static_cast<size_t>(options_.stack_depth)) {
      pcs.resize(options_.stack_depth);
    }
  }
  TrimInterposerFrames(&pcs);  // interposed: start at the pthread_* caller
  if (pcs.empty()) return 0;
  return trace_.InternStack(pcs);
}

collector::StackId Session::SiteStack(collector::StackId chain_stack,
                                     uint64_t site_pc) {
  if (site_pc == 0 || InInterposer(site_pc)) return chain_stack;
  if (chain_stack != 0) {
    const std::vector<uint64_t> pcs = trace_.StackPcs(chain_stack);
    if (!pcs.empty() && pcs.front() == site_pc) return chain_stack;
  }
  return trace_.InternStack({site_pc});
}

collector::StackId Session::HeldSiteStack(const HeldLock& held) {
  const collector::StackId site = SiteStack(held.stack, held.site_pc);
  return site != 0 ? site
                   : held.object->first_stack.load(std::memory_order_relaxed);
}

std::vector<collector::FindingBorrow> Session::OutstandingBorrows(
    const ObjectState* cell) {
  std::vector<collector::FindingBorrow> out;
  registry_.ForEachThread([&](const ThreadState& t) {
    t.borrows.ForEachOf(cell, [&](const runtime::OutstandingBorrows::Entry& e) {
      constexpr auto r = std::memory_order_relaxed;
      collector::FindingBorrow b;
      b.thread = t.id();
      b.access = e.exclusive.load(r) ? collector::Access::kExclusive
                                     : collector::Access::kShared;
      if (const char* file = e.file.load(r); file != nullptr) b.site.file = file;
      if (const char* fn = e.function.load(r); fn != nullptr) {
        b.site.function = fn;
      }
      b.site.line = e.line.load(r);
      b.stack = e.stack.load(r);
      out.push_back(std::move(b));
    });
  });
  return out;
}

void Session::AddEdges(const std::vector<collector::EdgeObservation>& edges) {
  std::vector<collector::Finding> findings =
      lock_order_.AddEdges(edges, &registry_, &trace_);
  for (collector::Finding& f : findings) EmitFinding(std::move(f));
  if (declared_order_ != nullptr) CheckDeclaredOrder(edges);
}

void Session::LoadDeclaredOrder() {
  absl::StatusOr<collector::DeclaredLockOrder> order =
      collector::DeclaredLockOrder::Load(options_.lock_order);
  if (!order.ok()) {
    // Never run with half an order: the run would check less than the
    // file says and pass.
    std::fprintf(stderr,
                 "lockscope: LOCKSCOPE_OPTIONS: lock_order: %s; stopping "
                 "(fix the file or drop the option)\n",
                 std::string(order.status().message()).c_str());
    std::fflush(stderr);
    std::_Exit(kBadLockOrderExit);
  }
  declared_order_ = std::make_unique<const collector::DeclaredLockOrder>(
      *std::move(order));
}

void Session::CheckDeclaredOrder(
    const std::vector<collector::EdgeObservation>& edges) {
  for (const collector::EdgeObservation& edge : edges) {
    // The edge comes from the newest held lock only (lockdep's rule), so
    // the older held locks are checked against `to` here too: holding
    // [ledger, x] and taking accounts forms only x -> accounts.
    std::vector<collector::EdgeObservation> pairs{edge};
    for (size_t i = 0; i < edge.held.size(); ++i) {
      collector::EdgeObservation older = edge;
      older.from = edge.held[i];
      older.from_stack =
          i < edge.held_stacks.size() ? edge.held_stacks[i] : 0;
      pairs.push_back(std::move(older));
    }
    for (const collector::EdgeObservation& e : pairs) {
      CheckDeclaredPair(e);
    }
  }
}

void Session::CheckDeclaredPair(const collector::EdgeObservation& e) {
  {
    // Both are alive: this thread holds `from` and is taking `to`.
    ObjectState* from = registry_.Find(e.from);
    ObjectState* to = registry_.Find(e.to);
    if (from == nullptr || to == nullptr) return;
    std::optional<collector::Finding> finding =
        declared_order_->Check(e, from->info, to->info);
    if (!finding) return;
    // One report per pair of names, however many instances or threads.
    std::string names = "lock-order-violation";
    names.push_back('\0');
    names += from->info.name;
    names.push_back('\0');
    names += to->info.name;
    const uint64_t key = std::hash<std::string>{}(names) | 1;
    // Both objects joined the graph in AddEdges above.
    lock_order_.KeepObjectsOf(*finding);
    Report(*std::move(finding), key);
  }
}

std::vector<collector::Finding> Session::TestOnlyFindings() {
  return findings_.All();
}

}  // namespace lockscope::runtime
