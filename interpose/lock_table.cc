#include "interpose/lock_table.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <algorithm>

#include "runtime/interpose_support.h"
#include "runtime/reentry.h"

namespace lockscope::interpose {
namespace {

constexpr int kInitialBits = 12;
constexpr size_t kInitialSlots = size_t{1} << kInitialBits;
alignas(64) TableSlot g_initial_slots[kInitialSlots];
Table g_initial_table{kInitialSlots - 1, g_initial_slots};

// Serializes inserts and removals. A spin lock that yields: no pthread
// lock (it would come back into the interposer), no allocation.
std::atomic<bool> g_table_lock{false};
// Under g_table_lock: non-empty slots (live entries and tombstones), live.
size_t g_used = 0;
size_t g_live = 0;

void Lock() {
  while (g_table_lock.exchange(true, std::memory_order_acquire)) {
    while (g_table_lock.load(std::memory_order_relaxed)) sched_yield();
  }
}
void Unlock() { g_table_lock.store(false, std::memory_order_release); }

// Per-page counts of heap (non-image) locks, hashed.
constexpr int kPageBits = 14;
std::atomic<uint32_t> g_pages[size_t{1} << kPageBits];

size_t PageIndex(uintptr_t page) {
  return static_cast<size_t>((page * 0x9E3779B97F4A7C15ull) >>
                             (64 - kPageBits));
}

void CountPage(uintptr_t address, int delta) {
  g_pages[PageIndex(address >> 12)].fetch_add(static_cast<uint32_t>(delta),
                                              std::memory_order_relaxed);
  g_heap_locks.fetch_add(static_cast<uint64_t>(static_cast<int64_t>(delta)),
                         std::memory_order_relaxed);
}

size_t LockSize(LockType type) {
  switch (type) {
    case LockType::kMutex:
      return sizeof(pthread_mutex_t);
    case LockType::kRwLock:
      return sizeof(pthread_rwlock_t);
    case LockType::kSpin:
      return sizeof(pthread_spinlock_t);
  }
  return 0;
}

// Whether the lock's own state says some thread holds it.
bool IsHeld(LockType type, uintptr_t address) {
  switch (type) {
    case LockType::kMutex:
      return reinterpret_cast<const volatile pthread_mutex_t*>(address)
                 ->__data.__lock != 0;
    case LockType::kRwLock: {
      const volatile auto* rw =
          reinterpret_cast<const volatile pthread_rwlock_t*>(address);
      return rw->__data.__cur_writer != 0 || (rw->__data.__readers >> 3) != 0;
    }
    case LockType::kSpin:
      return *reinterpret_cast<const volatile pthread_spinlock_t*>(address) !=
             0;
  }
  return false;
}

TableSlot* FindSlotLocked(Table* t, uintptr_t key) {
  for (size_t i = HashAddress(key) & t->mask;; i = (i + 1) & t->mask) {
    const uintptr_t k = t->slots[i].key.load(std::memory_order_relaxed);
    if (k == key) return &t->slots[i];
    if (k == 0) return nullptr;
  }
}

void PutLocked(Table* t, uintptr_t key, uintptr_t value, bool* reused) {
  for (size_t i = HashAddress(key) & t->mask;; i = (i + 1) & t->mask) {
    const uintptr_t k = t->slots[i].key.load(std::memory_order_relaxed);
    if (k == 0 || k == kTombstone) {
      t->slots[i].value.store(value, std::memory_order_relaxed);
      t->slots[i].key.store(key, std::memory_order_release);
      *reused = k == kTombstone;
      return;
    }
  }
}

// Copies the live entries into a fresh table (twice the size when more than
// a quarter is live, else the same size: that only sweeps tombstones). The
// old table stays mapped for readers still probing it.
void RehashLocked() {
  Table* old = g_table.load(std::memory_order_relaxed);
  const size_t capacity = old->mask + 1;
  const size_t new_capacity = g_live * 4 > capacity ? capacity * 2 : capacity;
  // The header, then the slots 64-byte aligned (see g_table_word).
  const size_t bytes = 64 + new_capacity * sizeof(TableSlot);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return;  // keep probing the full one
  auto* t = static_cast<Table*>(mem);
  t->mask = new_capacity - 1;
  t->slots = reinterpret_cast<TableSlot*>(static_cast<char*>(mem) + 64);
  size_t live = 0;
  for (size_t i = 0; i < capacity; ++i) {
    const uintptr_t k = old->slots[i].key.load(std::memory_order_relaxed);
    if (k == 0 || k == kTombstone) continue;
    bool reused = false;
    PutLocked(t, k, old->slots[i].value.load(std::memory_order_relaxed),
              &reused);
    ++live;
  }
  g_used = live;
  g_live = live;
  g_table.store(t, std::memory_order_release);
  g_table_word.store(reinterpret_cast<uintptr_t>(t->slots) |
                         static_cast<uintptr_t>(__builtin_ctzll(new_capacity)),
                     std::memory_order_release);
}

struct Removed {
  ObjectState* object;
  LockType type;
  uintptr_t address;
};

Removed RemoveSlotLocked(TableSlot* slot) {
  const uintptr_t key = slot->key.load(std::memory_order_relaxed);
  const uintptr_t value = slot->value.load(std::memory_order_relaxed);
  slot->key.store(kTombstone, std::memory_order_release);
  slot->value.store(0, std::memory_order_relaxed);
  --g_live;
  if ((value & 1) != 0) CountPage(key, -1);
  return Removed{reinterpret_cast<ObjectState*>(value & ~kValueFlags),
                 static_cast<LockType>((value >> 1) & 3), key};
}

bool InModuleImage(const void* address) {
  Dl_info info;
  return dladdr(address, &info) != 0 && info.dli_fname != nullptr;
}

// Whether `address` is on the calling thread's stack, which free() never
// releases: such locks stay out of the page filter, so a program with a
// std::mutex in main() still frees at full speed.
bool OnThisThreadsStack(const void* address) {
  static constinit thread_local uintptr_t lo
      __attribute__((tls_model("initial-exec"))) = 0;
  static constinit thread_local uintptr_t hi
      __attribute__((tls_model("initial-exec"))) = 0;
  if (hi == 0) {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* base = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &base, &size) == 0) {
        lo = reinterpret_cast<uintptr_t>(base);
        hi = lo + size;
      }
      pthread_attr_destroy(&attr);
    }
    if (hi == 0) hi = 1;  // unknown: nothing is on it
  }
  const uintptr_t a = reinterpret_cast<uintptr_t>(address);
  return a >= lo && a < hi;
}

