// The first finding of a process: forms the edge a -> b, then, holding b,
// times the lock() of a that closes the cycle (a never-seen chain, the
// cycle search, the finding written and flushed; the first of the process,
// so nothing is warm) and prints "first_finding_us=W cpu_us=C" on stdout:
// its wall time, and the CPU time this thread spent in it (on a loaded
// machine the wall time also holds the time the thread waited for a core).
// The live report goes to stderr, maybe into the same file.
// process_benchmark runs it as many processes, traced with the live report
// on (printed by the background thread), and takes the p50 and the max.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "lockscope/mutex.h"

int main() {
  lockscope::Mutex a{"first_a"}, b{"first_b"};
  {
    std::lock_guard<lockscope::Mutex> ga(a);
    std::lock_guard<lockscope::Mutex> gb(b);
  }
  std::lock_guard<lockscope::Mutex> gb(b);
  timespec cpu_start, cpu_stop;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_start);
  const auto start = std::chrono::steady_clock::now();
  a.lock();
  const auto stop = std::chrono::steady_clock::now();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_stop);
  a.unlock();
  const double cpu_us =
      static_cast<double>(cpu_stop.tv_sec - cpu_start.tv_sec) * 1e6 +
      static_cast<double>(cpu_stop.tv_nsec - cpu_start.tv_nsec) * 1e-3;
  std::printf("first_finding_us=%.1f cpu_us=%.1f\n",
              std::chrono::duration<double, std::micro>(stop - start).count(),
              cpu_us);
  return 0;
}
