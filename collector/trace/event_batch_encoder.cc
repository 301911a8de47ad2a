// collector/trace/event_batch_encoder.cc — see the header. Wire format:
// https://protobuf.dev/programming-guides/encoding/ (tag = field << 3 |
// wire type; 0 varint, 2 length-delimited; sint64 zigzag-encoded).
#include "collector/trace/event_batch_encoder.h"

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

// Appends `v` as a varint at `p`; returns the end. At most 10 bytes.
inline char* PutVarint(char* p, uint64_t v) {
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

// A column sized for `n` varints, written through a raw pointer.
inline char* Begin(std::string* column, size_t n) {
  column->resize(n * 10);
  return column->data();
}
inline void End(std::string* column, const char* end) {
  column->resize(static_cast<size_t>(end - column->data()));
}

// The size of a packed column: tag, length, bytes (0 when empty).
inline size_t PackedSize(const std::string& column) {
  return column.empty() ? 0 : 1 + VarintSize(column.size()) + column.size();
}
inline void PutPacked(std::string* out, uint32_t field,
                      const std::string& column) {
  if (column.empty()) return;
  char head[11];
  head[0] = static_cast<char>(Tag(field, 2));
  char* end = PutVarint(head + 1, column.size());
  out->append(head, static_cast<size_t>(end - head));
  out->append(column);
}
inline void PutScalar(std::string* out, uint32_t field, uint64_t v) {
  if (v == 0) return;
  char buf[11];
  buf[0] = static_cast<char>(Tag(field, 0));
  char* end = PutVarint(buf + 1, v);
  out->append(buf, static_cast<size_t>(end - buf));
}
inline size_t ScalarSize(uint64_t v) { return v == 0 ? 0 : 1 + VarintSize(v); }

}  // namespace

const std::string& EventBatchEncoder::Encode(ThreadId thread,
                                             const RawEvent* events,
                                             size_t count,
                                             uint64_t dropped_before) {
  const int64_t base = count > 0 ? events[0].time_ns : 0;
  char* k = Begin(&kinds_, count);
  char* t = Begin(&times_, count);
  char* o = Begin(&objects_, count);
  stack_events_.clear();
  stack_ids_.clear();
  // Unsigned arithmetic: a clock that steps back wraps around and still
  // decodes exactly (a 10-byte varint), as the generated code would.
  uint64_t prev_time = static_cast<uint64_t>(base);
  uint64_t prev_object = 0;
  for (size_t i = 0; i < count; ++i) {
    const RawEvent& e = events[i];
    *k++ = static_cast<char>(KindBits(e));  // < 64: one byte
    const uint64_t time = static_cast<uint64_t>(e.time_ns);
    t = PutVarint(t, time - prev_time);
    o = PutVarint(o, ZigZag(static_cast<int64_t>(e.object - prev_object)));
    prev_time = time;
    prev_object = e.object;
    if (e.stack != 0) {
      char buf[10];
      stack_events_.append(buf, static_cast<size_t>(
                                    PutVarint(buf, static_cast<uint32_t>(i)) -
                                    buf));
      stack_ids_.append(buf,
                        static_cast<size_t>(PutVarint(buf, e.stack) - buf));
    }
  }
  End(&kinds_, k);
  End(&times_, t);
  End(&objects_, o);

  // int64 base_time_ns: a negative value is its 64-bit two's complement.
  const uint64_t base_bits = static_cast<uint64_t>(base);
  const size_t batch_size =
      ScalarSize(thread) + ScalarSize(base_bits) + PackedSize(kinds_) +
      PackedSize(times_) + PackedSize(objects_) + PackedSize(stack_events_) +
      PackedSize(stack_ids_) + ScalarSize(dropped_before);
  out_.clear();
  out_.reserve(batch_size + 11);
  char head[11];
  head[0] = static_cast<char>(Tag(kRecordEventsField, 2));
  out_.append(head, static_cast<size_t>(PutVarint(head + 1, batch_size) - head));
  PutScalar(&out_, kThreadField, thread);
  PutScalar(&out_, kBaseTimeField, base_bits);
  PutPacked(&out_, kKindField, kinds_);
  PutPacked(&out_, kTimeDeltaField, times_);
  PutPacked(&out_, kObjectDeltaField, objects_);
  PutPacked(&out_, kStackEventField, stack_events_);
  PutPacked(&out_, kStackIdField, stack_ids_);
  PutScalar(&out_, kDroppedField, dropped_before);
  return out_;
}

}  // namespace lockscope::collector
