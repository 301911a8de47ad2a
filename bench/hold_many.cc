// A program that holds many locks at once: one thread takes N distinct
// locks in order (each named, so each is its own lock class too), holds
// them all, then releases them in reverse; ROUNDS times. hold_many_benchmark
// runs it as a child, tracked with trace=off and untracked, for its peak
// resident memory and wall time: what the lock-order graph costs when a
// thread holds N locks (lockdep's rule: O(N) edges, not O(N^2)).
//
//   hold_many N ROUNDS
//
// Built twice (bench/CMakeLists.txt): hold_many_tracked, hold_many_plain.
// Exits 0, or 2 on bad usage.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "lockscope/mutex.h"

namespace {

// Locks in a loop are beyond clang's thread-safety analysis.
void HoldAllThenRelease(
    const std::vector<std::unique_ptr<lockscope::Mutex>>& locks)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  for (const auto& mu : locks) mu->lock();
  for (auto it = locks.rbegin(); it != locks.rend(); ++it) (*it)->unlock();
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc == 3 ? std::atol(argv[1]) : 0;
  const long rounds = argc == 3 ? std::atol(argv[2]) : 0;
  if (n <= 0 || rounds <= 0) {
    std::fprintf(stderr, "usage: hold_many N ROUNDS\n");
    return 2;
  }
  std::vector<std::unique_ptr<lockscope::Mutex>> locks;
  locks.reserve(static_cast<size_t>(n));
  for (long i = 0; i < n; ++i) {
    locks.push_back(
        std::make_unique<lockscope::Mutex>("held" + std::to_string(i)));
  }
  for (long r = 0; r < rounds; ++r) HoldAllThenRelease(locks);
  return 0;
}
