#include "viewer/trace_set.h"

#include <sys/stat.h>

#include <cstdio>
#include <utility>

#include "viewer/merge_analysis.h"
#include "viewer/output.h"

namespace lockscope::viewer {

using collector::Access;
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

Access AccessFromProto(int access) {
  return access == trace::SHARED ? Access::kShared : Access::kExclusive;
}

const AnalyzedEdge* Analysis::FindEdge(collector::ObjectId from,
                                       collector::ObjectId to) const {
  auto it = edge_index_.find(std::make_pair(from, to));
  return it == edge_index_.end() ? nullptr : &edges[it->second];
}

void Analysis::IndexEdges() {
  edge_index_.clear();
  for (size_t i = 0; i < edges.size(); ++i) {
    edge_index_[{edges[i].first.from, edges[i].first.to}] = i;
  }
}

const collector::ObjectInfo* Analysis::Object(collector::ObjectId id) const {
  auto it = objects.find(id);
  return it == objects.end() ? nullptr : &it->second;
}

const collector::ThreadInfo* Analysis::Thread(collector::ThreadId id) const {
  auto it = threads.find(id);
  return it == threads.end() ? nullptr : &it->second;
}

std::vector<collector::Frame> Analysis::Stack(collector::StackId id) const {
  std::vector<collector::Frame> out;
  auto it = stacks.find(id);
  if (it == stacks.end()) return out;
  out.reserve(it->second.size());
  for (uint64_t pc : it->second) {
    auto frame = frames.find(pc);
    if (frame != frames.end()) {
      if (auto in = inlined.find(pc); in != inlined.end()) {
        out.insert(out.end(), in->second.begin(), in->second.end());
      }
      out.push_back(frame->second);
      continue;
    }
    collector::Frame raw;
    raw.pc = pc;
    // The highest base wins where module ranges nest.
    const collector::ModuleInfo* best = nullptr;
    for (const auto& [module_id, module] : modules) {
      if (pc >= module.base && pc < module.end &&
          (best == nullptr || module.base > best->base)) {
        best = &module;
      }
    }
    if (best != nullptr) raw.module = best->path;
    out.push_back(std::move(raw));
  }
  return out;
}

Analysis Analysis::Build(const std::vector<TraceData>& traces) {
  AnalysisBuilder builder(traces);
  return traces.size() == 1 ? builder.Single() : builder.Merged();
}

}  // namespace lockscope::viewer
