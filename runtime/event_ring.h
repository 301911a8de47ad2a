// runtime/event_ring.h — a single-producer single-consumer ring of events,
// and the clock its events are stamped with.
//
// The producer is the owning thread (its hooks); the consumer is the
// runtime's background thread. No locks: the producer publishes with a
// release store of head_, the consumer frees slots with a release store of
// tail_. The buffer is allocated on the first push, so threads that record
// nothing cost nothing.
#ifndef LOCKSCOPE_RUNTIME_EVENT_RING_H_
#define LOCKSCOPE_RUNTIME_EVENT_RING_H_

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

#include "collector/analysis/model.h"

namespace lockscope::runtime {

// The clock of events in a ring. Hooks stamp events (and measure hold and
// wait times) in ticks: the TSC where the kernel itself keeps time with it
// (invariant and synchronized across CPUs: clocksource "tsc"), else
// CLOCK_MONOTONIC nanoseconds. rdtsc costs about 10 ns on AMD Zen where
// clock_gettime costs about 23 ns, and events=all stamps every acquisition
// and release (docs/PERFORMANCE.md). The consumer converts ticks back to
// CLOCK_MONOTONIC nanoseconds as it drains (EventRing::Drain), from a
// calibration point it takes right then and a rate measured over the whole
// run, so every time in the trace is in the one clock of its header; the
// error is the rate's error over one drain interval (tens of nanoseconds).
//
// Start() runs before the first event (ThreadState's constructor). The
// calibration state is written by the consumer only (drains are serialized
// by the session); producers read the rate alone, for hold and wait counters.
class TickClock {
 public:
  // Idempotent; decides between the TSC and clock_gettime.
  static void Start() {
    static const bool started = [] {
      if (TscIsTheKernelClock()) {
        int64_t ns = 0;
        const int64_t tsc = Pair(&ns);
        base_tsc_ = anchor_tsc_ = tsc;
        base_ns_ = anchor_ns_ = ns;
        rate_.store(QuickRate(), std::memory_order_relaxed);
        tsc_.store(true, std::memory_order_release);
      }
      return true;
    }();
    (void)started;
  }

  static bool UsesTsc() { return tsc_.load(std::memory_order_relaxed); }

  // Now, in ticks.
  static int64_t Now() { return UsesTsc() ? NowTsc() : MonotonicNs(); }
  // Now, in ticks, when UsesTsc() is known to be true: never a call.
  static int64_t NowTsc() {
#if defined(__x86_64__)
    return static_cast<int64_t>(__rdtsc());
#else
    return MonotonicNs();
#endif
  }

  // A duration in ticks, in nanoseconds.
  static uint64_t ToNs(int64_t ticks) {
    if (ticks <= 0) return 0;
    if (!UsesTsc()) return static_cast<uint64_t>(ticks);
    return static_cast<uint64_t>(static_cast<double>(ticks) *
                                 rate_.load(std::memory_order_relaxed));
  }

  // Consumer: takes a calibration point (and refines the rate) before a
  // batch of conversions.
  static void Calibrate() {
    if (!UsesTsc()) return;
    int64_t ns = 0;
    const int64_t tsc = Pair(&ns);
    // A baseline under a millisecond would make the rate noisy; the
    // startup estimate serves until then.
    if (tsc - base_tsc_ > kMinBaselineTicks) {
      rate_.store(static_cast<double>(ns - base_ns_) /
                      static_cast<double>(tsc - base_tsc_),
                  std::memory_order_relaxed);
    }
    anchor_tsc_ = tsc;
    anchor_ns_ = ns;
  }

  // Consumer, after Calibrate(): a time in ticks, in CLOCK_MONOTONIC ns.
  static int64_t ToMonotonicNs(int64_t ticks) {
    if (!UsesTsc()) return ticks;
    const double rate = rate_.load(std::memory_order_relaxed);
    return anchor_ns_ + static_cast<int64_t>(
                            static_cast<double>(ticks - anchor_tsc_) * rate);
  }

  static int64_t MonotonicNs() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
  }

 private:
  static constexpr int64_t kMinBaselineTicks = 1 << 22;  // ~1 ms at 4 GHz

  // A (tsc, ns) pair read back to back; the TSC of the middle of the
  // clock_gettime call.
  static int64_t Pair(int64_t* ns) {
#if defined(__x86_64__)
    const uint64_t before = __rdtsc();
    *ns = MonotonicNs();
    const uint64_t after = __rdtsc();
    return static_cast<int64_t>(before + (after - before) / 2);
#else
    *ns = MonotonicNs();
    return *ns;
#endif
  }

