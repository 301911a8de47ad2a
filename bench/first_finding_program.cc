// The first finding of a process: forms the edge a -> b, then, holding b,
// times the lock() of a that closes the cycle (a never-seen chain, the
// cycle search, the finding written and flushed; the first of the process,
// so nothing is warm) and prints its microseconds on stdout.
// process_benchmark runs it as many processes, traced with the live report
// on (printed by the background thread), and takes the p50 and the max.
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
  const auto start = std::chrono::steady_clock::now();
  a.lock();
  const auto stop = std::chrono::steady_clock::now();
  a.unlock();
  std::printf("%.1f\n",
              std::chrono::duration<double, std::micro>(stop - start).count());
  return 0;
}
