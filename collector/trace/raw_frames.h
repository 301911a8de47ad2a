// collector/trace/raw_frames.h — symbolizes, when a trace is loaded, the
// raw frames that its findings and edges name.
//
// The runtime writes a stack's pcs at once and its Frame records later (the
// background thread, the close): a process killed in between leaves a
// finding whose stacks are raw pcs, next to the module map (path, build id,
// load bias). When the same binaries are at hand, with the same build ids,
// they are symbolized here; other pcs stay raw (shown as module+offset).
// A trace that was closed has these frames already: nothing is opened.
#ifndef LOCKSCOPE_COLLECTOR_TRACE_RAW_FRAMES_H_
#define LOCKSCOPE_COLLECTOR_TRACE_RAW_FRAMES_H_

#include <cstddef>

#include "collector/analysis/trace_data.h"

namespace lockscope::collector {

// Fills data->frames (and data->inlined) for the pcs of stacks named by a
// finding or an edge that have no Frame record, from the module files on
// this machine. Returns how many pcs it symbolized.
size_t SymbolizeRawFrames(TraceData* data);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_TRACE_RAW_FRAMES_H_
