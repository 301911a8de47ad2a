// lockscope::RwLock against std::shared_mutex, in the same process.
//
// Built twice (bench/CMakeLists.txt): rwlock_plain_benchmark (untracked) and
// rwlock_tracked_benchmark (tracked). See mutex_benchmark.cc for how the
// runs are compared.
#include <benchmark/benchmark.h>

#include <shared_mutex>

#include "bench/bench_locks.h"
#include "lockscope/rwlock.h"

namespace lockscope_bench {
namespace {

// Read side, uncontended: lock_shared+unlock_shared.
template <typename M>
void BM_SharedFlat(benchmark::State& state) {
  auto lock = NewLock<M>("shared_flat");
  for (auto _ : state) {
    lock->mu.lock_shared();
    lock->mu.unlock_shared();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_SharedFlat, std::shared_mutex);
BENCHMARK_TEMPLATE(BM_SharedFlat, lockscope::RwLock);

// Write side, uncontended: lock+unlock.
template <typename M>
void BM_ExclusiveFlat(benchmark::State& state) {
  auto lock = NewLock<M>("exclusive_flat");
  for (auto _ : state) {
    lock->mu.lock();
    lock->mu.unlock();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_ExclusiveFlat, std::shared_mutex);
BENCHMARK_TEMPLATE(BM_ExclusiveFlat, lockscope::RwLock);

// Two readers of one lock: the lock word's cache line bounces between the
// cores, for both types alike; the runtime must add nothing shared to it.
template <typename M>
void BM_SharedReaders(benchmark::State& state) {
  static Padded<M>* const lock = NewLock<M>("readers").release();
  for (auto _ : state) {
    lock->mu.lock_shared();
    lock->mu.unlock_shared();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_SharedReaders, std::shared_mutex)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_SharedReaders, lockscope::RwLock)
    ->Threads(2)
    ->UseRealTime();

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
