// Trace size at events=all: bytes per event of the trace a tracked program
// (trace_workload) writes, counted with collector::LoadTrace; and how fast
// LoadTrace reads it back (the timed part).
//
// Each case runs the workload once as a child process with
// LOCKSCOPE_OPTIONS=trace=FILE:events=all (so the trace is closed at its
// exit), then reads FILE. It also checks what the size must not hide: every
// event the workload made is in the file, none was dropped, and each
// thread's event times are in order and inside the trace's lifetime (they
// are stamped in TSC ticks and converted by the collector).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "bench/child_process.h"
#include "collector/trace/trace_loader.h"

#ifndef LOCKSCOPE_TRACE_WORKLOAD
#error "LOCKSCOPE_TRACE_WORKLOAD (the trace_workload binary) must be defined"
#endif

namespace lockscope_bench {
namespace {

// The events a workload run makes (see trace_workload.cc), or 0 if not
// known exactly.
int64_t ExpectedEvents(const std::string& workload, int64_t n) {
  return workload == "flat" ? 2 * n : 0;
}

void BM_TraceSize(benchmark::State& state, const std::string& workload,
                  int64_t n) {
  const std::string dir =
      std::filesystem::temp_directory_path().string() + "/lockscope-bench";
  std::filesystem::create_directories(dir);
  const std::string trace = dir + "/trace_size." + workload + "." +
                            std::to_string(getpid()) + ".lstrace";
  const ChildResult run = RunChild(
      {LOCKSCOPE_TRACE_WORKLOAD, workload, std::to_string(n)},
      {"LOCKSCOPE_OPTIONS=trace=" + trace + ":events=all"}, "/dev/null");
  if (!run.ok) {
    state.SkipWithError("trace_workload failed");
    return;
  }
  const double bytes = static_cast<double>(std::filesystem::file_size(trace));

  uint64_t events = 0;
  bool in_order = true;
  int64_t min_time = INT64_MAX, max_time = INT64_MIN;
  for (auto _ : state) {
    absl::flat_hash_map<uint32_t, int64_t> last_time;
    events = 0;
    const auto start = std::chrono::steady_clock::now();
    auto data = lockscope::collector::LoadTrace(
        trace, [&](const lockscope::collector::TraceEvent& e) {
          ++events;
          int64_t& last = last_time[e.thread];
          in_order &= e.event.time_ns >= last;
          last = e.event.time_ns;
          min_time = std::min(min_time, e.event.time_ns);
          max_time = std::max(max_time, e.event.time_ns);
        });
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
    if (!data.ok()) {
      state.SkipWithError(std::string(data.status().message()).c_str());
      break;
    }
    const int64_t expected = ExpectedEvents(workload, n);
    if (data->events_dropped != 0 ||
        (expected != 0 && events != static_cast<uint64_t>(expected))) {
      state.SkipWithError("events missing from the trace");
      break;
    }
    if (!in_order || !data->end.has_value() ||
        min_time < data->header.start_clock_ns ||
        max_time > data->end->end_time_ns) {
      state.SkipWithError("event times out of order or outside the trace");
      break;
    }
  }
  std::filesystem::remove(trace);
  state.counters["bytes_per_event"] = bytes / static_cast<double>(events);
  state.counters["events"] = static_cast<double>(events);
  state.counters["read_events_per_s"] =
      benchmark::Counter(static_cast<double>(events),
                         benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(BM_TraceSize, flat, std::string("flat"), 2000000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TraceSize, mixed, std::string("mixed"), 200000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
