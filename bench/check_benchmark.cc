// `lockscope check` on a large trace: events per second and peak memory;
// and on a fleet: 1,000 traces of 1,000 processes at once.
//
// The trace is made once per process by trace_workload (flat N at
// events=all: 2N events, the densest kind) and counted with
// collector::LoadTrace; each iteration then runs the viewer binary on it as
// a child process. Time is the child's wall time; counters give events/s
// and the child's peak resident memory (MiB).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench/child_process.h"
#include "collector/trace/trace_loader.h"

#ifndef LOCKSCOPE_TRACE_WORKLOAD
#error "LOCKSCOPE_TRACE_WORKLOAD (the trace_workload binary) must be defined"
#endif
#ifndef LOCKSCOPE_VIEWER
#error "LOCKSCOPE_VIEWER (the lockscope binary) must be defined"
#endif

namespace lockscope_bench {
namespace {

struct Trace {
  std::string path;
  uint64_t events = 0;
  std::string error;
};

// The trace of `flat pairs`, made on first use and removed at exit.
const Trace& FlatTrace(int64_t pairs) {
  static const Trace* const trace = [pairs] {
    auto* t = new Trace;
    const std::string dir =
        std::filesystem::temp_directory_path().string() + "/lockscope-bench";
    std::filesystem::create_directories(dir);
    t->path = dir + "/check." + std::to_string(getpid()) + ".lstrace";
    const ChildResult run = RunChild(
        {LOCKSCOPE_TRACE_WORKLOAD, "flat", std::to_string(pairs)},
        {"LOCKSCOPE_OPTIONS=trace=" + t->path + ":events=all"}, "/dev/null");
    if (!run.ok) {
      t->error = "trace_workload failed";
      return t;
    }
    auto data = lockscope::collector::LoadTrace(t->path);
    if (!data.ok()) {
      t->error = std::string(data.status().message());
    } else if (data->events_dropped != 0) {
      t->error = "the workload dropped events";
    } else {
      t->events = data->events;
    }
    std::atexit([] { std::filesystem::remove(trace->path); });
    return t;
  }();
  return *trace;
}

void BM_Check(benchmark::State& state, int64_t pairs) {
  const Trace& trace = FlatTrace(pairs);
  if (!trace.error.empty()) {
    state.SkipWithError(trace.error.c_str());
    return;
  }
  ChildResult run;
  for (auto _ : state) {
    run = RunChild({LOCKSCOPE_VIEWER, "check", trace.path}, {}, "/dev/null");
    if (!run.ok) {
      state.SkipWithError("lockscope check failed");
      return;
    }
    state.SetIterationTime(run.seconds);
  }
  state.counters["events"] = static_cast<double>(trace.events);
  state.counters["events_per_s"] =
      static_cast<double>(trace.events) / run.seconds;
  state.counters["max_rss_mib"] = static_cast<double>(run.max_rss_kib) / 1024;
  state.counters["trace_mib"] =
      static_cast<double>(std::filesystem::file_size(trace.path)) /
      (1024 * 1024);
}
BENCHMARK_CAPTURE(BM_Check, flat_100M_events, 50000000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

struct Fleet {
  std::string dir;
  std::vector<std::string> paths;
  std::string error;
};

// `n` traces, each of its own trace_workload process (a small test: two
// threads, two nested Mutexes, an RwLock, an AppCell), as
// lockscope_add_test writes them; one process in ten nests the Mutexes the
// other way, so the fleet holds a cycle across processes (and check exits
// 1). Made on first use, removed at exit.
const Fleet& FleetTraces(int n) {
  static const Fleet* const fleet = [n] {
    auto* f = new Fleet;
    char tmpl[] = "/tmp/lockscope-fleet.XXXXXX";
    const char* dir = mkdtemp(tmpl);
    if (dir == nullptr) {
      f->error = "mkdtemp failed";
      return f;
    }
    f->dir = dir;
    // Sixteen at a time: the processes are independent, and one at a time
    // the setup alone would take minutes on a loaded machine.
    constexpr int kParallel = 16;
    const std::string options = "LOCKSCOPE_OPTIONS=report=off:exitcode=0:trace=" +
                                f->dir + "/fleet.%p.lstrace";
    for (int first = 0; first < n && f->error.empty(); first += kParallel) {
      std::vector<std::thread> batch;
      std::vector<char> ok(kParallel, 0);
      for (int i = first; i < std::min(n, first + kParallel); ++i) {
        batch.emplace_back([&, i] {
          ok[i - first] =
              RunChild({LOCKSCOPE_TRACE_WORKLOAD,
                        i % 10 == 9 ? "inverted" : "mixed", "50"},
                       {options}, "/dev/null")
                  .ok;
        });
      }
      for (std::thread& t : batch) t.join();
      for (size_t i = 0; i < batch.size(); ++i) {
        if (!ok[i]) f->error = "trace_workload failed";
      }
    }
    if (!f->error.empty()) return f;
    for (const auto& entry : std::filesystem::directory_iterator(f->dir)) {
      f->paths.push_back(entry.path().string());
    }
    if (f->paths.size() != static_cast<size_t>(n)) {
      f->error = "the fleet wrote " + std::to_string(f->paths.size()) +
                 " traces, not " + std::to_string(n);
    }
    std::atexit([] { std::filesystem::remove_all(fleet->dir); });
    return f;
  }();
  return *fleet;
}

void BM_CheckFleet(benchmark::State& state, int traces) {
  const Fleet& fleet = FleetTraces(traces);
  if (!fleet.error.empty()) {
    state.SkipWithError(fleet.error.c_str());
    return;
  }
  std::vector<std::string> argv = {LOCKSCOPE_VIEWER, "check"};
  argv.insert(argv.end(), fleet.paths.begin(), fleet.paths.end());
  ChildResult run;
  for (auto _ : state) {
    run = RunChild(argv, {}, "/dev/null");
    // 1: the cycle across processes fails the check, as it should.
    if (run.status != 1) {
      state.SkipWithError("lockscope check did not find the fleet's cycle");
      return;
    }
    state.SetIterationTime(run.seconds);
  }
  state.counters["traces"] = traces;
  state.counters["max_rss_mib"] = static_cast<double>(run.max_rss_kib) / 1024;
  // CPU (user + system) of the check: what a loaded machine inflates least.
  state.counters["cpu_s"] = run.cpu_seconds;
}
BENCHMARK_CAPTURE(BM_CheckFleet, 1000_traces, 1000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
