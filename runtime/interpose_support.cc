#include "runtime/interpose_support.h"

#include <atomic>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "runtime/keep_errno.h"
#include "runtime/lock_names.h"
#include "runtime/options.h"
#include "runtime/reentry.h"
#include "runtime/session.h"
#include "runtime/stack_capture.h"
#include "runtime/thread_state.h"

namespace lockscope::runtime {
namespace {

std::atomic<uintptr_t> g_interposer_begin{0};
std::atomic<uintptr_t> g_interposer_end{0};


}  // namespace

bool InInterposer(uint64_t pc) {
  return pc >= g_interposer_begin.load(std::memory_order_relaxed) &&
         pc < g_interposer_end.load(std::memory_order_relaxed);
}

ObjectState* OnCreateAt(ObjectKind kind, const void* address, size_t size,
                        uint64_t site_pc) noexcept {
  KeepErrno keep_errno;
  ReentryGuard guard;
  Session& session = Session::Get();  // first: it may start the runtime
  collector::SourceSite where;
  std::string name =
      DataSymbolName(reinterpret_cast<uintptr_t>(address), size);
  if (name.empty()) {
    std::vector<uint64_t> pcs = CaptureStack(0, 32);
    if (site_pc != 0) {
      // Start at the caller's frame; what precedes it is ours.
      for (size_t i = 0; i < pcs.size(); ++i) {
        if (pcs[i] == site_pc) {
          pcs.erase(pcs.begin(), pcs.begin() + static_cast<ptrdiff_t>(i));
          break;
        }
      }
    }
    if (UserSite(pcs, &where)) {
      const size_t slash = where.file.rfind('/');
      name = where.file.empty()
                 ? where.function
                 : absl::StrCat(where.function, " ",
                                slash == std::string::npos
                                    ? where.file
                                    : where.file.substr(slash + 1),
                                ":", where.line);
    } else {
      name = absl::StrCat("lock@0x",
                          absl::Hex(reinterpret_cast<uintptr_t>(address)));
    }
  }
  const Site site{where.file.c_str(), where.function.c_str(), where.line};
  return session.NewObject(kind, name, site);
}

void AfterBlockFailed(ObjectState* object, Access access,
                      uint64_t token) noexcept {
  (void)object;
  (void)access;
  (void)token;
  KeepErrno keep_errno;
  ReentryGuard guard;
  ThreadState* t = CurrentThread();
  if (t->watchdog) {
    RawMutexLock lock(&t->wait_mu);
    t->wait.waiting_for = nullptr;
    t->wait.waiting_for_id = 0;
  }
}

void SetInterposerRange(uintptr_t begin, uintptr_t end) noexcept {
  g_interposer_begin.store(begin, std::memory_order_relaxed);
  g_interposer_end.store(end, std::memory_order_relaxed);
}

void TrimInterposerFrames(std::vector<uint64_t>* pcs) {
  size_t n = 0;
  while (n < pcs->size() && InInterposer((*pcs)[n])) ++n;
  if (n > 0 && n < pcs->size()) {
    pcs->erase(pcs->begin(), pcs->begin() + static_cast<ptrdiff_t>(n));
  }
}

bool CheckOptions(const char* text, std::string* error) noexcept {
  ReentryGuard guard;
  std::vector<std::string> errors;
  ParseOptions(text != nullptr ? text : "", &errors);
  if (errors.empty()) return true;
  if (error != nullptr) *error = errors.front();
  return false;
}

}  // namespace lockscope::runtime
