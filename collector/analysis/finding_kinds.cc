// collector/analysis/finding_kinds.cc — the kind table (finding_kinds.inc)
// expanded, and everything model.h declares about kinds read from it.
#include "collector/analysis/finding_kinds.h"

namespace lockscope::collector {
namespace {

constexpr std::array<FindingKindInfo, kNumFindingKinds> kKinds = {{
#define LOCKSCOPE_FINDING_KIND(kind, name, severity, family, is_cycle,   \
                               from_lock_graph, title, sarif_text, help) \
  {FindingKind::kind,          name,     Severity::severity,             \
   SuppressionFamily::family,  is_cycle, from_lock_graph,                \
   title,                      sarif_text, help},
#include "collector/analysis/finding_kinds.inc"
#undef LOCKSCOPE_FINDING_KIND
}};

constexpr bool RowsAreInEnumOrder() {
  for (int i = 0; i < kNumFindingKinds; ++i) {
    if (static_cast<int>(kKinds[i].kind) != i) return false;
  }
  return true;
}
static_assert(RowsAreInEnumOrder(), "KindInfo indexes the table by kind");

}  // namespace

const std::array<FindingKindInfo, kNumFindingKinds>& FindingKinds() {
  return kKinds;
}

const FindingKindInfo& KindInfo(FindingKind kind) {
  return kKinds[static_cast<size_t>(kind)];
}

std::string_view SuppressionFamilyName(SuppressionFamily family) {
  switch (family) {
    case SuppressionFamily::kCycle:
      return "cycle";
    case SuppressionFamily::kBorrow:
      return "borrow";
    case SuppressionFamily::kLock:
      return "lock";
  }
  return "unknown";
}

bool FailsByDefault(const Finding& finding) {
  return !finding.suppressed && finding.guarded_by.empty() &&
         finding.severity == Severity::kError;
}

std::string_view FindingKindName(FindingKind kind) {
  const auto index = static_cast<size_t>(kind);
  return index < kKinds.size() ? kKinds[index].name : "unknown";
}

std::optional<FindingKind> ParseFindingKind(std::string_view name) {
  for (const FindingKindInfo& info : kKinds) {
    if (info.name == name) return info.kind;
  }
  return std::nullopt;
}

Severity DefaultSeverity(FindingKind kind) { return KindInfo(kind).severity; }

}  // namespace lockscope::collector
