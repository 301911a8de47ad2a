#include "runtime/options.h"

#include <algorithm>
#include <cstdlib>
#include <type_traits>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace lockscope::runtime {
namespace {

constexpr char kPrefix[] = "lockscope: LOCKSCOPE_OPTIONS: ";

bool ParseBool(std::string_view v, bool* out) {
  if (v == "1" || v == "true") {
    *out = true;
    return true;
  }
  if (v == "0" || v == "false") {
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

// Per kind (options.h): Parse sets *out only when the value is good;
// Expected ends a bad value's message ("expected ..."); Syntax is how
// help=1 writes a value; Values is what the parser accepts; Show writes a
// value (the default) as it would be given.

bool Parse(BoolOption, std::string_view v, int, int, bool* out) {
  return ParseBool(v, out);
}
std::string Expected(BoolOption, int, int) { return "0, 1, false or true"; }
std::string Syntax(BoolOption) { return "0|1"; }
std::string Show(BoolOption, bool v) { return v ? "1" : "0"; }

bool Parse(IntOption, std::string_view v, int lo, int hi, int* out) {
  return ParseIntIn(v, lo, hi, out);
}
std::string Expected(IntOption, int lo, int hi) {
  return absl::StrCat("an integer ", lo, "..", hi);
}
std::string Syntax(IntOption) { return "N"; }
std::string Show(IntOption, int v) { return absl::StrCat(v); }

bool Parse(PathOption, std::string_view v, int, int, std::string* out) {
  *out = std::string(v);
  return true;
}
std::string Expected(PathOption, int, int) { return "a path"; }
std::string Syntax(PathOption) { return "PATH"; }
std::string Show(PathOption, const std::string& v) {
  return v.empty() ? "none" : v;
}

bool Parse(TraceOption, std::string_view v, int, int, std::string* out) {
  if (v.empty()) return false;
  *out = v == "off" ? "" : std::string(v);
  return true;
}
std::string Expected(TraceOption, int, int) { return "a path or off"; }
std::string Syntax(TraceOption) { return "PATH|off"; }
std::string Show(TraceOption, const std::string& v) {
  return v.empty() ? "off" : v;
}

bool Parse(ReportOption, std::string_view v, int, int, bool* out) {
  if (v != "stderr" && v != "off") return false;
  *out = v == "stderr";
  return true;
}
std::string Expected(ReportOption, int, int) { return "stderr or off"; }
std::string Syntax(ReportOption) { return "stderr|off"; }
std::string Show(ReportOption, bool v) { return v ? "stderr" : "off"; }

bool Parse(EventsOption, std::string_view v, int, int, EventsMode* out) {
  for (EventsMode m :
       {EventsMode::kContended, EventsMode::kAll, EventsMode::kNone}) {
    if (v == EventsModeName(m)) {
      *out = m;
      return true;
    }
  }
  return false;
}
std::string Expected(EventsOption, int, int) {
  return "contended, all or none";
}
std::string Syntax(EventsOption) { return "contended|all|none"; }
std::string Show(EventsOption, EventsMode v) {
  return std::string(EventsModeName(v));
}

// Edit distance (insertions, deletions, substitutions) between a and b.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The option `key` was most likely meant to be ("" when none is close: at
// most 2 edits, and fewer than half of key's length).
std::string Closest(std::string_view key) {
  std::string best;
  size_t best_distance = 3;
  for (const char* name : {
#define LOCKSCOPE_OPTION(Kind, name, default_value, min, max, help_text) #name,
#include "runtime/options.inc"
       }) {
    const size_t d = EditDistance(key, name);
    if (d < best_distance && 2 * d < std::max<size_t>(key.size(), 2)) {
      best = name;
      best_distance = d;
    }
  }
  return best;
}

// A value holding ';' or ',' is most likely several options joined with the
// wrong separator ("trace=off;report=off"): the hint shows them with ':'.
std::string SeparatorHint(const std::string& key, const std::string& value) {
  if (value.find_first_of(";,") == std::string::npos) return "";
  std::string fixed = absl::StrCat(key, "=", value);
  std::replace(fixed.begin(), fixed.end(), ';', ':');
  std::replace(fixed.begin(), fixed.end(), ',', ':');
  return absl::StrCat(kPrefix, "bad value '", value, "' for ", key,
                      " (';' and ',' are not separators: write ", fixed,
                      ")");
}

template <typename Kind>
std::string Values(Kind kind, int lo, int hi) {
  if constexpr (std::is_same_v<Kind, IntOption>) {
    return absl::StrCat(lo, "..", hi);
  } else {
    (void)lo;
    (void)hi;
    return Syntax(kind);
  }
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

std::vector<OptionSpec> OptionSpecs() {
  const Options defaults;
  std::vector<OptionSpec> specs;
#define LOCKSCOPE_OPTION(Kind, name, default_value, min, max, help_text) \
  specs.push_back(OptionSpec{#name, Syntax(Kind{}),                      \
                             Values(Kind{}, min, max),                   \
                             Show(Kind{}, defaults.name), help_text});
#include "runtime/options.inc"
  return specs;
}

Options ParseOptions(std::string_view text, std::vector<std::string>* errors) {
  Options o;
  o.source = std::string(text);
  if (text.size() > kMaxOptionsLength) {
    errors->push_back(absl::StrCat(kPrefix, "longer than ", kMaxOptionsLength,
                                   " characters"));
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
    if (value.size() > kMaxValueLength) {
      errors->push_back(absl::StrCat(kPrefix, "value of ", key,
                                     " is longer than ", kMaxValueLength,
                                     " characters"));
      continue;
    }
    if (std::string hint = SeparatorHint(key, value); !hint.empty()) {
      errors->push_back(std::move(hint));
      continue;
    }
#define LOCKSCOPE_OPTION(Kind, name, default_value, min, max, help_text)    \
  if (key == #name) {                                                      \
    if (!Parse(Kind{}, value, min, max, &o.name)) {                        \
      errors->push_back(absl::StrCat(kPrefix, "bad value '", value,        \
                                     "' for ", key, " (expected ",         \
                                     Expected(Kind{}, min, max), ")"));    \
    }                                                                      \
    continue;                                                              \
  }
#include "runtime/options.inc"
    const std::string closest = Closest(key);
    errors->push_back(absl::StrCat(
        kPrefix, "unknown option '", key, "'",
        closest.empty() ? " (try help=1)"
                        : absl::StrCat(" (did you mean '", closest, "'?)")));
  }
  return o;
}

std::string OptionsHelp() {
  // The help column starts two spaces after the longest "  key=syntax"
  // (events=contended|all|none).
  constexpr size_t kKeyColumn = 29;
  std::string out =
      "lockscope: LOCKSCOPE_OPTIONS is a ':'-separated list of key=value:\n";
  for (const OptionSpec& s : OptionSpecs()) {
    std::string key = absl::StrCat("  ", s.name, "=", s.syntax);
    key.resize(std::max(kKeyColumn, key.size() + 2), ' ');
    const std::string range =
        s.values != s.syntax ? absl::StrCat(s.values, ", ") : "";
    absl::StrAppend(&out, key, s.help, " (", range, "default ",
                    s.default_value, ")\n");
  }
  return out;
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
