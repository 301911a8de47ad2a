// lockscope borrows TRACE... — cross-thread borrows and borrow conflicts.
#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/report.h"
#include "collector/analysis/plural.h"
#include "viewer/subcommand.h"

namespace lockscope::viewer {
namespace {

using collector::Finding;
using collector::FindingKind;
using collector::ThreadId;

constexpr char kIndent[] = "      ";

// "app (cell created at app.cc:10 in thread 1 'main')".
std::string CellLine(const Finding& finding, const Analysis& analysis,
                     const Style& style) {
  if (finding.objects.empty()) return "(unknown cell)";
  const collector::ObjectId id = finding.objects[0];
  std::string text = style.Bold(OneLine(collector::ObjectName(id, analysis)));
  if (const collector::ObjectInfo* cell = analysis.Object(id)) {
    absl::StrAppend(&text, " (", ToAbsl(collector::ObjectKindName(cell->kind)),
                    " created at ",
                    OneLine(FormatSite(cell->created.file, cell->created.line)));
    if (cell->created_thread != 0) {
      absl::StrAppend(&text, " in ",
                      OneLine(collector::ThreadName(cell->created_thread,
                                                    analysis)));
    }
    absl::StrAppend(&text, ")");
  }
  return text;
}

ThreadId OwnerOf(const Finding& finding, const Analysis& analysis) {
  if (finding.objects.empty()) return 0;
  const collector::ObjectInfo* cell = analysis.Object(finding.objects[0]);
  return cell == nullptr ? 0 : cell->owner_thread;
}

std::string ThreadOrUnknown(ThreadId id, const Analysis& analysis) {
  return id == 0 ? "unknown thread"
                 : OneLine(collector::ThreadName(id, analysis));
}

void PrintProvenance(const AnalyzedFinding& analyzed,
                     const std::vector<collector::TraceData>& traces,
                     const Style& style, std::ostream& out) {
  const Finding& finding = analyzed.finding;
  if (finding.suppressed) out << "  " << style.Dim("[suppressed]") << "\n";
  if (finding.count > 1) out << "  seen:        " << finding.count << " times\n";
  if (traces.size() > 1) {
    std::vector<std::string> where;
    for (size_t index : analyzed.traces) {
      where.push_back(OneLine(traces[index].path));
    }
    out << "  from:        " << absl::StrJoin(where, ", ") << "\n";
  }
}

void PrintCrossThread(const AnalyzedFinding& analyzed,
                      const std::vector<collector::TraceData>& traces,
                      const Analysis& analysis, const Style& style,
                      collector::StackView view, std::ostream& out) {
  const Finding& finding = analyzed.finding;
  const ThreadId owner = OwnerOf(finding, analysis);
  ThreadId borrower = 0;
  for (ThreadId thread : finding.threads) {
    if (thread != owner) {
      borrower = thread;
      break;
    }
  }
  out << CellLine(finding, analysis, style) << "\n";
  out << "  owner:       " << ThreadOrUnknown(owner, analysis) << "\n";
  out << "  borrowed in: " << style.Red(ThreadOrUnknown(borrower, analysis))
      << "\n";
  PrintProvenance(analyzed, traces, style, out);
  out << "  site:\n" << FormatStack(analysis, finding.stack, kIndent, view);
  if (finding.other_stack != 0) {
    out << "  owner's borrow:\n"
        << FormatStack(analysis, finding.other_stack, kIndent, view);
  }
}

void PrintConflict(const AnalyzedFinding& analyzed,
                   const std::vector<collector::TraceData>& traces,
                   const Analysis& analysis, const Style& style,
                   collector::StackView view, std::ostream& out) {
  const Finding& finding = analyzed.finding;
  // The offending borrow's thread comes first; the outstanding borrow may be
  // held by the same thread (a nested borrow_mut) or by another.
  const ThreadId now = finding.threads.empty() ? 0 : finding.threads[0];
  const ThreadId earlier = finding.threads.size() > 1 ? finding.threads[1] : now;
  out << CellLine(finding, analysis, style) << "\n";
  if (!finding.message.empty()) {
    out << "  what:        " << OneLine(finding.message) << "\n";
  }
  PrintProvenance(analyzed, traces, style, out);
  out << "  new borrow in " << ThreadOrUnknown(now, analysis) << " at:\n"
      << FormatStack(analysis, finding.stack, kIndent, view);
  if (finding.borrows.empty()) {  // a trace from before they were recorded
    out << "  outstanding borrow in " << ThreadOrUnknown(earlier, analysis)
        << " taken at:\n"
        << FormatStack(analysis, finding.other_stack, kIndent, view);
    return;
  }
  const size_t n = finding.borrows.size();
  for (size_t i = 0; i < n; ++i) {
    const collector::FindingBorrow& borrow = finding.borrows[i];
    out << "  outstanding borrow " << i + 1 << " of " << n << ": "
        << (borrow.access == collector::Access::kExclusive ? "exclusive"
                                                            : "shared")
        << ", in " << ThreadOrUnknown(borrow.thread, analysis);
    if (!borrow.site.file.empty()) {
      out << ", at " << OneLine(FormatSite(borrow.site.file, borrow.site.line));
      if (!borrow.site.function.empty()) {
        out << " in " << OneLine(borrow.site.function);
      }
    }
    out << ":\n" << FormatStack(analysis, borrow.stack, kIndent, view);
  }
}

class BorrowsCommand : public Subcommand {
 public:
  std::string_view name() const override { return "borrows"; }
  std::string_view description() const override {
    return "cross-thread borrows and borrow conflicts of AppCells";
  }
  void Configure(CLI::App& command) override {
    AddTracesArgument(command, &paths_);
    AddFullStacksFlag(command, &full_stacks_);
    command.footer(
        "A cross-thread borrow is an AppCell borrowed on a thread other than\n"
        "its owner; a conflict is borrow_mut while borrowed (or borrow while\n"
        "mutably borrowed). Both sites and both threads are shown.\n\n"
        "Example:\n  lockscope borrows app.12345.lstrace");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    absl::StatusOr<LoadedSet> set = LoadAndAnalyze(paths_, context);
    if (!set.ok()) return set.status();
    const Analysis& analysis = set->analysis;
    const Style style = context.style();
    std::vector<const AnalyzedFinding*> cross, conflicts;
    for (const AnalyzedFinding& analyzed : analysis.findings) {
      if (analyzed.finding.kind == FindingKind::kCrossThreadBorrow) {
        cross.push_back(&analyzed);
      } else if (analyzed.finding.kind == FindingKind::kBorrowConflict) {
        conflicts.push_back(&analyzed);
      }
    }
    if (cross.empty() && conflicts.empty()) {
      context.out << "no cross-thread borrows or borrow conflicts in "
                  << collector::Plural(set->traces.size(), "trace") << "\n";
      return kExitOk;
    }
    if (!cross.empty()) {
      context.out << style.Bold(absl::StrCat("== cross-thread borrows (",
                                             cross.size(), ") =="))
                  << "\n";
      for (const AnalyzedFinding* analyzed : cross) {
        context.out << "\n";
        PrintCrossThread(*analyzed, set->traces, analysis, style,
                         ViewOf(full_stacks_), context.out);
      }
    }
    if (!conflicts.empty()) {
      if (!cross.empty()) context.out << "\n";
      context.out << style.Bold(absl::StrCat("== borrow conflicts (",
                                             conflicts.size(), ") =="))
                  << "\n";
      for (const AnalyzedFinding* analyzed : conflicts) {
        context.out << "\n";
        PrintConflict(*analyzed, set->traces, analysis, style,
                      ViewOf(full_stacks_), context.out);
      }
    }
    return kExitOk;
  }

 private:
  std::vector<std::string> paths_;
  bool full_stacks_ = false;
};

}  // namespace

std::unique_ptr<Subcommand> NewBorrowsCommand() {
  return std::make_unique<BorrowsCommand>();
}

}  // namespace lockscope::viewer
