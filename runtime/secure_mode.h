// runtime/secure_mode.h — secure-execution mode: what a tracked program
// takes from its environment when it runs with more privilege than its
// caller.
//
// The kernel sets AT_SECURE in the auxiliary vector when a program runs
// setuid, setgid or with file capabilities (and when an LSM asks for it);
// glibc then ignores LD_PRELOAD, secure_getenv returns null, and so on. A
// tracked program in that mode must not let whoever runs it pick a file
// for it to open: `trace=/etc/shadow` would truncate a file of the
// program's owner, `suppressions=` would read one and echo it in an error.
// So in that mode every option that names a file is dropped before
// anything is opened; tracking and the stderr report still run.
//
// No locking; called once from Session::Init. Async-signal-safe:
// InSecureExecution (getauxval reads a copy made at startup).
#ifndef LOCKSCOPE_RUNTIME_SECURE_MODE_H_
#define LOCKSCOPE_RUNTIME_SECURE_MODE_H_

#include <string>

#include "runtime/options.h"

namespace lockscope::runtime {

// True when this process runs in secure-execution mode (AT_SECURE).
bool InSecureExecution();

// Drops every option of `options` that names a file (trace, suppressions),
// so that none is opened. Returns the one line to print on stderr
// ("lockscope: secure-execution mode ..."), or "" when no option named a
// file (trace=off and no suppressions), leaving nothing to say.
std::string DropFileOptions(Options* options);

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_SECURE_MODE_H_
