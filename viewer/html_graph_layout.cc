// viewer/html_graph_layout.cc — the built-in layered layout of the report's
// graph, for when Graphviz is not there: left to right like `dot
// rankdir=LR`.
//
//   1. Cycles are broken by reversing DFS back edges (for layering only;
//      every edge is still drawn in its own direction).
//   2. Longest-path layering: a lock's layer is one more than the deepest
//      lock before it.
//   3. Barycenter ordering: a few sweeps down and up sort each layer by
//      the mean position of its neighbours in the layers before (after).
//   4. Forward edges are curves from right side to left side; reversed
//      (back) edges loop below both locks, so a two-lock cycle shows two
//      distinct curves; a self-edge is a loop above its lock.
#include <algorithm>
#include <numeric>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/html_svg_graph.h"
#include "viewer/output.h"

namespace lockscope::viewer {
namespace {

constexpr double kCharWidth = 6.8;  // monospace, font-size 11
constexpr double kLayerGap = 90;
constexpr double kRowGap = 26;
constexpr size_t kMaxLabel = 60;  // code points shown; the title has all

std::string Shorten(const std::string& text) {
  std::string line = OneLine(text);
  if (DisplayWidth(line) <= kMaxLabel) return line;
  // Cut at a code point boundary.
  size_t points = 0, i = 0;
  for (; i < line.size() && points < kMaxLabel - 1; ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xc0) != 0x80) ++points;
  }
  while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xc0) == 0x80) {
    ++i;
  }
  return line.substr(0, i) + "\u2026";
}

struct Box {
  double x = 0, y = 0, w = 0, h = 0;
  double cy() const { return y + h / 2; }
};

// Which edges are reversed to make the graph acyclic (iterative DFS).
std::vector<bool> BackEdges(const SvgGraph& graph,
                            const std::vector<std::vector<size_t>>& out) {
  std::vector<bool> back(graph.edges.size(), false);
  std::vector<int> color(graph.nodes.size(), 0);  // 0 new, 1 open, 2 done
  for (size_t root = 0; root < graph.nodes.size(); ++root) {
    if (color[root] != 0) continue;
    std::vector<std::pair<size_t, size_t>> stack = {{root, 0}};
    color[root] = 1;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next == out[node].size()) {
        color[node] = 2;
        stack.pop_back();
        continue;
      }
      const size_t e = out[node][next++];
      const size_t to = graph.edges[e].to;
      if (color[to] == 1) {
        back[e] = true;
      } else if (color[to] == 0) {
        color[to] = 1;
        stack.push_back({to, 0});
      }
    }
  }
  return back;
}

std::string EdgeColor(const std::string& classes) {
  if (absl::StrContains(classes, "cycle-fail")) return "#cf222e";
  if (absl::StrContains(classes, "cycle-pass")) return "#d4a72c";
  if (absl::StrContains(classes, "cycle-suppressed")) return "#8c959f";
  return "#57606a";
}

std::string Marker(const std::string& classes) {
  if (absl::StrContains(classes, "cycle-fail")) return "arrow-fail";
  if (absl::StrContains(classes, "cycle-pass")) return "arrow-pass";
  if (absl::StrContains(classes, "cycle-suppressed")) return "arrow-supp";
  return "arrow";
}

}  // namespace

