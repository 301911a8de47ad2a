#include "viewer/usage_error.h"

#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "viewer/output.h"

namespace lockscope::viewer {
namespace {

// "--limit: Value abc not in range 0.000000 to 1.79e308" ->
// "--limit: expected a number 0 or more, got 'abc'".
bool RewriteRange(absl::string_view text, std::string* out) {
  const size_t value_at = text.find("Value ");
  const size_t range_at = text.find(" not in range ");
  if (value_at == absl::string_view::npos ||
      range_at == absl::string_view::npos || range_at < value_at) {
    return false;
  }
  const absl::string_view option = absl::StripSuffix(
      absl::StripAsciiWhitespace(text.substr(0, value_at)), ":");
  const absl::string_view value =
      text.substr(value_at + 6, range_at - value_at - 6);
  absl::string_view range = text.substr(range_at + 14);
  std::string expected = "a number 0 or more";
  const std::vector<absl::string_view> ends = absl::StrSplit(range, " to ");
  if (ends.size() == 2 && !absl::StartsWith(ends[0], "0.0") &&
      ends[1].size() < 20) {
    expected = absl::StrCat("a number from ", ends[0], " to ", ends[1]);
  }
  *out = absl::StrCat(option, option.empty() ? "" : ": ", "expected ",
                      expected, ", got '", value, "'");
  return true;
}

// "--sort: foo not in {a,b}" -> "--sort: 'foo' is not one of a, b".
bool RewriteMember(absl::string_view text, std::string* out) {
  const size_t not_in = text.find(" not in {");
  const size_t colon = text.find(": ");
  if (not_in == absl::string_view::npos || colon == absl::string_view::npos ||
      colon > not_in || !absl::EndsWith(text, "}")) {
    return false;
  }
  const absl::string_view option = text.substr(0, colon);
  const absl::string_view value = text.substr(colon + 2, not_in - colon - 2);
  absl::string_view set = text.substr(not_in + 9);
  set.remove_suffix(1);
  *out = absl::StrCat(option, ": '", value, "' is not one of ",
                      absl::StrJoin(absl::StrSplit(set, ','), ", "));
  return true;
}

// "--format: 1 required FORMAT:{dot,json} missing" -> "--format: needs a
// value (FORMAT:{dot,json})".
bool RewriteMissingValue(absl::string_view text, std::string* out) {
  const size_t colon = text.find(": ");
  if (colon == absl::string_view::npos || !absl::EndsWith(text, " missing") ||
      text.find(" required ", colon) == absl::string_view::npos) {
    return false;
  }
  absl::string_view what = text.substr(text.find(" required ", colon) + 10);
  what.remove_suffix(8);
  *out = absl::StrCat(text.substr(0, colon), ": needs a value (", what, ")");
  return true;
}

}  // namespace

std::string RewriteCli11Message(std::string_view message, bool single_trace) {
  const absl::string_view text =
      absl::StripAsciiWhitespace(absl::string_view(message.data(),
                                                   message.size()));
  std::string out;
  for (absl::string_view prefix : {"The following argument was not expected: ",
                                   "The following arguments were not expected: "}) {
    if (!absl::StartsWith(text, prefix)) continue;
    const std::vector<absl::string_view> extras =
        absl::StrSplit(text.substr(prefix.size()), ' ', absl::SkipEmpty());
    std::vector<std::string> quoted;
    for (absl::string_view e : extras) quoted.push_back(absl::StrCat("'", e, "'"));
    const bool option = !extras.empty() && absl::StartsWith(extras[0], "-");
    if (option) {
      return absl::StrCat("unknown option ", absl::StrJoin(quoted, ", "));
    }
    if (single_trace) {
      return absl::StrCat("reads one trace; unexpected ",
                          absl::StrJoin(quoted, ", "));
    }
    return absl::StrCat("unexpected argument", extras.size() == 1 ? " " : "s ",
                        absl::StrJoin(quoted, ", "));
  }
  if (text == "TRACE is required") return "no TRACE given";
  if (text == "A subcommand is required") return "no subcommand given";
  if (RewriteRange(text, &out) || RewriteMember(text, &out) ||
      RewriteMissingValue(text, &out)) {
    return out;
  }
  out = std::string(text);
  if (!out.empty() && out[0] != '-') {
    out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  }
  return out;
}

std::string UsageErrorLine(std::string_view command, std::string_view what) {
  const std::string line = OneLine(what);
  if (command.empty()) {
    return absl::StrCat("lockscope: ", line, " (see 'lockscope --help')");
  }
  const std::string name(command);
  return absl::StrCat("lockscope: ", name, ": ", line, " (see 'lockscope ",
                      name, " --help')");
}

}  // namespace lockscope::viewer
