// Tests for collector/trace/event_batch_encoder.h: the hand-written
// EventBatch encoder produces exactly the bytes the generated protobuf code
// produces for the same events (so every reader built from proto/ reads it
// unchanged), including the edge cases of the wire format.
#include "collector/trace/event_batch_encoder.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "proto/trace.pb.h"

namespace lockscope::collector {
namespace {

// The reference: the Record the generated code serializes for a batch (as
// TraceWriter built it before the hand encoder).
std::string Generated(ThreadId thread, const std::vector<RawEvent>& events,
                      uint64_t dropped_before) {
  trace::Record record;
  trace::EventBatch* batch = record.mutable_events();
  batch->set_thread(thread);
  batch->set_dropped_before(dropped_before);
  if (!events.empty()) batch->set_base_time_ns(events[0].time_ns);
  int64_t prev_time = events.empty() ? 0 : events[0].time_ns;
  uint64_t prev_object = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const RawEvent& e = events[i];
    uint32_t kind = static_cast<uint32_t>(e.type) & 0xF;
    if (e.access == Access::kShared) kind |= 1u << 4;
    if (e.was_try) kind |= 1u << 5;
    batch->add_kind(kind);
    batch->add_time_delta_ns(static_cast<uint64_t>(e.time_ns) -
                             static_cast<uint64_t>(prev_time));
    batch->add_object_delta(static_cast<int64_t>(e.object - prev_object));
    if (e.stack != 0) {
      batch->add_stack_event(static_cast<uint32_t>(i));
      batch->add_stack_id(e.stack);
    }
    prev_time = e.time_ns;
    prev_object = e.object;
  }
  return record.SerializeAsString();
}

std::string Encoded(EventBatchEncoder& encoder, ThreadId thread,
                    const RawEvent* events, size_t count, uint64_t dropped) {
  encoder.Encode(thread, events, count, dropped);
  EXPECT_EQ(encoder.ToString().size(), encoder.size());
  return encoder.ToString();
}

RawEvent Event(int64_t time, ObjectId object, EventType type,
               Access access = Access::kExclusive, bool was_try = false,
               StackId stack = 0) {
  RawEvent e;
  e.time_ns = time;
  e.object = object;
  e.type = type;
  e.access = access;
  e.was_try = was_try;
  e.stack = stack;
  return e;
}

TEST(EventBatchEncoderTest, MatchesGeneratedCodeOnATypicalBatch) {
  const std::vector<RawEvent> events = {
      Event(1000, 5, EventType::kAcquired, Access::kExclusive, false, 7),
      Event(1040, 5, EventType::kReleased),
      Event(1100, 9, EventType::kAcquireWait, Access::kShared),
      Event(1900, 9, EventType::kAcquired, Access::kShared),
      Event(2000, 3, EventType::kBorrow, Access::kShared, true, 123456789),
      Event(2001, 3, EventType::kBorrowRelease, Access::kShared),
      Event(2500, 9, EventType::kReleased, Access::kShared),
  };
  EventBatchEncoder encoder;
  EXPECT_EQ(Encoded(encoder, 4, events.data(), events.size(), 0),
            Generated(4, events, 0));
}

TEST(EventBatchEncoderTest, EdgeCasesOfTheWireFormat) {
  EventBatchEncoder encoder;
  // No events: only the thread and the drop count (zero fields omitted).
  EXPECT_EQ(Encoded(encoder, 1, nullptr, 0, 17), Generated(1, {}, 17));
  EXPECT_EQ(Encoded(encoder, 0, nullptr, 0, 0), Generated(0, {}, 0));
  // Thread 0, time 0, object 0: every zero scalar omitted.
  std::vector<RawEvent> zero = {Event(0, 0, EventType::kAcquired)};
  EXPECT_EQ(Encoded(encoder, 0, zero.data(), zero.size(), 0),
            Generated(0, zero, 0));
  // A negative base time (10-byte varint), a clock that steps back (the
  // delta wraps), objects going down (zigzag), the largest ids.
  const std::vector<RawEvent> odd = {
      Event(-5, std::numeric_limits<ObjectId>::max(), EventType::kAcquired),
      Event(-10, 1, EventType::kReleased, Access::kExclusive, false,
            std::numeric_limits<StackId>::max()),
      Event(std::numeric_limits<int64_t>::max(), 2, EventType::kAcquired),
      Event(std::numeric_limits<int64_t>::min(), 1, EventType::kReleased),
  };
  EXPECT_EQ(Encoded(encoder, std::numeric_limits<ThreadId>::max(), odd.data(),
                           odd.size(), std::numeric_limits<uint64_t>::max()),
            Generated(std::numeric_limits<ThreadId>::max(), odd,
                      std::numeric_limits<uint64_t>::max()));
}

TEST(EventBatchEncoderTest, MatchesGeneratedCodeOnRandomBatches) {
  std::mt19937_64 random(7);
  EventBatchEncoder encoder;  // reused: its buffers must not leak state
  for (int round = 0; round < 200; ++round) {
    std::vector<RawEvent> events(random() % 300);
    int64_t time = static_cast<int64_t>(random() >> 4);
    for (RawEvent& e : events) {
      time += static_cast<int64_t>(random() % (round % 2 ? 1000 : 1u << 30));
      e = Event(time, random() % (round % 3 ? 50 : 1u << 20) + 1,
                static_cast<EventType>(1 + random() % 5),
                random() % 2 ? Access::kShared : Access::kExclusive,
                random() % 7 == 0, random() % 5 == 0 ? random() % 100000 : 0);
    }
    const ThreadId thread = static_cast<ThreadId>(random() % 1000);
    const uint64_t dropped = random() % 3 == 0 ? random() % 500 : 0;
    ASSERT_EQ(Encoded(encoder, thread, events.data(), events.size(), dropped),
              Generated(thread, events, dropped))
        << "round " << round;
  }
}

}  // namespace
}  // namespace lockscope::collector
