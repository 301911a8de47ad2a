// runtime/options.h — LOCKSCOPE_OPTIONS, sanitizer style:
//   LOCKSCOPE_OPTIONS="trace=out.lstrace:halt_on_finding=1:exitcode=66"
//
// Keys (help=1 prints this list with defaults):
//   trace            path of the trace; %p = pid; "off" = no trace
//                    (default lockscope.%p.lstrace in the working directory)
//   report           stderr | off: print findings as they are made
//   halt_on_finding  0 | 1: abort after the first unsuppressed finding
//   exitcode         exit status at exit when unsuppressed findings exist
//                    (default 66; 0 leaves the status alone)
//   suppressions     path of a suppressions file
//   stack_depth      frames per captured stack, 1..256 (default 32)
//   watchdog_ms      actual-deadlock watchdog period; 0 = off (default 0)
//   events           contended | all | none (default contended)
//   flush_ms         trace flush period, 1..60000 (default 100)
//   help             1: print the option list to stderr
// Unknown keys and bad values give one line on stderr each; the defaults
// stay in force for those keys. Parsing never aborts.
#ifndef LOCKSCOPE_RUNTIME_OPTIONS_H_
#define LOCKSCOPE_RUNTIME_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockscope::runtime {

enum class EventsMode : uint8_t { kNone, kContended, kAll };
std::string_view EventsModeName(EventsMode mode);

struct Options {
  std::string trace = "lockscope.%p.lstrace";  // "" = off
  bool report = true;
  bool halt_on_finding = false;
  int exitcode = 66;
  std::string suppressions;
  int stack_depth = 32;
  int watchdog_ms = 0;
  EventsMode events = EventsMode::kContended;
  int flush_ms = 100;
  bool help = false;
  // The string parsed, verbatim (recorded in the trace header).
  std::string source;
};

// Longest accepted LOCKSCOPE_OPTIONS string and single value.
inline constexpr size_t kMaxOptionsLength = 4096;
inline constexpr size_t kMaxValueLength = 1024;

// Parses `text` (':'-separated key=value pairs) over the defaults. Each
// problem is appended to *errors as one line ("lockscope: LOCKSCOPE_OPTIONS:
// unknown option 'foo' (try help=1)").
Options ParseOptions(std::string_view text, std::vector<std::string>* errors);

// The help text printed for help=1.
std::string OptionsHelp();

// The trace path with %p replaced by `pid` ("" when tracing is off).
std::string ExpandTracePath(const std::string& pattern, int64_t pid);

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_OPTIONS_H_
