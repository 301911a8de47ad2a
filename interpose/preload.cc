// liblockscope_preload.so: set-up of the pthread interposer.
//
// LD_PRELOAD puts this library's pthread_*, mtx_*, cnd_*, free, realloc and
// operator delete in front of libc's and libstdc++'s for the whole process;
// each hands the lock to the one runtime (liblockscope.so, which it links).
// Its constructor runs after everything it links is initialized: only then
// is tracking switched on (g_ready).
#include <link.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <string>

#include "interpose/interposer.h"
#include "interpose/real.h"
#include "runtime/interpose_support.h"
#include "runtime/options.h"

namespace lockscope::interpose {

std::atomic<bool> g_ready{false};

namespace {

// The library's executable segments, for cutting its frames off stacks.
void RegisterCodeRange() {
  static const char kAnchor = 0;
  struct Range {
    uintptr_t probe, begin, end;
  } range{reinterpret_cast<uintptr_t>(&RegisterCodeRange), 0, 0};
  (void)kAnchor;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* r = static_cast<Range*>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
          const uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
          const uintptr_t end = begin + ph.p_memsz;
          if (r->probe >= begin && r->probe < end) {
            r->begin = begin;
            r->end = end;
            return 1;
          }
        }
        return 0;
      },
      &range);
  if (range.begin != 0) runtime::SetInterposerRange(range.begin, range.end);
}

__attribute__((constructor)) void InitInterposer() {
  InitLockTable();
  ResolveRealFunctions();
  ResolveNextDelete();
  RegisterCodeRange();
  // The table's spin lock is held across fork() (no thread of the child can
  // then find it taken by a thread that does not exist there).
  pthread_atfork(LockTableForFork, UnlockTableAfterFork, UnlockTableAfterFork);
  g_ready.store(true, std::memory_order_release);
}

}  // namespace
}  // namespace lockscope::interpose

extern "C" {

int lockscope_preload_check_options(const char* options, char* error,
                                    size_t size);

// For `lockscope run`, which loads this library (RTLD_LOCAL) to check
// --options before it starts the program: 1 when `options` is a valid
// LOCKSCOPE_OPTIONS string, else 0 with the problem in `error`.
int lockscope_preload_check_options(const char* options, char* error,
                                    size_t size) {
  std::string message;
  if (lockscope::runtime::CheckOptions(options, &message)) return 1;
  if (size > 0) {
    const size_t n = std::min(size - 1, message.size());
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
  }
  return 0;
}

int lockscope_preload_options_help(char* text, size_t size);

// For `lockscope run --options=help=1` without a PROGRAM (an untracked
// program has no runtime to print help=1): copies the help=1 text into
// `text` (NUL-terminated, cut to `size`) and returns its full length.
int lockscope_preload_options_help(char* text, size_t size) {
  const std::string help = lockscope::runtime::OptionsHelp();
  if (size > 0) {
    const size_t n = std::min(size - 1, help.size());
    std::memcpy(text, help.data(), n);
    text[n] = '\0';
  }
  return static_cast<int>(help.size());
}

}  // extern "C"
