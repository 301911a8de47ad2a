// lockscope/cond_var.h — lockscope::CondVar, a drop-in std::condition_variable
// for std::unique_lock<lockscope::Mutex>.
//
//   lockscope::Mutex queue_mu{"queue"};
//   lockscope::CondVar queue_cv{"queue_cv"};
//   std::unique_lock<lockscope::Mutex> lock(queue_mu);
//   queue_cv.wait(lock, [&] { return !queue.empty(); });
//
// wait(lock), wait(lock, pred), wait_for and wait_until (with and without a
// predicate), notify_one and notify_all, as std::condition_variable has them.
//
// Tracked (TRACK_THREAD_BORROWS): a wait releases and retakes the mutex
// through the runtime, so the thread's held-lock stack stays true; a wait
// while the thread holds another lock is reported as `wait-while-holding`
// (a note); an untimed wait is visible to the deadlock watchdog
// (watchdog_ms), which also learns which threads notify each CondVar: a
// waiter holding L whose notifiers are all blocked on L is an
// actual-deadlock. Each wait takes the call site as a defaulted last
// argument, for reports.
//
// Untracked: exactly a std::condition_variable (same size, same code).
#ifndef LOCKSCOPE_COND_VAR_H_
#define LOCKSCOPE_COND_VAR_H_

#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "lockscope/config.h"
#include "lockscope/mutex.h"
#include "lockscope/source_location.h"

