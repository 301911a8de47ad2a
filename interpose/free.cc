// free, realloc and the operator delete family: freed memory ends the
// identity of every lock inside it (std::mutex never calls destroy), so the
// address is a new lock when it is used again.
//
// The common free (no tracked heap lock anywhere, or none on the block's
// pages) costs a load and a compare, or the block's size (glibc's chunk
// header, else malloc_usable_size) and one counter per page it spans.
#include <dlfcn.h>
#include <malloc.h>

#include <cstddef>
#include <cstring>
#include <new>

#include "interpose/interposer.h"
#include "interpose/real.h"

namespace lockscope::interpose {
namespace {

// The memory's size as the allocator knows it (over-estimating is fine).
size_t BlockSize(void* p) {
  const RealFunctions& real = Real();
  if (real.free == __libc_free) {
    // glibc: the chunk's size word sits just before the memory.
    return reinterpret_cast<const size_t*>(p)[-1] & ~size_t{7};
  }
  return real.malloc_usable_size != nullptr ? real.malloc_usable_size(p) : 0;
}

__attribute__((noinline)) void ForgetBlockSlow(void* p, size_t size) {
  // The runtime's own memory holds no tracked lock.
  if (Passthrough()) return;
  if (size == 0) size = BlockSize(p);
  const uintptr_t begin = reinterpret_cast<uintptr_t>(p);
  if (MayHoldLocks(begin, begin + size)) ForgetRange(begin, begin + size);
}

// `size`: the block's size when the caller knows it (sized delete), else 0.
inline void ForgetBlock(void* p, size_t size = 0) {
  if (__builtin_expect(g_heap_locks.load(std::memory_order_relaxed) != 0, 0) &&
      p != nullptr) {
    ForgetBlockSlow(p, size);
  }
}

inline void RealFree(void* p) {
  void (*f)(void*) = g_real.free;
  if (__builtin_expect(f == nullptr, 0)) {
    ResolveRealFunctions();
    f = g_real.free;
    // Still unknown: freed by dlsym while it looks free() up. Leaking that
    // one small buffer is safer than guessing the allocator.
    if (f == nullptr) return;
  }
  f(p);
}

// The operator delete that would run without the interposer: libstdc++'s
// just calls free() (then so do these, once), anything else is called.
struct NextDelete {
  bool is_free = true;
  void (*plain)(void*) = nullptr;
  void (*sized)(void*, size_t) = nullptr;
  void (*array)(void*) = nullptr;
  void (*array_sized)(void*, size_t) = nullptr;
  void (*aligned)(void*, std::align_val_t) = nullptr;
  void (*aligned_sized)(void*, size_t, std::align_val_t) = nullptr;
  void (*array_aligned)(void*, std::align_val_t) = nullptr;
  void (*array_aligned_sized)(void*, size_t, std::align_val_t) = nullptr;
};

NextDelete g_next_delete;
std::atomic<bool> g_next_delete_known{false};

template <typename F>
void FindNext(F*& slot, const char* name) {
  slot = reinterpret_cast<F*>(dlsym(RTLD_NEXT, name));
}

const NextDelete& Next() {
  if (__builtin_expect(!g_next_delete_known.load(std::memory_order_acquire),
                       0)) {
    NextDelete n;
    FindNext(n.plain, "_ZdlPv");
    FindNext(n.sized, "_ZdlPvm");
    FindNext(n.array, "_ZdaPv");
    FindNext(n.array_sized, "_ZdaPvm");
    FindNext(n.aligned, "_ZdlPvSt11align_val_t");
    FindNext(n.aligned_sized, "_ZdlPvmSt11align_val_t");
    FindNext(n.array_aligned, "_ZdaPvSt11align_val_t");
    FindNext(n.array_aligned_sized, "_ZdaPvmSt11align_val_t");
    Dl_info info;
    n.is_free = n.plain == nullptr ||
                (dladdr(reinterpret_cast<void*>(n.plain), &info) != 0 &&
                 info.dli_fname != nullptr &&
                 std::strstr(info.dli_fname, "libstdc++") != nullptr);
    g_next_delete = n;
    g_next_delete_known.store(true, std::memory_order_release);
  }
  return g_next_delete;
}

template <typename F, typename... Args>
inline void Delete(F* next, void* p, size_t size, Args... args) {
  ForgetBlock(p, size);
  const NextDelete& n = Next();
  if (__builtin_expect(n.is_free || next == nullptr, 1)) {
    RealFree(p);
  } else {
    next(p, args...);
  }
}

}  // namespace

// Called by the library's constructor: looks the next operator delete up
// before any thread can race for it.
void ResolveNextDelete() { Next(); }

}  // namespace lockscope::interpose

namespace li = lockscope::interpose;

extern "C" {

void free(void* p) {
  li::ForgetBlock(p);
  li::RealFree(p);
}

void* realloc(void* p, size_t size) {
  // Moved or not, the old block's locks end (a lock is its address).
  li::ForgetBlock(p);
  return li::Real().realloc(p, size);
}

}  // extern "C"

void operator delete(void* p) noexcept {
  li::Delete(li::g_next_delete.plain, p, 0);
}
void operator delete(void* p, size_t n) noexcept {
  li::Delete(li::g_next_delete.sized, p, n, n);
}
void operator delete[](void* p) noexcept {
  li::Delete(li::g_next_delete.array, p, 0);
}
void operator delete[](void* p, size_t n) noexcept {
  li::Delete(li::g_next_delete.array_sized, p, n, n);
}
void operator delete(void* p, std::align_val_t a) noexcept {
  li::Delete(li::g_next_delete.aligned, p, 0, a);
}
void operator delete(void* p, size_t n, std::align_val_t a) noexcept {
  li::Delete(li::g_next_delete.aligned_sized, p, n, n, a);
}
void operator delete[](void* p, std::align_val_t a) noexcept {
  li::Delete(li::g_next_delete.array_aligned, p, 0, a);
}
void operator delete[](void* p, size_t n, std::align_val_t a) noexcept {
  li::Delete(li::g_next_delete.array_aligned_sized, p, n, n, a);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  li::Delete(li::g_next_delete.plain, p, 0);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  li::Delete(li::g_next_delete.array, p, 0);
}
void operator delete(void* p, std::align_val_t a,
                     const std::nothrow_t&) noexcept {
  li::Delete(li::g_next_delete.aligned, p, 0, a);
}
void operator delete[](void* p, std::align_val_t a,
                       const std::nothrow_t&) noexcept {
  li::Delete(li::g_next_delete.array_aligned, p, 0, a);
}
