// lockscope/app_cell.h — lockscope::AppCell<T>, a RefCell for state that
// belongs to one thread.
//
//   lockscope::AppCell<App> app{App{}, "app"};   // owner = constructing thread
//   { auto ref = app.borrow(); ref->render(); }        // shared borrow
//   { auto mut = app.borrow_mut(); mut->state = 1; }  // exclusive borrow
//
// Borrow checking is always on, tracked or not, like Rust's RefCell: any
// number of shared borrows, or one exclusive borrow. A conflicting borrow()
// or borrow_mut() prints one line naming both sites and aborts:
//
//   lockscope: borrow-conflict: borrow_mut() of 'app' at app.cc:12 in
//   Render while a shared borrow taken at app.cc:9 in Update is outstanding
//
// Tracked (TRACK_THREAD_BORROWS): every borrow is reported to the runtime,
// which flags cross-thread-borrow when a thread other than the owner borrows
// (the owner is the constructing thread until rebind_owner_thread()), adds
// thread names and stacks to the conflict report, and records the conflict
// in the trace before aborting. Borrows never form lock-order edges.
//
// Not a lock: a cell shared between threads must still be protected by one.
#ifndef LOCKSCOPE_APP_CELL_H_
#define LOCKSCOPE_APP_CELL_H_

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "lockscope/config.h"
#include "lockscope/source_location.h"

