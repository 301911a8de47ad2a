// viewer/trace_set.cc — loading traces, with a progress line for big ones.
#include "viewer/trace_set.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
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

absl::StatusOr<std::vector<std::string>> ExpandTraceArguments(
    const std::vector<std::string>& arguments) {
  namespace fs = std::filesystem;
  std::vector<std::string> paths;
  for (const std::string& argument : arguments) {
    std::error_code error;
    if (!fs::is_directory(argument, error)) {
      paths.push_back(argument);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(argument, error);
    for (; !error && it != fs::recursive_directory_iterator();
         it.increment(error)) {
      const fs::path& path = it->path();
      if (it->symlink_status(error).type() == fs::file_type::regular &&
          path.extension() == ".lstrace") {
        found.push_back(path.string());
      }
    }
    if (error) {
      return absl::FailedPreconditionError(
          absl::StrCat(argument, ": cannot list: ", error.message()));
    }
    if (found.empty()) {
      return absl::NotFoundError(
          absl::StrCat(argument, ": no *.lstrace file in this directory"));
    }
    std::sort(found.begin(), found.end());
    paths.insert(paths.end(), found.begin(), found.end());
  }
  return paths;
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
