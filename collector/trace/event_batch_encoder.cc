// collector/trace/event_batch_encoder.cc — see the header. Wire format:
// https://protobuf.dev/programming-guides/encoding/ (tag = field << 3 |
// wire type; 0 varint, 2 length-delimited; sint64 zigzag-encoded).
#include "collector/trace/event_batch_encoder.h"

#include <algorithm>
#include <cstring>

namespace lockscope::collector {
namespace {

constexpr uint32_t kRecordEventsField = 9;  // Record.events
constexpr uint32_t kThreadField = 1;        // EventBatch fields
constexpr uint32_t kBaseTimeField = 2;
constexpr uint32_t kKindField = 3;
constexpr uint32_t kTimeDeltaField = 4;
constexpr uint32_t kObjectDeltaField = 5;
constexpr uint32_t kStackEventField = 6;
constexpr uint32_t kStackIdField = 7;
constexpr uint32_t kDroppedField = 8;

constexpr uint8_t Tag(uint32_t field, uint32_t wire_type) {
  return static_cast<uint8_t>(field << 3 | wire_type);
}

// Appends `v` as a varint at `p`; returns the end. At most 10 bytes. Event
// columns are mostly one-byte values (small deltas), so that case is first.
inline char* PutVarint(char* p, uint64_t v) {
  if (__builtin_expect(v < 0x80, 1)) {
    *p = static_cast<char>(v);
    return p + 1;
  }
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

// Bits 0-3 the type, bit 4 shared, bit 5 try (trace.proto EventBatch.kind).
inline uint32_t KindBits(const RawEvent& e) {
  return (static_cast<uint32_t>(e.type) & 0xF) |
         (e.access == Access::kShared ? 1u << 4 : 0u) |
         (e.was_try ? 1u << 5 : 0u);
}

// The size of a packed column: tag, length, bytes (0 when empty).
inline size_t PackedSize(size_t bytes) {
  return bytes == 0 ? 0 : 1 + VarintSize(bytes) + bytes;
}
inline char* PutPacked(char* out, uint32_t field, const char* column,
                       size_t bytes) {
  if (bytes == 0) return out;
  *out++ = static_cast<char>(Tag(field, 2));
  out = PutVarint(out, bytes);
  std::memcpy(out, column, bytes);
  return out + bytes;
}
inline size_t ScalarSize(uint64_t v) { return v == 0 ? 0 : 1 + VarintSize(v); }
inline char* PutScalar(char* out, uint32_t field, uint64_t v) {
  if (v == 0) return out;
  *out++ = static_cast<char>(Tag(field, 0));
  return PutVarint(out, v);
}

}  // namespace

char* EventBatchEncoder::Column::Begin(size_t max_bytes) {
  if (capacity < max_bytes) {
    capacity = std::max(max_bytes, capacity * 2);
    data.reset(new char[capacity]);
  }
  return data.get();
}

void EventBatchEncoder::Encode(ThreadId thread, const RawEvent* events,
                               size_t count, uint64_t dropped_before) {
  const int64_t base = count > 0 ? events[0].time_ns : 0;
  char* k = kinds_.Begin(count);  // one byte each: kinds are < 64
  char* t = times_.Begin(count * 10);
  char* o = objects_.Begin(count * 10);
  // Room for a stack on every event (capacity only: never touched unless
  // written), so the loop needs no count of them first.
  char* se = stack_events_.Begin(count * 5);
  char* si = stack_ids_.Begin(count * 10);
  // Unsigned arithmetic: a clock that steps back wraps around and still
  // decodes exactly (a 10-byte varint), as the generated code would.
  uint64_t prev_time = static_cast<uint64_t>(base);
  uint64_t prev_object = 0;
  for (size_t i = 0; i < count; ++i) {
    const RawEvent& e = events[i];
    *k++ = static_cast<char>(KindBits(e));
    const uint64_t time = static_cast<uint64_t>(e.time_ns);
    t = PutVarint(t, time - prev_time);
    o = PutVarint(o, ZigZag(static_cast<int64_t>(e.object - prev_object)));
    prev_time = time;
    prev_object = e.object;
    if (e.stack != 0) {
      se = PutVarint(se, static_cast<uint32_t>(i));
      si = PutVarint(si, e.stack);
    }
  }
  kinds_.End(k);
  times_.End(t);
  objects_.End(o);
  stack_events_.End(se);
  stack_ids_.End(si);

  thread_ = thread;
  // int64 base_time_ns: a negative value is its 64-bit two's complement.
  base_time_ = static_cast<uint64_t>(base);
  dropped_before_ = dropped_before;
  batch_size_ = ScalarSize(thread) + ScalarSize(base_time_) +
                PackedSize(kinds_.size) + PackedSize(times_.size) +
                PackedSize(objects_.size) + PackedSize(stack_events_.size) +
                PackedSize(stack_ids_.size) + ScalarSize(dropped_before);
  record_size_ = 1 + VarintSize(batch_size_) + batch_size_;
}

char* EventBatchEncoder::WriteTo(char* out) const {
  *out++ = static_cast<char>(Tag(kRecordEventsField, 2));
  out = PutVarint(out, batch_size_);
  out = PutScalar(out, kThreadField, thread_);
  out = PutScalar(out, kBaseTimeField, base_time_);
  out = PutPacked(out, kKindField, kinds_.data.get(), kinds_.size);
  out = PutPacked(out, kTimeDeltaField, times_.data.get(), times_.size);
  out = PutPacked(out, kObjectDeltaField, objects_.data.get(), objects_.size);
  out = PutPacked(out, kStackEventField, stack_events_.data.get(),
                  stack_events_.size);
  out = PutPacked(out, kStackIdField, stack_ids_.data.get(), stack_ids_.size);
  return PutScalar(out, kDroppedField, dropped_before_);
}

std::string EventBatchEncoder::ToString() const {
  std::string out(record_size_, '\0');
  WriteTo(out.data());
  return out;
}

}  // namespace lockscope::collector
