// lockscope order -o FILE TRACE... — the lock order the traces show, as a
// lock-order file to review and commit (see declared_order.h).
#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "viewer/declared_order.h"
#include "viewer/subcommand.h"

namespace lockscope::viewer {
namespace {

class OrderCommand : public Subcommand {
 public:
  std::string_view name() const override { return "order"; }
  std::string_view description() const override {
    return "write the lock order the traces show (a lock_order file)";
  }
  void Configure(CLI::App& command) override {
    command.add_option("-o,--output", output_,
                       "the lock-order file to write ('-' = stdout)")
        ->required()
        ->type_name("FILE");
    AddTracesArgument(command, &paths_);
    command.footer(
        "Chains 'a < b < c' of lock classes, each taken before the next in\n"
        "the traces, commented with how often; classes taken in both orders\n"
        "(a cycle) are left out and named in a comment. A starting point:\n"
        "review it, commit it, and check later runs against it with\n"
        "LOCKSCOPE_OPTIONS=lock_order=FILE or `check --lock-order=FILE`.\n\n"
        "Example:\n"
        "  lockscope order -o lockscope.order build/*.lstrace");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    absl::StatusOr<LoadedSet> set = LoadAndAnalyze(paths_, context);
    if (!set.ok()) return set.status();
    const size_t n = set->traces.size();
    const std::string text = FormatObservedOrder(
        set->analysis, absl::StrCat(n, " trace", n == 1 ? "" : "s"));
    absl::Status written = WriteOutput(output_, text, context.out);
    if (!written.ok()) return written;
    if (!output_.empty() && output_ != "-") {
      context.out << "lockscope order: wrote " << output_ << std::endl;
    }
    return kExitOk;
  }

 private:
  std::vector<std::string> paths_;
  std::string output_;
};

}  // namespace

std::unique_ptr<Subcommand> NewOrderCommand() {
  return std::make_unique<OrderCommand>();
}

}  // namespace lockscope::viewer
