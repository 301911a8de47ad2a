#include "viewer/verdict.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "collector/analysis/finding_kinds.h"
#include "collector/analysis/fingerprint.h"
#include "viewer/output.h"

namespace lockscope::viewer {

absl::StatusOr<FailPolicy> ParseFailPolicy(
    bool strict, const std::vector<std::string>& fail_on) {
  FailPolicy policy;
  policy.strict = strict;
  for (const std::string& item : fail_on) {
    const absl::string_view stripped = absl::StripAsciiWhitespace(item);
    const std::string kind(stripped.data(), stripped.size());
    if (kind.empty()) continue;
    std::optional<collector::FindingKind> parsed =
        collector::ParseFindingKind(kind);
    if (!parsed.has_value()) {
      std::vector<std::string> known;
      for (int k = 0; k < collector::kNumFindingKinds; ++k) {
        known.emplace_back(collector::FindingKindName(
            static_cast<collector::FindingKind>(k)));
      }
      return absl::InvalidArgumentError(
          absl::StrCat("--fail-on: unknown finding kind '", kind,
                       "' (expected ", absl::StrJoin(known, ", "), ")"));
    }
    policy.fail_on.push_back(*parsed);
  }
  return policy;
}

using collector::Finding;
using collector::FindingKind;

bool IsGuarded(const Finding& finding) { return !finding.guarded_by.empty(); }

std::vector<Verdict> Judge(const Analysis& analysis,
                           const collector::Suppressions* suppressions,
                           const FailPolicy& policy) {
  std::vector<Verdict> verdicts;
  verdicts.reserve(analysis.findings.size());
  for (const AnalyzedFinding& analyzed : analysis.findings) {
    const Finding& finding = analyzed.finding;
    Verdict verdict;
    verdict.analyzed = &analyzed;
    if (finding.suppressed) {
      verdict.suppressed = true;
      verdict.suppressed_by = "suppressed in the traced process";
    } else if (suppressions != nullptr) {
      if (const std::string* rule = suppressions->Match(finding, analysis)) {
        verdict.suppressed = true;
        verdict.suppressed_by = *rule;
      }
    }
    const bool named =
        std::find(policy.fail_on.begin(), policy.fail_on.end(),
                  finding.kind) != policy.fail_on.end();
    const bool kind_counts = policy.fail_on.empty() || named;
    // A note fails only when asked for: --strict, or its kind named.
    const bool note_named =
        named && finding.severity == collector::Severity::kNote &&
        finding.guarded_by.empty();
    verdict.failing = !verdict.suppressed && kind_counts &&
                      (policy.strict || note_named ||
                       collector::FailsByDefault(finding));
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

bool AnyFailing(const std::vector<Verdict>& verdicts) {
  return std::any_of(verdicts.begin(), verdicts.end(),
                     [](const Verdict& v) { return v.failing; });
}

std::vector<collector::BaselineEntry> ApplyBaseline(
    const collector::Baseline& baseline, const Analysis& analysis,
    std::vector<Verdict>* verdicts) {
  absl::flat_hash_set<std::string> seen;
  for (Verdict& verdict : *verdicts) {
    const std::string fingerprint =
        Fingerprint(verdict.analyzed->finding, analysis);
    if (!baseline.Contains(fingerprint)) continue;
    seen.insert(fingerprint);
    verdict.baseline = true;
    verdict.failing = false;
  }
  std::vector<collector::BaselineEntry> absent;
  for (const collector::BaselineEntry& entry : baseline.entries()) {
    if (!seen.contains(entry.fingerprint)) absent.push_back(entry);
  }
  return absent;
}

std::string Fingerprint(const Finding& finding,
                        const collector::FindingContext& context) {
  return collector::FindingFingerprint(finding, context);
}

std::string CountByKind(const std::vector<Verdict>& verdicts,
                        bool (*pick)(const Verdict&)) {
  int counts[collector::kNumFindingKinds] = {};
  for (const Verdict& verdict : verdicts) {
    if (pick(verdict)) {
      ++counts[static_cast<int>(verdict.analyzed->finding.kind)];
    }
  }
  std::vector<std::string> parts;
  for (int k = 0; k < collector::kNumFindingKinds; ++k) {
    if (counts[k] == 0) continue;
    parts.push_back(absl::StrCat(
        counts[k], " ",
        ToAbsl(collector::FindingKindName(static_cast<FindingKind>(k)))));
  }
  return parts.empty() ? "none" : absl::StrJoin(parts, ", ");
}

}  // namespace lockscope::viewer
