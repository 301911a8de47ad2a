// collector/trace/trace_loader.h — loads a whole trace (everything but the
// events) into a TraceData (collector/analysis/trace_data.h).
//
// Traces are untrusted input; errors are those of TraceReader
// (trace_reader.h) plus references to undefined ids, each naming the file,
// the record number and the byte offset:
//   "out.lstrace: record 12 at byte 4096: event refers to unknown object 77"
// A torn tail is not an error: TraceData::warning says where it stopped.
#ifndef LOCKSCOPE_COLLECTOR_TRACE_TRACE_LOADER_H_
#define LOCKSCOPE_COLLECTOR_TRACE_TRACE_LOADER_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "collector/analysis/model.h"
#include "collector/analysis/trace_data.h"

namespace lockscope::collector {

// One decoded event.
struct TraceEvent {
  ThreadId thread = 0;
  RawEvent event;
};

// Reads a whole trace. Each event is passed to `on_event` (if set) in file
// order; events are not kept. Raw frames of the stacks that findings and
// edges name (a process killed before symbolizing them) are symbolized from
// the binaries at hand (raw_frames.h). Memory is bounded by the trace's tables, not
// by its number of events.
absl::StatusOr<TraceData> LoadTrace(
    const std::string& path,
    const std::function<void(const TraceEvent&)>& on_event = nullptr);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_TRACE_TRACE_LOADER_H_
