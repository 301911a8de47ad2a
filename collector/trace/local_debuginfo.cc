// collector/trace/local_debuginfo.cc — see local_debuginfo.h.
#include "collector/trace/local_debuginfo.h"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <libelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace lockscope::collector {

namespace {

// Whether the ELF file open at `fd` has the build id `bits` (`len` bytes).
bool HasBuildId(int fd, const unsigned char* bits, int len) {
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (elf == nullptr) return false;
  const void* id = nullptr;
  const ssize_t n = dwelf_elf_gnu_build_id(elf, &id);
  const bool same = n == len && std::memcmp(id, bits, len) == 0;
  elf_end(elf);
  return same;
}

}  // namespace

int FindLocalDebuginfo(Dwfl_Module* module, void** userdata,
                       const char* modname, Dwarf_Addr base,
                       const char* file_name, const char* debuglink_file,
                       GElf_Word debuglink_crc, char** debuginfo_file_name) {
  const int fd = dwfl_build_id_find_debuginfo(
      module, userdata, modname, base, file_name, debuglink_file,
      debuglink_crc, debuginfo_file_name);
  if (fd >= 0) return fd;
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  const int len = dwfl_module_build_id(module, &bits, &vaddr);
  if (len <= 0 || file_name == nullptr || debuglink_file == nullptr ||
      std::strchr(debuglink_file, '/') != nullptr) {
    errno = 0;
    return -1;
  }
  char* real = realpath(file_name, nullptr);
  if (real == nullptr) {
    errno = 0;
    return -1;
  }
  std::string dir(real);
  std::free(real);
  dir.erase(dir.rfind('/'));
  for (const std::string& candidate :
       {dir + "/" + debuglink_file, dir + "/.debug/" + debuglink_file,
        "/usr/lib/debug" + dir + "/" + debuglink_file}) {
    const int debug_fd = open(candidate.c_str(), O_RDONLY | O_CLOEXEC);
    if (debug_fd < 0) continue;
    if (HasBuildId(debug_fd, bits, len)) {
      *debuginfo_file_name = strdup(candidate.c_str());
      return debug_fd;
    }
    close(debug_fd);
  }
  errno = 0;
  return -1;
}

int FindNoElf(Dwfl_Module*, void**, const char*, Dwarf_Addr, char**,
              Elf** elfp) {
  *elfp = nullptr;
  errno = 0;
  return -1;
}

}  // namespace lockscope::collector
