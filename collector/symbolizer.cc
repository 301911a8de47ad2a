// collector/symbolizer.cc — see symbolizer.h.
//
// One libdwfl session (Dwfl) per Symbolizer. ForCurrentProcess reports the
// live mappings from /proc/self/maps; ForModules reports each ELF file at
// its recorded load bias, as an offline session would. Lookups that fail
// leave the frame's fields empty: a symbolizer never fails as a whole.
#include "collector/symbolizer.h"

#include <cxxabi.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace lockscope::collector {
namespace {

// libdwfl keeps a pointer to the callbacks, so they must outlive the Dwfl.
char* debuginfo_path = nullptr;

const Dwfl_Callbacks kProcessCallbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = nullptr,
    .debuginfo_path = &debuginfo_path,
};

const Dwfl_Callbacks kOfflineCallbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &debuginfo_path,
};

// "_ZN3foo3barEv" -> "foo::bar()"; anything that is not a C++ mangled
// name is returned as is.
std::string Demangle(const char* name) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || demangled == nullptr) return name;
  std::string out(demangled);
  std::free(demangled);
  return out;
}

// dwfl_module_getsrc finds the compile unit through .debug_aranges, which
// clang does not emit by default (and libdw 0.188 does not rebuild); so
// when it fails, look for the unit whose ranges hold the address.
void LineFromCompileUnits(Dwfl_Module* module, Dwarf_Addr addr, Frame& frame) {
  Dwarf_Addr bias = 0;
  Dwarf_Die* cu = nullptr;
  while ((cu = dwfl_module_nextcu(module, cu, &bias)) != nullptr) {
    if (dwarf_haspc(cu, addr - bias) <= 0) continue;
    Dwarf_Line* line = dwarf_getsrc_die(cu, addr - bias);
    if (line == nullptr) return;
    if (const char* file = dwarf_linesrc(line, nullptr, nullptr)) {
      frame.file = file;
    }
    int lineno = 0;
    if (dwarf_lineno(line, &lineno) == 0 && lineno > 0) {
      frame.line = static_cast<uint32_t>(lineno);
    }
    return;
  }
}

}  // namespace

struct Symbolizer::Rep {
  Dwfl* dwfl = nullptr;
  absl::flat_hash_map<uint64_t, Frame> cache;

  ~Rep() {
    if (dwfl != nullptr) dwfl_end(dwfl);
  }
};

Symbolizer::Symbolizer(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Symbolizer::~Symbolizer() = default;

std::unique_ptr<Symbolizer> Symbolizer::ForCurrentProcess() {
  auto rep = std::make_unique<Rep>();
  rep->dwfl = dwfl_begin(&kProcessCallbacks);
  if (rep->dwfl != nullptr) {
    dwfl_report_begin(rep->dwfl);
    // On failure the session is still usable; lookups simply find nothing.
    dwfl_linux_proc_report(rep->dwfl, getpid());
    dwfl_report_end(rep->dwfl, nullptr, nullptr);
  }
  return std::unique_ptr<Symbolizer>(new Symbolizer(std::move(rep)));
}

std::unique_ptr<Symbolizer> Symbolizer::ForModules(
    const std::vector<ModuleInfo>& modules) {
  auto rep = std::make_unique<Rep>();
  rep->dwfl = dwfl_begin(&kOfflineCallbacks);
  if (rep->dwfl != nullptr) {
    dwfl_report_begin(rep->dwfl);
    for (const ModuleInfo& module : modules) {
      if (module.path.empty() || access(module.path.c_str(), R_OK) != 0) {
        continue;  // not at hand: its pcs stay raw
      }
      // add_p_vaddr = true: `base` is the load bias, which is what the
      // runtime records (dl_iterate_phdr's dlpi_addr).
      dwfl_report_elf(rep->dwfl, module.path.c_str(), module.path.c_str(), -1,
                      module.base, /*add_p_vaddr=*/true);
    }
    dwfl_report_end(rep->dwfl, nullptr, nullptr);
  }
  return std::unique_ptr<Symbolizer>(new Symbolizer(std::move(rep)));
}

Frame Symbolizer::Symbolize(uint64_t pc) {
  if (auto it = rep_->cache.find(pc); it != rep_->cache.end()) {
    return it->second;
  }
  Frame frame;
  frame.pc = pc;
  // A return address points after the call; the call itself is one byte
  // back (enough to land inside the call instruction).
  const Dwarf_Addr addr = pc > 0 ? pc - 1 : 0;
  Dwfl_Module* module = rep_->dwfl != nullptr && pc > 0
                            ? dwfl_addrmodule(rep_->dwfl, addr)
                            : nullptr;
  if (module != nullptr) {
    const char* name = dwfl_module_info(module, nullptr, nullptr, nullptr,
                                        nullptr, nullptr, nullptr, nullptr);
    if (name != nullptr) frame.module = name;
    if (const char* symbol = dwfl_module_addrname(module, addr);
        symbol != nullptr) {
      frame.function = Demangle(symbol);
    }
    if (Dwfl_Line* line = dwfl_module_getsrc(module, addr); line != nullptr) {
      int lineno = 0;
      const char* file =
          dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr);
      if (file != nullptr) frame.file = file;
      if (lineno > 0) frame.line = static_cast<uint32_t>(lineno);
    } else {
      LineFromCompileUnits(module, addr, frame);
    }
  }
  rep_->cache.emplace(pc, frame);
  return frame;
}

}  // namespace lockscope::collector