namespace lockscope {
inline namespace LOCKSCOPE_MODE_NAMESPACE {

namespace internal {

// What an AppCell keeps of its creation site: untracked, the
// SourceLocation; tracked, its file and line (the conflict message's name
// of an unnamed cell; the runtime has the rest) and, in the function
// name's place, the runtime handle. So tracking does not change the size
// of an AppCell, or of the objects that hold one.
template <bool kTracked>
class CellSite : public SourceLocation {
 public:
  explicit CellSite(const SourceLocation& at) : SourceLocation(at) {}
  static constexpr runtime::ObjectState* handle() noexcept { return nullptr; }
  static constexpr void set_handle(runtime::ObjectState*) noexcept {}
};

template <>
class CellSite<true> {
 public:
  explicit CellSite(const SourceLocation& at)
      : file_(at.file_name()), line_(at.line()) {}
  const char* file_name() const noexcept { return file_; }
  uint32_t line() const noexcept { return line_; }
  runtime::ObjectState* handle() const noexcept { return handle_; }
  void set_handle(runtime::ObjectState* h) noexcept { handle_ = h; }

 private:
  runtime::ObjectState* handle_ = nullptr;
  const char* file_;
  uint32_t line_;
};

}  // namespace internal

template <typename T>
class AppCell;

// A shared borrow of an AppCell<T>. Move-only; releases on destruction.
template <typename T>
class Ref {
 public:
  Ref(Ref&& other) noexcept : cell_(std::exchange(other.cell_, nullptr)) {}
  Ref& operator=(Ref&& other) noexcept {
    if (this != &other) {
      Release();
      cell_ = std::exchange(other.cell_, nullptr);
    }
    return *this;
  }
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() { Release(); }

  const T& operator*() const noexcept { return cell_->value_; }
  const T* operator->() const noexcept { return &cell_->value_; }
  const T* get() const noexcept { return &cell_->value_; }

 private:
  friend class AppCell<T>;
  explicit Ref(const AppCell<T>* cell) noexcept : cell_(cell) {}
  void Release() noexcept {
    if (cell_ != nullptr) cell_->ReleaseShared();
  }

  const AppCell<T>* cell_;
};

// An exclusive borrow of an AppCell<T>. Move-only; releases on destruction.
template <typename T>
class RefMut {
 public:
  RefMut(RefMut&& other) noexcept
      : cell_(std::exchange(other.cell_, nullptr)) {}
  RefMut& operator=(RefMut&& other) noexcept {
    if (this != &other) {
      Release();
      cell_ = std::exchange(other.cell_, nullptr);
    }
    return *this;
  }
  RefMut(const RefMut&) = delete;
  RefMut& operator=(const RefMut&) = delete;
  ~RefMut() { Release(); }

  T& operator*() const noexcept { return cell_->value_; }
  T* operator->() const noexcept { return &cell_->value_; }
  T* get() const noexcept { return &cell_->value_; }

 private:
  friend class AppCell<T>;
  explicit RefMut(const AppCell<T>* cell) noexcept : cell_(cell) {}
  void Release() noexcept {
    if (cell_ != nullptr) cell_->ReleaseExclusive();
  }

  const AppCell<T>* cell_;
};

template <typename T>
class AppCell {
 public:
  explicit AppCell(T value = T(), std::string_view name = {},
                   SourceLocation created = SourceLocation::current())
      : value_(std::move(value)), name_(name), created_(created) {
    if constexpr (kTrack) {
      created_.set_handle(runtime::OnCreate(runtime::ObjectKind::kCell, name,
                                            created.site()));
    }
    // Tracked or not, an AppCell<T> has one size (see internal::CellSite).
    static_assert(sizeof(internal::CellSite<true>) ==
                      sizeof(internal::CellSite<false>),
                  "a tracked AppCell must keep the untracked layout");
  }
  AppCell(const AppCell&) = delete;
  AppCell& operator=(const AppCell&) = delete;
  ~AppCell() {
    if constexpr (kTrack) {
      runtime::OnDestroy(handle(),
                         state_.load(std::memory_order_relaxed) != 0);
    }
  }

  // Shared borrow. Aborts with borrow-conflict while a borrow_mut() guard is
  // alive. Tracked: reports cross-thread-borrow off the owner thread.
  Ref<T> borrow(SourceLocation at = SourceLocation::current()) const {
    const int32_t s = state_.load(std::memory_order_relaxed);
    if (s < 0) Conflict(runtime::Access::kShared, at, "borrow()");
    AcquireShared(s, at, /*was_try=*/false);
    return Ref<T>(this);
  }

  // Exclusive borrow. Aborts with borrow-conflict while any guard is alive.
  RefMut<T> borrow_mut(SourceLocation at = SourceLocation::current()) const {
    const int32_t s = state_.load(std::memory_order_relaxed);
    if (s != 0) Conflict(runtime::Access::kExclusive, at, "borrow_mut()");
    AcquireExclusive(at, /*was_try=*/false);
    return RefMut<T>(this);
  }

  // Like borrow(), but returns nullopt instead of aborting on a conflict.
  std::optional<Ref<T>> try_borrow(
      SourceLocation at = SourceLocation::current()) const {
    const int32_t s = state_.load(std::memory_order_relaxed);
    if (s < 0) return std::nullopt;
    AcquireShared(s, at, /*was_try=*/true);
    return Ref<T>(this);
  }

  // Like borrow_mut(), but returns nullopt instead of aborting on a conflict.
  std::optional<RefMut<T>> try_borrow_mut(
      SourceLocation at = SourceLocation::current()) const {
    if (state_.load(std::memory_order_relaxed) != 0) return std::nullopt;
    AcquireExclusive(at, /*was_try=*/true);
    return RefMut<T>(this);
  }

  // Makes the calling thread the owner, for an explicit hand-off of the
  // state to another thread. No effect untracked.
  void rebind_owner_thread() const noexcept {
    if constexpr (kTrack) runtime::RebindOwner(handle());
  }

 private:
  friend class Ref<T>;
  friend class RefMut<T>;

  void AcquireShared(int32_t s, const SourceLocation& at,
                     bool was_try) const noexcept {
    state_.store(s + 1, std::memory_order_relaxed);
    RememberSite(at, runtime::Access::kShared);
    if constexpr (kTrack) {
      runtime::OnBorrow(handle(), runtime::Access::kShared, was_try,
                        at.site());
    }
  }
  void AcquireExclusive(const SourceLocation& at,
                        bool was_try) const noexcept {
    state_.store(-1, std::memory_order_relaxed);
    RememberSite(at, runtime::Access::kExclusive);
    if constexpr (kTrack) {
      runtime::OnBorrow(handle(), runtime::Access::kExclusive, was_try,
                        at.site());
    }
  }
  void ReleaseShared() const noexcept {
    if constexpr (kTrack) {
      runtime::OnBorrowRelease(handle(), runtime::Access::kShared);
    }
    state_.store(state_.load(std::memory_order_relaxed) - 1,
                 std::memory_order_relaxed);
  }
  void ReleaseExclusive() const noexcept {
    if constexpr (kTrack) {
      runtime::OnBorrowRelease(handle(), runtime::Access::kExclusive);
    }
    state_.store(0, std::memory_order_relaxed);
  }

  // The outstanding borrow's site, for the conflict message: the latest
  // borrow taken (with several shared borrows, the newest one).
  void RememberSite(const SourceLocation& at,
                    runtime::Access access) const noexcept {
    site_file_.store(at.file_name(), std::memory_order_relaxed);
    site_function_.store(at.function_name(), std::memory_order_relaxed);
    site_line_.store(at.line() * 2 +
                         (access == runtime::Access::kExclusive ? 1 : 0),
                     std::memory_order_relaxed);
  }

  [[noreturn]] void Conflict(runtime::Access access, const SourceLocation& at,
                             const char* what) const noexcept {
    const uint32_t packed = site_line_.load(std::memory_order_relaxed);
    const runtime::Access outstanding = (packed & 1)
                                            ? runtime::Access::kExclusive
                                            : runtime::Access::kShared;
    const runtime::Site other{site_file_.load(std::memory_order_relaxed),
                              site_function_.load(std::memory_order_relaxed),
                              packed / 2};
    char name[256];
    if (name_.empty()) {
      // Like the runtime: an unnamed cell is named "file:line" of its
      // creation, without the directory.
      const char* file = created_.file_name();
      for (const char* p = file; *p != '\0'; ++p) {
        if (*p == '/') file = p + 1;
      }
      std::snprintf(name, sizeof(name), "%s:%u", file, created_.line());
    } else {
      std::snprintf(name, sizeof(name), "%.*s",
                    static_cast<int>(name_.size()), name_.data());
    }
    char headline[1024];
    std::snprintf(headline, sizeof(headline),
                  "lockscope: borrow-conflict: %s of '%s' at %s:%u in %s "
                  "while %s borrow taken at %s:%u in %s is outstanding",
                  what, name, at.file_name(), at.line(), at.function_name(),
                  outstanding == runtime::Access::kExclusive ? "an exclusive"
                                                             : "a shared",
                  other.file, other.line, other.function);
    if constexpr (kTrack) {
      runtime::OnBorrowConflict(handle(), access, at.site(), outstanding,
                                other, headline);
    } else {
      (void)access;
      std::fprintf(stderr, "%s\n", headline);
      std::fflush(stderr);
      std::abort();
    }
  }

  mutable T value_;
  // 0: free; n > 0: n shared borrows; -1: borrowed exclusively. Atomic only
  // so that a cross-thread borrow (a bug we report) is not also a data race.
  mutable std::atomic<int32_t> state_{0};
  mutable std::atomic<const char*> site_file_{""};
  mutable std::atomic<const char*> site_function_{""};
  mutable std::atomic<uint32_t> site_line_{0};
  // Tracked: the runtime handle too (handle()).
  runtime::ObjectState* handle() const noexcept { return created_.handle(); }

  std::string name_;
  internal::CellSite<kTrack> created_;
};

}  // namespace LOCKSCOPE_MODE_NAMESPACE
}  // namespace lockscope

#endif  // LOCKSCOPE_APP_CELL_H_
