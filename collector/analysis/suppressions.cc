// collector/analysis/suppressions.cc — parsing and matching of suppression
// rules.
//
// `#` starts a comment anywhere on a line (no lock name, file or C++ symbol
// contains one). A rule is TYPE:PATTERN split at the first colon, so
// patterns may hold colons ("lock:bank.cc:42"); both halves are trimmed.
#include "collector/analysis/suppressions.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "collector/analysis/finding_kinds.h"
#include "collector/analysis/text_file.h"

namespace lockscope::collector {
namespace {

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n\f\v";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

// The kinds a rule type covers; empty for an unknown type.
std::vector<FindingKind> KindsFor(std::string_view type) {
  std::vector<FindingKind> kinds;
  for (const FindingKindInfo& info : FindingKinds()) {
    if (SuppressionFamilyName(info.family) == type) kinds.push_back(info.kind);
  }
  if (!kinds.empty()) return kinds;
  if (std::optional<FindingKind> kind = ParseFindingKind(type)) return {*kind};
  return {};
}


}  // namespace

bool SuppressionPatternMatches(std::string_view pattern,
                               std::string_view text) {
  std::string glob;
  if (!pattern.empty() && pattern.front() == '^') {
    pattern.remove_prefix(1);
  } else {
    glob.push_back('*');
  }
  bool anchored_end = false;
  if (!pattern.empty() && pattern.back() == '$') {
    pattern.remove_suffix(1);
    anchored_end = true;
  }
  glob.append(pattern);
  if (!anchored_end) glob.push_back('*');
  return GlobMatches(glob, text);
}

absl::StatusOr<Suppressions> Suppressions::Parse(std::string_view text,
                                                 std::string_view origin) {
  Suppressions out;
  const std::string where(origin);
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ":", line_no, ": expected TYPE:PATTERN, got '",
                       std::string(line), "'"));
    }
    const std::string_view type = Trim(line.substr(0, colon));
    const std::string_view pattern = Trim(line.substr(colon + 1));
    std::vector<FindingKind> kinds = KindsFor(type);
    if (kinds.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ":", line_no, ": unknown rule type '", std::string(type),
          "' (expected cycle, borrow, lock or a finding kind)"));
    }
    if (pattern.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ":", line_no, ": empty pattern in rule '",
                       std::string(line), "'"));
    }
    out.rules_.push_back(
        Rule{std::move(kinds), std::string(pattern), std::string(line)});
  }
  return out;
}

absl::StatusOr<Suppressions> Suppressions::Load(const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path, "suppressions file");
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

const std::string* Suppressions::Match(const Finding& finding,
                                       const FindingContext& context) const {
  // Everything a rule may match, gathered once.
  std::vector<std::string> texts;
  std::vector<ObjectId> objects = finding.objects;
  std::vector<StackId> stacks{finding.stack, finding.other_stack};
  for (const FindingBorrow& b : finding.borrows) stacks.push_back(b.stack);
  for (const FindingEdge& e : finding.edges) {
    objects.push_back(e.from);
    objects.push_back(e.to);
    stacks.push_back(e.to_stack);
    stacks.push_back(e.from_stack);
  }
  for (ObjectId id : objects) {
    const ObjectInfo* info = context.Object(id);
    if (info == nullptr) continue;
    texts.push_back(info->name);
    texts.push_back(info->class_name);
    texts.push_back(info->created.file);
  }
  for (StackId id : stacks) {
    if (id == 0) continue;
    for (const Frame& frame : context.Stack(id)) {
      texts.push_back(frame.function);
      texts.push_back(frame.file);
    }
  }
  for (const Rule& rule : rules_) {
    bool kind_ok = false;
    for (FindingKind kind : rule.kinds) kind_ok |= kind == finding.kind;
    if (!kind_ok) continue;
    for (const std::string& text : texts) {
      // An unknown name or file is not text a pattern can be about.
      if (!text.empty() && SuppressionPatternMatches(rule.pattern, text)) {
        return &rule.text;
      }
    }
  }
  return nullptr;
}

}  // namespace lockscope::collector
