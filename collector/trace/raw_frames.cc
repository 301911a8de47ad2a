// collector/trace/raw_frames.cc — see raw_frames.h.
#include "collector/trace/raw_frames.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "collector/trace/symbolizer.h"

namespace lockscope::collector {

size_t SymbolizeRawFrames(TraceData* data) {
  absl::flat_hash_set<StackId> stacks;
  for (const Finding& f : data->findings) {
    for (const FindingEdge& e : f.edges) {
      stacks.insert(e.from_stack);
      stacks.insert(e.to_stack);
    }
    stacks.insert(f.stack);
    stacks.insert(f.other_stack);
  }
  for (const EdgeState& e : data->edges) {
    stacks.insert(e.first.from_stack);
    stacks.insert(e.first.to_stack);
  }
  std::vector<uint64_t> raw;
  absl::flat_hash_set<uint64_t> seen;
  for (StackId id : stacks) {
    auto it = data->stacks.find(id);
    if (it == data->stacks.end()) continue;
    for (uint64_t pc : it->second) {
      if (!data->frames.contains(pc) && seen.insert(pc).second) {
        raw.push_back(pc);
      }
    }
  }
  if (raw.empty()) return 0;
  std::vector<ModuleInfo> modules;
  for (const auto& [id, module] : data->modules) modules.push_back(module);
  std::unique_ptr<Symbolizer> symbolizer = Symbolizer::ForModules(modules);
  size_t done = 0;
  for (uint64_t pc : raw) {
    std::vector<Frame> frames = symbolizer->SymbolizeInlined(pc);
    Frame physical = std::move(frames.back());
    frames.pop_back();
    if (physical.function.empty() && physical.file.empty()) continue;
    if (!frames.empty()) data->inlined[pc] = std::move(frames);
    data->frames[pc] = std::move(physical);
    ++done;
  }
  return done;
}

}  // namespace lockscope::collector
