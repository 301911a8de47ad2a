// libFuzzer target: arbitrary bytes as a .lstrace file, through the trace
// reader, the lock-order analysis, the report printer and (when the viewer
// library is linked in) the viewer's analysis and, for one input in four, a
// `lockscope` subcommand. See
// tests/fuzz/trace_exercise.h for what runs and which invariants are checked;
// docs/RELIABILITY.md for how to build and run it.
//
// The input is written to a memfd and read back through its /proc/self/fd
// path: the reader's real open/fstat/read path runs, without disk I/O.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/trace_exercise.h"

namespace {

int TraceFd() {
  static const int fd = [] {
    const int made = memfd_create("lockscope_fuzz_trace", MFD_CLOEXEC);
    if (made < 0) {
      std::perror("trace_reader_fuzzer: memfd_create");
      std::abort();
    }
    return made;
  }();
  return fd;
}

bool WriteAll(int fd, const uint8_t* data, size_t size) {
  if (ftruncate(fd, 0) != 0) return false;
  size_t done = 0;
  while (done < size) {
    const ssize_t n = pwrite(fd, data + done, size - done,
                             static_cast<off_t>(done));
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = TraceFd();
  if (!WriteAll(fd, data, size)) {
    std::perror("trace_reader_fuzzer: writing the memfd");
    std::abort();
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  // A viewer subcommand for one input in four, picked by the input's bytes
  // (FNV-1a), so a crashing input replays the same subcommand.
  uint64_t hash = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) hash = (hash ^ data[i]) * 0x100000001b3ull;
  const uint64_t count =
      static_cast<uint64_t>(lockscope::fuzz::ViewerCommandCount());
  const uint64_t pick = count > 0 ? hash % (4 * count) : 0;
  const lockscope::fuzz::ExerciseResult result = lockscope::fuzz::ExerciseTrace(
      path, pick < count ? static_cast<int>(pick)
                         : lockscope::fuzz::kNoViewerCommand);
  if (!result.violations.empty()) {
    for (const std::string& v : result.violations) {
      std::fprintf(stderr, "trace_reader_fuzzer: invariant broken: %s\n",
                   v.c_str());
    }
    std::abort();
  }
  return 0;
}
