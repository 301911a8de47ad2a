// collector/analysis/finding_kinds.h — what lockscope knows about each
// finding kind, read from the one table in finding_kinds.inc.
//
// Everything that depends on a kind (names, default severities, the
// suppression families, the report headline, SARIF rules, "is it a
// cycle?", whether a cross-trace merge re-derives it, and whether a finding
// fails by default) asks here instead of switching on the kind itself.
// The kind's name, parser and default severity are declared in model.h
// (FindingKindName, ParseFindingKind, DefaultSeverity) and read the same
// table.
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_FINDING_KINDS_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_FINDING_KINDS_H_

#include <array>
#include <string_view>

#include "collector/analysis/model.h"

namespace lockscope::collector {

// The suppression rule type that covers a kind besides its own name
// ("cycle:", "borrow:", "lock:"; see suppressions.h).
enum class SuppressionFamily : uint8_t { kCycle, kBorrow, kLock };
std::string_view SuppressionFamilyName(SuppressionFamily family);

// One row of finding_kinds.inc (the columns are documented there).
struct FindingKindInfo {
  FindingKind kind;
  std::string_view name;
  Severity severity;
  SuppressionFamily family;
  bool is_cycle;
  bool from_lock_graph;
  std::string_view title;
  std::string_view sarif_text;
  std::string_view help;
};

// Every kind, in enum order.
const std::array<FindingKindInfo, kNumFindingKinds>& FindingKinds();
// The row of `kind`.
const FindingKindInfo& KindInfo(FindingKind kind);

// The finding's objects form a cycle, in cycle order, with one edge a step:
// lock-order-cycle, lock-class-cycle and actual-deadlock (a wait-for cycle).
inline bool IsCycle(FindingKind kind) { return KindInfo(kind).is_cycle; }

// Found by the lock-order analysis (collector::Analyzer) from edges alone,
// so merging traces finds it again on the merged graph rather than keeping
// each trace's stored copy. False for actual-deadlock: only the watchdog of
// the process that hung could see it.
inline bool FromLockGraph(FindingKind kind) {
  return KindInfo(kind).from_lock_graph;
}

// Whether `finding` fails by default: not suppressed, not guarded, and of
// severity error. The one rule behind the runtime's exit status
// (`exitcode`, halt_on_finding) and `lockscope check`'s verdict (which may
// widen it with --strict or narrow it with --fail-on).
bool FailsByDefault(const Finding& finding);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_FINDING_KINDS_H_
