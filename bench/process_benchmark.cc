// What a process pays for being traced, measured over whole processes.
//
//   BM_TinySuite/plain|tracked   a suite of 200 tiny tests (tiny_test_program:
//       one lock, once), each its own process, run one after another: the
//       untracked build, and the tracked build with LOCKSCOPE_OPTIONS as
//       lockscope_add_test sets them (report=off, a trace per process,
//       exitcode=0). One iteration is the whole suite (wall time); counters
//       give the mean wall and CPU (user + system) time per process and the
//       largest peak RSS of its processes.
//   BM_FirstFinding   20 processes of first_finding_program (tracked, the
//       live report on): the cycle-closing lock() of each process's first
//       finding, as the process measured it; counters p50_us and max_us
//       (wall time), cpu_p50_us and cpu_max_us (the thread's CPU time).
//
// scripts/bench.sh runs the cases interleaved, repetition by repetition, so
// a loaded machine hits the plain and tracked suites alike.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bench/child_process.h"

#if !defined(TINY_TEST_PLAIN) || !defined(TINY_TEST_TRACKED) || \
    !defined(FIRST_FINDING_PROGRAM)
#error "TINY_TEST_PLAIN, TINY_TEST_TRACKED, FIRST_FINDING_PROGRAM needed"
#endif

namespace lockscope_bench {
namespace {

constexpr int kSuite = 200;
constexpr int kFirstFindings = 20;

// A scratch directory for the traces, emptied after each use.
const std::string& ScratchDir() {
  static const std::string* const dir = [] {
    char tmpl[] = "/tmp/lockscope-process-bench.XXXXXX";
    const char* made = mkdtemp(tmpl);
    auto* d = new std::string(made != nullptr ? made : "");
    std::atexit([] {
      const std::string cmd = "rm -rf '" + ScratchDir() + "'";
      if (std::system(cmd.c_str()) != 0) std::perror("rm");
    });
    return d;
  }();
  return *dir;
}

void EmptyScratch() {
  const std::string cmd = "rm -f '" + ScratchDir() + "'/*";
  if (std::system(cmd.c_str()) != 0) std::perror("rm");
}

void BM_TinySuite(benchmark::State& state, bool tracked) {
  if (ScratchDir().empty()) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::vector<std::string> argv = {tracked ? TINY_TEST_TRACKED
                                                 : TINY_TEST_PLAIN};
  std::vector<std::string> env;
  if (tracked) {
    env = {"LOCKSCOPE_OPTIONS=report=off:trace=" + ScratchDir() +
           "/tiny.%p.lstrace:exitcode=0"};
  }
  long max_rss_kib = 0;
  for (auto _ : state) {
    double seconds = 0, cpu = 0;
    for (int i = 0; i < kSuite; ++i) {
      const ChildResult r = RunChild(argv, env, "/dev/null");
      if (!r.ok) {
        state.SkipWithError("a tiny test failed");
        return;
      }
      seconds += r.seconds;
      cpu += r.cpu_seconds;
      max_rss_kib = std::max(max_rss_kib, r.max_rss_kib);
    }
    state.SetIterationTime(seconds);
    state.counters["per_process_ms"] = seconds * 1e3 / kSuite;
    state.counters["per_process_cpu_ms"] = cpu * 1e3 / kSuite;
    EmptyScratch();
  }
  state.counters["max_rss_mib"] = static_cast<double>(max_rss_kib) / 1024;
}
BENCHMARK_CAPTURE(BM_TinySuite, plain, false)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TinySuite, tracked, true)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_FirstFinding(benchmark::State& state) {
  if (ScratchDir().empty()) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string out = ScratchDir() + "/first_finding.out";
  const std::vector<std::string> env = {
      "LOCKSCOPE_OPTIONS=trace=" + ScratchDir() +
      "/first.%p.lstrace:exitcode=0"};
  std::vector<double> us, cpu;
  for (auto _ : state) {
    us.clear();
    cpu.clear();
    for (int i = 0; i < kFirstFindings; ++i) {
      const ChildResult r = RunChild({FIRST_FINDING_PROGRAM}, env, out);
      // The line the program prints among the report's (stdout and stderr
      // share the file).
      double v = -1, c = -1;
      std::ifstream in(out);
      for (std::string line; std::getline(in, line);) {
        if (std::sscanf(line.c_str(), "first_finding_us=%lf cpu_us=%lf", &v,
                        &c) == 2) {
          break;
        }
      }
      if (!r.ok || v < 0 || c < 0) {
        state.SkipWithError("first_finding_program failed");
        return;
      }
      us.push_back(v);
      cpu.push_back(c);
    }
    std::sort(us.begin(), us.end());
    std::sort(cpu.begin(), cpu.end());
    state.SetIterationTime(us[us.size() / 2] * 1e-6);
    EmptyScratch();
  }
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["max_us"] = us.back();
  state.counters["cpu_p50_us"] = cpu[cpu.size() / 2];
  state.counters["cpu_max_us"] = cpu.back();
}
BENCHMARK(BM_FirstFinding)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