runtime::ObjectKind KindOf(LockType type) {
  return type == LockType::kRwLock ? runtime::ObjectKind::kRwLock
                                   : runtime::ObjectKind::kMutex;
}

}  // namespace

std::atomic<Table*> g_table{&g_initial_table};
// Set by InitLockTable (an address is no constant expression), before the
// interposer is switched on.
std::atomic<uintptr_t> g_table_word{0};

void InitLockTable() {
  g_table_word.store(reinterpret_cast<uintptr_t>(g_initial_slots) |
                         static_cast<uintptr_t>(kInitialBits),
                     std::memory_order_release);
}
std::atomic<uint64_t> g_heap_locks{0};

// Inserts and removals run as the runtime does (runtime/reentry.h): a
// signal handler that locks while this thread holds the table's spin lock
// passes straight through instead of spinning on it forever, and the
// locks dladdr and the runtime take are not tracked.

ObjectState* FindOrCreate(const void* address, LockType type,
                          uint64_t site_pc) {
  if (ObjectState* o = Lookup(address)) return o;
  runtime::ReentryGuard guard;
  // Registered outside the table's lock: the runtime takes its own locks
  // (and fork handlers take them all), and may free memory.
  ObjectState* created = runtime::OnCreateAt(KindOf(type), address,
                                             LockSize(type), site_pc);
  const bool heap = !InModuleImage(address) && !OnThisThreadsStack(address);
  const uintptr_t key = reinterpret_cast<uintptr_t>(address);
  Lock();
  Table* t = g_table.load(std::memory_order_relaxed);
  if (TableSlot* slot = FindSlotLocked(t, key)) {
    // Another thread registered it first.
    ObjectState* o = reinterpret_cast<ObjectState*>(
        slot->value.load(std::memory_order_relaxed) & ~kValueFlags);
    Unlock();
    runtime::OnDestroy(created, false);
    return o;
  }
  if ((g_used + 1) * 2 > t->mask + 1) {
    RehashLocked();
    t = g_table.load(std::memory_order_relaxed);
  }
  bool reused = false;
  PutLocked(t,
            key,
            reinterpret_cast<uintptr_t>(created) |
                (static_cast<uintptr_t>(type) << 1) | (heap ? 1 : 0),
            &reused);
  if (!reused) ++g_used;
  ++g_live;
  if (heap) CountPage(key, +1);
  Unlock();
  return created;
}