namespace lockscope {
inline namespace LOCKSCOPE_MODE_NAMESPACE {
namespace internal {

// Untracked: the std::condition_variable, waiting on the std::mutex inside
// the lockscope::Mutex (M is always Mutex; a template so that it is only
// instantiated in the mode that uses it).
template <typename M>
class PlainCond {
 public:
  PlainCond(std::string_view, const SourceLocation&) noexcept {}

  void Wait(std::unique_lock<M>& lock, const SourceLocation&) {
    std::unique_lock<std::mutex> native(lock.mutex()->mu_, std::adopt_lock);
    cv_.wait(native);
    native.release();
  }
  template <typename Clock, typename Duration>
  std::cv_status WaitUntil(std::unique_lock<M>& lock,
                           const std::chrono::time_point<Clock, Duration>& t,
                           const SourceLocation&) {
    std::unique_lock<std::mutex> native(lock.mutex()->mu_, std::adopt_lock);
    const std::cv_status status = cv_.wait_until(native, t);
    native.release();
    return status;
  }
  void NotifyOne() noexcept { cv_.notify_one(); }
  void NotifyAll() noexcept { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

// Tracked: a sequence word the waiters sleep on (futex), a count of
// waiters (a notify with none makes no system call) and the runtime's
// record of the condition variable (its name, for reports).
template <typename M>
class TrackedCond {
 public:
  TrackedCond(std::string_view name, const SourceLocation& created) noexcept
      : state_(runtime::OnCondCreate(name, created.site())) {}
  ~TrackedCond() { runtime::OnCondDestroy(state_); }
  TrackedCond(const TrackedCond&) = delete;
  TrackedCond& operator=(const TrackedCond&) = delete;

  void Wait(std::unique_lock<M>& lock, const SourceLocation& at) {
    WaitNs(*lock.mutex(), -1, at);
  }
  template <typename Clock, typename Duration>
  std::cv_status WaitUntil(std::unique_lock<M>& lock,
                           const std::chrono::time_point<Clock, Duration>& t,
                           const SourceLocation& at) {
    const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
        t - Clock::now());
    WaitNs(*lock.mutex(), left.count() > 0 ? left.count() : 0, at);
    return Clock::now() < t ? std::cv_status::no_timeout
                            : std::cv_status::timeout;
  }
  void NotifyOne() noexcept { Notify(1); }
  void NotifyAll() noexcept { Notify(INT_MAX); }

 private:
  // Releases `m` through its wrapper (the runtime sees the unlock), sleeps
  // until a notify or `timeout_ns` (< 0: none), and retakes `m` through it.
  void WaitNs(M& m, int64_t timeout_ns, const SourceLocation& at)
      ABSL_NO_THREAD_SAFETY_ANALYSIS {
    waiters_.fetch_add(1);
    const uint32_t seq = seq_.load();
    const uint64_t token =
        runtime::BeforeCondWait(state_, m.handle(), timeout_ns >= 0,
                                at.site());
    m.unlock();
    runtime::FutexWaitFor(&seq_, seq, timeout_ns);
    runtime::AfterCondWait(state_, token);
    waiters_.fetch_sub(1);
    m.lock();
  }
  void Notify(int count) noexcept {
    runtime::OnCondNotify(state_);
    seq_.fetch_add(1);
    if (waiters_.load() != 0) runtime::FutexWake(&seq_, count);
  }

  std::atomic<uint32_t> seq_{0};
  std::atomic<uint32_t> waiters_{0};
  runtime::CondState* const state_;
  // Tracking changes no layout: the room of the std::condition_variable
  // this replaces.
  [[maybe_unused]] char pad_[sizeof(std::condition_variable) -
                             2 * sizeof(std::atomic<uint32_t>) -
                             sizeof(runtime::CondState*)] = {};
};

}  // namespace internal

class CondVar {
 public:
  // `name` identifies the condition variable in reports; without one, its
  // creation site does.
  explicit CondVar(std::string_view name = {},
                   SourceLocation created = SourceLocation::current()) noexcept
      : impl_(name, created) {}
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void notify_one() noexcept { impl_.NotifyOne(); }
  void notify_all() noexcept { impl_.NotifyAll(); }

  // Releases lock's mutex, sleeps until notified (or spuriously), retakes it.
  void wait(std::unique_lock<Mutex>& lock,
            SourceLocation at = SourceLocation::current()) {
    impl_.Wait(lock, at);
  }
  template <typename Predicate>
  void wait(std::unique_lock<Mutex>& lock, Predicate pred,
            SourceLocation at = SourceLocation::current()) {
    while (!pred()) impl_.Wait(lock, at);
  }

  template <typename Clock, typename Duration>
  std::cv_status wait_until(
      std::unique_lock<Mutex>& lock,
      const std::chrono::time_point<Clock, Duration>& abs_time,
      SourceLocation at = SourceLocation::current()) {
    return impl_.WaitUntil(lock, abs_time, at);
  }
  template <typename Clock, typename Duration, typename Predicate>
  bool wait_until(std::unique_lock<Mutex>& lock,
                  const std::chrono::time_point<Clock, Duration>& abs_time,
                  Predicate pred,
                  SourceLocation at = SourceLocation::current()) {
    while (!pred()) {
      if (impl_.WaitUntil(lock, abs_time, at) == std::cv_status::timeout) {
        return pred();
      }
    }
    return true;
  }

  template <typename Rep, typename Period>
  std::cv_status wait_for(std::unique_lock<Mutex>& lock,
                          const std::chrono::duration<Rep, Period>& rel_time,
                          SourceLocation at = SourceLocation::current()) {
    return impl_.WaitUntil(lock, Deadline(rel_time), at);
  }
  template <typename Rep, typename Period, typename Predicate>
  bool wait_for(std::unique_lock<Mutex>& lock,
                const std::chrono::duration<Rep, Period>& rel_time,
                Predicate pred,
                SourceLocation at = SourceLocation::current()) {
    return wait_until(lock, Deadline(rel_time), std::move(pred), at);
  }

 private:
  template <typename Rep, typename Period>
  static std::chrono::steady_clock::time_point Deadline(
      const std::chrono::duration<Rep, Period>& rel_time) {
    return std::chrono::steady_clock::now() +
           std::chrono::ceil<std::chrono::steady_clock::duration>(rel_time);
  }

  std::conditional_t<kTrack, internal::TrackedCond<Mutex>,
                     internal::PlainCond<Mutex>>
      impl_;
};

}  // namespace LOCKSCOPE_MODE_NAMESPACE
}  // namespace lockscope

#endif  // LOCKSCOPE_COND_VAR_H_
