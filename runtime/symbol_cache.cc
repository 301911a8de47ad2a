#include "runtime/symbol_cache.h"

namespace lockscope::runtime {

const std::vector<collector::Frame>& SymbolCache::PcLocked(uint64_t pc) {
  if (symbolizer_ == nullptr) {
    symbolizer_ = collector::Symbolizer::ForCurrentProcess();
  }
  auto it = frames_.find(pc);
  if (it == frames_.end()) {
    it = frames_.emplace(pc, symbolizer_->SymbolizeInlined(pc)).first;
  }
  return it->second;
}

std::vector<collector::Frame> SymbolCache::Symbolize(
    const std::vector<uint64_t>& pcs) {
  std::vector<collector::Frame> frames;
  RawMutexLock lock(&mu_);
  for (uint64_t pc : pcs) {
    const std::vector<collector::Frame>& f = PcLocked(pc);
    frames.insert(frames.end(), f.begin(), f.end());
  }
  return frames;
}

std::vector<std::vector<collector::Frame>> SymbolCache::SymbolizeEach(
    const std::vector<uint64_t>& pcs) {
  std::vector<std::vector<collector::Frame>> out;
  RawMutexLock lock(&mu_);
  for (uint64_t pc : pcs) out.push_back(PcLocked(pc));
  return out;
}

}  // namespace lockscope::runtime
