// viewer/verdict.h — which findings fail a build: the policy behind
// `lockscope check` (and the verdict line of `summary`).
//
// A finding fails when it is not suppressed (neither in the traced process
// nor by --suppressions), its kind is among --fail-on (all kinds when none
// is given), and
//   - by default: collector::FailsByDefault (severity error, not guarded),
//     the same rule as the traced process's exit status;
//   - with --strict: always (guarded cycles, warnings and notes fail too);
//   - a note (wait-while-holding) also fails when its kind is named in
//     --fail-on.
#ifndef LOCKSCOPE_VIEWER_VERDICT_H_
#define LOCKSCOPE_VIEWER_VERDICT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

#include "collector/analysis/baseline.h"
#include "collector/analysis/model.h"
#include "collector/analysis/suppressions.h"
#include "viewer/trace_set.h"

namespace lockscope::viewer {

struct FailPolicy {
  bool strict = false;
  // Kinds that may fail; empty = every kind.
  std::vector<collector::FindingKind> fail_on;
};

// The policy of --strict and --fail-on=KIND,KIND (blank items skipped); an
// unknown kind is an error naming the known ones.
absl::StatusOr<FailPolicy> ParseFailPolicy(
    bool strict, const std::vector<std::string>& fail_on);

// The file an option names, read with T::Load (Suppressions, Baseline,
// DeclaredLockOrder); nullopt when the option was not given.
template <typename T>
absl::StatusOr<std::optional<T>> LoadIfNamed(const std::string& path) {
  if (path.empty()) return std::optional<T>();
  absl::StatusOr<T> loaded = T::Load(path);
  if (!loaded.ok()) return loaded.status();
  return std::optional<T>(*std::move(loaded));
}

struct Verdict {
  const AnalyzedFinding* analyzed = nullptr;
  bool suppressed = false;
  // The matching --suppressions rule, or "suppressed in the traced process".
  std::string suppressed_by;
  bool failing = false;
  // In the --baseline file (ApplyBaseline): listed as "baseline", never
  // failing.
  bool baseline = false;
};

bool IsGuarded(const collector::Finding& finding);

// One verdict per finding of `analysis`, in its order. `suppressions` may be
// null.
std::vector<Verdict> Judge(const Analysis& analysis,
                           const collector::Suppressions* suppressions,
                           const FailPolicy& policy);

// True when some verdict fails.
bool AnyFailing(const std::vector<Verdict>& verdicts);

// Marks the verdicts whose finding's fingerprint is in `baseline` as
// baseline (they no longer fail) and returns the baseline's entries that
// matched no finding (stale: fixed, or not reached by these traces), in
// file order.
std::vector<collector::BaselineEntry> ApplyBaseline(
    const collector::Baseline& baseline, const Analysis& analysis,
    std::vector<Verdict>* verdicts);

// A stable identity for a finding across runs and machines:
// collector::FindingFingerprint (collector/analysis/fingerprint.h: 16 hex
// digits of FNV-1a 64 over the kind, the sorted stable lock names (classes
// for a lock-class-cycle) and, for findings that are not cycles, the
// innermost symbolized function). Ids, addresses, times, lines and
// directories do not enter it. Baselines are made of these.
std::string Fingerprint(const collector::Finding& finding,
                        const collector::FindingContext& context);

// "1 lock-order-cycle, 2 cross-thread-borrow" for the verdicts that match
// `pick`; "none" when there are none.
std::string CountByKind(const std::vector<Verdict>& verdicts,
                        bool (*pick)(const Verdict&));

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_VERDICT_H_
