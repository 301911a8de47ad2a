// lockscope cycles TRACE... — potential deadlocks, with symbolized stacks.
#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/report.h"
#include "collector/analysis/plural.h"
#include "viewer/subcommand.h"
#include "viewer/verdict.h"

namespace lockscope::viewer {
namespace {

using collector::FindingKind;

struct Section {
  std::string title;
  std::string note;  // printed under the title when non-empty
  std::vector<const AnalyzedFinding*> findings;
};

class CyclesCommand : public Subcommand {
 public:
  std::string_view name() const override { return "cycles"; }
  std::string_view description() const override {
    return "potential deadlocks (lock-order cycles), with symbolized stacks";
  }
  void Configure(CLI::App& command) override {
    AddTracesArgument(command, &paths_);
    command
        .add_option("--max-frames", max_frames_,
                    "frames printed per stack (0 = all)")
        ->check(CLI::NonNegativeNumber);
    AddFullStacksFlag(command, &full_stacks_);
    command.footer(
        "Several traces are analysed as one lock graph (locks matched by\n"
        "name), so an inversion whose halves ran in different processes is\n"
        "found. Sections: potential deadlocks, actual deadlocks, guarded\n"
        "cycles (with their gate), lock class cycles.\n\n"
        "Example:\n  lockscope cycles test_a.lstrace test_b.lstrace");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    absl::StatusOr<LoadedSet> set = LoadAndAnalyze(paths_, context);
    if (!set.ok()) return set.status();
    const Analysis& analysis = set->analysis;
    const Style style = context.style();

    Section deadlocks{"potential deadlocks", "", {}};
    Section actual{"actual deadlocks (threads were blocked on each other)",
                   "",
                   {}};
    Section guarded{"guarded cycles",
                    "every edge was taken while a common gate lock was held, "
                    "so these cannot deadlock (they fail 'check' only with "
                    "--strict)",
                    {}};
    Section classes{"lock class cycles",
                    "cycles among lock classes (different instances of one "
                    "creation site or name), not among single locks",
                    {}};
    for (const AnalyzedFinding& analyzed : analysis.findings) {
      const collector::Finding& finding = analyzed.finding;
      switch (finding.kind) {
        case FindingKind::kLockOrderCycle:
          (IsGuarded(finding) ? guarded : deadlocks)
              .findings.push_back(&analyzed);
          break;
        case FindingKind::kActualDeadlock:
          actual.findings.push_back(&analyzed);
          break;
        case FindingKind::kLockClassCycle:
          classes.findings.push_back(&analyzed);
          break;
        default:
          break;
      }
    }

    collector::ReportStyle report_style;
    report_style.color = context.color;
    report_style.max_frames = max_frames_;
    report_style.stack_view = ViewOf(full_stacks_);
    size_t total = 0;
    bool first_section = true;
    for (const Section* section : {&deadlocks, &actual, &guarded, &classes}) {
      if (section->findings.empty()) continue;
      total += section->findings.size();
      if (!first_section) context.out << "\n";
      first_section = false;
      context.out << style.Bold(absl::StrCat("== ", section->title, " (",
                                             section->findings.size(), ") =="))
                  << "\n";
      if (!section->note.empty()) context.out << section->note << "\n";
      for (const AnalyzedFinding* analyzed : section->findings) {
        context.out << "\n";
        PrintFinding(*analyzed, set->traces, analysis, report_style, style,
                     context.out);
      }
    }
    if (total == 0) {
      context.out << "no lock-order cycles in "
                  << collector::Plural(set->traces.size(), "trace") << " ("
                  << collector::Plural(analysis.edges.size(), "lock-order edge")
                  << ")\n";
    }
    return kExitOk;
  }

 private:
  static void PrintFinding(const AnalyzedFinding& analyzed,
                           const std::vector<collector::TraceData>& traces,
                           const Analysis& analysis,
                           const collector::ReportStyle& report_style,
                           const Style& style, std::ostream& out) {
    const collector::Finding& finding = analyzed.finding;
    // FormatReport names the gate of a guarded cycle itself.
    if (finding.suppressed) out << style.Dim("[suppressed]") << "\n";
    if (finding.count > 1) out << "seen " << finding.count << " times\n";
    if (traces.size() > 1) {
      std::vector<std::string> where;
      for (size_t index : analyzed.traces) {
        where.push_back(OneLine(traces[index].path));
      }
      out << "from: " << absl::StrJoin(where, ", ") << "\n";
    }
    out << collector::FormatReport(finding, analysis, report_style);
  }

  std::vector<std::string> paths_;
  int max_frames_ = 0;
  bool full_stacks_ = false;
};

}  // namespace

std::unique_ptr<Subcommand> NewCyclesCommand() {
  return std::make_unique<CyclesCommand>();
}

}  // namespace lockscope::viewer
