// runtime/interpose_support.h — what the pthread interposer (interpose/)
// needs from the runtime beyond the hooks of <lockscope/internal/hooks.h>.
//
// An interposed lock has no constructor that could name it: it is its
// address, from its init or first use (see docs: "Unmodified programs").
// These entry points are exported from liblockscope.so (namespace
// lockscope::runtime) and used by liblockscope_preload.so only.
#ifndef LOCKSCOPE_RUNTIME_INTERPOSE_SUPPORT_H_
#define LOCKSCOPE_RUNTIME_INTERPOSE_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lockscope/internal/hooks.h"

namespace lockscope::runtime {

// Registers a lock identified by its address, seen for the first time (its
// pthread_*_init or first acquisition). `size` is the size of the lock type
// (pthread_mutex_t 40, ...), used to name array elements; `site_pc` is the
// return address into the code that made the call (0 if unknown). The name
// is the data symbol covering the address (a global or static of the program
// or a shared library, demangled, `name[i]` for an array element), else
// `function file:line` of the first frame outside lockscope, libc and the
// C++ library. Class = name. The handle is used with the hooks as any other
// and ended with OnDestroy.
ObjectState* OnCreateAt(ObjectKind kind, const void* address, size_t size,
                        uint64_t site_pc) noexcept;

// A blocking acquisition that BeforeBlock announced did not happen (a timed
// lock timed out, or the lock call failed): the thread no longer waits.
void AfterBlockFailed(ObjectState* object, Access access,
                      uint64_t token) noexcept;

// The interposer's code, [begin, end): frames there are cut from the top of
// captured stacks, which then start in the code that called pthread_*.
void SetInterposerRange(uintptr_t begin, uintptr_t end) noexcept;
// Whether `pc` lies in the preloaded interposer (false when none is loaded).
bool InInterposer(uint64_t pc);
// Drops the leading pcs that lie in the interposer (Session::CaptureStack).
void TrimInterposerFrames(std::vector<uint64_t>* pcs);

// Parses `text` as LOCKSCOPE_OPTIONS would be: true when it is valid; else
// false with the first problem's line in *error. For `lockscope run`, which
// checks options before the program starts.
bool CheckOptions(const char* text, std::string* error) noexcept;

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_INTERPOSE_SUPPORT_H_
