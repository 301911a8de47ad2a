// runtime/event_ring.h — a single-producer single-consumer ring of events.
//
// The producer is the owning thread (its hooks); the consumer is the
// collector thread. No locks: the producer publishes with a release store of
// head_, the consumer frees slots with a release store of tail_. The buffer
// is allocated on the first push, so threads that record nothing cost
// nothing.
#ifndef LOCKSCOPE_RUNTIME_EVENT_RING_H_
#define LOCKSCOPE_RUNTIME_EVENT_RING_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "collector/model.h"

namespace lockscope::runtime {

class EventRing {
 public:
  static constexpr size_t kCapacity = 8192;  // events; a power of two

  // Producer. False when the ring is full.
  bool TryPush(const collector::RawEvent& e) {
    const uint64_t h = head_.load(std::memory_order_relaxed);
    if (h - cached_tail_ >= kCapacity) {
      cached_tail_ = tail_.load(std::memory_order_acquire);
      if (h - cached_tail_ >= kCapacity) return false;
    }
    if (buffer_ == nullptr) Allocate();
    buffer_[h & (kCapacity - 1)] = e;
    head_.store(h + 1, std::memory_order_release);
    return true;
  }

  // Consumer. Calls fn(const RawEvent* events, size_t n) for the readable
  // events (in at most two contiguous runs) and frees their slots.
  template <typename Fn>
  size_t Drain(Fn&& fn) {
    const uint64_t t = tail_.load(std::memory_order_relaxed);
    const uint64_t h = head_.load(std::memory_order_acquire);
    if (h == t) return 0;
    const size_t start = t & (kCapacity - 1);
    const size_t n = h - t;
    const size_t first = std::min(n, kCapacity - start);
    fn(buffer_ + start, first);
    if (first < n) fn(buffer_, n - first);
    tail_.store(h, std::memory_order_release);
    return n;
  }

  // Producer: whether a push would succeed now.
  bool has_room() const {
    return head_.load(std::memory_order_relaxed) -
               tail_.load(std::memory_order_acquire) <
           kCapacity;
  }

  bool empty() const {
    return head_.load(std::memory_order_acquire) ==
           tail_.load(std::memory_order_acquire);
  }

  ~EventRing() { delete[] buffer_; }

 private:
  void Allocate() { buffer_ = new collector::RawEvent[kCapacity]; }

  // Written only by the producer before its first publish (a release
  // store of head_); the consumer reads it only after acquiring a head_ that
  // is past that publish.
  collector::RawEvent* buffer_ = nullptr;
  alignas(64) std::atomic<uint64_t> head_{0};
  uint64_t cached_tail_ = 0;
  alignas(64) std::atomic<uint64_t> tail_{0};
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_EVENT_RING_H_
