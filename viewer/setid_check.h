// viewer/setid_check.h — `lockscope run` refuses setuid and setgid
// programs.
//
// The dynamic loader runs a setuid or setgid program in secure-execution
// mode and ignores LD_PRELOAD for it (see ld.so(8)), so a preloaded
// runtime would silently not be there; and a tracked build of such a
// program takes no file path from LOCKSCOPE_OPTIONS
// (runtime/secure_mode.h). Better to say so up front than to hand back a
// run with no trace.
#ifndef LOCKSCOPE_VIEWER_SETID_CHECK_H_
#define LOCKSCOPE_VIEWER_SETID_CHECK_H_

#include <string>

#include "absl/status/status.h"

namespace lockscope::viewer {

// OK when `path` names a file without the set-user-ID and set-group-ID
// bits (following links, as exec does). FailedPrecondition, one line, when
// it has either:
//   lockscope run: PATH is setuid; the dynamic loader ignores LD_PRELOAD
//   for it, so it cannot be tracked
// NotFound/other errors when `path` cannot be stat()ed ("lockscope run:
// PATH: No such file or directory"). The message carries the "lockscope
// run: " prefix itself; print it as is.
absl::Status RefuseSetIdProgram(const std::string& path);

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_SETID_CHECK_H_
