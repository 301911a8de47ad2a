// `lockscope run` of a program that does nothing, against running that
// program directly: what the CLI, the preload and the runtime's start and
// exit cost a process. One iteration is one run of the program (its wall
// time, spawn to exit); the two cases are measured in the same process,
// interleaved by scripts/bench.sh.
//
// Paths are compiled in: LOCKSCOPE_VIEWER (the CLI) and INTERPOSE_NOOP (a
// program whose main returns 0).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "bench/child_process.h"

namespace lockscope_bench {
namespace {

void RunEach(benchmark::State& state, const std::vector<std::string>& argv) {
  for (auto _ : state) {
    const ChildResult r = RunChild(argv, {}, "/dev/null");
    if (!r.ok) {
      state.SkipWithError("the run failed");
      return;
    }
    state.SetIterationTime(r.seconds);
  }
}

void BM_Direct(benchmark::State& state) { RunEach(state, {INTERPOSE_NOOP}); }
BENCHMARK(BM_Direct)->Iterations(20)->UseManualTime()->Unit(
    benchmark::kMillisecond);

// The trace goes where the default puts one (the working directory, here a
// scratch directory): the cost includes opening and closing it.
void BM_LockscopeRun(benchmark::State& state) {
  char dir_template[] = "/tmp/lockscope-startup.XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string trace = std::string(dir) + "/t.%p.lstrace";
  RunEach(state, {LOCKSCOPE_VIEWER, "run", "--options=trace=" + trace, "--",
                  INTERPOSE_NOOP});
  const std::string cleanup = std::string("rm -rf ") + dir;
  if (std::system(cleanup.c_str()) != 0) state.SkipWithError("cleanup");
}
BENCHMARK(BM_LockscopeRun)->Iterations(20)->UseManualTime()->Unit(
    benchmark::kMillisecond);

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
