#include "runtime/session.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
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

// The whole of a small file, or what could be read of it: a /proc file of
// a thread that is exiting fails with ESRCH, which must not throw (as
// std::ifstream's underflow does) in the program under test.
std::string ReadFile(const char* path) {
  std::string text;
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      text.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fd);
  return text;
}

// gtest_discover_tests runs test binaries with --gtest_list_tests at build
// time; such a run must not leave a trace behind.
bool IsListingTests() {
  const std::string cmdline = ReadFile("/proc/self/cmdline");
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
  for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (options_.help) std::fputs(OptionsHelp().c_str(), stderr);
  if (IsListingTests()) options_.trace.clear();
  if (!options_.suppressions.empty()) {
    auto s = collector::Suppressions::Load(options_.suppressions);
    if (s.ok()) {
      suppressions_ = *std::move(s);
    } else {
      std::fprintf(stderr, "lockscope: %s; no suppressions in force\n",
                   std::string(s.status().message()).c_str());
    }
  }
  pthread_key_create(&g_thread_key, OnThreadExit);
  {
    RawMutexLock lock(&trace_mu_);
    OpenTrace();
  }
  {
    RawMutexLock lock(&trace_mu_);
    // No trace, nothing to record events for.
    if (writer_ == nullptr) options_.events = EventsMode::kNone;
  }
  InstallSignalHandlers();
  // A failed fork() leaves its errno for the caller to read.
  pthread_atfork(
      [] {
        KeepErrno keep_errno;
        ReentryGuard guard;
        Session::Get().PrepareFork();
      },
      [] {
        KeepErrno keep_errno;
        ReentryGuard guard;
        Session::Get().AfterForkParent();
      },
      [] {
        KeepErrno keep_errno;
        ReentryGuard guard;
        Session::Get().AfterForkChild();
      });
  std::atexit(AtExit);
  StartCollector();
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
  writer_ = *std::move(writer);
  modules_ = ListModules();
  for (const auto& m : modules_) writer_->WriteModule(m);
  (void)writer_->Flush();
  signal_writer_.store(writer_.get(), std::memory_order_release);
}

ThreadState* Session::NewThread() {
  const collector::ThreadId id =
      next_thread_id_.fetch_add(1, std::memory_order_relaxed);
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
  {
    RawMutexLock lock(&registry_mu_);
    threads_.push_back(t);
    thread_info_[id] = info;
  }
  RawMutexLock lock(&trace_mu_);
  if (writer_ != nullptr && !closed_) writer_->WriteThread(info, NowNs());
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
  RefreshThreadName(thread->id());
  {
    RawMutexLock lock(&registry_mu_);
    final_names_.insert(thread->id());
  }
  thread->exited.store(true, std::memory_order_release);
}

void Session::RefreshThreadName(collector::ThreadId id) {
  collector::ThreadInfo info;
  {
    RawMutexLock lock(&registry_mu_);
    auto it = thread_info_.find(id);
    if (it == thread_info_.end() || final_names_.contains(id)) return;
    std::string comm = ReadFile(
        absl::StrCat("/proc/self/task/", it->second.os_tid, "/comm").c_str());
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    if (comm.empty() || comm == it->second.name) return;
    it->second.name = comm;
    info = it->second;
  }
  RawMutexLock lock(&trace_mu_);
  if (writer_ != nullptr && !closed_) writer_->WriteThread(info, NowNs());
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
  o->info.id = next_object_id_.fetch_add(1, std::memory_order_relaxed);
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
  RawMutexLock lock(&registry_mu_);
  live_.insert(o);
  by_id_[o->id()] = o;
  return o;
}