std::string BuiltinGraphSvg(const SvgGraph& graph) {
  const size_t n = graph.nodes.size();
  std::vector<std::vector<size_t>> out(n);
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    out[graph.edges[e].from].push_back(e);
  }
  const std::vector<bool> back = BackEdges(graph, out);
  // The acyclic edges (u, v), self-edges left out.
  std::vector<std::vector<size_t>> preds(n), succs(n);
  std::vector<size_t> indegree(n, 0);
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    size_t u = graph.edges[e].from, v = graph.edges[e].to;
    if (u == v) continue;
    if (back[e]) std::swap(u, v);
    succs[u].push_back(v);
    preds[v].push_back(u);
    ++indegree[v];
  }
  // Longest-path layers in topological order (Kahn).
  std::vector<size_t> layer(n, 0), queue;
  for (size_t v = 0; v < n; ++v) {
    if (indegree[v] == 0) queue.push_back(v);
  }
  for (size_t head = 0; head < queue.size(); ++head) {
    const size_t u = queue[head];
    for (size_t v : succs[u]) {
      layer[v] = std::max(layer[v], layer[u] + 1);
      if (--indegree[v] == 0) queue.push_back(v);
    }
  }
  size_t layers = 0;
  for (size_t v = 0; v < n; ++v) layers = std::max(layers, layer[v] + 1);
  std::vector<std::vector<size_t>> order(layers);
  for (size_t v = 0; v < n; ++v) order[layer[v]].push_back(v);
  std::vector<double> pos(n, 0);
  auto renumber = [&](const std::vector<size_t>& row) {
    for (size_t i = 0; i < row.size(); ++i) pos[row[i]] = static_cast<double>(i);
  };
  for (const auto& row : order) renumber(row);
  // Barycenter sweeps: down using predecessors, up using successors.
  for (int sweep = 0; sweep < 8; ++sweep) {
    const bool down = sweep % 2 == 0;
    for (size_t k = 0; k < layers; ++k) {
      auto& row = order[down ? k : layers - 1 - k];
      std::vector<double> bary(n);
      for (size_t v : row) {
        const auto& near = down ? preds[v] : succs[v];
        if (near.empty()) {
          bary[v] = pos[v];
          continue;
        }
        double sum = 0;
        for (size_t u : near) sum += pos[u];
        bary[v] = sum / static_cast<double>(near.size());
      }
      std::stable_sort(row.begin(), row.end(),
                       [&](size_t a, size_t b) { return bary[a] < bary[b]; });
      renumber(row);
    }
  }

  // Boxes: layers are columns as wide as their widest label.
  std::vector<Box> box(n);
  std::vector<std::string> label(n), sublabel(n);
  double x = 16, width = 0, height = 0;
  std::vector<double> column_height(layers, 0);
  for (size_t k = 0; k < layers; ++k) {
    double widest = 0;
    for (size_t v : order[k]) {
      label[v] = Shorten(graph.nodes[v].label);
      sublabel[v] = Shorten(graph.nodes[v].sublabel);
      const double chars = static_cast<double>(
          std::max(DisplayWidth(label[v]), DisplayWidth(sublabel[v])));
      box[v].w = chars * kCharWidth + 20;
      box[v].h = sublabel[v].empty() ? 24 : 38;
      widest = std::max(widest, box[v].w);
      column_height[k] += box[v].h + kRowGap;
    }
    height = std::max(height, column_height[k]);
    for (size_t v : order[k]) box[v].x = x + (widest - box[v].w) / 2;
    x += widest + kLayerGap;
  }
  width = x - kLayerGap + 16;
  for (size_t k = 0; k < layers; ++k) {
    double y = 24 + (height - column_height[k]) / 2;
    for (size_t v : order[k]) {
      box[v].y = y;
      y += box[v].h + kRowGap;
    }
  }
  height += 24 + 60;  // room for back edges looping below

  std::string svg = absl::StrFormat(
      "<svg class=\"lock-graph\" data-layout=\"built-in\" width=\"%.0f\" "
      "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n<defs>",
      width, height, width, height);
  for (const char* id : {"arrow", "arrow-fail", "arrow-pass", "arrow-supp"}) {
    const std::string color = std::string(id) == "arrow"        ? "#57606a"
                              : std::string(id) == "arrow-fail" ? "#cf222e"
                              : std::string(id) == "arrow-pass" ? "#d4a72c"
                                                                : "#8c959f";
    absl::StrAppend(&svg, "<marker id=\"", id,
                    "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                    "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                    "<path d=\"M0,0L10,5L0,10z\" fill=\"",
                    color, "\"/></marker>");
  }
  absl::StrAppend(&svg, "</defs>\n");
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    const SvgGraph::Edge& edge = graph.edges[e];
    const Box& a = box[edge.from];
    const Box& b = box[edge.to];
    std::string d;
    double lx, ly;
    if (edge.from == edge.to) {
      const double cx = a.x + a.w / 2;
      d = absl::StrFormat("M%.1f,%.1fC%.1f,%.1f %.1f,%.1f %.1f,%.1f", cx - 12,
                          a.y, cx - 30, a.y - 34, cx + 30, a.y - 34, cx + 12,
                          a.y);
      lx = cx;
      ly = a.y - 30;
    } else if (layer[edge.to] > layer[edge.from]) {
      const double x1 = a.x + a.w, x2 = b.x, mid = (x1 + x2) / 2;
      d = absl::StrFormat("M%.1f,%.1fC%.1f,%.1f %.1f,%.1f %.1f,%.1f", x1,
                          a.cy(), mid, a.cy(), mid, b.cy(), x2, b.cy());
      lx = mid;
      ly = (a.cy() + b.cy()) / 2 - 4;
    } else {
      // Back (or reversed) edge: out of the bottom of one, into the
      // bottom of the other, looping below both.
      const double x1 = a.x + a.w / 2, x2 = b.x + b.w / 2;
      const double y1 = a.y + a.h, y2 = b.y + b.h;
      const double low = std::max(y1, y2) + 44;
      d = absl::StrFormat("M%.1f,%.1fC%.1f,%.1f %.1f,%.1f %.1f,%.1f", x1, y1,
                          x1, low, x2, low, x2, y2);
      lx = (x1 + x2) / 2;
      ly = low - 8;
    }
    const std::string classes =
        edge.classes.empty() ? "edge" : absl::StrCat("edge ", edge.classes);
    absl::StrAppend(&svg, "<g class=\"", classes, "\"><title>",
                    XmlEscape(edge.tooltip), "</title><path d=\"", d,
                    "\" fill=\"none\" stroke=\"", EdgeColor(edge.classes),
                    "\" marker-end=\"url(#", Marker(edge.classes), ")\"/>");
    if (!edge.label.empty()) {
      absl::StrAppend(&svg,
                      absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" "
                                      "font-size=\"10\" text-anchor=\"middle\">",
                                      lx, ly),
                      XmlEscape(edge.label), "</text>");
    }
    absl::StrAppend(&svg, "</g>\n");
  }
  for (size_t v = 0; v < n; ++v) {
    const Box& b = box[v];
    absl::StrAppend(
        &svg, "<g class=\"node\"><title>", XmlEscape(graph.nodes[v].tooltip),
        "</title>",
        absl::StrFormat("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                        "height=\"%.1f\" rx=\"5\" fill=\"#f6f8fa\" stroke=\"#57606a\"/>",
                        b.x, b.y, b.w, b.h),
        absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                        "text-anchor=\"middle\">",
                        b.x + b.w / 2, b.y + 16),
        XmlEscape(label[v]), "</text>");
    if (!sublabel[v].empty()) {
      absl::StrAppend(
          &svg,
          absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
                          "fill=\"#57606a\" text-anchor=\"middle\">",
                          b.x + b.w / 2, b.y + 30),
          XmlEscape(sublabel[v]), "</text>");
    }
    absl::StrAppend(&svg, "</g>\n");
  }
  absl::StrAppend(&svg, "</svg>");
  return svg;
}

}  // namespace lockscope::viewer
