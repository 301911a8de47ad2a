// viewer/html_svg_graph.cc — the report's lock-order graph: building it
// from the analysis, and the choice between dot and the built-in layout
// (the two layouts live in html_graph_dot.cc and html_graph_layout.cc).
#include "viewer/html_svg_graph.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "collector/analysis/finding_kinds.h"
#include "collector/analysis/report.h"
#include "viewer/output.h"
#include "viewer/subcommand.h"

namespace lockscope::viewer {

using collector::ObjectId;

namespace {

// How a finding marks its edges; a higher value wins on a shared edge.
enum class Mark { kNone, kSuppressed, kPass, kFail };

struct EdgeMarks {
  Mark mark = Mark::kNone;
  std::vector<size_t> findings;  // report numbers
  bool wait_for = false;         // on a finding only, not a recorded edge
};

}  // namespace

SvgGraph BuildSvgGraph(const Analysis& analysis,
                       const std::vector<Verdict>& verdicts,
                       size_t max_nodes) {
  // Every edge: the recorded ones, then finding steps that are not recorded
  // (a watchdog's wait-for edge, say).
  std::vector<std::pair<ObjectId, ObjectId>> pairs;
  absl::flat_hash_map<std::pair<ObjectId, ObjectId>, size_t> index;
  absl::flat_hash_map<std::pair<ObjectId, ObjectId>, uint64_t> counts;
  for (const AnalyzedEdge& edge : analysis.edges) {
    const std::pair<ObjectId, ObjectId> key(edge.first.from, edge.first.to);
    if (index.try_emplace(key, pairs.size()).second) pairs.push_back(key);
    counts[key] += edge.count;
  }
  std::vector<EdgeMarks> marks(pairs.size());
  absl::flat_hash_set<ObjectId> on_cycle;
  for (size_t i = 0; i < verdicts.size(); ++i) {
    const collector::Finding& finding = verdicts[i].analyzed->finding;
    if (!collector::IsCycle(finding.kind)) continue;
    const Mark mark = verdicts[i].suppressed ? Mark::kSuppressed
                      : verdicts[i].failing  ? Mark::kFail
                                             : Mark::kPass;
    for (const collector::FindingEdge& step : finding.edges) {
      const std::pair<ObjectId, ObjectId> key(step.from, step.to);
      auto [it, inserted] = index.try_emplace(key, pairs.size());
      if (inserted) {
        pairs.push_back(key);
        marks.emplace_back();
        marks.back().wait_for = true;
      }
      EdgeMarks& m = marks[it->second];
      m.mark = std::max(m.mark, mark);
      if (m.findings.empty() || m.findings.back() != i + 1) {
        m.findings.push_back(i + 1);
      }
      on_cycle.insert(step.from);
      on_cycle.insert(step.to);
    }
  }

  // Which locks are drawn: all of them, or when too many, those on cycles
  // and their neighbours (then only the cycles, if still too many).
  absl::flat_hash_set<ObjectId> all;
  for (const auto& [from, to] : pairs) {
    all.insert(from);
    all.insert(to);
  }
  absl::flat_hash_set<ObjectId> keep = all;
  if (all.size() > max_nodes) {
    keep = on_cycle;
    for (const auto& [from, to] : pairs) {
      if (keep.size() >= max_nodes) break;
      if (on_cycle.contains(from)) keep.insert(to);
      if (on_cycle.contains(to)) keep.insert(from);
    }
  }

  SvgGraph graph;
  graph.omitted_nodes = all.size() - keep.size();
  const auto names = UniqueObjectNames(analysis.objects);
  absl::flat_hash_map<ObjectId, size_t> node_of;
  auto node = [&](ObjectId id) {
    auto [it, inserted] = node_of.try_emplace(id, graph.nodes.size());
    if (!inserted) return it->second;
    SvgGraph::Node n;
    auto name = names.find(id);
    n.label = name != names.end() ? name->second : absl::StrCat("#", id);
    if (const collector::ObjectInfo* info = analysis.Object(id)) {
      n.sublabel = std::string(collector::ObjectKindName(info->kind));
      if (!info->class_name.empty() && info->class_name != info->name) {
        absl::StrAppend(&n.sublabel, ", class ", info->class_name);
      }
      n.tooltip = absl::StrCat(
          n.label, "\ncreated at ",
          FormatSite(info->created.file, info->created.line));
    } else {
      n.tooltip = n.label;
    }
    graph.nodes.push_back(std::move(n));
    return it->second;
  };
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [from, to] = pairs[i];
    if (!keep.contains(from) || !keep.contains(to)) continue;
    SvgGraph::Edge edge;
    edge.from = node(from);
    edge.to = node(to);
    const EdgeMarks& m = marks[i];
    const uint64_t count = counts.contains(pairs[i]) ? counts.at(pairs[i]) : 0;
    if (count > 1) edge.label = absl::StrCat("x", count);
    edge.tooltip = absl::StrCat(graph.nodes[edge.from].label, " -> ",
                                graph.nodes[edge.to].label);
    if (const AnalyzedEdge* recorded = analysis.FindEdge(from, to)) {
      absl::StrAppend(&edge.tooltip, "\nfirst in ",
                      collector::ThreadName(recorded->first.thread, analysis));
    }
    if (m.mark != Mark::kNone) {
      edge.classes = m.mark == Mark::kFail   ? "cycle-edge cycle-fail"
                     : m.mark == Mark::kPass ? "cycle-edge cycle-pass"
                                             : "cycle-edge cycle-suppressed";
      for (size_t f : m.findings) absl::StrAppend(&edge.classes, " f-", f);
      absl::StrAppend(&edge.tooltip, "\non the cycle of finding",
                      m.findings.size() == 1 ? " " : "s ");
      for (size_t k = 0; k < m.findings.size(); ++k) {
        absl::StrAppend(&edge.tooltip, k == 0 ? "" : ", ", m.findings[k]);
      }
    }
    if (m.wait_for) {
      absl::StrAppend(&edge.classes, edge.classes.empty() ? "" : " ",
                      "wait-for");
    }
    graph.edges.push_back(std::move(edge));
  }
  return graph;
}

absl::StatusOr<GraphSvgResult> RenderGraphSvg(const SvgGraph& graph,
                                              GraphLayout layout) {
  GraphSvgResult result;
  if (layout != GraphLayout::kBuiltin) {
    const std::string dot = FindDot();
    if (dot.empty()) {
      if (layout == GraphLayout::kDot) {
        return absl::NotFoundError(
            "--layout=dot: Graphviz 'dot' not found on PATH (install the "
            "graphviz package, or use --layout=builtin)");
      }
      result.note = "Graphviz 'dot' is not on PATH";
    } else {
      absl::StatusOr<std::string> svg = DotGraphSvg(graph, dot);
      if (svg.ok()) {
        result.svg = *std::move(svg);
        result.layout = "dot";
        return result;
      }
      if (layout == GraphLayout::kDot) {
        return absl::Status(svg.status().code(),
                            absl::StrCat("--layout=dot: ",
                                         svg.status().message()));
      }
      result.note = std::string(svg.status().message());
    }
  }
  result.svg = BuiltinGraphSvg(graph);
  result.layout = "built-in";
  return result;
}

}  // namespace lockscope::viewer
