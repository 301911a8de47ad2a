#include "runtime/stack_capture.h"

#include <elf.h>
#include <link.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "absl/strings/str_format.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>

namespace lockscope::runtime {

namespace {

// A thread's first captures walk the stack with unw_step; later ones use
// unw_backtrace. unw_backtrace is about 60 times faster once warm, but its
// first call in a thread builds a per-thread frame cache (a 256 KiB mmap)
// that the thread's exit unmaps: about 100 us for every thread that
// captures anything, which a thread that starts, takes a few locks and
// ends would pay in full (docs/PERFORMANCE.md, "Threads that come and
// go"). A thread that keeps finding new chains passes kStepCaptures soon
// and pays it once.
constexpr int kStepCaptures = 8;
constinit thread_local int tls_captures
    __attribute__((tls_model("initial-exec"))) = 0;

// Frame 0 is this function's own pc, then its caller's return address.
__attribute__((noinline)) int StepBacktrace(void** buffer, int want) {
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) != 0 ||
      unw_init_local(&cursor, &context) != 0) {
    return 0;
  }
  int n = 0;
  do {
    unw_word_t ip = 0;
    if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
    buffer[n++] = reinterpret_cast<void*>(ip);
  } while (n < want && unw_step(&cursor) > 0);
  return n;
}

}  // namespace

std::vector<uint64_t> CaptureStack(int skip, int depth) {
  constexpr int kMax = 256;
  void* buffer[kMax + 16];
  // Either way, frame 0 is inside the unwinder (unw_backtrace or
  // StepBacktrace), frame 1 is this function.
  constexpr int kOwnFrames = 2;
  const int want = std::min(kMax, depth) + skip + kOwnFrames;
  const int n = tls_captures < kStepCaptures
                    ? (++tls_captures, StepBacktrace(buffer, want))
                    : unw_backtrace(buffer, want);
  std::vector<uint64_t> pcs;
  for (int i = skip + kOwnFrames; i < n; ++i) {
    pcs.push_back(reinterpret_cast<uint64_t>(buffer[i]));
  }
  return pcs;
}

namespace {

std::string ReadBuildId(const dl_phdr_info* info) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
    const char* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) nh;
      std::memcpy(&nh, p, sizeof(nh));
      const char* name = p + sizeof(nh);
      const char* desc = name + ((nh.n_namesz + 3) & ~3u);
      const char* next = desc + ((nh.n_descsz + 3) & ~3u);
      if (next > end) break;
      if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0) {
        std::string hex;
        for (unsigned j = 0; j < nh.n_descsz; ++j) {
          absl::StrAppendFormat(&hex, "%02x",
                                static_cast<unsigned char>(desc[j]));
        }
        return hex;
      }
      p = next;
    }
  }
  return "";
}

std::string ExecutablePath() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace

std::vector<collector::ModuleInfo> ListModules() {
  struct Ctx {
    std::vector<collector::ModuleInfo> modules;
    std::string exe;
  } ctx;
  ctx.exe = ExecutablePath();
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* c = static_cast<Ctx*>(data);
        collector::ModuleInfo m;
        m.path = info->dlpi_name != nullptr ? info->dlpi_name : "";
        if (m.path.empty()) {
          if (!c->modules.empty()) return 0;  // vdso or anonymous
          m.path = c->exe;                    // the main program comes first
        }
        m.base = info->dlpi_addr;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
            m.end = std::max<uint64_t>(m.end,
                                       info->dlpi_addr + ph.p_vaddr + ph.p_memsz);
          }
        }
        if (m.end == 0) return 0;
        m.build_id = ReadBuildId(info);
        m.id = c->modules.size() + 1;
        c->modules.push_back(std::move(m));
        return 0;
      },
      &ctx);
  return ctx.modules;
}

collector::StackId StackDepot::Intern(const std::vector<uint64_t>& pcs,
                                      bool* is_new) {
  RawMutexLock lock(&mu_);
  auto [it, inserted] = ids_.try_emplace(pcs, stacks_.size() + 1);
  if (inserted) stacks_.push_back(pcs);
  *is_new = inserted;
  return it->second;
}

std::vector<uint64_t> StackDepot::Get(collector::StackId id) const {
  RawMutexLock lock(&mu_);
  if (id == 0 || id > stacks_.size()) return {};
  return stacks_[id - 1];
}

}  // namespace lockscope::runtime
