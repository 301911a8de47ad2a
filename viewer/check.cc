// lockscope check TRACE... — the CI gate.
#include <algorithm>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "collector/analysis/plural.h"
#include "collector/analysis/baseline.h"
#include "collector/analysis/lock_order_file.h"
#include "collector/analysis/report.h"
#include "collector/analysis/suppressions.h"
#include "viewer/check_formats.h"
#include "viewer/declared_order.h"
#include "viewer/subcommand.h"

namespace lockscope::viewer {
namespace {

using collector::FindingKind;

// How many traces a finding line names without --verbose.
constexpr size_t kNamedTraces = 3;

std::string CheckText(const CheckResult& result, const Style& style,
                      bool color, bool verbose) {
  const Analysis& analysis = *result.analysis;
  std::string out;
  collector::ReportStyle report_style;
  report_style.color = color;
  report_style.stack_view = result.stack_view;
  // The full report of every failing finding first: that is what a CI log
  // reader needs.
  for (const Verdict& verdict : result.verdicts) {
    if (!verdict.failing) continue;
    absl::StrAppend(&out, collector::FormatReport(verdict.analyzed->finding,
                                                  analysis, report_style),
                    "\n");
  }
  size_t failing = 0;
  if (!result.verdicts.empty()) absl::StrAppend(&out, "findings:\n");
  for (const Verdict& verdict : result.verdicts) {
    const collector::Finding& finding = verdict.analyzed->finding;
    std::string label, detail;
    if (verdict.failing) {
      ++failing;
      label = style.Red("FAIL");
    } else if (verdict.suppressed) {
      label = style.Dim("suppressed");
      detail = absl::StrCat(" (", OneLine(verdict.suppressed_by), ")");
    } else if (verdict.baseline) {
      label = style.Dim("baseline");
    } else {
      label = style.Yellow(PassReason(verdict, result.policy));
    }
    // FormatOneLine already names the gate of a guarded cycle.
    if (result.traces->size() > 1) {
      // A finding every test shares would list every trace: name a few
      // (--verbose: all) and count the rest.
      const std::vector<size_t>& in = verdict.analyzed->traces;
      const size_t named = verbose ? in.size() : std::min(in.size(), kNamedTraces);
      std::vector<std::string> where;
      for (size_t i = 0; i < named; ++i) {
        where.push_back(OneLine((*result.traces)[in[i]].path));
      }
      absl::StrAppend(&detail, " in ", absl::StrJoin(where, ", "));
      if (named < in.size()) {
        absl::StrAppend(&detail, " and ",
                        collector::Plural(in.size() - named, "more trace"),
                        " (--verbose lists them)");
      }
    }
    // Pad the label by its visible width (colour codes take none).
    const size_t width = DisplayWidth(label);
    absl::StrAppend(&out, "  ", label, std::string(width < 11 ? 11 - width : 1, ' '),
                    OneLine(collector::FormatOneLine(finding, analysis)),
                    detail, "\n");
  }
  if (!result.absent.empty()) {
    // Stale entries do not fail: the finding was fixed, or these traces did
    // not reach it. Listed so the baseline can shrink.
    absl::StrAppend(&out, "baseline entries that matched no finding (",
                    OneLine(result.baseline_path),
                    "; remove them once fixed):\n");
    for (const collector::BaselineEntry& entry : result.absent) {
      absl::StrAppend(&out, "  ", style.Dim("stale"), "      ",
                      entry.fingerprint,
                      entry.label.empty() ? "" : "  # ", OneLine(entry.label),
                      " (line ", entry.line, ")\n");
    }
  }
  size_t in_baseline = 0;
  for (const Verdict& verdict : result.verdicts) {
    in_baseline += verdict.baseline && !verdict.suppressed;
  }
  const std::string baselined =
      result.baseline_path.empty()
          ? std::string()
          : absl::StrCat(", ", in_baseline, " in the baseline");
  const size_t traces = result.traces->size();
  const std::string scope =
      absl::StrCat(collector::Plural(result.verdicts.size(), "finding"),
                   " in ", collector::Plural(traces, "trace"));
  if (result.failed) {
    absl::StrAppend(
        &out, "lockscope check: ", style.Red("FAILED"), ": ", failing,
        " failing (",
        CountByKind(result.verdicts, [](const Verdict& v) { return v.failing; }),
        ") of ", scope, baselined, "\n");
  } else {
    absl::StrAppend(&out, "lockscope check: ", style.Green("passed"), ": ",
                    scope, ", none failing", baselined, "\n");
  }
  return out;
}

class CheckCommand : public Subcommand {
 public:
  std::string_view name() const override { return "check"; }
  std::string_view description() const override {
    return "CI gate: exit 1 on unsuppressed findings (text, JSON, SARIF, "
           "JUnit)";
  }
  void Configure(CLI::App& command) override {
    AddTracesArgument(command, &paths_);
    command.add_option("--suppressions", suppressions_path_,
                       "suppression file (cycle:, borrow:, lock:, KIND: "
                       "rules)")
        ->type_name("FILE");
    command.add_flag("--verbose", verbose_,
                     "name every trace a finding was seen in (default: the "
                     "first 3 and a count)");
    command.add_flag("--strict", strict_,
                     "also fail on guarded cycles, warnings and notes");
    command.add_option("--baseline", baseline_path_,
                       "findings whose fingerprints are in FILE (made by "
                       "`lockscope baseline`) do not fail")
        ->type_name("FILE");
    command.add_option("--lock-order", lock_order_path_,
                       "report edges that break this declared lock order "
                       "as lock-order-violation")
        ->type_name("FILE");
    command.add_option("--fail-on", fail_on_,
                       "only these finding kinds can fail (comma list); a note "
                       "kind named here fails")
        ->delimiter(',')
        ->type_name("KINDS");
    command.add_option("--format", format_, "output format")
        ->check(CLI::IsMember({"text", "json", "sarif", "junit"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    command.add_option("-o,--output", output_,
                       "write the report to FILE instead of stdout")
        ->type_name("FILE");
    AddFullStacksFlag(command, &full_stacks_);
    command.footer(
        "Exit status: 0 clean, 1 unsuppressed failing findings, 2 unreadable\n"
        "input or bad usage. By default an unsuppressed finding fails when\n"
        "its severity is error and it is not a guarded cycle; notes\n"
        "(wait-while-holding) are listed and fail only with --strict or\n"
        "--fail-on naming them. Several traces\n"
        "are analysed as one lock graph (cycles across processes are found).\n\n"
        "Examples:\n"
        "  lockscope check build/test-*.lstrace\n"
        "  lockscope check --suppressions=lockscope.supp --format=sarif "
        "-o lockscope.sarif *.lstrace\n"
        "  lockscope check --fail-on=lock-order-cycle,actual-deadlock "
        "app.lstrace\n"
        "  lockscope check --baseline=lockscope.baseline "
        "--lock-order=lockscope.order *.lstrace");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    absl::StatusOr<FailPolicy> policy = ParseFailPolicy(strict_, fail_on_);
    if (!policy.ok()) return policy.status();
    absl::StatusOr<std::optional<collector::Suppressions>> suppressions =
        LoadIfNamed<collector::Suppressions>(suppressions_path_);
    if (!suppressions.ok()) return suppressions.status();
    absl::StatusOr<std::optional<collector::Baseline>> baseline =
        LoadIfNamed<collector::Baseline>(baseline_path_);
    if (!baseline.ok()) return baseline.status();
    absl::StatusOr<std::optional<collector::DeclaredLockOrder>> order =
        LoadIfNamed<collector::DeclaredLockOrder>(lock_order_path_);
    if (!order.ok()) return order.status();
    absl::StatusOr<LoadedSet> set = LoadAndAnalyze(paths_, context);
    if (!set.ok()) return set.status();
    if (*order) AddDeclaredOrderFindings(**order, &set->analysis);

    CheckResult result;
    result.traces = &set->traces;
    result.analysis = &set->analysis;
    result.policy = *policy;
    result.verdicts =
        Judge(set->analysis, *suppressions ? &**suppressions : nullptr,
              *policy);
    if (*baseline) {
      result.baseline_path = baseline_path_;
      result.absent =
          ApplyBaseline(**baseline, set->analysis, &result.verdicts);
    }
    result.failed = AnyFailing(result.verdicts);
    result.stack_view = ViewOf(full_stacks_);

    std::string text;
    if (format_ == "json") {
      text = CheckJson(result);
    } else if (format_ == "sarif") {
      text = CheckSarif(result, FindSourceRoot());
    } else if (format_ == "junit") {
      text = CheckJunit(result);
    } else {
      // Colour only when the text goes to the terminal.
      const bool color = context.color && (output_.empty() || output_ == "-");
      text = CheckText(result, Style(color), color, verbose_);
    }
    absl::Status written = WriteOutput(output_, text, context.out);
    if (!written.ok()) return written;
    return result.failed ? kExitFindings : kExitOk;
  }

 private:
  std::vector<std::string> paths_;
  std::string suppressions_path_;
  std::string baseline_path_;
  std::string lock_order_path_;
  bool strict_ = false;
  bool verbose_ = false;
  std::vector<std::string> fail_on_;
  std::string format_ = "text";
  std::string output_;
  bool full_stacks_ = false;
};

}  // namespace

std::string PassReason(const Verdict& verdict, const FailPolicy& policy) {
  if (verdict.failing || verdict.suppressed) return "";
  if (verdict.baseline) return "baseline";
  const collector::Finding& finding = verdict.analyzed->finding;
  const bool kind_counts =
      policy.fail_on.empty() ||
      std::find(policy.fail_on.begin(), policy.fail_on.end(), finding.kind) !=
          policy.fail_on.end();
  if (!kind_counts) return "not in --fail-on";
  if (IsGuarded(finding)) return "guarded";
  if (finding.severity == collector::Severity::kNote) return "note";
  return "warning";
}

std::unique_ptr<Subcommand> NewCheckCommand() {
  return std::make_unique<CheckCommand>();
}

}  // namespace lockscope::viewer