void Session::DestroyObject(ObjectState* object, bool held) {
  if (held) {
    collector::Finding f;
    f.kind = collector::FindingKind::kDestroyedWhileHeld;
    f.objects = {object->id()};
    f.threads = {CurrentThread()->id()};
    f.stack = CaptureStack(3);
    f.message = absl::StrCat(
        std::string(collector::ObjectKindName(object->info.kind)), " '",
        object->info.name,
        "' destroyed while ",
        object->kind == ObjectKind::kCell ? "borrowed" : "held");
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
  bool named = false;
  if (object->in_graph.load(std::memory_order_acquire)) {
    RawMutexLock lock(&graph_mu_);
    analyzer_.RemoveObject(object->id());
    named = named_by_findings_.contains(object->id());
  }
  const bool announced = object->announced.load(std::memory_order_acquire);
  uint64_t written = 0;
  {
    RawMutexLock lock(&registry_mu_);
    live_.erase(object);
    by_id_.erase(object->id());
    if (named || held) retired_[object->id()] = object->info;
    written = object->written_acquisitions;
  }
  if (announced) {
    const collector::ObjectCounters c = SnapshotCounters(*object);
    RawMutexLock lock(&trace_mu_);
    if (writer_ != nullptr && !closed_) {
      if (c.acquisitions != written) {
        writer_->WriteCounters(c);
      }
      writer_->WriteDestroyed(object->id(), NowNs());
      // Programs that churn objects write faster than the periodic flush
      // drains; keep the buffer (and so the resident size) bounded.
      if (writer_->buffered() > kMaxBufferedBytes) (void)writer_->Flush();
    }
  }
  // Another thread may still hold an object destroyed while held; keep it
  // (reachable, so leak checkers see a deliberate keep, not a leak).
  if (held) {
    RawMutexLock lock(&registry_mu_);
    abandoned_.push_back(object);
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
  RawMutexLock lock(&trace_mu_);
  if (object->announced.load(std::memory_order_relaxed)) return;
  WriteObjectLocked(*object);
  object->announced.store(true, std::memory_order_release);
}

void Session::OwnerChanged(ObjectState* cell) {
  Announce(cell);
  RawMutexLock lock(&trace_mu_);
  WriteObjectLocked(*cell);
}

void Session::WriteObjectLocked(const ObjectState& object) {
  if (writer_ == nullptr || closed_) return;
  if (writer_->buffered() > kMaxBufferedBytes) (void)writer_->Flush();
  collector::ObjectInfo info = object.info;
  info.owner_thread = object.owner_thread.load(std::memory_order_relaxed);
  writer_->WriteObject(info);
}

collector::StackId Session::CaptureStack(int skip, uint64_t caller_pc) {
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
  bool is_new = false;
  // Interned and written under one lock: a thread that finds the stack
  // already interned may write a record naming it at once, and the trace
  // must define the stack before that record.
  RawMutexLock lock(&trace_mu_);
  const collector::StackId id = depot_.Intern(pcs, &is_new);
  if (is_new && writer_ != nullptr && !closed_) {
    writer_->WriteStack(id, pcs.data(), pcs.size());
  }
  return id;
}

void Session::AddEdges(const std::vector<collector::EdgeObservation>& edges) {
  std::vector<collector::Finding> findings;
  {
    RawMutexLock lock(&graph_mu_);
    for (const collector::EdgeObservation& e : edges) {
      for (collector::ObjectId id : {e.from, e.to}) {
        ObjectState* o = nullptr;
        {
          RawMutexLock rlock(&registry_mu_);
          auto it = by_id_.find(id);
          if (it != by_id_.end()) o = it->second;
        }
        if (o != nullptr && !o->in_graph.exchange(true)) {
          analyzer_.AddObject(o->info);
        }
      }
      collector::EdgeUpdate update = analyzer_.AddEdge(e);
      if (update.gates_changed) {
        const collector::EdgeState* state = analyzer_.FindEdge(e.from, e.to);
        if (state != nullptr) {
          RawMutexLock tlock(&trace_mu_);
          if (writer_ != nullptr && !closed_) {
            writer_->WriteEdge(update.new_edge ? e : state->first,
                               state->gates, state->count);
          }
        }
      }
      for (collector::Finding& f : update.findings) {
        // Recorded under graph_mu_, so an object destroyed before this
        // finding is reported is still retired (see DestroyObject).
        named_by_findings_.insert(f.objects.begin(), f.objects.end());
        named_by_findings_.insert(f.guarded_by.begin(), f.guarded_by.end());
        for (const collector::FindingEdge& fe : f.edges) {
          named_by_findings_.insert({fe.from, fe.to});
        }
        findings.push_back(std::move(f));
      }
    }
  }
  for (collector::Finding& f : findings) EmitFinding(std::move(f));
}

std::vector<collector::Finding> Session::TestOnlyFindings() {
  RawMutexLock lock(&findings_mu_);
  std::vector<collector::Finding> out;
  for (const auto& [id, f] : findings_) out.push_back(f);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace lockscope::runtime