  // The rate over a 200 us busy wait: good to a few 1e-4, until the first
  // drain after a millisecond replaces it.
  static double QuickRate() {
    int64_t ns0 = 0;
    int64_t ns1 = 0;
    const int64_t tsc0 = Pair(&ns0);
    int64_t tsc1 = tsc0;
    do {
      tsc1 = Pair(&ns1);
    } while (ns1 - ns0 < 200000);
    return static_cast<double>(ns1 - ns0) / static_cast<double>(tsc1 - tsc0);
  }

  static bool TscIsTheKernelClock() {
#if defined(__x86_64__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    // CPUID 0x80000007 EDX bit 8: invariant TSC.
    if (__get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx) == 0 ||
        (edx & (1u << 8)) == 0) {
      return false;
    }
    FILE* f = std::fopen(
        "/sys/devices/system/clocksource/clocksource0/current_clocksource",
        "r");
    if (f == nullptr) return false;
    char name[32] = {0};
    const bool tsc = std::fgets(name, sizeof(name), f) != nullptr &&
                     std::strncmp(name, "tsc\n", 4) == 0;
    std::fclose(f);
    return tsc;
#else
    return false;
#endif
  }

  static inline std::atomic<bool> tsc_{false};
  // Nanoseconds per tick.
  static inline std::atomic<double> rate_{1.0};
  // Consumer-owned (and Start()).
  static inline int64_t base_tsc_ = 0;
  static inline int64_t base_ns_ = 0;
  static inline int64_t anchor_tsc_ = 0;
  static inline int64_t anchor_ns_ = 0;
};

class EventRing {
 public:
  static constexpr size_t kCapacity = 8192;  // events; a power of two
  static constexpr size_t kDrainEvery = kCapacity / 4;

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

  // Consumer. Appends the readable events to `out`, their times converted
  // from ticks to CLOCK_MONOTONIC nanoseconds, and frees their slots. The
  // ring itself is only read: a slot the consumer wrote would come back to
  // the producer's next store as a modified line of another core's cache.
  size_t DrainInto(std::vector<collector::RawEvent>* out) {
    const uint64_t t = tail_.load(std::memory_order_relaxed);
    const uint64_t h = head_.load(std::memory_order_acquire);
    if (h == t) return 0;
    const size_t start = t & (kCapacity - 1);
    const size_t n = h - t;
    const size_t first = std::min(n, kCapacity - start);
    const size_t at = out->size();
    out->insert(out->end(), buffer_ + start, buffer_ + start + first);
    if (first < n) out->insert(out->end(), buffer_, buffer_ + (n - first));
    tail_.store(h, std::memory_order_release);
    if (TickClock::UsesTsc()) {
      TickClock::Calibrate();
      ToNs(out->data() + at, n);
    }
    return n;
  }

  // Consumer: frees every readable slot unread.
  void Discard() {
    tail_.store(head_.load(std::memory_order_acquire),
                std::memory_order_release);
  }

  // Producer: whether a push would succeed without allocating or looking
  // at the consumer's progress (a false "no" is fine: TryPush will know).
  bool HasKnownRoom() const {
    return buffer_ != nullptr &&
           head_.load(std::memory_order_relaxed) - cached_tail_ < kCapacity;
  }
  // Producer, after HasKnownRoom(): the push, with no check and no call.
  // True every kDrainEvery events: time to wake the consumer, so that it
  // drains while the producer goes on instead of once the ring is full.
  bool PushKnownRoom(const collector::RawEvent& e) {
    const uint64_t h = head_.load(std::memory_order_relaxed);
    buffer_[h & (kCapacity - 1)] = e;
    head_.store(h + 1, std::memory_order_release);
    return ((h + 1) & (kDrainEvery - 1)) == 0;
  }

  // Producer, after a push: whether it was a kDrainEvery-th one.
  bool DrainDue() const {
    return (head_.load(std::memory_order_relaxed) & (kDrainEvery - 1)) == 0;
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
  // Converts drained copies. One thread's events stay in order: a conversion
  // that lands a few nanoseconds before the previous batch's last event
  // (the calibration's error at a batch boundary) is clamped to it.
  void ToNs(collector::RawEvent* events, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      const int64_t ns = TickClock::ToMonotonicNs(events[i].time_ns);
      last_ns_ = std::max(ns, last_ns_);
      events[i].time_ns = last_ns_;
    }
  }

  // Written only by the producer before its first publish (a release
  // store of head_); the consumer reads it only after acquiring a head_ that
  // is past that publish.
  collector::RawEvent* buffer_ = nullptr;
  alignas(64) std::atomic<uint64_t> head_{0};
  uint64_t cached_tail_ = 0;
  alignas(64) std::atomic<uint64_t> tail_{0};
  // Consumer: the time of the last event converted.
  int64_t last_ns_ = 0;
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_EVENT_RING_H_
