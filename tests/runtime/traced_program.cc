// A tracked program that trace_e2e_test.cc runs as a child process, so the
// trace it writes can be read back after a clean exit, a kill or a crash.
//
//   traced_program counts N      2 threads x N lock/unlock pairs, events=all
//   traced_program kill          an inversion (a finding), then SIGKILL
//   traced_program abort         an inversion, some events, then abort()
//   traced_program segv          an inversion, then a null dereference
//   traced_program fork          fork; parent and child each make a finding
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: traced_program counts N|kill|abort|segv|fork\n");
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "counts" && argc == 3) return Counts(std::atoi(argv[2]));
  if (mode == "kill") {
    Inversion("kill_a", "kill_b");
    raise(SIGKILL);
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
  std::fprintf(stderr, "traced_program: unknown mode %s\n", mode.c_str());
  return 2;
}
