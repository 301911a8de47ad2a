// viewer/html_report.cc — the report document: verdict, findings with
// stacks and source, graph, contention table, timeline.
#include "viewer/html_report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collector/analysis/finding_kinds.h"
#include "collector/analysis/report.h"
#include "collector/analysis/user_frames.h"
#include "viewer/check_formats.h"
#include "viewer/html_assets.h"
#include "viewer/output.h"
#include "viewer/subcommand.h"

namespace lockscope::viewer {

using collector::Finding;
using collector::FindingKind;
using collector::ObjectId;

namespace {

constexpr uint32_t kSourceContext = 3;
// Frames per stack that get source lines, and rows of the contention
// table (the busiest); both keep a huge trace's page a sensible size.
constexpr size_t kSourceFramesPerStack = 6;
constexpr size_t kMaxTableRows = 2000;
constexpr size_t kTracesListed = 10;
constexpr size_t kFindingTracesListed = 5;

std::string FrameHtml(size_t index, const collector::Frame& frame,
                      SourceLines* sources, size_t* sourced) {
  std::string out = absl::StrCat("<li value=\"", index, "\"><span class=\"fn\">");
  if (frame.function.empty()) {
    absl::StrAppend(&out, absl::StrFormat("0x%x", frame.pc));
  } else {
    absl::StrAppend(&out, HtmlEscape(OneLine(frame.function)));
  }
  absl::StrAppend(&out, "</span>");
  if (!frame.file.empty()) {
    absl::StrAppend(&out, " <span class=\"site\">",
                    HtmlEscape(OneLine(FormatSite(frame.file, frame.line))),
                    "</span>");
  } else if (!frame.module.empty()) {
    absl::StrAppend(&out, " <span class=\"site\">(",
                    HtmlEscape(OneLine(frame.module)), ")</span>");
  }
  if (sources != nullptr && *sourced < kSourceFramesPerStack &&
      !frame.file.empty()) {
    const SourceLines::Snippet snippet =
        sources->Around(frame.file, frame.line, kSourceContext);
    if (!snippet.lines.empty()) {
      ++*sourced;
      absl::StrAppend(&out, "<pre class=\"src\">");
      for (size_t i = 0; i < snippet.lines.size(); ++i) {
        const uint32_t number = snippet.first + static_cast<uint32_t>(i);
        const std::string text = absl::StrFormat(
            "%5d  %s", number, HtmlEscape(snippet.lines[i]));
        if (number == frame.line) {
          absl::StrAppend(&out, "<span class=\"hit\">", text, "</span>\n");
        } else {
          absl::StrAppend(&out, text, "\n");
        }
      }
      absl::StrAppend(&out, "</pre>");
    }
  }
  absl::StrAppend(&out, "</li>");
  return out;
}

// A collapsible stack: <details> whose summary is `label`.
std::string StackHtml(std::string_view label,
                      const collector::FindingContext& context,
                      collector::StackId stack, SourceLines* sources,
                      bool open) {
  std::string out = absl::StrCat("<details class=\"stack\"", open ? " open" : "",
                                 "><summary>", HtmlEscape(label), "</summary>");
  const std::vector<collector::Frame> frames = ReportFrames(context, stack);
  if (frames.empty()) {
    absl::StrAppend(&out, stack == 0 ? "<p class=\"meta\">(no stack captured)</p>"
                                     : "<p class=\"meta\">(stack unavailable)</p>");
  } else {
    absl::StrAppend(&out, "<ol class=\"stack\" start=\"0\">");
    size_t sourced = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
      absl::StrAppend(&out, FrameHtml(i, frames[i], sources, &sourced));
    }
    absl::StrAppend(&out, "</ol>");
  }
  absl::StrAppend(&out, "</details>\n");
  return out;
}

// Labels of a non-cycle finding's two stacks (as the text report's).
std::pair<std::string, std::string> StackLabels(FindingKind kind) {
  if (kind == FindingKind::kCrossThreadBorrow) {
    return {"borrowed off the owner thread at", "earlier borrow at"};
  }
  if (kind == FindingKind::kBorrowConflict) {
    return {"new borrow at", "outstanding borrow at"};
  }
  if (kind == FindingKind::kRecursiveLock) {
    return {"acquired again at", "first acquired at"};
  }
  if (kind == FindingKind::kUnlockNotOwner) return {"unlocked at", "acquired at"};
  if (kind == FindingKind::kDestroyedWhileHeld) {
    return {"destroyed at", "still held or borrowed, acquired at"};
  }
  return {"at", "other party at"};
}

std::string FindingHtml(size_t number, const Verdict& verdict,
                        const HtmlReportInput& input) {
  const Analysis& analysis = *input.analysis;
  const Finding& finding = verdict.analyzed->finding;
  std::string label, cls;
  if (verdict.failing) {
    label = "FAIL";
    cls = "v-fail";
  } else if (verdict.suppressed) {
    label = "suppressed";
    cls = "v-suppressed";
  } else {
    label = PassReason(verdict, input.policy);
    cls = "v-pass";
  }
  const std::string kind(collector::FindingKindName(finding.kind));
  std::string out = absl::StrCat(
      "<section class=\"finding ", cls, "\" id=\"finding-", number,
      "\" data-finding=\"", number, "\" data-kind=\"", HtmlEscape(kind),
      "\">\n<h3><span class=\"label\">", HtmlEscape(label), "</span>", number,
      ". ", HtmlEscape(OneLine(collector::FormatOneLine(finding, analysis))),
      "</h3>\n<p class=\"meta\">", HtmlEscape(kind), " (",
      HtmlEscape(collector::KindInfo(finding.kind).title), "), ",
      ToAbsl(collector::SeverityName(finding.severity)));
  if (finding.count > 1) absl::StrAppend(&out, ", seen ", finding.count, " times");
  if (verdict.suppressed) {
    absl::StrAppend(&out, "; suppressed by ",
                    HtmlEscape(OneLine(verdict.suppressed_by)));
  }
  if (input.traces->size() > 1) {
    absl::StrAppend(&out, "; in ");
    const auto& where = verdict.analyzed->traces;
    for (size_t i = 0; i < where.size() && i < kFindingTracesListed; ++i) {
      absl::StrAppend(&out, i == 0 ? "" : ", ",
                      HtmlEscape(OneLine((*input.traces)[where[i]].path)));
    }
    if (where.size() > kFindingTracesListed) {
      absl::StrAppend(&out, " and ", where.size() - kFindingTracesListed,
                      " more");
    }
  }
  absl::StrAppend(&out, "</p>\n");
  if (!finding.message.empty()) {
    absl::StrAppend(&out, "<p>", HtmlEscape(OneLine(finding.message)), "</p>\n");
  }
  if (!finding.guarded_by.empty()) {
    absl::StrAppend(&out, "<p>guarded by: ");
    for (size_t i = 0; i < finding.guarded_by.size(); ++i) {
      absl::StrAppend(&out, i == 0 ? "" : ", ", "<code>",
                      HtmlEscape(OneLine(collector::ObjectName(
                          finding.guarded_by[i], analysis))),
                      "</code>");
    }
    absl::StrAppend(&out, "</p>\n");
  }
  if (collector::IsCycle(finding.kind) && !finding.edges.empty()) {
    const size_t n = finding.edges.size();
    for (size_t i = 0; i < n; ++i) {
      const collector::FindingEdge& e = finding.edges[i];
      const std::string from = collector::ObjectName(e.from, analysis);
      const std::string to = collector::ObjectName(e.to, analysis);
      absl::StrAppend(
          &out, "<div class=\"cycle-step\"><p>edge ", i + 1, " of ", n, ": <code>",
          HtmlEscape(OneLine(to)), "</code> acquired while holding <code>",
          HtmlEscape(OneLine(from)), "</code>, in ",
          HtmlEscape(OneLine(collector::ThreadName(e.thread, analysis))),
          "</p>\n",
          StackHtml(absl::StrCat(to, " acquired at"), analysis, e.to_stack,
                    input.sources, i == 0),
          StackHtml(absl::StrCat(from, " acquired earlier at"), analysis,
                    e.from_stack, input.sources, false),
          "</div>\n");
    }
  } else {
    const auto [first, second] = StackLabels(finding.kind);
    absl::StrAppend(&out, StackHtml(first, analysis, finding.stack,
                                    input.sources, true));
    if (finding.other_stack != 0) {
      absl::StrAppend(&out, StackHtml(second, analysis, finding.other_stack,
                                      input.sources, false));
    }
  }
  absl::StrAppend(
      &out, "<details class=\"text-report\"><summary>as text</summary><pre>",
      HtmlEscape(collector::FormatReport(finding, analysis)),
      "</pre></details>\n</section>\n");
  return out;
}

std::string VerdictHtml(const HtmlReportInput& input) {
  const std::vector<Verdict>& verdicts = *input.verdicts;
  const size_t traces = input.traces->size();
  const std::string scope = absl::StrCat(
      verdicts.size(), " finding", verdicts.size() == 1 ? "" : "s", " in ",
      traces, " trace", traces == 1 ? "" : "s");
  const bool failed = AnyFailing(verdicts);
  std::string text;
  if (failed) {
    size_t failing = 0;
    for (const Verdict& v : verdicts) failing += v.failing ? 1 : 0;
    text = absl::StrCat(
        "lockscope check: FAILED: ", failing, " failing (",
        CountByKind(verdicts, [](const Verdict& v) { return v.failing; }),
        ") of ", scope);
  } else {
    text = absl::StrCat("lockscope check: passed: ", scope, ", none failing");
  }
  return absl::StrCat("<div class=\"verdict ", failed ? "failed" : "passed",
                      "\" id=\"verdict\">", HtmlEscape(text), "</div>\n");
}

std::string Cell(uint64_t value, const std::string& text) {
  return absl::StrCat("<td data-sort=\"", value, "\">", HtmlEscape(text),
                      "</td>");
}

std::string TableHtml(const Analysis& analysis) {
  struct Row {
    ObjectId id;
    collector::ObjectCounters counters;
  };
  std::vector<Row> rows;
  for (ObjectId id : SortedKeys(analysis.objects)) {
    auto it = analysis.counters.find(id);
    if (analysis.objects.at(id).kind == collector::ObjectKind::kCell &&
        it == analysis.counters.end()) {
      continue;
    }
    rows.push_back({id, it != analysis.counters.end() ? it->second
                                                      : collector::ObjectCounters{}});
  }
  if (rows.empty()) return "<p class=\"meta\">no locks in the traces</p>\n";
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.counters.acquisitions > b.counters.acquisitions;
  });
  const size_t total = rows.size();
  if (rows.size() > kMaxTableRows) rows.resize(kMaxTableRows);
  const auto names = UniqueObjectNames(analysis.objects);
  std::string out =
      "<table class=\"sortable\" id=\"contention\"><thead><tr><th>lock</th>"
      "<th>kind</th><th>acquired</th><th>shared</th><th>contended</th>"
      "<th>contended %</th><th>wait total</th><th>wait max</th>"
      "<th>hold total</th><th>hold max</th></tr></thead><tbody>\n";
  for (const Row& row : rows) {
    const collector::ObjectCounters& c = row.counters;
    const double percent =
        c.acquisitions > 0 ? 100.0 * static_cast<double>(c.contended) /
                                 static_cast<double>(c.acquisitions)
                           : 0;
    absl::StrAppend(
        &out, "<tr><td>", HtmlEscape(OneLine(names.at(row.id))), "</td><td>",
        ToAbsl(collector::ObjectKindName(analysis.objects.at(row.id).kind)),
        "</td>",
        Cell(c.acquisitions, absl::StrCat(c.acquisitions)),
        Cell(c.shared, absl::StrCat(c.shared)),
        Cell(c.contended, absl::StrCat(c.contended)),
        absl::StrFormat("<td data-sort=\"%.4f\">%.1f%%</td>", percent, percent),
        Cell(c.wait_total_ns, FormatDuration(c.wait_total_ns)),
        Cell(c.wait_max_ns, FormatDuration(c.wait_max_ns)),
        Cell(c.hold_total_ns, FormatDuration(c.hold_total_ns)),
        Cell(c.hold_max_ns, FormatDuration(c.hold_max_ns)), "</tr>\n");
  }
  absl::StrAppend(&out, "</tbody></table>\n");
  if (rows.size() < total) {
    absl::StrAppend(&out, "<p class=\"meta\">the ", rows.size(),
                    " most acquired of ", total,
                    " locks are shown (all: lockscope locks)</p>\n");
  }
  return out;
}

}  // namespace

