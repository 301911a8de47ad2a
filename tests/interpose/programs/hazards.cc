// tests/interpose/programs/hazards.cc — programs that are hard on an
// interposer (plain C++ and pthreads, no lockscope include). None may
// crash, hang or deadlock under `lockscope run`;
// tests/interpose/patterns_test.cc checks each one's exit status and output.
//
// Every mode also runs the static initializer below, which locks a mutex and
// starts and joins a thread before main (while the runtime may still be
// starting).
//
// Usage: hazards MODE
//   no_thread     never makes a thread (beyond the initializer's); locks a
//                 mutex, prints, exits 0.
//   atexit        locks mutexes in exit handlers and static destructors,
//                 some registered before the runtime's and some after, one
//                 registered while exit runs; nested in one order only.
//   malloc        locks in memory from malloc/calloc/realloc, moved by
//                 realloc and freed while other locks are held; frees from
//                 two threads while holding locks.
//   fork          a thread keeps taking new locks while main forks 8
//                 times; each child takes child_b_mu -> child_a_mu, the
//                 last one also child_a_mu -> child_b_mu first (a cycle:
//                 it must exit 66, the others 0) and prints "child PID".
//                 The parent has no finding.
//   fork_exec     fork, then exec this program (no_thread) in the child.
//   exit_holding  exit(0) while one thread holds a lock and another waits
//                 on it.
//   signal        a thread interrupts main with SIGUSR1 200 times while
//                 main takes main_mu in a loop; the handler takes
//                 signal_mu.
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

std::mutex init_mu;
std::mutex exit_outer_mu;
std::mutex exit_inner_mu;
std::mutex heap_guard_mu;
std::mutex churn_mu;
std::mutex child_a_mu;
std::mutex child_b_mu;
std::mutex held_at_exit_mu;
std::mutex main_mu;
std::mutex signal_mu;

