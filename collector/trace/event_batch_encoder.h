// collector/trace/event_batch_encoder.h — one thread's events as the bytes
// of a trace.proto `Record { EventBatch events = 9; }`, written by hand.
//
// Events are most of a trace at events=all, and the background thread
// encodes every one: generated protobuf code (add_* into repeated fields,
// then ByteSizeLong and serialize) costs about 140 instructions an event;
// this writes the three packed columns (kind, time_delta_ns, object_delta)
// straight into byte buffers, about 20. The output is the same message
// field for field (proto3 wire format: fields in number order, zero
// scalars and empty columns omitted, repeated scalars packed), so readers
// built from proto/ are unchanged; tests/collector/trace pins the bytes
// against the generated serializer.
//
// Not thread-safe; one encoder per writer, reused across batches (its
// buffers keep their capacity).
#ifndef LOCKSCOPE_COLLECTOR_TRACE_EVENT_BATCH_ENCODER_H_
#define LOCKSCOPE_COLLECTOR_TRACE_EVENT_BATCH_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "collector/analysis/model.h"

namespace lockscope::collector {

class EventBatchEncoder {
 public:
  // The serialized Record (not framed) holding one EventBatch of `count`
  // events of `thread`, `dropped_before` lost before them. Valid until the
  // next call.
  const std::string& Encode(ThreadId thread, const RawEvent* events,
                            size_t count, uint64_t dropped_before);

 private:
  std::string kinds_;
  std::string times_;
  std::string objects_;
  std::string stack_events_;
  std::string stack_ids_;
  std::string out_;
};

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_TRACE_EVENT_BATCH_ENCODER_H_
