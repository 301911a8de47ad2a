// bench/bench_locks.h — what the lock benchmarks share: making std, Abseil
// and lockscope primitives through one spelling, each on its own cache line.
//
// The lock benchmarks are templates over the lock type, so that a lockscope
// wrapper and the primitive it replaces run the very same loop in the same
// process and the ratio between them compares like with like.
#ifndef LOCKSCOPE_BENCH_BENCH_LOCKS_H_
#define LOCKSCOPE_BENCH_BENCH_LOCKS_H_

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/base/thread_annotations.h"

namespace lockscope_bench {

// A lock alone on its cache line(s), so that two threads working on their
// own locks never share a line (that would measure false sharing, not the
// locks).
template <typename M>
struct alignas(64) Padded {
  template <typename... Args>
  explicit Padded(Args&&... args) : mu(std::forward<Args>(args)...) {}
  M mu;
};

// A new lock named `name` where the type takes a name (lockscope's wrappers),
// unnamed otherwise (std::mutex, absl::Mutex).
template <typename M>
std::unique_ptr<Padded<M>> NewLock(std::string_view name) {
  if constexpr (std::is_constructible_v<M, std::string_view>) {
    return std::make_unique<Padded<M>>(name);
  } else {
    (void)name;
    return std::make_unique<Padded<M>>();
  }
}

// Locks always taken in the same order (0, 1, ..., N-1): a known lock chain.
template <typename M, size_t N>
class LockChain {
 public:
  explicit LockChain(std::string_view prefix) {
    for (size_t i = 0; i < N; ++i) {
      locks_[i] = NewLock<M>(std::string(prefix) + std::to_string(i));
    }
  }

  // Locks all N in order, then unlocks them in reverse (the usual scoped
  // nesting). Locks in a loop are beyond clang's thread-safety analysis.
  void LockUnlockAll() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    for (size_t i = 0; i < N; ++i) locks_[i]->mu.lock();
    for (size_t i = N; i > 0; --i) locks_[i - 1]->mu.unlock();
  }

 private:
  std::array<std::unique_ptr<Padded<M>>, N> locks_;
};

}  // namespace lockscope_bench

#endif  // LOCKSCOPE_BENCH_BENCH_LOCKS_H_
