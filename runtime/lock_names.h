// runtime/lock_names.h — names for locks known only by their address (the
// interposer's): the data symbol covering the address, else the site of the
// call that first showed the lock. Slow path only (reads ELF symbol tables,
// symbolizes); thread-safe.
#ifndef LOCKSCOPE_RUNTIME_LOCK_NAMES_H_
#define LOCKSCOPE_RUNTIME_LOCK_NAMES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collector/analysis/model.h"

namespace lockscope::runtime {

// The demangled name of the global or static variable whose symbol covers
// `address` in the program or one of its shared libraries (symtab, else
// dynsym): "accounts_mu", "Bank::registry_mu", "ring[3]" when the symbol is
// an array of `lock_size`-byte elements, "table+16" inside a larger object.
// Empty when no loaded module holds the address (heap, stack) or no sized
// symbol covers it.
std::string DataSymbolName(uintptr_t address, size_t lock_size);

// The first frame of `pcs` (innermost first) outside lockscope, libc and the
// C++ library, symbolized past inlined standard-library code: its function,
// file and line. False when there is none.
bool UserSite(const std::vector<uint64_t>& pcs, collector::SourceSite* site);

// fork(): the naming lock is held across it, so a child never inherits it
// held by a thread that does not exist there. Taken before every Session
// lock (naming runs with none held): call LockNamesPrepareFork first in the
// prepare handler and LockNamesAfterFork last in the parent and child ones.
void LockNamesPrepareFork();
void LockNamesAfterFork();

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_LOCK_NAMES_H_
