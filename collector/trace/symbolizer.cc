// collector/trace/symbolizer.cc — see symbolizer.h.
//
// One libdwfl session (Dwfl) per Symbolizer. ForCurrentProcess reports the
// live mappings from /proc/self/maps; ForModules reports each ELF file at
// its recorded load bias, as an offline session would. Lookups that fail
// leave the frame's fields empty: a symbolizer never fails as a whole.
#include "collector/trace/symbolizer.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "collector/trace/local_debuginfo.h"

namespace lockscope::collector {

namespace {

// libdwfl keeps a pointer to the callbacks, so they must outlive the Dwfl.
// Debug information is looked up on this machine only (local_debuginfo.h).
char* debuginfo_path = nullptr;

const Dwfl_Callbacks kProcessCallbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = FindLocalDebuginfo,
    .section_address = nullptr,
    .debuginfo_path = &debuginfo_path,
};

const Dwfl_Callbacks kOfflineCallbacks = {
    .find_elf = FindNoElf,
    .find_debuginfo = FindLocalDebuginfo,
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
  // lockscope's mode namespaces say nothing to a reader of a stack.
  for (const char* ns : {"tracked_v1::", "plain_v1::"}) {
    for (size_t at = out.find(ns); at != std::string::npos;
         at = out.find(ns)) {
      out.erase(at, std::strlen(ns));
    }
  }
  return out;
}

// The compile unit holding `addr`, with or without .debug_aranges.
Dwarf_Die* CompileUnitFor(Dwfl_Module* module, Dwarf_Addr addr,
                          Dwarf_Addr* bias) {
  if (Dwarf_Die* cu = dwfl_module_addrdie(module, addr, bias)) return cu;
  Dwarf_Die* cu = nullptr;
  while ((cu = dwfl_module_nextcu(module, cu, bias)) != nullptr) {
    if (dwarf_haspc(cu, addr - *bias) > 0) return cu;
  }
  return nullptr;
}

// Name of an inlined subroutine: its abstract origin's linkage name
// (demangled) or plain name.
std::string InlinedName(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  for (int at : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
    if (dwarf_attr_integrate(die, at, &attr) != nullptr) {
      if (const char* name = dwarf_formstring(&attr)) return Demangle(name);
    }
  }
  if (const char* name = dwarf_diename(die)) return name;
  Dwarf_Die origin;
  if (dwarf_attr(die, DW_AT_abstract_origin, &attr) != nullptr &&
      dwarf_formref_die(&attr, &origin) != nullptr) {
    if (const char* name = dwarf_diename(&origin)) return name;
  }
  return "";
}

// DW_AT_call_file / DW_AT_call_line of an inlined subroutine.
void CallSite(Dwarf_Die* cu, Dwarf_Die* die, std::string* file,
              uint32_t* line) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  file->clear();
  *line = 0;
  if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &value) == 0) {
    *line = static_cast<uint32_t>(value);
  }
  Dwarf_Files* files = nullptr;
  size_t count = 0;
  if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &value) == 0 &&
      dwarf_getsrcfiles(cu, &files, &count) == 0 && value < count) {
    if (const char* f = dwarf_filesrc(files, value, nullptr, nullptr)) {
      *file = f;
    }
  }
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

// Frames in the system's own libraries (the C and C++ runtimes and the
// like, installed under /lib or /usr/lib) get their function names only,
// no file:line and no inlined frames: those would name the distribution's
// sources, and loading their separate, compressed debug info (libc6-dbg)
// was 75% of what symbolizing a process cost (205 M of 275 M instructions
// for a process with one lock-order edge). The program's own modules get
// everything.
bool IsSystemLibrary(const char* path) {
  if (path == nullptr) return false;
  for (const char* dir : {"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"}) {
    if (std::strncmp(path, dir, std::strlen(dir)) == 0) return true;
  }
  return false;
}

// The GNU build id of a reported module, in hex ("" if it has none).
std::string BuildIdOf(Dwfl_Module* module) {
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  const int n = dwfl_module_build_id(module, &bits, &vaddr);
  std::string hex;
  for (int i = 0; i < n; ++i) absl::StrAppendFormat(&hex, "%02x", bits[i]);
  return hex;
}

}  // namespace

struct Symbolizer::Rep {
  Dwfl* dwfl = nullptr;
  // Files at a module's path whose build id is not the recorded one: their
  // pcs stay raw rather than get another binary's names.
  absl::flat_hash_set<Dwfl_Module*> mismatched;
  absl::flat_hash_map<uint64_t, Frame> cache;
  absl::flat_hash_map<uint64_t, std::vector<Frame>> inlined_cache;

