// viewer/html_report.h — the `lockscope report` page: one self-contained
// HTML document (inline CSS, JS and SVG; nothing is fetched).
//
// Sections, in order: the verdict (the same as `lockscope check` with the
// same options: viewer/verdict.h), the findings (each a <section
// class="finding" id="finding-N"> with its stacks in <details>, and source
// lines around each frame whose file is readable), the lock-order graph
// (html_svg_graph.h), the per-lock contention table (a sortable <table>,
// the numbers of `lockscope locks`), and the timeline when the traces
// recorded events (html_timeline.h).
//
// Every string that comes from a trace or a source file is escaped with
// HtmlEscape: trace contents are untrusted input.
#ifndef LOCKSCOPE_VIEWER_HTML_REPORT_H_
#define LOCKSCOPE_VIEWER_HTML_REPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "collector/trace/trace_loader.h"
#include "viewer/html_source.h"
#include "viewer/trace_set.h"
#include "viewer/verdict.h"

namespace lockscope::viewer {

// Text for HTML character data and attribute values: & < > " ' escaped,
// control characters other than \n and \t made spaces, invalid UTF-8
// replaced (viewer/output.h XmlEscape).
std::string HtmlEscape(std::string_view text);

struct HtmlReportInput {
  const std::vector<collector::TraceData>* traces = nullptr;
  const Analysis* analysis = nullptr;
  const std::vector<Verdict>* verdicts = nullptr;
  FailPolicy policy;
  // The graph section's <svg> and how it was laid out ("dot", "built-in"),
  // with a note on why dot was not used (may be empty).
  std::string graph_svg;
  std::string graph_layout;
  std::string graph_note;
  size_t graph_omitted = 0;
  // The timeline section's body; empty when no events were recorded.
  std::string timeline_html;
  // Reads source lines for the frames; null = no source lines.
  SourceLines* sources = nullptr;
};

std::string RenderHtmlReport(const HtmlReportInput& input);

// The frames of a finding's stack, in the order the report shows them.
// The one place that chooses frames: user frames first (trimming the
// lockscope and standard-library lock-guard frames) belongs here.
std::vector<collector::Frame> ReportFrames(
    const collector::FindingContext& context, collector::StackId stack);

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_HTML_REPORT_H_
