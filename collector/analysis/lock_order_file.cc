// collector/analysis/lock_order_file.cc — see lock_order_file.h.
#include "collector/analysis/lock_order_file.h"

#include <algorithm>
#include <deque>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "collector/analysis/printable.h"
#include "collector/analysis/text_file.h"
#include "collector/analysis/text_file.h"

namespace lockscope::collector {


size_t DeclaredLockOrder::Node(std::string_view pattern) {
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (patterns_[i] == pattern) return i;
  }
  patterns_.emplace_back(pattern);
  next_.emplace_back();
  return patterns_.size() - 1;
}

bool DeclaredLockOrder::Reaches(size_t from, size_t to) const {
  if (!reach_.empty()) return reach_[from][to];
  std::vector<bool> seen(patterns_.size(), false);
  std::vector<size_t> work{from};
  while (!work.empty()) {
    const size_t n = work.back();
    work.pop_back();
    for (const Step& step : next_[n]) {
      if (step.to == to) return true;
      if (!seen[step.to]) {
        seen[step.to] = true;
        work.push_back(step.to);
      }
    }
  }
  return false;
}

std::string DeclaredLockOrder::Explain(size_t from, size_t to) const {
  // Breadth first, so the chain shown is a shortest one.
  std::vector<std::pair<size_t, int>> parent(patterns_.size(), {SIZE_MAX, 0});
  std::deque<size_t> work{from};
  parent[from] = {from, 0};
  while (!work.empty() && parent[to].first == SIZE_MAX) {
    const size_t n = work.front();
    work.pop_front();
    for (const Step& step : next_[n]) {
      if (parent[step.to].first != SIZE_MAX) continue;
      parent[step.to] = {n, step.line};
      work.push_back(step.to);
    }
  }
  std::vector<std::string> names;
  std::set<int> lines;
  for (size_t n = to; n != from; n = parent[n].first) {
    names.push_back(patterns_[n]);
    lines.insert(parent[n].second);
  }
  names.push_back(patterns_[from]);
  std::reverse(names.begin(), names.end());
  return absl::StrCat(absl::StrJoin(names, " < "),
                      lines.size() == 1 ? " (line " : " (lines ",
                      absl::StrJoin(lines, ", "), ")");
}

absl::StatusOr<DeclaredLockOrder> DeclaredLockOrder::Parse(
    std::string_view text, std::string_view origin) {
  DeclaredLockOrder out;
  out.origin_ = std::string(origin);
  const std::string& where = out.origin_;
  absl::Status status = ForEachLine(text, [&](int line_no,
                                              std::string_view line) {
    line = TrimBlanks(line.substr(0, line.find('#')));
    if (line.empty()) return absl::OkStatus();
    auto bad = [&](std::string_view what) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ":", line_no, ": ", std::string(what)));
    };
    // Entries are the runs of words between lone '<' words.
    std::vector<std::string> entries(1);
    for (absl::string_view word :
         absl::StrSplit(absl::string_view(line.data(), line.size()),
                        absl::ByAnyChar(" \t\f\v"), absl::SkipEmpty())) {
      if (word == "<") {
        entries.emplace_back();
      } else {
        if (!entries.back().empty()) entries.back().push_back(' ');
        entries.back().append(word.data(), word.size());
      }
    }
    const std::string quoted = absl::StrCat("'", Printable(line), "'");
    if (entries.size() < 2) {
      return bad(absl::StrCat(
          "expected a chain 'A < B [< C...]' (with blanks around each '<'), "
          "got ",
          quoted));
    }
    for (const std::string& entry : entries) {
      if (entry.empty()) {
        return bad(absl::StrCat("empty lock name in ", quoted,
                                " (expected 'A < B [< C...]')"));
      }
    }
    for (size_t i = 0; i + 1 < entries.size(); ++i) {
      const size_t a = out.Node(entries[i]);
      const size_t b = out.Node(entries[i + 1]);
      if (a == b) {
        return bad(absl::StrCat("'", Printable(entries[i]),
                                "' is ordered before itself in ", quoted));
      }
      if (out.Reaches(b, a)) {
        return bad(absl::StrCat(
            "'", Printable(entries[i]), " < ", Printable(entries[i + 1]),
            "' contradicts the order ", Printable(out.Explain(b, a))));
      }
      out.next_[a].push_back(Step{b, line_no});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  // The transitive closure, now that the graph is known to be acyclic.
  const size_t n = out.patterns_.size();
  std::vector<std::vector<bool>> reach(n, std::vector<bool>(n, false));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) reach[i][j] = out.Reaches(i, j);
  }
  out.reach_ = std::move(reach);
  return out;
}

absl::StatusOr<DeclaredLockOrder> DeclaredLockOrder::Load(
    const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path, "lock order file");
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

std::vector<size_t> DeclaredLockOrder::Matching(
    const ObjectInfo& object) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (GlobMatches(patterns_[i], object.name) ||
        GlobMatches(patterns_[i], object.class_name)) {
      out.push_back(i);
    }
  }
  return out;
}

std::optional<std::string> DeclaredLockOrder::Violation(
    const ObjectInfo& held, const ObjectInfo& taken) const {
  if (patterns_.empty()) return std::nullopt;
  const std::vector<size_t> h = Matching(held);
  if (h.empty()) return std::nullopt;
  const std::vector<size_t> t = Matching(taken);
  std::optional<std::pair<size_t, size_t>> broken;
  for (size_t a : t) {
    for (size_t b : h) {
      if (a == b) continue;
      // The order as declared (held before taken) somewhere: undecided.
      if (reach_[b][a]) return std::nullopt;
      if (reach_[a][b] && !broken) broken = std::make_pair(a, b);
    }
  }
  if (!broken) return std::nullopt;
  return absl::StrCat(origin_, ": ", Explain(broken->first, broken->second));
}

std::optional<Finding> DeclaredLockOrder::Check(const EdgeObservation& edge,
                                                const ObjectInfo& from,
                                                const ObjectInfo& to) const {
  std::optional<std::string> why = Violation(from, to);
  if (!why) return std::nullopt;
  Finding f;
  f.kind = FindingKind::kLockOrderViolation;
  f.objects = {from.id, to.id};
  f.threads = {edge.thread};
  f.edges.push_back(
      FindingEdge{edge.from, edge.to, edge.thread, edge.to_stack,
                  edge.from_stack});
  f.stack = edge.to_stack;
  f.other_stack = edge.from_stack;
  f.message = absl::StrCat("'", to.name, "' taken while holding '", from.name,
                           "', against the declared order ", *why);
  f.time_ns = edge.time_ns;
  return f;
}

}  // namespace lockscope::collector
