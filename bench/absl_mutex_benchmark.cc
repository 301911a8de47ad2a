// Abseil's absl::Mutex with its deadlock detection, side by side with
// std::mutex in the same process: the peer lockscope is measured against.
//
// Detection is global in Abseil (SetMutexDeadlockDetectionMode), so each
// case sets the mode it measures before its loop: kReport (detection on,
// cycles reported) and kIgnore (plain absl::Mutex). Abseil only tracks lock
// order when the library itself was built in debug mode; the kIgnore rows
// show whether the installed one was (if they equal the kReport rows, it was
// not, and the detector costs nothing here).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <mutex>
#include <string>

#include "absl/synchronization/mutex.h"
#include "bench/bench_locks.h"

namespace lockscope_bench {
namespace {

// absl::Mutex spelled as a std Lockable, so the shared templates apply.
// kMode is the deadlock detection mode the case runs under.
template <absl::OnDeadlockCycle kMode>
class AbslMutex {
 public:
  AbslMutex() { absl::SetMutexDeadlockDetectionMode(kMode); }
  void lock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Lock(); }
  void unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Unlock(); }

 private:
  absl::Mutex mu_;
};
using AbslDetect = AbslMutex<absl::OnDeadlockCycle::kReport>;
using AbslNoDetect = AbslMutex<absl::OnDeadlockCycle::kIgnore>;

// Re-asserts M's detection mode (another case may have changed it).
template <typename M>
void SetMode() {
  if constexpr (!std::is_same_v<M, std::mutex>) M();
}

template <typename M>
void BM_Flat(benchmark::State& state) {
  SetMode<M>();
  auto lock = NewLock<M>("flat");
  for (auto _ : state) {
    lock->mu.lock();
    lock->mu.unlock();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_Flat, std::mutex);
BENCHMARK_TEMPLATE(BM_Flat, AbslDetect);
BENCHMARK_TEMPLATE(BM_Flat, AbslNoDetect);

template <typename M>
void BM_Nested4(benchmark::State& state) {
  SetMode<M>();
  LockChain<M, 4> chain("nested");
  for (auto _ : state) chain.LockUnlockAll();
  state.SetItemsProcessed(state.iterations() * 4);
}
BENCHMARK_TEMPLATE(BM_Nested4, std::mutex);
BENCHMARK_TEMPLATE(BM_Nested4, AbslDetect);
BENCHMARK_TEMPLATE(BM_Nested4, AbslNoDetect);

template <typename M>
void BM_Nested4Private(benchmark::State& state) {
  SetMode<M>();
  LockChain<M, 4> chain("private");
  for (auto _ : state) chain.LockUnlockAll();
  state.SetItemsProcessed(state.iterations() * 4);
}
BENCHMARK_TEMPLATE(BM_Nested4Private, std::mutex)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Nested4Private, AbslDetect)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

template <typename M>
void BM_Contended(benchmark::State& state) {
  SetMode<M>();
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
BENCHMARK_TEMPLATE(BM_Contended, AbslDetect)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
