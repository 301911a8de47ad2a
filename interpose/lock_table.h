// interpose/lock_table.h — address -> runtime object, for every lock the
// interposer tracks.
//
// Lookups are lock-free (a load of the table pointer, a hash, a probe):
// they are on every interposed lock and unlock. Inserts and removals are
// rare (first sight, destroy, free) and serialized by a spin lock of the
// table's own, never a pthread lock. Open addressing with linear probing;
// removed entries leave tombstones; a table more than half used is copied
// into one twice the size, and the old one is kept (a reader may still be
// probing it), so no reader ever touches freed memory.
//
// Locks outside every loaded module's image and the creating thread's
// stack (so, heap locks) are also counted per page, so that free() of a block holding none costs one load
// and a compare (heap_lock_count() == 0), or the block's size and one
// counter per page it spans.
#ifndef LOCKSCOPE_INTERPOSE_LOCK_TABLE_H_
#define LOCKSCOPE_INTERPOSE_LOCK_TABLE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lockscope/internal/hooks.h"

namespace lockscope::interpose {

using runtime::ObjectState;

// What kind of primitive an entry is, for telling whether freed memory
// still held it.
enum class LockType : uint8_t { kMutex, kRwLock, kSpin };

struct TableSlot {
  std::atomic<uintptr_t> key{0};  // 0 empty, 1 tombstone, else the address
  // The ObjectState, with LockType in bits 1-2 and "heap" in bit 0 (an
  // ObjectState is 64-byte aligned).
  std::atomic<uintptr_t> value{0};
};

struct Table {
  size_t mask;  // capacity - 1
  TableSlot* slots;
};

extern std::atomic<Table*> g_table;
// The same table for lock-free readers, in one word: the slots' address
// (64-byte aligned) | log2(capacity). One load instead of a pointer chase
// (table -> mask, slots): lookups sit between two atomic instructions on
// every lock and unlock, where each dependent load adds its latency.
extern std::atomic<uintptr_t> g_table_word;
extern std::atomic<uint64_t> g_heap_locks;

inline constexpr uintptr_t kTombstone = 1;
inline constexpr uintptr_t kValueFlags = 63;

inline size_t HashAddress(uintptr_t a) {
  const uint64_t h = (a >> 2) * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h ^ (h >> 29));
}

// The object tracked at `address`, or nullptr.
inline ObjectState* Lookup(const void* address) {
  const uintptr_t word = g_table_word.load(std::memory_order_acquire);
  const TableSlot* slots = reinterpret_cast<const TableSlot*>(word & ~63);
  const size_t mask = (size_t{1} << (word & 63)) - 1;
  const uintptr_t key = reinterpret_cast<uintptr_t>(address);
  for (size_t i = HashAddress(key) & mask;; i = (i + 1) & mask) {
    const uintptr_t k = slots[i].key.load(std::memory_order_acquire);
    if (k == key) {
      return reinterpret_cast<ObjectState*>(
          slots[i].value.load(std::memory_order_relaxed) & ~kValueFlags);
    }
    if (k == 0) return nullptr;
  }
}

// The object at `address`, registered with the runtime on first sight
// (`site_pc`: the return address into the caller of pthread_*).
ObjectState* FindOrCreate(const void* address, LockType type,
                          uint64_t site_pc);
// Ends the identity of the lock at `address` (destroy, re-init): the
// runtime forgets it; the next use is a new lock. `held` as seen by caller.
void Forget(const void* address, bool held);
// Ends every lock inside [begin, end) (freed memory).
void ForgetRange(uintptr_t begin, uintptr_t end);
// Whether a heap (or stack) lock may lie in [begin, end): a page filter.
bool MayHoldLocks(uintptr_t begin, uintptr_t end);

// Publishes the initial table; called by the library's constructor before
// any lookup.
void InitLockTable();

// fork(): the table's lock is held across it (pthread_atfork).
void LockTableForFork();
void UnlockTableAfterFork();

}  // namespace lockscope::interpose

#endif  // LOCKSCOPE_INTERPOSE_LOCK_TABLE_H_
