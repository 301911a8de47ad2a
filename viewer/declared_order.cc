// viewer/declared_order.cc — see declared_order.h.
#include "viewer/declared_order.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/printable.h"

namespace lockscope::viewer {

using collector::Finding;
using collector::FindingKind;
using collector::ObjectInfo;

size_t AddDeclaredOrderFindings(const collector::DeclaredLockOrder& order,
                                Analysis* analysis) {
  if (order.empty()) return 0;
  // Name pairs already reported: by the traced process, or by an earlier
  // edge here.
  std::set<std::pair<std::string, std::string>> reported;
  uint64_t next_id = 1;
  for (const AnalyzedFinding& f : analysis->findings) {
    next_id = std::max(next_id, f.finding.id + 1);
    if (f.finding.kind != FindingKind::kLockOrderViolation ||
        f.finding.objects.size() != 2) {
      continue;
    }
    const ObjectInfo* from = analysis->Object(f.finding.objects[0]);
    const ObjectInfo* to = analysis->Object(f.finding.objects[1]);
    if (from != nullptr && to != nullptr) reported.insert({from->name, to->name});
  }
  // Made first, added after: `analysis->edges` is not touched, but
  // findings is a vector others may point into only after this returns.
  std::vector<AnalyzedFinding> added;
  std::map<std::pair<std::string, std::string>, size_t> index;
  // Each edge runs from the newest held lock only (lockdep's rule); the
  // older locks held at every sighting (its gates) were held while `to`
  // was taken too, so each is checked as a pair of its own.
  std::vector<AnalyzedEdge> pairs;
  for (const AnalyzedEdge& edge : analysis->edges) {
    pairs.push_back(edge);
    for (collector::ObjectId held : edge.gates) {
      AnalyzedEdge older = edge;
      older.first.from = held;
      older.first.from_stack = 0;  // that lock's own site is not recorded
      pairs.push_back(std::move(older));
    }
  }
  for (const AnalyzedEdge& edge : pairs) {
    const ObjectInfo* from = analysis->Object(edge.first.from);
    const ObjectInfo* to = analysis->Object(edge.first.to);
    if (from == nullptr || to == nullptr) continue;
    const std::pair<std::string, std::string> key{from->name, to->name};
    if (reported.count(key) != 0) continue;
    auto it = index.find(key);
    if (it != index.end()) {
      AnalyzedFinding& earlier = added[it->second];
      earlier.finding.count += edge.count;
      std::vector<size_t> traces;
      std::set_union(earlier.traces.begin(), earlier.traces.end(),
                     edge.traces.begin(), edge.traces.end(),
                     std::back_inserter(traces));
      earlier.traces = std::move(traces);
      continue;
    }
    std::optional<Finding> finding = order.Check(edge.first, *from, *to);
    if (!finding) continue;
    finding->id = next_id++;
    finding->severity = collector::DefaultSeverity(finding->kind);
    finding->count = edge.count;
    index[key] = added.size();
    added.push_back(AnalyzedFinding{*std::move(finding), edge.traces});
  }
  for (AnalyzedFinding& f : added) analysis->findings.push_back(std::move(f));
  return added.size();
}

namespace {

using Graph = std::map<std::string, std::map<std::string, uint64_t>>;

// Every node reachable from `start` by one step or more.
std::set<std::string> Reachable(const Graph& graph, const std::string& start) {
  std::set<std::string> seen;
  std::vector<std::string> work{start};
  while (!work.empty()) {
    const std::string node = work.back();
    work.pop_back();
    auto it = graph.find(node);
    if (it == graph.end()) continue;
    for (const auto& [next, count] : it->second) {
      if (seen.insert(next).second) work.push_back(next);
    }
  }
  return seen;
}

}  // namespace

std::string FormatObservedOrder(const Analysis& analysis,
                                const std::string& sources) {
  // The class graph: a -> b when some lock of class b was taken while one
  // of class a was held.
  Graph graph;
  std::set<std::string> nodes;
  for (const AnalyzedEdge& edge : analysis.edges) {
    const ObjectInfo* from = analysis.Object(edge.first.from);
    const ObjectInfo* to = analysis.Object(edge.first.to);
    if (from == nullptr || to == nullptr) continue;
    if (from->class_name == to->class_name) continue;
    graph[from->class_name][to->class_name] += edge.count;
    nodes.insert(from->class_name);
    nodes.insert(to->class_name);
  }
  // Classes on a cycle: no order to write for them.
  std::map<std::string, std::set<std::string>> reach;
  for (const std::string& node : nodes) reach[node] = Reachable(graph, node);
  std::vector<std::vector<std::string>> cycles;
  std::set<std::string> on_cycle;
  for (const std::string& node : nodes) {
    if (reach[node].count(node) == 0 || on_cycle.count(node) != 0) continue;
    std::vector<std::string> component;
    for (const std::string& other : reach[node]) {
      if (reach[other].count(node) != 0) component.push_back(other);
    }
    on_cycle.insert(component.begin(), component.end());
    cycles.push_back(std::move(component));
  }
  Graph dag;
  for (const auto& [from, tos] : graph) {
    if (on_cycle.count(from) != 0) continue;
    for (const auto& [to, count] : tos) {
      if (on_cycle.count(to) == 0) dag[from][to] = count;
    }
  }
  // Transitive reduction: drop a -> c when a -> b -> ... -> c exists.
  Graph reduced;
  for (const auto& [from, tos] : dag) {
    for (const auto& [to, count] : tos) {
      bool implied = false;
      for (const auto& [via, unused] : tos) {
        if (via != to && Reachable(dag, via).count(to) != 0) {
          implied = true;
          break;
        }
      }
      if (!implied) reduced[from][to] = count;
    }
  }
  // Topological order, ties by name (Kahn).
  std::map<std::string, int> indegree;
  for (const auto& [from, tos] : reduced) {
    indegree.emplace(from, 0);
    for (const auto& [to, count] : tos) ++indegree[to];
  }
  std::set<std::string> ready;
  for (const auto& [node, degree] : indegree) {
    if (degree == 0) ready.insert(node);
  }
  std::vector<std::string> topo;
  while (!ready.empty()) {
    const std::string node = *ready.begin();
    ready.erase(ready.begin());
    topo.push_back(node);
    auto it = reduced.find(node);
    if (it == reduced.end()) continue;
    for (const auto& [to, count] : it->second) {
      if (--indegree[to] == 0) ready.insert(to);
    }
  }
  // Chains: from each node in that order, follow unused steps (to the
  // first target by name) as long as there are some.
  std::string body;
  size_t rules = 0;
  for (const std::string& start : topo) {
    for (;;) {
      auto it = reduced.find(start);
      if (it == reduced.end() || it->second.empty()) break;
      std::vector<std::string> chain{start};
      std::vector<std::string> counts;
      std::string at = start;
      for (;;) {
        auto steps = reduced.find(at);
        if (steps == reduced.end() || steps->second.empty()) break;
        auto step = steps->second.begin();
        const std::string to = step->first;
        counts.push_back(absl::StrCat(step->second));
        steps->second.erase(step);
        chain.push_back(to);
        at = to;
      }
      std::vector<std::string> printable;
      for (const std::string& name : chain) {
        printable.push_back(collector::Printable(name));
      }
      absl::StrAppend(&body, absl::StrJoin(printable, " < "),
                      "  # sightings: ", absl::StrJoin(counts, ", "), "\n");
      ++rules;
    }
  }
  std::string out = absl::StrCat(
      "# lockscope lock order, written by `lockscope order` from ",
      collector::Printable(sources), ".\n"
      "# Review it before committing: each line is a chain of lock names or\n"
      "# classes, each taken before the next; `*` globs, `#` comments.\n"
      "# Use it with LOCKSCOPE_OPTIONS=lock_order=FILE or\n"
      "# `lockscope check --lock-order=FILE`.\n");
  if (rules == 0) {
    absl::StrAppend(&out, "# (no lock was taken while holding another of "
                          "another class)\n");
  }
  for (const std::vector<std::string>& cycle : cycles) {
    std::vector<std::string> printable;
    for (const std::string& name : cycle) {
      printable.push_back(collector::Printable(name));
    }
    absl::StrAppend(&out, "# left out, taken in both orders (a cycle; see "
                          "`lockscope cycles`): ",
                    absl::StrJoin(printable, ", "), "\n");
  }
  absl::StrAppend(&out, body);
  return out;
}

}  // namespace lockscope::viewer
