// The lock() that closes a lock-order cycle: the slow path end to end.
//
// Each iteration makes N fresh locks (named per iteration, so every cycle
// is new to the analyzer and is reported), forms the edges L0->L1->...->
// L(N-1) (untimed), then, holding L(N-1), times L0.lock(): a never-seen
// chain, the stack capture, the graph lock, the incremental cycle search,
// and the finding written to the trace and flushed, on the locking thread
// (the background thread symbolizes its stacks and prints the report). Run with exitcode=0 (the process has findings on
// purpose) and stderr redirected (each iteration prints a report).
//
// The first finding of a process is made by a warm-up cycle before the
// timed ones, and the counter first_finding_us says what it cost (the
// symbolizer is loaded by the background thread, not by the lock();
// process_benchmark measures the first finding of fresh processes). Counters p50_us and p90_us
// are over the iterations of one run (the time column is their mean).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "lockscope/mutex.h"

namespace lockscope_bench {
namespace {

// Makes an n-lock cycle and returns how long the closing lock() took.
double CloseCycle(int n) {
  static int generation = 0;
  const std::string prefix = "cycle" + std::to_string(++generation) + ".";
  std::vector<std::unique_ptr<lockscope::Mutex>> locks;
  for (int i = 0; i < n; ++i) {
    locks.push_back(
        std::make_unique<lockscope::Mutex>(prefix + std::to_string(i)));
  }
  for (int i = 0; i + 1 < n; ++i) {
    locks[i]->lock();
    locks[i + 1]->lock();
    locks[i + 1]->unlock();
    locks[i]->unlock();
  }
  locks[n - 1]->lock();
  const auto start = std::chrono::steady_clock::now();
  locks[0]->lock();
  const auto stop = std::chrono::steady_clock::now();
  locks[0]->unlock();
  locks[n - 1]->unlock();
  return std::chrono::duration<double>(stop - start).count();
}

void BM_CycleClosingLock(benchmark::State& state) {
  static const double first_finding = CloseCycle(2);
  const int n = static_cast<int>(state.range(0));
  std::vector<double> times;
  for (auto _ : state) {
    times.push_back(CloseCycle(n));
    state.SetIterationTime(times.back());
  }
  std::sort(times.begin(), times.end());
  state.counters["p50_us"] = times[times.size() / 2] * 1e6;
  state.counters["p90_us"] = times[times.size() * 9 / 10] * 1e6;
  state.counters["first_finding_us"] = first_finding * 1e6;
}
BENCHMARK(BM_CycleClosingLock)
    ->RangeMultiplier(2)
    ->Range(2, 64)
    ->Iterations(100)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
