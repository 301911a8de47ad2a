// collector/analysis/lock_order_file.h — declared lock-order files: the
// order a project says its locks are taken in, checked by the runtime
// (LOCKSCOPE_OPTIONS=lock_order=FILE) and by `lockscope check
// --lock-order=FILE`; one parser for both.
//
// One rule a line, `#` starts a comment, blank lines are ignored:
//   accounts < ledger < journal     # a chain: each is taken before the next
//   registry_mu < Account*          # `*` matches any run of characters
//   bank.cc:* < log_mu              # unnamed locks go by "file:line"
// An entry is matched, whole, against a lock's name and its class. Entries
// are separated by a `<` standing alone between blanks (lock names may hold
// '<', as in "Pool<int>::mu"). Rules combine: `a < b` on one line and
// `b < c` on another order a before c. A file that orders an entry before
// itself, directly (`a < b < a`) or through other rules, is rejected, as is
// a line that is not a chain of at least two entries.
//
// A violation: a thread takes lock T while holding lock H, and the rules
// put T before H (some entry matching T is ordered before some entry
// matching H, and no entry matching H is ordered before one matching T:
// overlapping globs that order a pair both ways decide nothing).
//
// Not thread-safe to build; const methods may be called concurrently.
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_LOCK_ORDER_FILE_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_LOCK_ORDER_FILE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/analysis/model.h"

namespace lockscope::collector {

class DeclaredLockOrder {
 public:
  DeclaredLockOrder() = default;

  // Parses lock-order text; `origin` names it in errors, one line each:
  //   "order.txt:4: 'b < a' contradicts the order: a < b (line 2)"
  //   "order.txt:7: expected a chain 'A < B [< C...]', got 'a<b'"
  static absl::StatusOr<DeclaredLockOrder> Parse(std::string_view text,
                                                 std::string_view origin);
  // Reads and parses a file.
  static absl::StatusOr<DeclaredLockOrder> Load(const std::string& path);

  // Why taking `taken` while holding `held` breaks the order: the rules'
  // chain from an entry matching `taken` to one matching `held`, with the
  // lines it comes from ("order.txt:2: accounts < ledger"); nullopt when it
  // does not.
  std::optional<std::string> Violation(const ObjectInfo& held,
                                       const ObjectInfo& taken) const;

  // The lock-order-violation finding for `edge` (`from` held, `to` taken)
  // when it breaks the order, else nullopt: objects {from, to}, its thread,
  // one edge with both stacks, `stack` = where `to` was taken,
  // `other_stack` = where `from` was. Id, severity and time are left for
  // the caller.
  std::optional<Finding> Check(const EdgeObservation& edge,
                               const ObjectInfo& from,
                               const ObjectInfo& to) const;

  // Entries (distinct patterns) and rule lines.
  size_t entries() const { return patterns_.size(); }
  bool empty() const { return patterns_.empty(); }

 private:
  struct Step {
    size_t to = 0;
    int line = 0;
  };
  size_t Node(std::string_view pattern);
  bool Reaches(size_t from, size_t to) const;
  std::vector<size_t> Matching(const ObjectInfo& object) const;
  // The entries from `from` to `to` along the rules, and their lines.
  std::string Explain(size_t from, size_t to) const;

  std::string origin_;
  std::vector<std::string> patterns_;
  std::vector<std::vector<Step>> next_;
  // reach_[a][b]: a is ordered before b (transitive closure).
  std::vector<std::vector<bool>> reach_;
};

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_LOCK_ORDER_FILE_H_
