// `lockscope report` on a large trace: the time to write the HTML page, its
// size and the viewer's peak memory (the report streams events into
// per-thread time buckets; it never keeps them).
//
// The trace is made once per process by trace_workload (flat N at
// events=all: 2N events, the densest kind); each iteration runs the viewer
// binary on it as a child process. Time is the child's wall time; counters
// give events/s, the page's size (MiB) and the child's peak resident memory
// (MiB). Budget (docs/PERFORMANCE.md): a 100 M-event trace gives a page of
// at most 20 MB in at most 10 s.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

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
  std::string html;
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
    const std::string stem = dir + "/report." + std::to_string(getpid());
    t->path = stem + ".lstrace";
    t->html = stem + ".html";
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
    std::atexit([] {
      std::filesystem::remove(trace->path);
      std::filesystem::remove(trace->html);
    });
    return t;
  }();
  return *trace;
}

void BM_Report(benchmark::State& state, int64_t pairs) {
  const Trace& trace = FlatTrace(pairs);
  if (!trace.error.empty()) {
    state.SkipWithError(trace.error.c_str());
    return;
  }
  ChildResult run;
  for (auto _ : state) {
    run = RunChild({LOCKSCOPE_VIEWER, "report", "-o", trace.html, trace.path},
                   {}, "/dev/null");
    if (!run.ok) {
      state.SkipWithError("lockscope report failed");
      return;
    }
    state.SetIterationTime(run.seconds);
  }
  state.counters["events"] = static_cast<double>(trace.events);
  state.counters["events_per_s"] =
      static_cast<double>(trace.events) / run.seconds;
  state.counters["max_rss_mib"] = static_cast<double>(run.max_rss_kib) / 1024;
  state.counters["html_mib"] =
      static_cast<double>(std::filesystem::file_size(trace.html)) /
      (1024 * 1024);
}
BENCHMARK_CAPTURE(BM_Report, flat_100M_events, 50000000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
