#include "runtime/options.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace lockscope::runtime {
namespace {

constexpr char kPrefix[] = "lockscope: LOCKSCOPE_OPTIONS: ";

bool ParseBool(std::string_view v, bool* out) {
  if (v == "1" || v == "true" || v == "yes") {
    *out = true;
    return true;
  }
  if (v == "0" || v == "false" || v == "no") {
    *out = false;
    return true;
  }
  return false;
}

bool ParseIntIn(std::string_view v, int lo, int hi, int* out) {
  int n = 0;
  if (!absl::SimpleAtoi(absl::string_view(v.data(), v.size()), &n)) {
    return false;
  }
  if (n < lo || n > hi) return false;
  *out = n;
  return true;
}

}  // namespace

std::string_view EventsModeName(EventsMode mode) {
  switch (mode) {
    case EventsMode::kNone:
      return "none";
    case EventsMode::kContended:
      return "contended";
    case EventsMode::kAll:
      return "all";
  }
  return "contended";
}

Options ParseOptions(std::string_view text, std::vector<std::string>* errors) {
  Options o;
  o.source = std::string(text);
  if (text.size() > kMaxOptionsLength) {
    errors->push_back(absl::StrCat(kPrefix, "longer than ", kMaxOptionsLength,
                                   " characters; ignored"));
    return o;
  }
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ':',
                      absl::SkipWhitespace())) {
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos) {
      errors->push_back(absl::StrCat(kPrefix, "'", item,
                                     "' is not key=value (try help=1)"));
      continue;
    }
    const std::string key(item.data(), eq);
    const std::string value(item.data() + eq + 1, item.size() - eq - 1);
    auto bad = [&](const char* expected) {
      errors->push_back(absl::StrCat(kPrefix, "bad value '", value, "' for ",
                                     key, " (expected ", expected, ")"));
    };
    if (value.size() > kMaxValueLength) {
      errors->push_back(absl::StrCat(kPrefix, "value of ", key,
                                     " is longer than ", kMaxValueLength,
                                     " characters; ignored"));
      continue;
    }
    if (key == "trace") {
      if (value.empty()) {
        bad("a path or off");
      } else {
        o.trace = value == "off" ? "" : std::string(value);
      }
    } else if (key == "report") {
      if (value == "stderr") {
        o.report = true;
      } else if (value == "off") {
        o.report = false;
      } else {
        bad("stderr or off");
      }
    } else if (key == "halt_on_finding") {
      if (!ParseBool(value, &o.halt_on_finding)) bad("0 or 1");
    } else if (key == "exitcode") {
      if (!ParseIntIn(value, 0, 255, &o.exitcode)) bad("an integer 0..255");
    } else if (key == "suppressions") {
      o.suppressions = std::string(value);
    } else if (key == "stack_depth") {
      if (!ParseIntIn(value, 1, 256, &o.stack_depth)) {
        bad("an integer 1..256");
      }
    } else if (key == "watchdog_ms") {
      if (!ParseIntIn(value, 0, 3600000, &o.watchdog_ms)) {
        bad("an integer 0..3600000");
      }
    } else if (key == "events") {
      if (value == "contended") {
        o.events = EventsMode::kContended;
      } else if (value == "all") {
        o.events = EventsMode::kAll;
      } else if (value == "none") {
        o.events = EventsMode::kNone;
      } else {
        bad("contended, all or none");
      }
    } else if (key == "flush_ms") {
      if (!ParseIntIn(value, 1, 60000, &o.flush_ms)) {
        bad("an integer 1..60000");
      }
    } else if (key == "help") {
      if (!ParseBool(value, &o.help)) bad("0 or 1");
    } else {
      errors->push_back(
          absl::StrCat(kPrefix, "unknown option '", key, "' (try help=1)"));
    }
  }
  return o;
}

std::string OptionsHelp() {
  return "lockscope: LOCKSCOPE_OPTIONS is a ':'-separated list of key=value:\n"
         "  trace=PATH|off        trace file; %p = pid "
         "(default lockscope.%p.lstrace)\n"
         "  report=stderr|off     print findings as they are made "
         "(default stderr)\n"
         "  halt_on_finding=0|1   abort after the first unsuppressed finding "
         "(default 0)\n"
         "  exitcode=N            exit status when unsuppressed findings "
         "exist; 0 = keep (default 66)\n"
         "  suppressions=PATH     suppressions file (cycle:, borrow:, lock: "
         "rules)\n"
         "  stack_depth=N         frames per captured stack, 1..256 "
         "(default 32)\n"
         "  watchdog_ms=N         actual-deadlock watchdog period; 0 = off "
         "(default 0)\n"
         "  events=contended|all|none  what the trace records "
         "(default contended)\n"
         "  flush_ms=N            trace flush period (default 100)\n"
         "  help=1                print this list\n";
}

std::string ExpandTracePath(const std::string& pattern, int64_t pid) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 'p') {
      absl::StrAppend(&out, pid);
      ++i;
    } else {
      out.push_back(pattern[i]);
    }
  }
  return out;
}

}  // namespace lockscope::runtime
