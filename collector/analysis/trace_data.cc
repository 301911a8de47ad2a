// collector/analysis/trace_data.cc — see trace_data.h.
#include "collector/analysis/trace_data.h"

#include <utility>

namespace lockscope::collector {
namespace {

// The module whose range holds `pc` (the highest base wins where ranges
// nest), or nullptr.
const ModuleInfo* FindModule(
    const absl::flat_hash_map<uint64_t, ModuleInfo>& modules, uint64_t pc) {
  const ModuleInfo* best = nullptr;
  for (const auto& [id, module] : modules) {
    if (pc >= module.base && pc < module.end &&
        (best == nullptr || module.base > best->base)) {
      best = &module;
    }
  }
  return best;
}

}  // namespace

std::string StackTables::ModuleOfPc(uint64_t pc) const {
  const ModuleInfo* module = FindModule(modules, pc);
  return module == nullptr ? std::string() : module->path;
}

std::vector<Frame> StackTables::ExpandStack(StackId id) const {
  std::vector<Frame> out;
  auto it = stacks.find(id);
  if (it == stacks.end()) return out;
  out.reserve(it->second.size());
  for (uint64_t pc : it->second) {
    if (auto f = frames.find(pc); f != frames.end()) {
      if (auto in = inlined.find(pc); in != inlined.end()) {
        out.insert(out.end(), in->second.begin(), in->second.end());
      }
      out.push_back(f->second);
      continue;
    }
    // Not symbolized: a raw pc, attributed to the module holding it.
    Frame frame;
    frame.pc = pc;
    if (const ModuleInfo* module = FindModule(modules, pc)) {
      frame.module = module->path;
    }
    out.push_back(std::move(frame));
  }
  return out;
}

const ObjectInfo* TraceData::Object(ObjectId id) const {
  auto it = objects.find(id);
  return it == objects.end() ? nullptr : &it->second;
}

const ThreadInfo* TraceData::Thread(ThreadId id) const {
  auto it = threads.find(id);
  return it == threads.end() ? nullptr : &it->second;
}

}  // namespace lockscope::collector
