// viewer/html_svg_graph.h — the lock-order graph of a report as inline SVG.
//
// Two layouts draw the same graph:
//   - Graphviz `dot -Tsvg` when `dot` is on PATH: the best layout, run as a
//     child process with a time limit on a DOT text whose strings are
//     escaped; its SVG is checked (no script, no link, no foreign object)
//     and embedded without its XML prolog.
//   - A built-in layered layout (cycles broken by DFS back edges,
//     longest-path layers left to right, barycenter ordering): always
//     available, and used when `dot` is missing, fails, times out or
//     produces SVG that does not pass the check.
// Every edge is an SVG <g class="edge ..."> with a <path>; an edge on a
// finding's cycle also has the classes "cycle-edge", one of "cycle-fail"
// (a failing finding), "cycle-pass" (not failing) or "cycle-suppressed",
// and "f-<n>" for each finding n (the report's finding numbers) it is on.
#ifndef LOCKSCOPE_VIEWER_HTML_SVG_GRAPH_H_
#define LOCKSCOPE_VIEWER_HTML_SVG_GRAPH_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "viewer/trace_set.h"
#include "viewer/verdict.h"

namespace lockscope::viewer {

enum class GraphLayout { kAuto, kDot, kBuiltin };

// The graph to draw, with display strings (not yet escaped).
struct SvgGraph {
  struct Node {
    std::string label;    // first line: the lock's name
    std::string sublabel; // second line: kind (and class), may be empty
    std::string tooltip;
  };
  struct Edge {
    size_t from = 0, to = 0;  // node indexes
    std::string classes;      // extra classes ("cycle-edge cycle-fail f-1")
    std::string label;        // "x3" for an edge seen 3 times, or empty
    std::string tooltip;
  };
  std::vector<Node> nodes;
  std::vector<Edge> edges;
  // Locks left out of a graph too large to draw (see BuildSvgGraph).
  size_t omitted_nodes = 0;
};

// The analysis's lock-order graph. Finding numbers are 1 + the index in
// `verdicts`. Above `max_nodes` locks, only the locks on findings' cycles
// and their neighbours are kept.
SvgGraph BuildSvgGraph(const Analysis& analysis,
                       const std::vector<Verdict>& verdicts,
                       size_t max_nodes = 300);

struct GraphSvgResult {
  std::string svg;     // an <svg> element, safe to inline
  std::string layout;  // "dot" or "built-in"
  std::string note;    // why dot was not used under kAuto, or empty
};

// Draws `graph`. kDot fails (an error status naming the reason) when dot is
// missing or fails; kAuto falls back to the built-in layout and says why in
// `note`.
absl::StatusOr<GraphSvgResult> RenderGraphSvg(const SvgGraph& graph,
                                              GraphLayout layout);

// The built-in layout alone.
std::string BuiltinGraphSvg(const SvgGraph& graph);

// `dot` found on PATH, or "".
std::string FindDot();

// Runs `dot_path -Tsvg` on the graph (timeout in seconds); the sanitized
// <svg> element, or an error saying what went wrong.
absl::StatusOr<std::string> DotGraphSvg(const SvgGraph& graph,
                                        const std::string& dot_path,
                                        int timeout_seconds = 20);

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_HTML_SVG_GRAPH_H_