  ~Rep() {
    if (dwfl != nullptr) dwfl_end(dwfl);
  }
  // The module holding `addr` (a pc - 1), or null when none or mismatched.
  Dwfl_Module* ModuleAt(Dwarf_Addr addr) const;
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
      // Not at hand, or not a regular file (a trace is untrusted input: no
      // FIFO or device is opened): its pcs stay raw.
      struct stat st;
      if (module.path.empty() || stat(module.path.c_str(), &st) != 0 ||
          !S_ISREG(st.st_mode) || access(module.path.c_str(), R_OK) != 0) {
        continue;
      }
      // add_p_vaddr = true: `base` is the load bias, which is what the
      // runtime records (dl_iterate_phdr's dlpi_addr).
      Dwfl_Module* m =
          dwfl_report_elf(rep->dwfl, module.path.c_str(), module.path.c_str(),
                          -1, module.base, /*add_p_vaddr=*/true);
      if (m != nullptr && !module.build_id.empty() &&
          BuildIdOf(m) != module.build_id) {
        rep->mismatched.insert(m);
      }
    }
    dwfl_report_end(rep->dwfl, nullptr, nullptr);
  }
  return std::unique_ptr<Symbolizer>(new Symbolizer(std::move(rep)));
}

Dwfl_Module* Symbolizer::Rep::ModuleAt(Dwarf_Addr addr) const {
  if (dwfl == nullptr || addr == 0) return nullptr;
  Dwfl_Module* module = dwfl_addrmodule(dwfl, addr);
  return mismatched.contains(module) ? nullptr : module;
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
  Dwfl_Module* module = rep_->ModuleAt(addr);
  if (module != nullptr) {
    const char* name = dwfl_module_info(module, nullptr, nullptr, nullptr,
                                        nullptr, nullptr, nullptr, nullptr);
    if (name != nullptr) frame.module = name;
    if (const char* symbol = dwfl_module_addrname(module, addr);
        symbol != nullptr) {
      frame.function = Demangle(symbol);
    }
    if (IsSystemLibrary(name)) {
      // Names only (see IsSystemLibrary).
    } else if (Dwfl_Line* line = dwfl_module_getsrc(module, addr);
               line != nullptr) {
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

std::vector<Frame> Symbolizer::SymbolizeInlined(uint64_t pc) {
  if (auto it = rep_->inlined_cache.find(pc); it != rep_->inlined_cache.end()) {
    return it->second;
  }
  Frame physical = Symbolize(pc);
  std::vector<Frame> frames;
  const Dwarf_Addr addr = pc > 0 ? pc - 1 : 0;
  Dwfl_Module* module = rep_->ModuleAt(addr);
  Dwarf_Addr bias = 0;
  const bool lines =
      module != nullptr &&
      !IsSystemLibrary(dwfl_module_info(module, nullptr, nullptr, nullptr,
                                        nullptr, nullptr, nullptr, nullptr));
  Dwarf_Die* cu = lines ? CompileUnitFor(module, addr, &bias) : nullptr;
  // dwarf_getscopes follows an inlined subroutine into its abstract
  // definition; re-fetch the innermost scope and list its containing DIEs
  // in the concrete tree instead, which walk through the callers (as
  // eu-addr2line -i does).
  Dwarf_Die* scopes = nullptr;
  int n = cu != nullptr ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
  if (n > 0) {
    Dwarf_Addr dwarf_bias = 0;
    Dwarf* dwarf = dwfl_module_getdwarf(module, &dwarf_bias);
    Dwarf_Die innermost;
    const bool found =
        dwarf != nullptr &&
        dwarf_offdie(dwarf, dwarf_dieoffset(&scopes[0]), &innermost) != nullptr;
    std::free(scopes);
    scopes = nullptr;
    n = found ? dwarf_getscopes_die(&innermost, &scopes) : 0;
  }
  // Walk outwards: each inlined subroutine holds the current location and
  // was called from its DW_AT_call_file:line, the next frame's location.
  std::string file = physical.file;
  uint32_t line = physical.line;
  for (int i = 0; i < std::max(n, 0); ++i) {
    const int tag = dwarf_tag(&scopes[i]);
    if (tag == DW_TAG_subprogram) break;
    if (tag != DW_TAG_inlined_subroutine) continue;
    Frame f;
    f.pc = pc;
    f.module = physical.module;
    f.function = InlinedName(&scopes[i]);
    f.file = file;
    f.line = line;
    frames.push_back(std::move(f));
    CallSite(cu, &scopes[i], &file, &line);
  }
  std::free(scopes);
  if (!frames.empty()) {
    physical.file = file;
    physical.line = line;
  }
  frames.push_back(std::move(physical));
  // GCC can describe one inlined function as two nested scopes; show it once
  // (the innermost location).
  std::vector<Frame> merged;
  for (Frame& f : frames) {
    if (!merged.empty() && !f.function.empty() &&
        merged.back().function == f.function) {
      continue;
    }
    merged.push_back(std::move(f));
  }
  frames = std::move(merged);
  rep_->inlined_cache.emplace(pc, frames);
  return frames;
}

}  // namespace lockscope::collector
