// collector/trace/output_file.h — creating the files lockscope writes: traces,
// merged traces, reports (`check -o`), exports, and whatever later
// subcommands write (baselines, lock-order files).
//
// They hold stack traces, source paths, lock and thread names, so they are
// created readable by their owner only (0600, narrowed further by the
// umask). A path is never followed through a symbolic link, and an
// existing file is replaced only when it is a regular file owned by the
// real user (getuid()): a file or link planted in a shared directory such
// as /tmp can neither redirect the output nor receive it, and a program
// running with an effective uid that is not its caller's cannot be made to
// truncate its owner's files.
#ifndef LOCKSCOPE_COLLECTOR_OUTPUT_FILE_H_
#define LOCKSCOPE_COLLECTOR_OUTPUT_FILE_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace lockscope::collector {

// Permission bits of every file lockscope creates.
inline constexpr mode_t kOutputFileMode = 0600;

// Opens `path` for writing (O_WRONLY | O_CLOEXEC, blocking) and returns
// the descriptor, which the caller closes. A missing file is created with
// `mode`. An existing one must be a regular file (not a link, device, FIFO
// or directory) owned by the real user; it is then truncated and its
// permission bits narrowed to `mode`. Anything else is refused before a
// byte of it changes. Errors are one line naming `what` and the path:
//   cannot open trace file '/tmp/t.lstrace': owned by uid 65534, not by
//   this user; refusing to write into it
absl::StatusOr<int> CreateOutputFile(const std::string& path,
                                     std::string_view what = "output file",
                                     mode_t mode = kOutputFileMode);

// write(2)s all of `data` to `fd`, retrying short writes and EINTR. Errors
// name `path` ("out.json: write failed: No space left on device").
absl::Status WriteAll(int fd, std::string_view data, std::string_view path);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_OUTPUT_FILE_H_
