// interpose/interposer.h — what every interposed function shares: when to
// pass straight through, and the address -> object step.
#ifndef LOCKSCOPE_INTERPOSE_INTERPOSER_H_
#define LOCKSCOPE_INTERPOSE_INTERPOSER_H_

#include <atomic>
#include <cstdint>

#include "interpose/lock_table.h"
#include "lockscope/internal/hooks.h"
#include "runtime/reentry.h"

namespace lockscope::interpose {

using runtime::Access;

// Set by the library's constructor, once everything it links is
// initialized: calls before it (the loader, libc, other libraries'
// constructors) are not tracked.
extern std::atomic<bool> g_ready;

// Pass straight to the real function: not ready yet, or the runtime itself
// (or code it calls) is running on this thread.
inline bool Passthrough() {
  return __builtin_expect(
      runtime::tls_in_runtime || !g_ready.load(std::memory_order_relaxed), 0);
}

// The return address into the code that called the interposed function.
#define LOCKSCOPE_SITE_PC() \
  reinterpret_cast<uint64_t>(__builtin_return_address(0))

inline ObjectState* Get(const void* lock, LockType type, uint64_t site_pc) {
  ObjectState* o = Lookup(lock);
  return __builtin_expect(o != nullptr, 1)
             ? o
             : FindOrCreate(lock, type, site_pc);
}

}  // namespace lockscope::interpose

#endif  // LOCKSCOPE_INTERPOSE_INTERPOSER_H_
