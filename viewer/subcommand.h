// viewer/subcommand.h — the interface behind every `lockscope` subcommand.
//
// main.cc owns the CLI11 application. For each subcommand it creates a CLI11
// sub-app with the subcommand's name and description, lets the subcommand
// declare its options on it (Configure), parses the command line, and calls
// Run on the one that was chosen. Run returns the exit status, or an error
// status that main prints as one line ("lockscope: <message>") and turns
// into exit status 2. Subcommands never exit the process themselves and
// write only to the streams in their CommandContext (or to files they were
// asked to create).
#ifndef LOCKSCOPE_VIEWER_SUBCOMMAND_H_
#define LOCKSCOPE_VIEWER_SUBCOMMAND_H_

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "collector/analysis/user_frames.h"
#include "viewer/output.h"
#include "viewer/trace_set.h"

namespace CLI {
class App;
}  // namespace CLI

namespace lockscope::viewer {

// Exit statuses of every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;

struct CommandContext {
  std::ostream& out;
  std::ostream& err;
  // Colour for text written to `out` (after --color, NO_COLOR and isatty).
  bool color = false;
  // Progress lines are allowed (stderr is a terminal).
  bool progress = false;
  // `lockscope run [OPTIONS] -- PROGRAM ARGS...`: what followed the "--",
  // untouched (CLI11 would hand it to the top-level app).
  std::vector<std::string> after_dashes = {};

  Style style() const { return Style(color); }
  // Prints "lockscope: warning: <message>" as one line on `err`.
  void Warn(std::string_view message) const;
  // Options for LoadTraces/LoadOne that route warnings through Warn.
  LoadOptions load_options() const;
};

class Subcommand {
 public:
  virtual ~Subcommand() = default;

  virtual std::string_view name() const = 0;
  // One line, shown in `lockscope --help`.
  virtual std::string_view description() const = 0;
  // Declares options and positionals on `command`, including a help footer
  // with at least one example invocation.
  virtual void Configure(CLI::App& command) = 0;
  // Runs after a successful parse.
  virtual absl::StatusOr<int> Run(const CommandContext& context) = 0;
};

std::unique_ptr<Subcommand> NewSummaryCommand();
std::unique_ptr<Subcommand> NewCyclesCommand();
std::unique_ptr<Subcommand> NewBorrowsCommand();
std::unique_ptr<Subcommand> NewLocksCommand();
std::unique_ptr<Subcommand> NewEventsCommand();
std::unique_ptr<Subcommand> NewGraphCommand();
std::unique_ptr<Subcommand> NewCheckCommand();
std::unique_ptr<Subcommand> NewMergeCommand();
std::unique_ptr<Subcommand> NewExportCommand();
std::unique_ptr<Subcommand> NewRunCommand();
std::unique_ptr<Subcommand> NewReportCommand();
std::unique_ptr<Subcommand> NewBaselineCommand();
std::unique_ptr<Subcommand> NewOrderCommand();

// Every subcommand, in the order `lockscope --help` lists them.
std::vector<std::unique_ptr<Subcommand>> AllSubcommands();

// Declares the positional TRACE... argument (at least one path).
void AddTracesArgument(CLI::App& command, std::vector<std::string>* paths);
// Declares the positional TRACE argument (exactly one path).
void AddTraceArgument(CLI::App& command, std::string* path);

// Loads the traces and builds their analysis (see trace_set.h).
struct LoadedSet {
  std::vector<collector::TraceData> traces;
  Analysis analysis;
};
absl::StatusOr<LoadedSet> LoadAndAnalyze(const std::vector<std::string>& paths,
                                         const CommandContext& context);

// Writes `text` to `path`, or to `out` when path is empty or "-". The file
// is made by collector::CreateOutputFile (0600; never through a link, never
// into another user's file). Errors name the path and the system's reason.
absl::Status WriteOutput(const std::string& path, std::string_view text,
                         std::ostream& out);

// Display names for objects: the name, with " #<id>" appended where
// several objects share it (instances made on one line), so rows and nodes
// stay unambiguous.
absl::flat_hash_map<collector::ObjectId, std::string> UniqueObjectNames(
    const absl::flat_hash_map<collector::ObjectId, collector::ObjectInfo>&
        objects);

// The finding's stacks as indented "#n function file:line" lines (one per
// frame, `indent` before each), or "<indent>(no stack)" when unknown.
// kUser (the default) starts at the first frame outside lockscope and the
// standard library's lock guards and folds runs of C++-library frames
// (collector/analysis/user_frames.h); kFull prints every frame.
std::string FormatStack(
    const collector::FindingContext& context, collector::StackId stack,
    std::string_view indent,
    collector::StackView view = collector::StackView::kUser);

// Adds --full-stacks (every frame, lockscope's and the C++ library's too).
void AddFullStacksFlag(CLI::App& command, bool* full_stacks);
inline collector::StackView ViewOf(bool full_stacks) {
  return full_stacks ? collector::StackView::kFull : collector::StackView::kUser;
}

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_SUBCOMMAND_H_
