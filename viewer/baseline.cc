// lockscope baseline -o FILE TRACE... — the fingerprints of today's
// findings, for `lockscope check --baseline=FILE`.
#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "collector/analysis/baseline.h"
#include "collector/analysis/fingerprint.h"
#include "collector/analysis/lock_order_file.h"
#include "collector/analysis/suppressions.h"
#include "viewer/declared_order.h"
#include "viewer/subcommand.h"
#include "viewer/verdict.h"

namespace lockscope::viewer {
namespace {

class BaselineCommand : public Subcommand {
 public:
  std::string_view name() const override { return "baseline"; }
  std::string_view description() const override {
    return "write the fingerprints of today's findings (for check "
           "--baseline)";
  }
  void Configure(CLI::App& command) override {
    command.add_option("-o,--output", output_,
                       "the baseline file to write ('-' = stdout)")
        ->required()
        ->type_name("FILE");
    AddTracesArgument(command, &paths_);
    command.add_option("--suppressions", suppressions_path_,
                       "leave out the findings these rules suppress")
        ->type_name("FILE");
    command.add_option("--lock-order", lock_order_path_,
                       "also take in lock-order-violations against this "
                       "declared order")
        ->type_name("FILE");
    command.footer(
        "One line per finding not suppressed: its fingerprint (kind, locks,\n"
        "function; no ids, addresses or line numbers) and a comment naming\n"
        "it, sorted, so the file diffs well in review. Commit it; then\n"
        "`lockscope check --baseline=FILE` fails only on new findings.\n\n"
        "Example:\n"
        "  lockscope baseline -o lockscope.baseline build/*.lstrace");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    absl::StatusOr<std::optional<collector::Suppressions>> loaded_rules =
        LoadIfNamed<collector::Suppressions>(suppressions_path_);
    if (!loaded_rules.ok()) return loaded_rules.status();
    const std::optional<collector::Suppressions> suppressions =
        *std::move(loaded_rules);
    absl::StatusOr<std::optional<collector::DeclaredLockOrder>> loaded_order =
        LoadIfNamed<collector::DeclaredLockOrder>(lock_order_path_);
    if (!loaded_order.ok()) return loaded_order.status();
    const std::optional<collector::DeclaredLockOrder> order =
        *std::move(loaded_order);
    absl::StatusOr<LoadedSet> set = LoadAndAnalyze(paths_, context);
    if (!set.ok()) return set.status();
    if (order) AddDeclaredOrderFindings(*order, &set->analysis);
    const std::vector<Verdict> verdicts =
        Judge(set->analysis, suppressions ? &*suppressions : nullptr,
              FailPolicy{});
    std::vector<collector::BaselineEntry> entries;
    for (const Verdict& verdict : verdicts) {
      if (verdict.suppressed) continue;
      const collector::Finding& finding = verdict.analyzed->finding;
      collector::BaselineEntry entry;
      entry.fingerprint = Fingerprint(finding, set->analysis);
      entry.label = collector::FingerprintLabel(finding, set->analysis);
      entries.push_back(std::move(entry));
    }
    const size_t findings = entries.size();
    const std::string text = collector::FormatBaseline(std::move(entries));
    absl::Status written = WriteOutput(output_, text, context.out);
    if (!written.ok()) return written;
    if (!output_.empty() && output_ != "-") {
      context.out << "lockscope baseline: wrote " << findings << " finding"
                  << (findings == 1 ? "" : "s") << " to " << output_
                  << std::endl;
    }
    return kExitOk;
  }

 private:
  std::vector<std::string> paths_;
  std::string output_;
  std::string suppressions_path_;
  std::string lock_order_path_;
};

}  // namespace

std::unique_ptr<Subcommand> NewBaselineCommand() {
  return std::make_unique<BaselineCommand>();
}

}  // namespace lockscope::viewer
