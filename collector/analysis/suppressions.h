// collector/analysis/suppressions.h — TSan-style suppression files.
//
// One rule per line, `#` starts a comment, blank lines are ignored:
//   cycle:PATTERN    lock-order-cycle, lock-class-cycle, actual-deadlock,
//                    lock-order-violation
//   borrow:PATTERN   cross-thread-borrow, borrow-conflict
//   lock:PATTERN     recursive-lock, unlock-not-owner, destroyed-while-held
//   KIND:PATTERN     any finding kind by its exact name (lock-order-cycle:...)
// (The families are the "Family" column of finding_kinds.inc.)
// PATTERN is matched against every name, class and creation file of the
// finding's objects and every function and file of its stacks; `*` matches
// any run of characters, and a pattern matches anywhere in the text unless it
// starts with `^` or ends with `$`.
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_SUPPRESSIONS_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_SUPPRESSIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/analysis/model.h"

namespace lockscope::collector {

class Suppressions {
 public:
  Suppressions() = default;

  // Parses suppression text; `origin` names it in errors
  // ("supp.txt:3: unknown rule type 'cycel' (expected cycle, borrow, lock or
  // a finding kind)").
  static absl::StatusOr<Suppressions> Parse(std::string_view text,
                                            std::string_view origin);
  // Reads and parses a file.
  static absl::StatusOr<Suppressions> Load(const std::string& path);

  // The first rule matching the finding, or nullptr.
  const std::string* Match(const Finding& finding,
                           const FindingContext& context) const;
  bool empty() const { return rules_.empty(); }
  size_t size() const { return rules_.size(); }

 private:
  struct Rule {
    std::vector<FindingKind> kinds;
    std::string pattern;
    std::string text;  // the rule as written, for reports
  };
  std::vector<Rule> rules_;
};

// Glob match used by suppressions: `*` wildcards, substring unless anchored
// with ^ / $. Exposed for tests.
bool SuppressionPatternMatches(std::string_view pattern,
                               std::string_view text);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_SUPPRESSIONS_H_
