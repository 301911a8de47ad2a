#include "tests/testing/temp_dir.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace lockscope::testing {
namespace {

pid_t g_owner = 0;
const std::string* g_dir = nullptr;

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  remove(path);
  return 0;  // keep going: remove as much as possible
}

void RemoveTempDir() {
  if (g_dir == nullptr || getpid() != g_owner) return;
  nftw(g_dir->c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

std::string MakeTempDir() {
  const char* root = std::getenv("TMPDIR");
  if (root == nullptr || root[0] == '\0') root = P_tmpdir;
  const char* program = program_invocation_short_name;
  std::string pattern = std::string(root) + "/lockscope-" +
                        (program != nullptr ? program : "test") + ".XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    std::fprintf(stderr, "tests/testing: cannot make a directory %s: %s\n",
                 pattern.c_str(), std::strerror(errno));
    std::abort();
  }
  return pattern;
}

}  // namespace

const std::string& TempDir() {
  static const std::string* const dir = [] {
    auto* made = new std::string(MakeTempDir());
    g_owner = getpid();
    g_dir = made;
    std::atexit(RemoveTempDir);
    return made;
  }();
  return *dir;
}

std::string TempPath(const std::string& name) {
  static std::atomic<unsigned> counter{0};
  return TempDir() + "/" + std::to_string(counter.fetch_add(1)) + "-" + name;
}

}  // namespace lockscope::testing
