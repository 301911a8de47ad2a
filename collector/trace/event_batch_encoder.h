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
// The columns are encoded once into the encoder's own buffers (which keep
// their capacity across batches) and copied once into the writer's buffer.
// Not thread-safe; one encoder per writer.
#ifndef LOCKSCOPE_COLLECTOR_TRACE_EVENT_BATCH_ENCODER_H_
#define LOCKSCOPE_COLLECTOR_TRACE_EVENT_BATCH_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "collector/analysis/model.h"

namespace lockscope::collector {

class EventBatchEncoder {
 public:
  // Encodes one EventBatch of `count` events of `thread`, `dropped_before`
  // lost before them, as a Record; size() and WriteTo() then give it.
  void Encode(ThreadId thread, const RawEvent* events, size_t count,
              uint64_t dropped_before);
  // The serialized Record's size in bytes (not framed).
  size_t size() const { return record_size_; }
  // Writes the Record's size() bytes at `out`; returns the end.
  char* WriteTo(char* out) const;
  // The same, as a string (for tests).
  std::string ToString() const;

 private:
  // A byte column written through a raw pointer (no zero fill).
  struct Column {
    std::unique_ptr<char[]> data;
    size_t capacity = 0;
    size_t size = 0;
    char* Begin(size_t max_bytes);
    void End(const char* end) { size = static_cast<size_t>(end - data.get()); }
  };

  ThreadId thread_ = 0;
  uint64_t base_time_ = 0;
  uint64_t dropped_before_ = 0;
  size_t batch_size_ = 0;
  size_t record_size_ = 0;
  Column kinds_;
  Column times_;
  Column objects_;
  Column stack_events_;
  Column stack_ids_;
};

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_TRACE_EVENT_BATCH_ENCODER_H_
