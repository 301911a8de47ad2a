#include "runtime/lock_names.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "collector/trace/symbolizer.h"
#include "runtime/raw_mutex.h"

namespace lockscope::runtime {
namespace {

struct DataSymbol {
  uint64_t value;  // link-time address
  uint64_t size;
  std::string name;  // mangled
};

// The sized data symbols of one ELF file, sorted by address.
std::vector<DataSymbol> ReadDataSymbols(const std::string& path) {
  std::vector<DataSymbol> out;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (elf != nullptr) {
    // symtab (every static and global) when present, else dynsym.
    for (const Elf64_Word wanted : {SHT_SYMTAB, SHT_DYNSYM}) {
      Elf_Scn* scn = nullptr;
      while ((scn = elf_nextscn(elf, scn)) != nullptr) {
        GElf_Shdr shdr;
        if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != wanted ||
            shdr.sh_entsize == 0) {
          continue;
        }
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (data == nullptr) continue;
        const size_t count = shdr.sh_size / shdr.sh_entsize;
        for (size_t i = 0; i < count; ++i) {
          GElf_Sym sym;
          if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) continue;
          if (GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_size == 0 ||
              sym.st_shndx == SHN_UNDEF) {
            continue;
          }
          const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
          if (name == nullptr || name[0] == '\0') continue;
          out.push_back({sym.st_value, sym.st_size, name});
        }
      }
      if (!out.empty()) break;
    }
    elf_end(elf);
  }
  close(fd);
  std::sort(out.begin(), out.end(),
            [](const DataSymbol& a, const DataSymbol& b) {
              return a.value < b.value;
            });
  return out;
}

std::string Demangle(const std::string& name) {
  int status = 0;
  char* d = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (d == nullptr) return name;
  std::string out(d);
  std::free(d);
  return out;
}

RawMutex g_mu;
// Module path -> its data symbols, read once.
absl::flat_hash_map<std::string, std::vector<DataSymbol>>* g_modules
    ABSL_GUARDED_BY(g_mu) = nullptr;
collector::Symbolizer* g_symbolizer ABSL_GUARDED_BY(g_mu) = nullptr;

std::string ModulePath(const link_map* map) {
  if (map->l_name != nullptr && map->l_name[0] != '\0') return map->l_name;
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// lockscope's own modules, libc (and the loader) and the C++ library: the
// frames a site name skips.
bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool IsLibraryModule(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view base =
      slash == std::string_view::npos ? path : path.substr(slash + 1);
  return StartsWith(base, "liblockscope") ||
         StartsWith(base, "libc.so") ||
         StartsWith(base, "libc-") ||
         StartsWith(base, "libpthread") ||
         StartsWith(base, "ld-linux") ||
         StartsWith(base, "libstdc++");
}

bool IsLibraryFunction(std::string_view function) {
  return StartsWith(function, "std::") ||
         StartsWith(function, "__gnu_cxx::") ||
         StartsWith(function, "__gthread") ||
         StartsWith(function, "lockscope::");
}

std::string Basename(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string DataSymbolName(uintptr_t address, size_t lock_size) {
  Dl_info info;
  link_map* map = nullptr;
  if (dladdr1(reinterpret_cast<void*>(address), &info,
              reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) == 0 ||
      map == nullptr) {
    return "";
  }
  const std::string path = ModulePath(map);
  if (path.empty()) return "";
  const uint64_t rel = address - map->l_addr;
  RawMutexLock lock(&g_mu);
  if (g_modules == nullptr) {
    g_modules = new absl::flat_hash_map<std::string, std::vector<DataSymbol>>();
  }
  auto it = g_modules->find(path);
  if (it == g_modules->end()) {
    it = g_modules->emplace(path, ReadDataSymbols(path)).first;
  }
  const std::vector<DataSymbol>& syms = it->second;
  // The last symbol starting at or before `rel` that covers it (symbols do
  // not nest in practice; look back a little for aliases).
  auto up = std::upper_bound(
      syms.begin(), syms.end(), rel,
      [](uint64_t v, const DataSymbol& s) { return v < s.value; });
  for (int back = 0; back < 4 && up != syms.begin(); ++back) {
    --up;
    if (rel < up->value || rel - up->value >= up->size) continue;
    const uint64_t offset = rel - up->value;
    std::string name = Demangle(up->name);
    if (up->size == lock_size && offset == 0) return name;
    if (lock_size != 0 && up->size % lock_size == 0 &&
        offset % lock_size == 0) {
      return absl::StrCat(name, "[", offset / lock_size, "]");
    }
    return offset == 0 ? name : absl::StrCat(name, "+", offset);
  }
  return "";
}

bool UserSite(const std::vector<uint64_t>& pcs, collector::SourceSite* site) {
  for (const uint64_t pc : pcs) {
    Dl_info info;
    link_map* map = nullptr;
    if (dladdr1(reinterpret_cast<void*>(pc - 1), &info,
                reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) == 0 ||
        map == nullptr) {
      continue;
    }
    const std::string path = ModulePath(map);
    if (IsLibraryModule(path)) continue;
    std::vector<collector::Frame> frames;
    {
      RawMutexLock lock(&g_mu);
      if (g_symbolizer == nullptr) {
        g_symbolizer = collector::Symbolizer::ForCurrentProcess().release();
      }
      frames = g_symbolizer->SymbolizeInlined(pc);
    }
    // Innermost first: skip std::mutex::lock and friends, inlined here or
    // an out-of-line copy in the program (then its caller is next).
    bool named = false;
    for (const collector::Frame& f : frames) {
      if (f.function.empty()) continue;
      named = true;
      if (IsLibraryFunction(f.function)) continue;
      site->function = f.function;
      site->file = f.file;
      site->line = f.line;
      return true;
    }
    if (named) continue;
    // No symbols: the module and offset still tell the places apart.
    site->function = absl::StrCat(Basename(path), "+0x",
                                  absl::Hex(pc - 1 - map->l_addr));
    site->file.clear();
    site->line = 0;
    return true;
  }
  return false;
}

void LockNamesPrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { g_mu.Lock(); }

void LockNamesAfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS { g_mu.Unlock(); }

}  // namespace lockscope::runtime
