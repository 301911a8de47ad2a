// collector/analysis/fingerprint.cc — see fingerprint.h.
#include "collector/analysis/fingerprint.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/finding_kinds.h"
#include "collector/analysis/printable.h"

namespace lockscope::collector {
namespace {

uint64_t Fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::string_view Basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "dir/file.ext:123" -> "dir/file.ext"; empty when `name` is not a
// creation site (no ":DIGITS" suffix, or no '.' in the file part, or
// blanks: a given name like "shard:3" stays a name).
std::string_view SiteFile(std::string_view name) {
  const size_t colon = name.rfind(':');
  if (colon == std::string_view::npos || colon == 0 ||
      colon + 1 == name.size()) {
    return {};
  }
  for (char c : name.substr(colon + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return {};
  }
  const std::string_view file = name.substr(0, colon);
  if (Basename(file).find('.') == std::string_view::npos) return {};
  for (char c : file) {
    if (std::isspace(static_cast<unsigned char>(c))) return {};
  }
  return file;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// lockscope's wrappers and runtime, the interposer, and the standard
// library's lock guards: the same in every finding, so not what tells two
// findings apart.
bool IsToolFrame(const Frame& frame) {
  const std::string_view function = frame.function;
  const std::string_view file = frame.file;
  if (StartsWith(function, "std::") || StartsWith(function, "__gnu_cxx::") ||
      StartsWith(file, "/usr/include/")) {
    return true;
  }
  if (StartsWith(function, "lockscope::") &&
      (file.find("include/lockscope/") != std::string_view::npos ||
       file.find("instrument/lockscope/") != std::string_view::npos ||
       StartsWith(function, "lockscope::runtime::"))) {
    return true;
  }
  return frame.module.find("liblockscope") != std::string::npos;
}

// The innermost named function outside lockscope and the standard library
// (else the innermost named function), or "".
std::string InnermostFunction(const Finding& finding,
                              const FindingContext& context) {
  if (finding.stack == 0) return "";
  const std::vector<Frame> frames = context.Stack(finding.stack);
  for (const Frame& frame : frames) {
    if (!frame.function.empty() && !IsToolFrame(frame)) return frame.function;
  }
  for (const Frame& frame : frames) {
    if (!frame.function.empty()) return frame.function;
  }
  return "";
}

std::vector<std::string> SortedLockNames(const Finding& finding,
                                         const FindingContext& context) {
  const bool use_class = finding.kind == FindingKind::kLockClassCycle;
  std::vector<std::string> names;
  for (ObjectId id : finding.objects) {
    names.push_back(StableLockName(context.Object(id), use_class));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace

std::string StableLockName(const ObjectInfo* object, bool use_class) {
  if (object == nullptr) return "?";
  const std::string& name = use_class ? object->class_name : object->name;
  const std::string_view file = SiteFile(name);
  if (file.empty()) return name;
  std::string out(Basename(file));
  // The creating function only when the site is the object's own.
  if (!object->created.function.empty() &&
      Basename(object->created.file) == Basename(file)) {
    absl::StrAppend(&out, "@", object->created.function);
  }
  return out;
}

std::string FingerprintText(const Finding& finding,
                            const FindingContext& context) {
  std::string text =
      absl::StrCat(std::string(FindingKindName(finding.kind)), "\n",
                   absl::StrJoin(SortedLockNames(finding, context), "\n"));
  if (!IsCycle(finding.kind)) {
    const std::string function = InnermostFunction(finding, context);
    if (!function.empty()) absl::StrAppend(&text, "\n@", function);
  }
  return text;
}

std::string FindingFingerprint(const Finding& finding,
                               const FindingContext& context) {
  return absl::StrFormat("%016x", Fnv1a(FingerprintText(finding, context)));
}

std::string FingerprintLabel(const Finding& finding,
                             const FindingContext& context) {
  std::string label =
      absl::StrCat(std::string(FindingKindName(finding.kind)), " ",
                   absl::StrJoin(SortedLockNames(finding, context), ", "));
  if (!IsCycle(finding.kind)) {
    const std::string function = InnermostFunction(finding, context);
    if (!function.empty()) absl::StrAppend(&label, " @ ", function);
  }
  // One line (Printable blanks newlines; names come from the traced
  // program).
  return Printable(label);
}

}  // namespace lockscope::collector
