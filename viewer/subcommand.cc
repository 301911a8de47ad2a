#include "viewer/subcommand.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <CLI/CLI.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "collector/analysis/plural.h"
#include "collector/trace/output_file.h"

namespace lockscope::viewer {

void CommandContext::Warn(std::string_view message) const {
  err << "lockscope: warning: " << OneLine(message) << std::endl;
}

LoadOptions CommandContext::load_options() const {
  LoadOptions options;
  options.warn = [this](const std::string& message) { Warn(message); };
  options.progress = progress;
  return options;
}

std::vector<std::unique_ptr<Subcommand>> AllSubcommands() {
  std::vector<std::unique_ptr<Subcommand>> all;
  all.push_back(NewSummaryCommand());
  all.push_back(NewCyclesCommand());
  all.push_back(NewBorrowsCommand());
  all.push_back(NewLocksCommand());
  all.push_back(NewEventsCommand());
  all.push_back(NewGraphCommand());
  all.push_back(NewCheckCommand());
  all.push_back(NewMergeCommand());
  all.push_back(NewExportCommand());
  all.push_back(NewReportCommand());
  all.push_back(NewRunCommand());
  all.push_back(NewBaselineCommand());
  all.push_back(NewOrderCommand());
  return all;
}

void AddTracesArgument(CLI::App& command, std::vector<std::string>* paths) {
  command
      .add_option("TRACE", *paths,
                  "trace files (.lstrace); a directory means every *.lstrace "
                  "under it")
      ->required()
      ->type_name("FILE|DIR");
  // Directories become their traces as soon as the line is parsed, so
  // every command sees files only; a problem is a usage error.
  command.parse_complete_callback([paths] {
    absl::StatusOr<std::vector<std::string>> expanded =
        ExpandTraceArguments(*paths);
    if (!expanded.ok()) {
      throw CLI::ValidationError(std::string(expanded.status().message()));
    }
    *paths = *std::move(expanded);
  });
}

void AddTraceArgument(CLI::App& command, std::string* path) {
  command
      .add_option("TRACE", *path,
                  "trace file (.lstrace), or a directory holding one")
      ->required()
      ->type_name("FILE|DIR");
  command.parse_complete_callback([path] {
    absl::StatusOr<std::vector<std::string>> expanded =
        ExpandTraceArguments({*path});
    if (!expanded.ok()) {
      throw CLI::ValidationError(std::string(expanded.status().message()));
    }
    if (expanded->size() != 1) {
      throw CLI::ValidationError(absl::StrCat(
          *path, " holds ", collector::Plural(expanded->size(), "trace"),
          "; name one of them"));
    }
    *path = expanded->front();
  });
}

absl::StatusOr<LoadedSet> LoadAndAnalyze(const std::vector<std::string>& paths,
                                         const CommandContext& context) {
  absl::StatusOr<std::vector<collector::TraceData>> traces =
      LoadTraces(paths, context.load_options());
  if (!traces.ok()) return traces.status();
  Analysis analysis = Analysis::Build(*traces);
  return LoadedSet{*std::move(traces), std::move(analysis)};
}

absl::Status WriteOutput(const std::string& path, std::string_view text,
                         std::ostream& out) {
  if (path.empty() || path == "-") {
    out << text;
    out.flush();
    return out ? absl::OkStatus()
               : absl::UnavailableError("error writing to standard output");
  }
  absl::StatusOr<int> fd = collector::CreateOutputFile(path);
  if (!fd.ok()) return fd.status();
  absl::Status written = collector::WriteAll(*fd, text, path);
  if (close(*fd) != 0 && written.ok()) {
    written = absl::UnavailableError(
        absl::StrCat(path, ": write failed: ", std::strerror(errno)));
  }
  return written;
}

absl::flat_hash_map<collector::ObjectId, std::string> UniqueObjectNames(
    const absl::flat_hash_map<collector::ObjectId, collector::ObjectInfo>&
        objects) {
  absl::flat_hash_map<std::string, int> uses;
  for (const auto& [id, object] : objects) ++uses[object.name];
  absl::flat_hash_map<collector::ObjectId, std::string> names;
  for (const auto& [id, object] : objects) {
    std::string name = OneLine(object.name);
    if (uses[object.name] > 1) absl::StrAppend(&name, " #", id);
    names[id] = std::move(name);
  }
  return names;
}

std::string FormatStack(const collector::FindingContext& context,
                        collector::StackId stack, std::string_view indent,
                        collector::StackView view) {
  std::vector<collector::Frame> frames;
  if (stack != 0) frames = collector::UserFrames(context.Stack(stack), view);
  if (frames.empty()) return absl::StrCat(ToAbsl(indent), "(no stack)\n");
  std::string out;
  for (const collector::StackLine& line : collector::StackLines(frames, view)) {
    if (line.folded > 0) {
      absl::StrAppend(&out, ToAbsl(indent), "   ",
                      collector::FoldedText(line.folded), "\n");
    } else {
      absl::StrAppend(&out, ToAbsl(indent),
                      FormatFrame(static_cast<int>(line.index),
                                  frames[line.index]),
                      "\n");
    }
  }
  return out;
}

void AddFullStacksFlag(CLI::App& command, bool* full_stacks) {
  command.add_flag("--full-stacks", *full_stacks,
                   "print every frame of a stack: lockscope's, the lock "
                   "guards' and the C++ library's (default: from the first "
                   "frame of your code, library runs folded)");
}

}  // namespace lockscope::viewer
