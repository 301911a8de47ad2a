// viewer/trace_set.cc — loading traces, with a progress line for big ones.
#include "viewer/trace_set.h"

#include <sys/stat.h>

#include <cstdio>
#include <utility>

#include "viewer/output.h"

namespace lockscope::viewer {

using collector::TraceData;
using collector::TraceEvent;

namespace {

// Traces at least this large get a progress line (when allowed at all).
constexpr int64_t kProgressMinBytes = 64 << 20;
constexpr uint64_t kProgressEvery = 1 << 20;

}  // namespace

absl::StatusOr<TraceData> LoadOne(
    const std::string& path, const LoadOptions& options,
    const std::function<void(const TraceEvent&)>& on_event) {
  struct stat st;
  const bool show_progress = options.progress && stat(path.c_str(), &st) == 0 &&
                             S_ISREG(st.st_mode) &&
                             st.st_size >= kProgressMinBytes;
  uint64_t seen = 0;
  std::function<void(const TraceEvent&)> callback = on_event;
  const std::string shown = OneLine(path);
  if (show_progress) {
    std::fprintf(stderr, "\rlockscope: reading %s (%lld MiB)...",
                 shown.c_str(), static_cast<long long>(st.st_size >> 20));
    callback = [&](const TraceEvent& event) {
      if (++seen % kProgressEvery == 0) {
        std::fprintf(stderr, "\r\x1b[Klockscope: reading %s: %llu events",
                     shown.c_str(), static_cast<unsigned long long>(seen));
      }
      if (on_event) on_event(event);
    };
  }
  absl::StatusOr<TraceData> data = collector::LoadTrace(path, callback);
  // Erase the progress line so that what follows starts on a clean line.
  if (show_progress) std::fprintf(stderr, "\r\x1b[K");
  if (data.ok() && !data->warning.empty() && options.warn) {
    options.warn(data->warning);
  }
  return data;
}

absl::StatusOr<std::vector<TraceData>> LoadTraces(
    const std::vector<std::string>& paths, const LoadOptions& options) {
  std::vector<TraceData> traces;
  traces.reserve(paths.size());
  for (const std::string& path : paths) {
    absl::StatusOr<TraceData> data = LoadOne(path, options);
    if (!data.ok()) return data.status();
    traces.push_back(*std::move(data));
  }
  return traces;
}

}  // namespace lockscope::viewer