void Forget(const void* address, bool held) {
  runtime::ReentryGuard guard;
  Lock();
  TableSlot* slot = FindSlotLocked(g_table.load(std::memory_order_relaxed),
                                   reinterpret_cast<uintptr_t>(address));
  if (slot == nullptr) {
    Unlock();
    return;
  }
  const Removed r = RemoveSlotLocked(slot);
  Unlock();
  runtime::OnDestroy(r.object, held);
}

void ForgetRange(uintptr_t begin, uintptr_t end) {
  // In batches, with no allocation under the table's lock (a free() there
  // would come back here).
  runtime::ReentryGuard guard;
  constexpr size_t kBatch = 64;
  Removed batch[kBatch];
  for (;;) {
    size_t n = 0;
    Lock();
    Table* t = g_table.load(std::memory_order_relaxed);
    const size_t capacity = t->mask + 1;
    if ((end - begin) / 4 > capacity) {
      for (size_t i = 0; i < capacity && n < kBatch; ++i) {
        const uintptr_t k = t->slots[i].key.load(std::memory_order_relaxed);
        if (k >= begin && k < end && k != kTombstone) {
          batch[n++] = RemoveSlotLocked(&t->slots[i]);
        }
      }
    } else {
      for (uintptr_t a = (begin + 3) & ~uintptr_t{3}; a < end && n < kBatch;
           a += 4) {
        if (TableSlot* slot = FindSlotLocked(t, a)) {
          batch[n++] = RemoveSlotLocked(slot);
        }
      }
    }
    Unlock();
    for (size_t i = 0; i < n; ++i) {
      if (batch[i].type == LockType::kMutex) {
        // The object cached in the mutex (mutex.cc) ends with it.
        auto* m = reinterpret_cast<pthread_mutex_t*>(batch[i].address);
        if (m->__data.__list.__prev ==
            reinterpret_cast<__pthread_list_t*>(m)) {
          m->__data.__list.__prev = nullptr;
          m->__data.__list.__next = nullptr;
        }
      }
      runtime::OnDestroy(batch[i].object,
                         IsHeld(batch[i].type, batch[i].address));
    }
    if (n < kBatch) return;
  }
}

bool MayHoldLocks(uintptr_t begin, uintptr_t end) {
  if (end <= begin) return false;
  const uintptr_t first = begin >> 12;
  const uintptr_t last = (end - 1) >> 12;
  if (last - first >= (uintptr_t{1} << kPageBits)) return true;
  for (uintptr_t p = first; p <= last; ++p) {
    if (g_pages[PageIndex(p)].load(std::memory_order_relaxed) != 0) {
      return true;
    }
  }
  return false;
}

void LockTableForFork() { Lock(); }
void UnlockTableAfterFork() { Unlock(); }

}  // namespace lockscope::interpose
