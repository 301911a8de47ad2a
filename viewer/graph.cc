// lockscope graph TRACE... — the lock-order graph as Graphviz DOT or JSON.
#include <CLI/CLI.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "collector/analysis/report.h"
#include "viewer/subcommand.h"
#include "viewer/verdict.h"

namespace lockscope::viewer {
namespace {

using collector::Access;
using collector::FindingKind;
using collector::ObjectId;
using collector::ObjectInfo;

// How an edge takes part in cycles; a higher value wins when several apply.
// kClass marks, in the per-lock graph, the instance edges behind a
// lock-class-cycle.
enum class CycleMark { kNone, kClass, kSuppressed, kGuarded, kCycle };

std::string_view MarkName(CycleMark mark) {
  switch (mark) {
    case CycleMark::kNone:
      return "none";
    case CycleMark::kClass:
      return "class-cycle";
    case CycleMark::kSuppressed:
      return "suppressed";
    case CycleMark::kGuarded:
      return "guarded";
    case CycleMark::kCycle:
      return "cycle";
  }
  return "none";
}

struct Node {
  std::string key;  // the instance id or the class name
  std::string name;
  std::string class_name;
  std::string kind;
  std::string created;
  size_t instances = 0;
  bool gate = false;
};

struct Edge {
  std::string from, to;  // node keys
  bool from_shared = false, to_shared = false;
  uint64_t count = 0;
  std::string thread;
  std::vector<std::string> gates;
  CycleMark mark = CycleMark::kNone;
};

struct Graph {
  std::vector<Node> nodes;
  absl::flat_hash_map<std::string, size_t> node_index;
  std::vector<Edge> edges;
  absl::flat_hash_map<std::pair<std::string, std::string>, size_t> edge_index;
};

// A DOT string literal; "\n" in `text` become DOT line breaks, other
// control characters (C0, DEL, C1) spaces.
std::string DotString(std::string_view text) {
  std::string out = "\"";
  bool first = true;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    if (!first) out += "\\n";
    first = false;
    for (char c : OneLine(std::string_view(line.data(), line.size()))) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

CycleMark MarkOf(const collector::Finding& finding) {
  if (finding.suppressed) return CycleMark::kSuppressed;
  return IsGuarded(finding) ? CycleMark::kGuarded : CycleMark::kCycle;
}

class GraphCommand : public Subcommand {
 public:
  std::string_view name() const override { return "graph"; }
  std::string_view description() const override {
    return "the lock-order graph as Graphviz DOT or JSON";
  }
  void Configure(CLI::App& command) override {
    AddTracesArgument(command, &paths_);
    command.add_flag("--classes", classes_,
                     "one node per lock class instead of per lock");
    command.add_option("--format", format_, "output format")
        ->check(CLI::IsMember({"dot", "json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    command.footer(
        "An edge A -> B means some thread acquired B while holding A. Edges\n"
        "of unguarded cycles are red, of guarded cycles orange and dashed, of\n"
        "suppressed cycles grey and dotted, behind a lock class cycle purple\n"
        "and dashed; gate locks are double circles; 'shared' marks the\n"
        "read-locked end of an RwLock edge.\n\n"
        "Examples:\n"
        "  lockscope graph app.lstrace | dot -Tsvg -o locks.svg\n"
        "  lockscope graph --classes --format=json a.lstrace b.lstrace");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    absl::StatusOr<LoadedSet> set = LoadAndAnalyze(paths_, context);
    if (!set.ok()) return set.status();
    const Graph graph = Build(set->analysis);
    context.out << (format_ == "json" ? Json(graph) : Dot(graph));
    return kExitOk;
  }

 private:
  std::string KeyOf(ObjectId id, const Analysis& analysis) const {
    const ObjectInfo* object = analysis.Object(id);
    if (classes_ && object != nullptr) return object->class_name;
    return absl::StrCat(id);
  }

  size_t AddNode(ObjectId id, const Analysis& analysis,
                 const absl::flat_hash_map<ObjectId, std::string>& names,
                 Graph* graph) const {
    const std::string key = KeyOf(id, analysis);
    auto [it, inserted] = graph->node_index.try_emplace(key, 0);
    if (!inserted) return it->second;
    it->second = graph->nodes.size();
    Node node;
    node.key = key;
    const ObjectInfo* object = analysis.Object(id);
    auto name = names.find(id);
    node.name = name != names.end() ? name->second : absl::StrCat("#", id);
    if (object != nullptr) {
      node.class_name = object->class_name;
      node.kind = std::string(collector::ObjectKindName(object->kind));
      node.created = FormatSite(object->created.file, object->created.line);
      if (classes_) node.name = object->class_name;
    }
    graph->nodes.push_back(std::move(node));
    return it->second;
  }

  Graph Build(const Analysis& analysis) const {
    Graph graph;
    const auto names = UniqueObjectNames(analysis.objects);
    for (const AnalyzedEdge& analyzed : analysis.edges) {
      const collector::EdgeObservation& first = analyzed.first;
      const size_t from = AddNode(first.from, analysis, names, &graph);
      const size_t to = AddNode(first.to, analysis, names, &graph);
      // Same-class nesting is no class edge (see
      // collector/analysis/analyzer.h).
      if (from == to) continue;
      const std::pair<std::string, std::string> key(graph.nodes[from].key,
                                                    graph.nodes[to].key);
      auto [it, inserted] = graph.edge_index.try_emplace(key, 0);
      if (inserted) {
        it->second = graph.edges.size();
        Edge edge;
        edge.from = key.first;
        edge.to = key.second;
        edge.thread = collector::ThreadName(first.thread, analysis);
        for (ObjectId gate : analyzed.gates) {
          edge.gates.push_back(collector::ObjectName(gate, analysis));
        }
        graph.edges.push_back(std::move(edge));
      }
      Edge& edge = graph.edges[it->second];
      edge.count += analyzed.count;
      const ObjectInfo* from_object = analysis.Object(first.from);
      const ObjectInfo* to_object = analysis.Object(first.to);
      if (from_object && from_object->kind == collector::ObjectKind::kRwLock &&
          first.from_access == Access::kShared) {
        edge.from_shared = true;
      }
      if (to_object && to_object->kind == collector::ObjectKind::kRwLock &&
          first.to_access == Access::kShared) {
        edge.to_shared = true;
      }
    }
    // Instances per node (for --classes); locks on no edge get no node.
    for (ObjectId id : SortedKeys(analysis.objects)) {
      auto node = graph.node_index.find(KeyOf(id, analysis));
      if (node != graph.node_index.end()) ++graph.nodes[node->second].instances;
    }
    for (const AnalyzedFinding& analyzed : analysis.findings) {
      const collector::Finding& finding = analyzed.finding;
      CycleMark mark = CycleMark::kNone;
      if (finding.kind == FindingKind::kLockOrderCycle ||
          finding.kind == FindingKind::kActualDeadlock) {
        mark = MarkOf(finding);
      } else if (finding.kind == FindingKind::kLockClassCycle) {
        mark = classes_ || finding.suppressed ? MarkOf(finding)
                                              : CycleMark::kClass;
      } else {
        continue;
      }
      for (const collector::FindingEdge& step : finding.edges) {
        auto it = graph.edge_index.find(
            {KeyOf(step.from, analysis), KeyOf(step.to, analysis)});
        if (it == graph.edge_index.end()) continue;
        Edge& edge = graph.edges[it->second];
        edge.mark = std::max(edge.mark, mark);
      }
      for (ObjectId gate : finding.guarded_by) {
        graph.nodes[AddNode(gate, analysis, names, &graph)].gate = true;
      }
    }
    return graph;
  }

  std::string Dot(const Graph& graph) const {
    std::string out = absl::StrCat(
        "digraph lockscope {\n", "  rankdir=LR;\n",
        "  node [shape=box, style=rounded, fontname=\"monospace\"];\n",
        "  edge [fontname=\"monospace\", fontsize=10];\n");
    for (const Node& node : graph.nodes) {
      std::string label = node.name;
      if (!node.kind.empty()) absl::StrAppend(&label, "\n", node.kind);
      if (classes_ && node.instances > 1) {
        absl::StrAppend(&label, " x", node.instances);
      }
      if (!classes_ && !node.class_name.empty() &&
          node.class_name != node.name) {
        absl::StrAppend(&label, "\nclass ", node.class_name);
      }
      if (node.gate) absl::StrAppend(&label, "\n(gate)");
      absl::StrAppend(&out, "  ", DotString("n" + node.key),
                      " [label=", DotString(label));
      if (!node.created.empty()) {
        absl::StrAppend(&out, ", tooltip=",
                        DotString("created at " + node.created));
      }
      if (node.gate) absl::StrAppend(&out, ", shape=doublecircle, color=blue");
      absl::StrAppend(&out, "];\n");
    }
    for (const Edge& edge : graph.edges) {
      std::vector<std::string> attrs;
      if (edge.count > 1) {
        attrs.push_back(absl::StrCat("label=", DotString(absl::StrCat(
                                                   "x", edge.count))));
      }
      std::string tooltip = absl::StrCat("first in ", edge.thread);
      if (!edge.gates.empty()) {
        absl::StrAppend(&tooltip, "; held: ", absl::StrJoin(edge.gates, ", "));
      }
      attrs.push_back(absl::StrCat("tooltip=", DotString(tooltip)));
      if (edge.from_shared) attrs.push_back("taillabel=\"shared\"");
      if (edge.to_shared) attrs.push_back("headlabel=\"shared\"");
      switch (edge.mark) {
        case CycleMark::kCycle:
          attrs.push_back("color=red, fontcolor=red, penwidth=2");
          break;
        case CycleMark::kGuarded:
          attrs.push_back("color=orange, style=dashed, penwidth=2");
          break;
        case CycleMark::kSuppressed:
          attrs.push_back("color=gray50, style=dotted");
          break;
        case CycleMark::kClass:
          attrs.push_back("color=purple, style=dashed");
          break;
        case CycleMark::kNone:
          break;
      }
      absl::StrAppend(&out, "  ", DotString("n" + edge.from), " -> ",
                      DotString("n" + edge.to), " [",
                      absl::StrJoin(attrs, ", "), "];\n");
    }
    absl::StrAppend(&out, "}\n");
    return out;
  }

  std::string Json(const Graph& graph) const {
    std::string out;
    JsonWriter json(&out);
    json.BeginObject();
    json.Field("granularity", classes_ ? "class" : "lock");
    json.Key("nodes").BeginArray();
    for (const Node& node : graph.nodes) {
      json.BeginObject();
      json.Field("id", node.key);
      json.Field("name", node.name);
      json.Field("class", node.class_name);
      json.Field("kind", node.kind);
      json.Field("created", node.created);
      if (classes_) json.Field("instances", static_cast<uint64_t>(node.instances));
      json.Field("gate", node.gate);
      json.EndObject();
    }
    json.EndArray();
    json.Key("edges").BeginArray();
    for (const Edge& edge : graph.edges) {
      json.BeginObject();
      json.Field("from", graph.nodes[graph.node_index.at(edge.from)].name);
      json.Field("to", graph.nodes[graph.node_index.at(edge.to)].name);
      json.Field("from_id", edge.from);
      json.Field("to_id", edge.to);
      json.Field("from_access", edge.from_shared ? "shared" : "exclusive");
      json.Field("to_access", edge.to_shared ? "shared" : "exclusive");
      json.Field("count", edge.count);
      json.Field("thread", edge.thread);
      json.Key("gates").BeginArray();
      for (const std::string& gate : edge.gates) json.String(gate);
      json.EndArray();
      json.Field("cycle", MarkName(edge.mark));
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
    out.push_back('\n');
    return out;
  }

  std::vector<std::string> paths_;
  bool classes_ = false;
  std::string format_ = "dot";
};

}  // namespace

std::unique_ptr<Subcommand> NewGraphCommand() {
  return std::make_unique<GraphCommand>();
}

}  // namespace lockscope::viewer
