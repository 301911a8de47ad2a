// collector/trace/symbolizer.h — program counters to function, file and
// line, with libdw (elfutils). Off the hot path only: it reads ELF and DWARF.
// The runtime symbolizes its own process (ForCurrentProcess); the trace
// loader symbolizes the raw frames of a trace whose process died before
// writing them (ForModules, trace_loader.cc).
//
// Thread-compatible: one Symbolizer must not be used from two threads at
// once. Results are cached per pc.
#ifndef LOCKSCOPE_COLLECTOR_TRACE_SYMBOLIZER_H_
#define LOCKSCOPE_COLLECTOR_TRACE_SYMBOLIZER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "collector/analysis/model.h"

namespace lockscope::collector {

class Symbolizer {
 public:
  // Symbolizes addresses of the calling process, using its live mappings.
  static std::unique_ptr<Symbolizer> ForCurrentProcess();
  // Symbolizes addresses of another (possibly dead) process from its module
  // map, when the same binaries are at hand (matched by path).
  static std::unique_ptr<Symbolizer> ForModules(
      const std::vector<ModuleInfo>& modules);
  ~Symbolizer();

  // `pc` is a return address as captured by libunwind: the call instruction
  // is looked up (pc - 1). Unknown parts of the frame are left empty / 0.
  Frame Symbolize(uint64_t pc);

  // The same pc with inlining undone: the functions inlined at the call,
  // innermost first, then the physical function (the last element, whose
  // line is the outermost inlined call's site). One element when nothing
  // was inlined. Function names drop lockscope's inline mode namespace
  // (tracked_v1::/plain_v1::).
  std::vector<Frame> SymbolizeInlined(uint64_t pc);

 private:
  struct Rep;
  explicit Symbolizer(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_TRACE_SYMBOLIZER_H_