namespace {

const char* g_self = nullptr;

// Before main: a lock and a thread, while the preloaded runtime may be
// starting up itself.
const bool kInitialized = [] {
  std::thread t;
  {
    std::lock_guard<std::mutex> g(init_mu);
    t = std::thread([] { std::lock_guard<std::mutex> g2(exit_inner_mu); });
  }
  t.join();  // after init_mu: a join while holding it is a note
  return true;
}();

void NestedExitLocks() {
  std::lock_guard<std::mutex> outer(exit_outer_mu);
  std::lock_guard<std::mutex> inner(exit_inner_mu);
}

// Destroyed during exit, after main's own handlers ran.
struct ExitLocker {
  ~ExitLocker() { NestedExitLocks(); }
};
ExitLocker exit_locker;

__attribute__((destructor)) void DestructorLocks() { NestedExitLocks(); }

void LateHandler() {
  NestedExitLocks();
  std::fputs("late handler done\n", stdout);
  std::fflush(stdout);
}

void HandlerThatRegisters() {
  NestedExitLocks();
  std::atexit(LateHandler);
}

int NoThread() {
  for (int i = 0; i < 3; ++i) {
    std::lock_guard<std::mutex> g(main_mu);
  }
  std::puts("no_thread ok");
  return 0;
}

int AtExit() {
  std::atexit(HandlerThatRegisters);
  NestedExitLocks();
  std::puts("main done");
  return 0;
}

void* Malloced(size_t bytes) {
  void* p = std::malloc(bytes);
  if (p == nullptr) std::abort();
  return p;
}

void MallocWork() {
  for (int i = 0; i < 2000; ++i) {
    auto* mu = static_cast<pthread_mutex_t*>(Malloced(sizeof(pthread_mutex_t)));
    pthread_mutex_init(mu, nullptr);
    {
      std::lock_guard<std::mutex> g(heap_guard_mu);
      pthread_mutex_lock(mu);
      void* scratch = std::calloc(16, 64);
      pthread_mutex_unlock(mu);
      std::free(scratch);
    }
    // Moved by realloc with its bytes (never locked while moving): the old
    // address is freed, the new one is a lock first used below.
    mu = static_cast<pthread_mutex_t*>(
        std::realloc(mu, sizeof(pthread_mutex_t) * (i % 4 + 1) * 64));
    if (mu == nullptr) std::abort();
    pthread_mutex_lock(mu);
    std::string s(100, 'x');  // allocation and free with a lock held
    pthread_mutex_unlock(mu);
    std::free(mu);  // freed without pthread_mutex_destroy, like std::mutex
  }
}

int Malloc() {
  std::thread other(MallocWork);
  MallocWork();
  other.join();
  std::puts("malloc ok");
  return 0;
}

int Fork() {
  int stop[2];
  if (pipe(stop) != 0) return 1;
  fcntl(stop[0], F_SETFL, O_NONBLOCK);
  std::thread churn([&stop] {
    char c;
    while (read(stop[0], &c, 1) != 1) {
      auto mu = std::make_unique<std::mutex>();
      std::lock_guard<std::mutex> g(churn_mu);
      std::lock_guard<std::mutex> g2(*mu);
    }
  });
  int failures = 0;
  constexpr int kChildren = 8;
  for (int i = 0; i < kChildren; ++i) {
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      // The child keeps running with the one thread fork gave it (churn_mu
      // may have been held by the other thread: the child never takes it).
      if (i == kChildren - 1) {
        std::printf("child %d\n", static_cast<int>(getpid()));
        std::lock_guard<std::mutex> a(child_a_mu);
        std::lock_guard<std::mutex> b(child_b_mu);
      }
      {
        std::lock_guard<std::mutex> b(child_b_mu);
        std::lock_guard<std::mutex> a(child_a_mu);
      }
      std::exit(0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 1;
    // The last child has a finding: its exit status is lockscope's (66).
    const int expected = i == kChildren - 1 ? 66 : 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != expected) {
      std::fprintf(stderr, "hazards: child %d: status 0x%x\n", i, status);
      ++failures;
    }
  }
  if (write(stop[1], "x", 1) != 1) return 1;
  churn.join();
  std::printf("children %d, failures %d\n", kChildren, failures);
  return failures == 0 ? 0 : 1;
}

int ForkExec() {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    execl(g_self, g_self, "no_thread", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return 1;
  std::printf("exec'd child status %d\n",
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int ExitHolding() {
  int held[2], never[2];
  if (pipe(held) != 0 || pipe(never) != 0) return 1;
  std::thread holder([&] {
    held_at_exit_mu.lock();
    if (write(held[1], "h", 1) != 1) std::abort();
    char c;
    (void)read(never[0], &c, 1);  // never written: blocks until exit
  });
  char c;
  if (read(held[0], &c, 1) != 1) return 1;
  std::thread waiter([] { held_at_exit_mu.lock(); });  // waits forever
  holder.detach();
  waiter.detach();
  std::puts("exiting with a lock held");
  std::fflush(stdout);
  std::exit(0);
}

sem_t g_handled;
std::atomic<int> g_signals{0};

void OnSignal(int) {
  {
    std::lock_guard<std::mutex> g(signal_mu);
    g_signals.fetch_add(1, std::memory_order_relaxed);
  }
  sem_post(&g_handled);
}

int Signal() {
  sem_init(&g_handled, 0, 0);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, nullptr);
  constexpr int kSignals = 200;
  std::atomic<bool> done{false};
  const pthread_t main_thread = pthread_self();
  std::thread sender([&] {
    for (int i = 0; i < kSignals; ++i) {
      pthread_kill(main_thread, SIGUSR1);
      while (sem_wait(&g_handled) != 0) {
      }
    }
    done.store(true);
  });
  long loops = 0;
  while (!done.load()) {
    std::lock_guard<std::mutex> g(main_mu);
    ++loops;
  }
  sender.join();
  std::printf("signals handled %d\n", g_signals.load());
  return g_signals.load() == kSignals ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  g_self = argv[0];
  const std::string mode = argc > 1 ? argv[1] : "";
  if (!kInitialized) return 1;
  if (mode == "no_thread") return NoThread();
  if (mode == "atexit") return AtExit();
  if (mode == "malloc") return Malloc();
  if (mode == "fork") return Fork();
  if (mode == "fork_exec") return ForkExec();
  if (mode == "exit_holding") return ExitHolding();
  if (mode == "signal") return Signal();
  std::fprintf(stderr, "hazards: unknown mode '%s'\n", mode.c_str());
  return 2;
}
