// runtime::EventRing, the lock-free single-producer single-consumer ring
// between a thread's hooks and the collector thread: a full ring refuses
// pushes and takes them again once drained, a drain that crosses the end of
// the buffer keeps the order, and a producer and a consumer running at once
// pass millions of numbered events (hundreds of times around the ring, with
// the ring full again and again) with none lost, repeated or reordered.
// Runs under ThreadSanitizer too (scripts/ci-tsan.sh).
#include "runtime/event_ring.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace lockscope::runtime {
namespace {

using collector::RawEvent;

constexpr size_t kCapacity = EventRing::kCapacity;

// Event number `seq` carries it in two fields, so that a torn or stale slot
// shows as a mismatch. Times stay as pushed: nothing here starts TickClock,
// so DrainInto converts nothing.
RawEvent Numbered(uint64_t seq) {
  RawEvent e;
  e.time_ns = static_cast<int64_t>(seq);
  e.object = seq;
  e.stack = ~seq;
  return e;
}

// Checks that `events` are numbers next, next + 1, ... and advances `next`.
// Returns a description of the first mismatch, or "".
std::string CheckInOrder(const std::vector<RawEvent>& events,
                         uint64_t* next) {
  for (const RawEvent& e : events) {
    if (e.object != *next || e.stack != ~*next ||
        e.time_ns != static_cast<int64_t>(*next)) {
      return "expected event " + std::to_string(*next) + ", got object " +
             std::to_string(e.object) + " stack " + std::to_string(~e.stack);
    }
    ++*next;
  }
  return "";
}

TEST(EventRingTest, ClockIsNotStarted) {
  // The tests below compare times as pushed.
  EXPECT_FALSE(TickClock::UsesTsc());
}

TEST(EventRingTest, EmptyRingDrainsNothing) {
  EventRing ring;
  std::vector<RawEvent> out;
  EXPECT_TRUE(ring.empty());
  EXPECT_TRUE(ring.has_room());
  EXPECT_FALSE(ring.HasKnownRoom());  // no buffer before the first push
  EXPECT_EQ(ring.DrainInto(&out), 0u);
  EXPECT_TRUE(out.empty());
}

TEST(EventRingTest, FullRingRefusesPushesUntilDrained) {
  EventRing ring;
  uint64_t pushed = 0;
  while (ring.TryPush(Numbered(pushed))) ++pushed;
  EXPECT_EQ(pushed, kCapacity);
  EXPECT_FALSE(ring.has_room());
  EXPECT_FALSE(ring.HasKnownRoom());
  EXPECT_FALSE(ring.TryPush(Numbered(pushed))) << "a full ring took a push";
  std::vector<RawEvent> out;
  ASSERT_EQ(ring.DrainInto(&out), kCapacity);
  uint64_t next = 0;
  EXPECT_EQ(CheckInOrder(out, &next), "");
  EXPECT_TRUE(ring.empty());
  EXPECT_TRUE(ring.has_room());
  // The refused event goes in now, after the others.
  ASSERT_TRUE(ring.TryPush(Numbered(pushed)));
  out.clear();
  ASSERT_EQ(ring.DrainInto(&out), 1u);
  EXPECT_EQ(CheckInOrder(out, &next), "");
}

TEST(EventRingTest, DrainAcrossTheEndOfTheBufferKeepsTheOrder) {
  EventRing ring;
  uint64_t pushed = 0, next = 0;
  std::vector<RawEvent> out;
  // Leave the ring's tail three slots before the end of the buffer...
  for (size_t i = 0; i < kCapacity - 3; ++i) {
    ASSERT_TRUE(ring.TryPush(Numbered(pushed++)));
  }
  ASSERT_EQ(ring.DrainInto(&out), kCapacity - 3);
  // ...then fill it completely: the readable events wrap around.
  for (size_t i = 0; i < kCapacity; ++i) {
    ASSERT_TRUE(ring.TryPush(Numbered(pushed++)));
  }
  EXPECT_FALSE(ring.TryPush(Numbered(pushed)));
  ASSERT_EQ(ring.DrainInto(&out), kCapacity);
  EXPECT_EQ(CheckInOrder(out, &next), "");
  EXPECT_EQ(next, pushed);
}

TEST(EventRingTest, KnownRoomPushesSignalEveryQuarter) {
  EventRing ring;
  ASSERT_TRUE(ring.TryPush(Numbered(0)));  // allocates the buffer
  uint64_t pushed = 1, signals = 0;
  while (ring.HasKnownRoom()) {
    const bool due = ring.PushKnownRoom(Numbered(pushed++));
    EXPECT_EQ(due, ring.DrainDue());
    EXPECT_EQ(due, pushed % EventRing::kDrainEvery == 0) << pushed;
    signals += due;
  }
  EXPECT_EQ(pushed, kCapacity);
  EXPECT_EQ(signals, kCapacity / EventRing::kDrainEvery);
  std::vector<RawEvent> out;
  uint64_t next = 0;
  ASSERT_EQ(ring.DrainInto(&out), kCapacity);
  EXPECT_EQ(CheckInOrder(out, &next), "");
}

TEST(EventRingTest, DiscardFreesEverySlotUnread) {
  EventRing ring;
  for (uint64_t i = 0; i < 100; ++i) ASSERT_TRUE(ring.TryPush(Numbered(i)));
  ring.Discard();
  EXPECT_TRUE(ring.empty());
  ASSERT_TRUE(ring.TryPush(Numbered(100)));
  std::vector<RawEvent> out;
  uint64_t next = 100;
  ASSERT_EQ(ring.DrainInto(&out), 1u);
  EXPECT_EQ(CheckInOrder(out, &next), "");
}

// One producer, one consumer, at once. The producer pushes numbered events
// through both push paths (TryPush, and PushKnownRoom when HasKnownRoom),
// retrying while the ring is full. The consumer drains as fast as it can,
// except that every few drains it stops until the producer has found the
// ring full again: the full ring is reached by handshake, many times, not
// by chance.
TEST(EventRingTest, ProducerAndConsumerAtOnceLoseNothing) {
  constexpr uint64_t kEvents = 2'000'000;
  constexpr uint64_t kStallEvery = 16;  // drains between waits for a full ring
  EventRing ring;
  std::atomic<uint64_t> fulls{0};
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (uint64_t seq = 0; seq < kEvents;) {
      if (ring.HasKnownRoom()) {
        ring.PushKnownRoom(Numbered(seq++));
      } else if (ring.TryPush(Numbered(seq))) {
        ++seq;
      } else {
        fulls.fetch_add(1, std::memory_order_relaxed);
        std::this_thread::yield();
      }
    }
    done.store(true, std::memory_order_release);
  });

  std::vector<RawEvent> batch;
  uint64_t next = 0, drains = 0, full_stalls = 0;
  std::string error;
  while (next < kEvents && error.empty()) {
    if (++drains % kStallEvery == 0) {
      // Wait until the producer finds the ring full (or has finished).
      const uint64_t before = fulls.load(std::memory_order_relaxed);
      while (fulls.load(std::memory_order_relaxed) == before &&
             !done.load(std::memory_order_acquire)) {
        std::this_thread::yield();
      }
      full_stalls += fulls.load(std::memory_order_relaxed) != before;
    }
    batch.clear();
    const size_t n = ring.DrainInto(&batch);
    if (n != batch.size()) error = "DrainInto's count is not what it added";
    if (n > kCapacity) error = "drained more than the ring holds";
    if (error.empty()) error = CheckInOrder(batch, &next);
    if (n == 0) std::this_thread::yield();
  }
  producer.join();
  EXPECT_EQ(error, "");
  EXPECT_EQ(next, kEvents);
  batch.clear();
  EXPECT_EQ(ring.DrainInto(&batch), 0u) << "events beyond the last pushed";
  EXPECT_TRUE(ring.empty());
  // Hundreds of times around the ring; at least every kStallEvery-th of
  // the (at least kEvents / kCapacity) drains found it full, but for one
  // after the producer finished.
  static_assert(kEvents / kCapacity >= 200);
  EXPECT_GE(full_stalls, kEvents / kCapacity / kStallEvery - 1);
}

}  // namespace
}  // namespace lockscope::runtime
