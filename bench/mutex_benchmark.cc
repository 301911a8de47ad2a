// lockscope::Mutex against std::mutex, in the same process.
//
// Built twice (bench/CMakeLists.txt): mutex_plain_benchmark (untracked: the
// wrapper must be std::mutex exactly) and mutex_tracked_benchmark (tracked:
// what TRACK_THREAD_BORROWS costs). Which events mode the tracked runs
// measure is chosen by LOCKSCOPE_OPTIONS (scripts/bench.sh sets it).
//
// Every case runs the same template for both lock types, so the ratio
// lockscope/std of one run compares the same loop on the same machine state.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_locks.h"
#include "lockscope/mutex.h"

namespace lockscope_bench {
namespace {

// One lock, lock+unlock: the uncontended fast path.
template <typename M>
void BM_Flat(benchmark::State& state) {
  auto lock = NewLock<M>("flat");
  for (auto _ : state) {
    lock->mu.lock();
    lock->mu.unlock();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_Flat, std::mutex);
BENCHMARK_TEMPLATE(BM_Flat, lockscope::Mutex);

// The same, charged with the CPU time of every thread of the process: at
// events=all that includes the collector thread encoding the events.
template <typename M>
void BM_FlatProcessCpu(benchmark::State& state) {
  BM_Flat<M>(state);
}
BENCHMARK_TEMPLATE(BM_FlatProcessCpu, std::mutex)->MeasureProcessCPUTime();
BENCHMARK_TEMPLATE(BM_FlatProcessCpu, lockscope::Mutex)
    ->MeasureProcessCPUTime();

// Four locks nested in a fixed order (a chain the runtime has validated):
// one iteration is four lock+unlock pairs.
template <typename M>
void BM_Nested4(benchmark::State& state) {
  LockChain<M, 4> chain("nested");
  for (auto _ : state) chain.LockUnlockAll();
  state.SetItemsProcessed(state.iterations() * 4);
}
BENCHMARK_TEMPLATE(BM_Nested4, std::mutex);
BENCHMARK_TEMPLATE(BM_Nested4, lockscope::Mutex);

// Each thread nests its own four locks: nothing is shared, so throughput
// should double from one thread to two unless the tool serializes threads.
// Compare items_per_second at threads:2 with threads:1.
template <typename M>
void BM_Nested4Private(benchmark::State& state) {
  LockChain<M, 4> chain("private" + std::to_string(state.thread_index()) + ".");
  for (auto _ : state) chain.LockUnlockAll();
  state.SetItemsProcessed(state.iterations() * 4);
}
BENCHMARK_TEMPLATE(BM_Nested4Private, std::mutex)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Nested4Private, lockscope::Mutex)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// No lock at all, just work: how far this machine lets two threads scale
// (the ceiling of the row above; on a shared machine it may be far from 2).
void BM_PrivateWork(benchmark::State& state) {
  uint64_t x = state.thread_index();
  for (auto _ : state) {
    for (int i = 0; i < 64; ++i) x = x * 6364136223846793005ull + 1;
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrivateWork)->Threads(1)->Threads(2)->UseRealTime();

// Two threads take one lock around a tiny critical section: many
// acquisitions find it taken and wait (the contended path).
template <typename M>
void BM_Contended(benchmark::State& state) {
  static Padded<M>* const lock = NewLock<M>("contended").release();
  static uint64_t counter = 0;
  for (auto _ : state) {
    lock->mu.lock();
    benchmark::DoNotOptimize(++counter);
    lock->mu.unlock();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_Contended, std::mutex)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Contended, lockscope::Mutex)->Threads(2)->UseRealTime();

// Lock striping: 64 stripes of one lock class (one name), each thread of
// two locking all of them in order and releasing them, 200 times. Every
// iteration makes fresh stripes, so it pays what a new pattern costs: the
// first pass validates 64 new chains per thread (64 edges, each from the
// newest held stripe, not 2016) and the rest hit the chain cache; the two
// threads contend on every stripe. Timed from when both threads are ready
// until both are done (wall time).
template <typename M>
void BM_Stripes64(benchmark::State& state) {
  constexpr int kStripes = 64;
  constexpr int kPasses = 200;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Padded<M>>> stripes;
    for (int i = 0; i < kStripes; ++i) stripes.push_back(NewLock<M>("stripe"));
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    auto work = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) {
      }
      for (int pass = 0; pass < kPasses; ++pass) {
        for (auto& s : stripes) s->mu.lock();
        for (auto it = stripes.rbegin(); it != stripes.rend(); ++it) {
          (*it)->mu.unlock();
        }
      }
    };
    std::thread a(work), b(work);
    while (ready.load() != 2) {
    }
    const auto start = std::chrono::steady_clock::now();
    go.store(true, std::memory_order_release);
    a.join();
    b.join();
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  state.SetItemsProcessed(state.iterations() * 2 * kPasses * kStripes);
}
BENCHMARK_TEMPLATE(BM_Stripes64, std::mutex)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Stripes64, lockscope::Mutex)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
