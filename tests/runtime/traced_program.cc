// A tracked program that trace_e2e_test.cc runs as a child process, so the
// trace it writes can be read back after a clean exit, a kill or a crash.
//
//   traced_program counts N      2 threads x N lock/unlock pairs, events=all
//   traced_program kill          an inversion (a finding), then SIGKILL
//   traced_program abort         an inversion, some events, then abort()
//   traced_program segv          an inversion, then a null dereference
//   traced_program fork          fork; parent and child each make a finding
//   traced_program inversion     an inversion (a finding), then exit 0
//   traced_program rename        a thread takes a lock, then names itself
//                                "renamed_late" and exits
//   traced_program inversion-pause  an inversion, then at EOF on stdin a
//                                line on stderr, then exit 0
//                                (exit_status_test.cc)
//   traced_program events-pause N  N lock/unlock pairs of one lock, no
//                                finding; print "ready", _exit at EOF on stdin
//
// Reliability modes (durability_test.cc, limits_test.cc):
//   traced_program stream HOW N  two workers lock/unlock (own, then shared)
//                                without end; once each did N rounds, main
//                                makes an inversion and dies mid-stream by
//                                HOW: kill (SIGKILL), abort, segv, or exit
//                                (_exit: no atexit, nothing drained), or
//                                pause (the workers stop between rounds,
//                                the process lives on: print "ready", _exit
//                                at EOF on stdin)
//   traced_program static-atexit locks used from a static initializer,
//                                from an atexit handler that runs before the
//                                trace is closed, and from one that runs after
//   traced_program fsize BYTES N counts N under RLIMIT_FSIZE=BYTES (a disk
//                                that fills up mid-run; SIGXFSZ ignored)
//   traced_program fork-held     fork while another thread holds a lock; the
//                                child makes a finding; prints "CHILD_PID
//                                CHILD_STATUS PARENT_PID"
//   traced_program threads T N   T threads x N rounds of (own, shared)
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lockscope/lockscope.h"

