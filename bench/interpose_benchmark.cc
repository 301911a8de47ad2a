// Plain std::mutex and new/delete workloads for the interposer: this
// program has no lockscope include and does not link lockscope.
// scripts/bench.sh runs the same binary without the preload, with
// LD_PRELOAD=liblockscope_preload.so, under valgrind --tool=helgrind, and a
// -fsanitize=thread build of this source (TSAN_OPTIONS=detect_deadlocks=1),
// and compares each case's time per operation.
//
// INTERPOSE_BENCH_NEW_DELETE (environment): iterations per thread of
// BM_NewDelete (default 5,000,000; helgrind runs get fewer).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace {

// A lock alone on its cache line, so two threads on their own locks never
// share a line.
struct alignas(64) PaddedMutex {
  std::mutex mu;
};

// One lock, lock+unlock: the uncontended fast path.
void BM_Flat(benchmark::State& state) {
  auto lock = std::make_unique<PaddedMutex>();
  for (auto _ : state) {
    lock->mu.lock();
    lock->mu.unlock();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Flat);

// Four locks nested in a fixed order: one iteration is four lock+unlock
// pairs.
void LockUnlockAll(std::array<PaddedMutex, 4>& locks) {
  for (PaddedMutex& l : locks) l.mu.lock();
  for (size_t i = locks.size(); i > 0; --i) locks[i - 1].mu.unlock();
}

void BM_Nested4(benchmark::State& state) {
  auto locks = std::make_unique<std::array<PaddedMutex, 4>>();
  for (auto _ : state) LockUnlockAll(*locks);
  state.SetItemsProcessed(state.iterations() * 4);
}
BENCHMARK(BM_Nested4);

// Each thread nests its own four locks: throughput should double from one
// thread to two unless the tool serializes threads.
void BM_Nested4Private(benchmark::State& state) {
  auto locks = std::make_unique<std::array<PaddedMutex, 4>>();
  for (auto _ : state) LockUnlockAll(*locks);
  state.SetItemsProcessed(state.iterations() * 4);
}
BENCHMARK(BM_Nested4Private)->Threads(1)->Threads(2)->UseRealTime();

// No lock, just work: how far this machine lets two threads scale.
void BM_PrivateWork(benchmark::State& state) {
  uint64_t x = state.thread_index();
  for (auto _ : state) {
    for (int i = 0; i < 64; ++i) x = x * 6364136223846793005ull + 1;
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrivateWork)->Threads(1)->Threads(2)->UseRealTime();

// Two threads take one lock around a tiny critical section.
void BM_Contended(benchmark::State& state) {
  static PaddedMutex* const lock = new PaddedMutex;
  static uint64_t counter = 0;
  for (auto _ : state) {
    lock->mu.lock();
    benchmark::DoNotOptimize(++counter);
    lock->mu.unlock();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Contended)->Threads(2)->UseRealTime();

// new/delete of 64-byte objects on two threads: what the interposer's free
// hook (a freed address ends any lock that lived there) costs a program
// that allocates.
struct Object64 {
  char bytes[64];
};

void BM_NewDelete(benchmark::State& state) {
  for (auto _ : state) {
    auto* o = new Object64;
    benchmark::DoNotOptimize(o);
    delete o;
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 5000000;
  if (const char* env = std::getenv("INTERPOSE_BENCH_NEW_DELETE")) {
    iterations = std::strtol(env, nullptr, 10);
  }
  benchmark::RegisterBenchmark("BM_NewDelete", BM_NewDelete)
      ->Iterations(iterations > 0 ? iterations : 1)
      ->Threads(2)
      ->UseRealTime();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
