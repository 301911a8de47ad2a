// collector/analysis/baseline.h — baseline files: the fingerprints
// (fingerprint.h) of findings a project has accepted for now, so that
// `lockscope check --baseline=FILE` fails only on new ones.
//
// The file is text made to be reviewed and diffed:
//   # lockscope baseline v1
//   # (more comment lines)
//   40e3f79c4aa676b5  # lock-order-cycle accounts, ledger
//   9b1c0d22e4f5a617  # cross-thread-borrow app @ Worker::Run()
// The first line names the format and its version (only v1 exists). Then
// one fingerprint a line, 16 lowercase hex digits, optionally followed by a
// `#` comment naming the finding; blank lines and lines that start with `#`
// are ignored. `lockscope baseline` writes the entries sorted by fingerprint,
// one per fingerprint, so adding or fixing a finding changes one line.
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_BASELINE_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_BASELINE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"

namespace lockscope::collector {

// The first line of every baseline file.
inline constexpr std::string_view kBaselineHeader = "# lockscope baseline v1";

struct BaselineEntry {
  std::string fingerprint;  // 16 lowercase hex digits
  std::string label;        // the comment, without '#'; may be empty
  int line = 0;             // in the file it was read from; 0 when made
};

class Baseline {
 public:
  Baseline() = default;

  // Parses baseline text; `origin` names it in errors, one line each:
  //   "b.txt:1: not a lockscope baseline (the first line must be
  //    '# lockscope baseline v1')"
  //   "b.txt:7: expected a fingerprint (16 hex digits), got 'xyz'"
  static absl::StatusOr<Baseline> Parse(std::string_view text,
                                        std::string_view origin);
  // Reads and parses a file.
  static absl::StatusOr<Baseline> Load(const std::string& path);

  bool Contains(std::string_view fingerprint) const {
    return fingerprints_.contains(std::string(fingerprint));
  }
  // In file order.
  const std::vector<BaselineEntry>& entries() const { return entries_; }

 private:
  std::vector<BaselineEntry> entries_;
  absl::flat_hash_set<std::string> fingerprints_;
};

// The text of a baseline file holding `entries`: the header, a comment
// saying how it was made and how to use it, then the entries sorted by
// fingerprint, one per fingerprint (the first label given is kept).
std::string FormatBaseline(std::vector<BaselineEntry> entries);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_BASELINE_H_