namespace {

void Inversion(const char* a_name, const char* b_name) {
  lockscope::Mutex a{a_name}, b{b_name};
  std::thread([&] {
    std::lock_guard<lockscope::Mutex> ga(a);
    std::lock_guard<lockscope::Mutex> gb(b);
  }).join();
  std::thread([&] {
    std::lock_guard<lockscope::Mutex> gb(b);
    std::lock_guard<lockscope::Mutex> ga(a);
  }).join();
}

int Counts(int n) {
  lockscope::Mutex shared_mu{"shared"};
  lockscope::AppCell<int> cell{0, "cell"};
  auto work = [&](const char* name) {
    lockscope::Mutex own{name};
    for (int i = 0; i < n; ++i) {
      std::lock_guard<lockscope::Mutex> g(own);
      std::lock_guard<lockscope::Mutex> s(shared_mu);
    }
  };
  std::thread t1(work, "own1");
  std::thread t2(work, "own2");
  for (int i = 0; i < n; ++i) *cell.borrow_mut() += 1;
  t1.join();
  t2.join();
  return 0;
}

// Blocks until Signal() was called; a one-shot absl::Notification with std
// primitives (no sleeps anywhere in these programs).
class Notification {
 public:
  void Notify() {
    std::lock_guard<std::mutex> g(mu_);
    done_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> g(mu_);
    cv_.wait(g, [this] { return done_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

// Two named workers lock (own, shared) forever; main dies mid-stream once
// each did `rounds` rounds, right after making a finding.
[[noreturn]] void Stream(const std::string& how, long rounds) {
  auto* shared_mu = new lockscope::Mutex("stream_shared");
  Notification ready[2], paused[2], never;
  std::atomic<bool> pause{false};
  auto work = [&](int index) {
    pthread_setname_np(pthread_self(), index == 0 ? "stream1" : "stream2");
    lockscope::Mutex own{index == 0 ? "stream_own1" : "stream_own2"};
    for (long i = 0;; ++i) {
      if (pause.load(std::memory_order_relaxed)) {
        paused[index].Notify();
        never.Wait();
      }
      std::lock_guard<lockscope::Mutex> g(own);
      std::lock_guard<lockscope::Mutex> s(*shared_mu);
      if (i == rounds) ready[index].Notify();
    }
  };
  // Never joined: the process dies with them running (or paused).
  new std::thread(work, 0);
  new std::thread(work, 1);
  ready[0].Wait();
  ready[1].Wait();
  if (how == "pause") {
    // Between two rounds, holding nothing; the collector thread still runs.
    pause.store(true, std::memory_order_relaxed);
    paused[0].Wait();
    paused[1].Wait();
  }
  Inversion("stream_a", "stream_b");
  if (how == "kill") raise(SIGKILL);
  if (how == "abort") std::abort();
  if (how == "segv") {
    volatile int* p = nullptr;
    *p = 1;
  }
  if (how == "pause") {
    std::printf("ready\n");
    std::fflush(stdout);
    char c;
    while (read(STDIN_FILENO, &c, 1) > 0) {
    }
  }
  _exit(3);
}

// static-atexit. Runs from .init_array, before main and before the
// runtime's own static initializers (this object file is linked first);
// glibc passes argc/argv to such functions.
constexpr int kStaticRounds = 100;
lockscope::Mutex* g_static_mu = nullptr;

void LateAtExit() {
  // Registered before lockscope started, so it runs after lockscope's own
  // exit handler closed the trace: every hook must still work.
  lockscope::Mutex late{"atexit_late_mu"};
  for (int i = 0; i < kStaticRounds; ++i) {
    std::lock_guard<lockscope::Mutex> a(*g_static_mu);
    std::lock_guard<lockscope::Mutex> b(late);
  }
  std::printf("late-atexit-ok\n");
  std::fflush(stdout);
}

void EarlyAtExit() {
  // Registered in main, after lockscope started: runs before the trace is
  // closed, so its events are in it.
  lockscope::Mutex early{"atexit_early_mu"};
  for (int i = 0; i < kStaticRounds; ++i) {
    std::lock_guard<lockscope::Mutex> a(*g_static_mu);
    std::lock_guard<lockscope::Mutex> b(early);
  }
}

__attribute__((constructor)) void StaticInit(int argc, char** argv, char**) {
  if (argc < 2 || std::strcmp(argv[1], "static-atexit") != 0) return;
  std::atexit(LateAtExit);
  g_static_mu = new lockscope::Mutex("static_init_mu");
  static lockscope::Mutex local_static{"static_local_mu"};
  for (int i = 0; i < kStaticRounds; ++i) {
    std::lock_guard<lockscope::Mutex> a(*g_static_mu);
    std::lock_guard<lockscope::Mutex> b(local_static);
  }
}

int StaticAtExit() {
  std::atexit(EarlyAtExit);
  std::lock_guard<lockscope::Mutex> a(*g_static_mu);
  return 0;
}

int FileSizeLimit(long bytes, int n) {
  struct rlimit limit;
  limit.rlim_cur = limit.rlim_max = static_cast<rlim_t>(bytes);
  if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 2;
  signal(SIGXFSZ, SIG_IGN);
  const int status = Counts(n);
  std::printf("continued\n");
  return status;
}

int ForkHeld() {
  lockscope::Mutex held_mu{"held_across_fork"};
  Notification holding, release;
  std::thread holder([&] {
    std::lock_guard<lockscope::Mutex> g(held_mu);
    holding.Notify();
    release.Wait();
  });
  holding.Wait();
  const pid_t child = fork();
  if (child == 0) {
    // Only this thread exists here; held_mu stays locked forever (as any
    // mutex would), but every other lock works and findings are recorded.
    Inversion("forked_a", "forked_b");
    lockscope::Mutex after{"after_fork"};
    std::lock_guard<lockscope::Mutex> g(after);
    std::exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  release.Notify();
  holder.join();
  std::printf("%d %d %d\n", static_cast<int>(child),
              WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
              static_cast<int>(getpid()));
  return 0;
}

int Threads(int count, int n) {
  lockscope::Mutex shared_mu{"threads_shared"};
  std::vector<std::thread> threads;
  for (int t = 0; t < count; ++t) {
    threads.emplace_back([&shared_mu, n, t] {
      lockscope::Mutex own{"threads_own_" + std::to_string(t)};
      for (int i = 0; i < n; ++i) {
        std::lock_guard<lockscope::Mutex> g(own);
        std::lock_guard<lockscope::Mutex> s(shared_mu);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: traced_program counts N|kill|abort|segv|fork\n");
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "counts" && argc == 3) return Counts(std::atoi(argv[2]));
  if (mode == "inversion") {
    Inversion("exit_a", "exit_b");
    return 0;
  }
  if (mode == "rename") {
    lockscope::Mutex mu{"rename_mu"};
    std::thread([&] {
      std::lock_guard<lockscope::Mutex> g(mu);
      pthread_setname_np(pthread_self(), "renamed_late");
    }).join();
    return 0;
  }
  if (mode == "inversion-pause") {
    // The report is the collector thread's to print; it must not wait for
    // the exit (nor for flush_ms) to do so. The parent closes stdin once it
    // has read the report.
    Inversion("pause_a", "pause_b");
    char c;
    while (read(STDIN_FILENO, &c, 1) > 0) {
    }
    std::fputs("traced_program: still running\n", stderr);
    return 0;
  }
  if (mode == "events-pause" && argc == 3) {
    lockscope::Mutex mu{"live_events"};
    for (int i = 0, n = std::atoi(argv[2]); i < n; ++i) {
      std::lock_guard<lockscope::Mutex> g(mu);
    }
    std::printf("ready\n");
    std::fflush(stdout);
    char c;
    while (read(STDIN_FILENO, &c, 1) > 0) {
    }
    _exit(3);
  }
  if (mode == "kill") {
    Inversion("kill_a", "kill_b");
    raise(SIGKILL);
  }
  if (mode == "kill-at-finding") {
    // The parent SIGKILLs this process as soon as it reads the line: the
    // cycle-closing lock() has returned, and both locks are still held.
    lockscope::Mutex a{"held_a"}, b{"held_b"};
    {
      std::lock_guard<lockscope::Mutex> ga(a);
      std::lock_guard<lockscope::Mutex> gb(b);
    }
    std::lock_guard<lockscope::Mutex> gb(b);
    std::lock_guard<lockscope::Mutex> ga(a);  // closes the cycle
    std::printf("closed\n");
    std::fflush(stdout);
    char c;
    while (read(STDIN_FILENO, &c, 1) > 0) {
    }
    return 3;
  }
  if (mode == "abort") {
    Inversion("abort_a", "abort_b");
    std::abort();
  }
  if (mode == "segv") {
    Inversion("segv_a", "segv_b");
    volatile int* p = nullptr;
    return *p;
  }
  if (mode == "fork") {
    lockscope::Mutex before_fork{"before_fork"};
    std::lock_guard<lockscope::Mutex> g(before_fork);
    const pid_t child = fork();
    if (child == 0) {
      Inversion("child_a", "child_b");
      std::exit(0);
    }
    Inversion("parent_a", "parent_b");
    int status = 0;
    waitpid(child, &status, 0);
    std::printf("%d\n", static_cast<int>(child));
    return 0;
  }
  if (mode == "stream" && argc == 4) Stream(argv[2], std::atol(argv[3]));
  if (mode == "static-atexit") return StaticAtExit();
  if (mode == "fsize" && argc == 4) {
    return FileSizeLimit(std::atol(argv[2]), std::atoi(argv[3]));
  }
  if (mode == "fork-held") return ForkHeld();
  if (mode == "threads" && argc == 4) {
    return Threads(std::atoi(argv[2]), std::atoi(argv[3]));
  }
  std::fprintf(stderr, "traced_program: unknown mode %s\n", mode.c_str());
  return 2;
}
