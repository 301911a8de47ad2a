// runtime/options.h — LOCKSCOPE_OPTIONS, sanitizer style:
//   LOCKSCOPE_OPTIONS="trace=out.lstrace:halt_on_finding=1:exitcode=66"
//
// The keys, their defaults, ranges and help text are the rows of
// runtime/options.inc; the struct below, the parser, help=1 and the check of
// docs/options.md (tests/runtime/options_doc_test.cc) are all expanded from
// it, so they cannot disagree.
//
// Unknown keys and bad values give one line each (ParseOptions); the
// runtime prints them and refuses to run (exit status kBadOptionsExitStatus,
// like a sanitizer given bad flags), and `lockscope run` refuses before it
// starts the program. ParseOptions itself never aborts.
#ifndef LOCKSCOPE_RUNTIME_OPTIONS_H_
#define LOCKSCOPE_RUNTIME_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockscope::runtime {

enum class EventsMode : uint8_t { kNone, kContended, kAll };
std::string_view EventsModeName(EventsMode mode);

// The kinds of value an option takes (the first column of options.inc).
// Each names the member's C++ type and whether the value names a file
// (secure-execution mode drops those: runtime/secure_mode.cc); options.cc
// has its parser, its syntax for help=1 and what a bad value's message says
// was expected.
struct BoolOption {  // 0|1 (false/true are accepted too)
  using Value = bool;
  static constexpr bool kNamesAFile = false;
};
struct IntOption {  // an integer in the row's min..max
  using Value = int;
  static constexpr bool kNamesAFile = false;
};
struct PathOption {  // a file's path, or "" for none
  using Value = std::string;
  static constexpr bool kNamesAFile = true;
};
struct TraceOption {  // a path, or off (stored as "")
  using Value = std::string;
  static constexpr bool kNamesAFile = true;
};
struct ReportOption {  // stderr (true) or off (false)
  using Value = bool;
  static constexpr bool kNamesAFile = false;
};
struct EventsOption {  // contended | all | none
  using Value = EventsMode;
  static constexpr bool kNamesAFile = false;
};

struct Options {
#define LOCKSCOPE_OPTION(Kind, name, default_value, min, max, help) \
  Kind::Value name = default_value;
#include "runtime/options.inc"
  // The string parsed, verbatim (recorded in the trace header).
  std::string source;
};

// One row of options.inc as help=1 and docs/options.md show it.
struct OptionSpec {
  std::string name;
  // How a value is written: "N", "0|1", "PATH|off", "contended|all|none".
  std::string syntax;
  // What the parser accepts: "0..255" for an integer, else the syntax.
  std::string values;
  // The default as a value would be written ("66", "stderr"), "none" for
  // an empty path.
  std::string default_value;
  std::string help;
};

// Every option, in the order of options.inc.
std::vector<OptionSpec> OptionSpecs();

// The exit status of a tracked program whose LOCKSCOPE_OPTIONS has an unknown
// key or a bad value (the same as `lockscope run`'s for bad options).
inline constexpr int kBadOptionsExitStatus = 2;

// Longest accepted LOCKSCOPE_OPTIONS string and single value.
inline constexpr size_t kMaxOptionsLength = 4096;
inline constexpr size_t kMaxValueLength = 1024;

// Parses `text` (':'-separated key=value pairs) over the defaults. Each
// problem is appended to *errors as one line naming the key, the value and
// what is accepted ("lockscope: LOCKSCOPE_OPTIONS: unknown option 'tarce'
// (did you mean 'trace'?)"); a value holding ';' or ',' is refused with the
// options written with ':'. A bad key keeps its default.
Options ParseOptions(std::string_view text, std::vector<std::string>* errors);

// The help text printed for help=1: one line per option with its syntax,
// help, range (integers) and default.
std::string OptionsHelp();

// The trace path with %p replaced by `pid` ("" when tracing is off).
std::string ExpandTracePath(const std::string& pattern, int64_t pid);

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_OPTIONS_H_
