// One thread holding many locks: peak resident memory and wall time of a
// whole run of bench/hold_many.cc (N distinct locks taken in order and held
// together, then released; 3 rounds), tracked (trace=off, so the figure is
// the lock-order graph's, not the trace buffer's) and untracked, each run
// as a child process. The two builds run back to back in each repetition.
//
// Counters: max_rss_mib and seconds of the tracked run, plain_rss_mib and
// plain_seconds of the untracked one.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/child_process.h"

#ifndef LOCKSCOPE_HOLD_MANY_TRACKED
#error "LOCKSCOPE_HOLD_MANY_TRACKED (the hold_many_tracked binary) must be defined"
#endif
#ifndef LOCKSCOPE_HOLD_MANY_PLAIN
#error "LOCKSCOPE_HOLD_MANY_PLAIN (the hold_many_plain binary) must be defined"
#endif

namespace lockscope_bench {
namespace {

void BM_HoldMany(benchmark::State& state) {
  const std::string n = std::to_string(state.range(0));
  const std::string rounds = "3";
  ChildResult tracked, plain;
  for (auto _ : state) {
    plain = RunChild({LOCKSCOPE_HOLD_MANY_PLAIN, n, rounds}, {}, "/dev/null");
    tracked = RunChild({LOCKSCOPE_HOLD_MANY_TRACKED, n, rounds},
                       {"LOCKSCOPE_OPTIONS=trace=off"}, "/dev/null");
    if (!tracked.ok || !plain.ok) {
      state.SkipWithError("hold_many failed");
      return;
    }
    state.SetIterationTime(tracked.seconds);
  }
  state.counters["max_rss_mib"] = tracked.max_rss_kib / 1024.0;
  state.counters["seconds"] = tracked.seconds;
  state.counters["plain_rss_mib"] = plain.max_rss_kib / 1024.0;
  state.counters["plain_seconds"] = plain.seconds;
}
BENCHMARK(BM_HoldMany)
    ->Arg(300)
    ->Arg(1000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
