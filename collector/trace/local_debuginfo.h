// collector/trace/local_debuginfo.h — where libdwfl looks for an ELF file's
// separate debug information: on this machine only, never on the network.
//
// libdw's standard lookups (dwfl_standard_find_debuginfo,
// dwfl_build_id_find_elf) ask a debuginfod server for every module without
// local debug information whenever DEBUGINFOD_URLS is set, as Debian's
// login shells set it. Inside a traced program that means HTTP requests,
// libcurl's threads and a cache under $HOME from a lock diagnostics tool,
// and a wait of up to DEBUGINFOD_TIMEOUT (90 s by default) per module when
// the server is slow or the network drops packets: a hung test. So the
// symbolizer uses these callbacks instead.
#ifndef LOCKSCOPE_COLLECTOR_TRACE_LOCAL_DEBUGINFO_H_
#define LOCKSCOPE_COLLECTOR_TRACE_LOCAL_DEBUGINFO_H_

#include <elfutils/libdwfl.h>

namespace lockscope::collector {

// Dwfl_Callbacks::find_debuginfo: the build-id directories
// (/usr/lib/debug/.build-id/xx/yyyy.debug, as libc6-dbg installs), then
// the module's .gnu_debuglink name next to the file, in its .debug/
// subdirectory and under /usr/lib/debug/<dir>/; a debuglink candidate is
// taken only when its build id is the module's.
int FindLocalDebuginfo(Dwfl_Module* module, void** userdata,
                       const char* modname, Dwarf_Addr base,
                       const char* file_name, const char* debuglink_file,
                       GElf_Word debuglink_crc, char** debuginfo_file_name);

// Dwfl_Callbacks::find_elf for modules reported by file (dwfl_report_elf
// opens the file itself): nothing else is looked for.
int FindNoElf(Dwfl_Module* module, void** userdata, const char* modname,
              Dwarf_Addr base, char** file_name, Elf** elfp);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_TRACE_LOCAL_DEBUGINFO_H_
