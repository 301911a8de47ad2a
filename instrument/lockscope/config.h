// lockscope/config.h — the one place that reads TRACK_THREAD_BORROWS.
//
// Defined: the wrappers report to the lockscope runtime (link
// lockscope::lockscope). Undefined: they are the plain std primitives with
// the same size and no runtime calls; AppCell still borrow-checks.
//
// The two modes live in different inline namespaces, so a program that mixes
// tracked and untracked translation units fails to link instead of passing a
// plain std::mutex where a tracked one was expected.
#ifndef LOCKSCOPE_CONFIG_H_
#define LOCKSCOPE_CONFIG_H_

#ifdef TRACK_THREAD_BORROWS
#define LOCKSCOPE_MODE_NAMESPACE tracked_v1
#else
#define LOCKSCOPE_MODE_NAMESPACE plain_v1
#endif

#include <cstddef>

#include "internal/hooks.h"

namespace lockscope {
inline namespace LOCKSCOPE_MODE_NAMESPACE {

#ifdef TRACK_THREAD_BORROWS
inline constexpr bool kTrack = true;
#else
inline constexpr bool kTrack = false;
#endif

namespace internal {

// The runtime handle an object carries only in tracked builds. Wrappers
// inherit from it privately so the untracked form costs no bytes (empty base).
template <bool kEnabled>
class TrackedHandle {
 protected:
  runtime::ObjectState* handle() const noexcept { return handle_; }
  void set_handle(runtime::ObjectState* h) noexcept { handle_ = h; }

 private:
  runtime::ObjectState* handle_ = nullptr;
};

template <>
class TrackedHandle<false> {
 protected:
  static constexpr runtime::ObjectState* handle() noexcept { return nullptr; }
  static constexpr void set_handle(runtime::ObjectState*) noexcept {}
};

// A tracked lock word padded to `kSize` bytes, so that a tracked wrapper
// (the handle plus this) is exactly as large as the standard lock it
// replaces: tracking must not change the layout of the objects that hold
// one (which fields share a cache line, which heap blocks get reused).
template <typename Lock, size_t kSize>
class PaddedLock : public Lock {
  static_assert(kSize > sizeof(Lock), "the padded size is too small");
  [[maybe_unused]] char pad_[kSize - sizeof(Lock)] = {};
};

}  // namespace internal
}  // namespace LOCKSCOPE_MODE_NAMESPACE
}  // namespace lockscope

#endif  // LOCKSCOPE_CONFIG_H_