std::string HtmlEscape(std::string_view text) { return XmlEscape(text); }

std::vector<collector::Frame> ReportFrames(
    const collector::FindingContext& context, collector::StackId stack) {
  if (stack == 0) return {};
  // User frames first, as every other report (lockscope's wrapper and the
  // standard library's lock guards left out).
  return collector::UserFrames(context.Stack(stack),
                               collector::StackView::kUser);
}

std::string RenderHtmlReport(const HtmlReportInput& input) {
  const std::vector<collector::TraceData>& traces = *input.traces;
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\">"
      "<title>lockscope report</title>\n<style>",
      html_assets::kCss, "</style></head>\n<body data-js=\"pending\">\n",
      "<h1>lockscope report</h1>\n<p class=\"meta\">", traces.size(),
      traces.size() == 1 ? " trace: " : " traces: ");
  for (size_t i = 0; i < traces.size() && i < kTracesListed; ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ", ", "<code>",
                    HtmlEscape(OneLine(traces[i].path)), "</code>");
  }
  if (traces.size() > kTracesListed) {
    absl::StrAppend(&out, " and ", traces.size() - kTracesListed, " more");
  }
  absl::StrAppend(&out, "</p>\n", VerdictHtml(input));

  const std::vector<Verdict>& verdicts = *input.verdicts;
  absl::StrAppend(&out, "<h2 id=\"findings\">Findings (", verdicts.size(),
                  ")</h2>\n");
  if (verdicts.empty()) absl::StrAppend(&out, "<p>No findings.</p>\n");
  for (size_t i = 0; i < verdicts.size(); ++i) {
    absl::StrAppend(&out, FindingHtml(i + 1, verdicts[i], input));
  }

  absl::StrAppend(&out, "<h2 id=\"graph\">Lock-order graph</h2>\n");
  if (input.analysis->edges.empty() && input.graph_svg.empty()) {
    absl::StrAppend(&out, "<p>No lock was acquired while holding another.</p>\n");
  } else {
    absl::StrAppend(&out, "<p class=\"meta\">An edge A &rarr; B: B acquired "
                          "while holding A. Red: on a failing finding's cycle; "
                          "yellow, dashed: on a passing one's; grey: "
                          "suppressed. Laid out by ",
                    HtmlEscape(input.graph_layout));
    if (!input.graph_note.empty()) {
      absl::StrAppend(&out, " (", HtmlEscape(OneLine(input.graph_note)), ")");
    }
    if (input.graph_omitted > 0) {
      absl::StrAppend(&out, "; ", input.graph_omitted,
                      " locks on no cycle are left out");
    }
    absl::StrAppend(&out, ".</p>\n<div class=\"graph\">", input.graph_svg,
                    "</div>\n");
  }

  absl::StrAppend(&out, "<h2 id=\"locks\">Contention</h2>\n",
                  "<p class=\"meta\">Click a header to sort. Wait: time "
                  "blocked after the fast try failed; hold: measured for "
                  "waited acquisitions only unless events=all.</p>\n",
                  TableHtml(*input.analysis));

  absl::StrAppend(&out, "<h2 id=\"timeline\">Timeline</h2>\n");
  if (input.timeline_html.empty()) {
    absl::StrAppend(&out, "<p>No events in the traces (recorded with "
                          "events=none, or nothing waited).</p>\n");
  } else {
    absl::StrAppend(&out, input.timeline_html);
  }
  absl::StrAppend(&out, "<script>", html_assets::kJs,
                  "</script>\n</body></html>\n");
  return out;
}

}  // namespace lockscope::viewer
