// A tracked program whose trace the benchmarks measure: trace_size_benchmark
// (bytes per event at events=all) and check_benchmark (`lockscope check`
// throughput) run it as a child with LOCKSCOPE_OPTIONS naming the trace.
//
//   trace_workload flat N    one thread: N lock+unlock pairs of one Mutex
//                            (2N events: the densest, most regular trace)
//   trace_workload mixed N   two threads, N rounds each: two nested Mutexes,
//                            an RwLock read, and (on the main thread) an
//                            AppCell borrow, with a little work in between
//                            so that times differ as in a real program
//   trace_workload inverted N  mixed, with the two Mutexes nested the other
//                            way (a fleet of mixed and inverted processes
//                            holds a cycle across processes: check_benchmark)
//
// Exits 0, or 2 on bad usage.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "lockscope/lockscope.h"

namespace {

void Flat(int64_t n) {
  lockscope::Mutex mu{"flat"};
  for (int64_t i = 0; i < n; ++i) {
    mu.lock();
    mu.unlock();
  }
}

// A few hundred nanoseconds of work the compiler cannot drop.
uint64_t Work(uint64_t seed) {
  for (int i = 0; i < 64; ++i) seed = seed * 6364136223846793005ull + 1;
  return seed;
}

void Mixed(int64_t n, bool inverted) {
  lockscope::Mutex outer_mu{"outer"};
  lockscope::Mutex inner_mu{"inner"};
  lockscope::Mutex& outer = inverted ? inner_mu : outer_mu;
  lockscope::Mutex& inner = inverted ? outer_mu : inner_mu;
  lockscope::RwLock config{"config"};
  lockscope::AppCell<uint64_t> app{0, "app"};
  uint64_t shared_state = 0;
  auto round = [&](uint64_t seed) {
    {
      std::lock_guard<lockscope::Mutex> a(outer);
      std::lock_guard<lockscope::Mutex> b(inner);
      shared_state = Work(shared_state ^ seed);
    }
    {
      std::shared_lock<lockscope::RwLock> r(config);
      seed = Work(seed);
    }
    return Work(seed);
  };
  std::thread other([&] {
    uint64_t seed = 1;
    for (int64_t i = 0; i < n; ++i) seed = round(seed);
  });
  uint64_t seed = 2;
  for (int64_t i = 0; i < n; ++i) {
    seed = round(seed);
    *app.borrow_mut() += seed;
  }
  other.join();
  std::printf("%llu\n",
              static_cast<unsigned long long>(*app.borrow() ^ shared_state));
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc == 3 ? std::atoll(argv[2]) : 0;
  const bool inverted = argc == 3 && std::strcmp(argv[1], "inverted") == 0;
  if (n <= 0 || (std::strcmp(argv[1], "flat") != 0 &&
                 std::strcmp(argv[1], "mixed") != 0 && !inverted)) {
    std::fprintf(stderr, "usage: trace_workload flat|mixed|inverted N\n");
    return 2;
  }
  if (std::strcmp(argv[1], "flat") == 0) {
    Flat(n);
  } else {
    Mixed(n, inverted);
  }
  return 0;
}
