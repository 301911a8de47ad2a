// lockscope report -o FILE.html TRACE... — one self-contained HTML report
// (viewer/html_report.h): the verdict of `check`, the findings with stacks
// and source lines, the lock-order graph, contention, the timeline.

#include <algorithm>

#include <CLI/CLI.hpp>

#include "collector/analysis/suppressions.h"
#include "viewer/html_report.h"
#include "viewer/html_svg_graph.h"
#include "viewer/html_timeline.h"
#include "viewer/subcommand.h"
#include "viewer/trace_set.h"
#include "viewer/verdict.h"

namespace lockscope::viewer {
namespace {


class ReportCommand : public Subcommand {
 public:
  std::string_view name() const override { return "report"; }
  std::string_view description() const override {
    return "one self-contained HTML report: verdict, findings, graph, "
           "contention, timeline";
  }
  void Configure(CLI::App& command) override {
    command.add_option("TRACE", paths_,
                       "trace files (.lstrace), or directories of them")
        ->required()
        ->type_name("FILE|DIR");
    command.add_option("-o,--output", output_, "the HTML file to write")
        ->required()
        ->type_name("FILE.html");
    command.add_option("--suppressions", suppressions_path_,
                       "suppression file, as for check")
        ->type_name("FILE");
    command.add_flag("--strict", strict_, "the verdict of check --strict");
    command.add_option("--fail-on", fail_on_,
                       "the verdict of check --fail-on (comma list)")
        ->delimiter(',')
        ->type_name("KINDS");
    command.add_option("--layout", layout_,
                       "graph layout: dot (Graphviz), builtin, or auto (dot "
                       "when on PATH)")
        ->check(CLI::IsMember({"auto", "dot", "builtin"}))
        ->type_name("LAYOUT")
        ->capture_default_str();
    command.add_flag("--no-source", no_source_,
                     "do not quote source lines around stack frames");
    command.add_option("--source-root", source_roots_,
                       "where relative source paths are looked up (default: "
                       "the current directory)")
        ->type_name("DIR");
    command.footer(
        "The page needs no network: CSS, script and SVG are inline, so it\n"
        "opens from a CI artifact. Its verdict is check's with the same\n"
        "--suppressions, --strict and --fail-on. Exit status: 0 when the\n"
        "report was written (whatever it found; check is the gate), 2 on\n"
        "unreadable input or bad usage.\n\n"
        "Examples:\n"
        "  lockscope report -o lockscope.html build/test-*.lstrace\n"
        "  lockscope report --suppressions=lockscope.supp -o report.html "
        "traces/");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    absl::StatusOr<FailPolicy> parsed_policy =
        ParseFailPolicy(strict_, fail_on_);
    if (!parsed_policy.ok()) return parsed_policy.status();
    const FailPolicy policy = *std::move(parsed_policy);
    absl::StatusOr<std::optional<collector::Suppressions>> loaded_rules =
        LoadIfNamed<collector::Suppressions>(suppressions_path_);
    if (!loaded_rules.ok()) return loaded_rules.status();
    const std::optional<collector::Suppressions> suppressions =
        *std::move(loaded_rules);
    absl::StatusOr<std::vector<std::string>> paths =
        ExpandTraceArguments(paths_);
    if (!paths.ok()) return paths.status();

    // One pass over each trace: its tables, and its events into the
    // timeline's buckets (never kept).
    Timeline timeline;
    std::vector<collector::TraceData> traces;
    traces.reserve(paths->size());
    const LoadOptions options = context.load_options();
    for (size_t i = 0; i < paths->size(); ++i) {
      absl::StatusOr<collector::TraceData> data =
          LoadOne((*paths)[i], options, [&timeline, i](const auto& event) {
            timeline.Add(i, event);
          });
      if (!data.ok()) return data.status();
      traces.push_back(*std::move(data));
    }
    const Analysis analysis = Analysis::Build(traces);
    const std::vector<Verdict> verdicts =
        Judge(analysis, suppressions ? &*suppressions : nullptr, policy);

    const SvgGraph graph = BuildSvgGraph(analysis, verdicts);
    const GraphLayout layout = layout_ == "dot"       ? GraphLayout::kDot
                               : layout_ == "builtin" ? GraphLayout::kBuiltin
                                                      : GraphLayout::kAuto;
    absl::StatusOr<GraphSvgResult> svg = RenderGraphSvg(graph, layout);
    if (!svg.ok()) return svg.status();

    SourceLines sources(source_roots_.empty() ? std::vector<std::string>{""}
                                              : source_roots_);
    HtmlReportInput input;
    input.traces = &traces;
    input.analysis = &analysis;
    input.verdicts = &verdicts;
    input.policy = policy;
    input.graph_svg = svg->svg;
    input.graph_layout = svg->layout;
    input.graph_note = svg->note;
    input.graph_omitted = graph.omitted_nodes;
    input.timeline_html = timeline.Render(traces, analysis);
    input.sources = no_source_ ? nullptr : &sources;
    const std::string html = RenderHtmlReport(input);
    absl::Status written = WriteOutput(output_, html, context.out);
    if (!written.ok()) return written;
    if (output_ != "-") {
      size_t failing = 0;
      for (const Verdict& v : verdicts) failing += v.failing ? 1 : 0;
      context.err << "lockscope report: wrote " << OneLine(output_) << " ("
                  << verdicts.size() << " finding"
                  << (verdicts.size() == 1 ? "" : "s") << ", " << failing
                  << " failing; graph laid out by " << svg->layout << ")"
                  << std::endl;
    }
    return kExitOk;
  }

 private:
  std::vector<std::string> paths_;
  std::string output_;
  std::string suppressions_path_;
  bool strict_ = false;
  std::vector<std::string> fail_on_;
  std::string layout_ = "auto";
  bool no_source_ = false;
  std::vector<std::string> source_roots_;
};

}  // namespace

std::unique_ptr<Subcommand> NewReportCommand() {
  return std::make_unique<ReportCommand>();
}

}  // namespace lockscope::viewer
