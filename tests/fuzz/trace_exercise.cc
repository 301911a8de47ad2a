#include "tests/fuzz/trace_exercise.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/analyzer.h"
#include "collector/analysis/model.h"
#include "collector/analysis/report.h"
#include "collector/trace/trace_loader.h"
#include "collector/trace/trace_reader.h"

#ifdef LOCKSCOPE_FUZZ_VIEWER
#include <CLI/CLI.hpp>

#include "viewer/subcommand.h"
#include "viewer/trace_set.h"
#endif

namespace lockscope::fuzz {
namespace {

using collector::Access;
using collector::Finding;
using collector::ObjectId;
using collector::TraceData;

// Hash-map order varies between processes; a fuzz input must replay the same.
template <typename Map>
std::vector<typename Map::key_type> Sorted(const Map& map) {
  std::vector<typename Map::key_type> keys;
  keys.reserve(map.size());
  for (const auto& entry : map) keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}

void CheckReport(const std::string& text, ExerciseResult* result) {
  result->report_bytes += text.size();
  if (!absl::EndsWith(text, "\n") ||
      !absl::StrContains(text, "SUMMARY: lockscope: ")) {
    result->violations.push_back(
        absl::StrCat("report without a SUMMARY line and newline:\n", text));
  }
}

void FormatAll(const std::vector<Finding>& findings, const TraceData& data,
               ExerciseResult* result) {
  for (const Finding& finding : findings) {
    CheckReport(collector::FormatReport(finding, data), result);
    CheckReport(collector::FormatReport(finding, data,
                                        {/*color=*/true, /*max_frames=*/2}),
                result);
    result->report_bytes += collector::FormatOneLine(finding, data).size();
    result->report_bytes += collector::FormatHeadline(finding).size();
  }
}

// Re-runs the lock-order analysis from the trace's Edge records, as the
// viewer does for several traces, and formats what it finds. The second
// pass removes the destroyed objects first (their edges must go, findings
// stay).
// Returns the number of findings.
size_t Reanalyze(const TraceData& data, bool remove_destroyed,
                 ExerciseResult* result) {
  collector::Analyzer analyzer;
  for (ObjectId id : Sorted(data.objects)) {
    analyzer.AddObject(data.objects.at(id));
  }
  if (remove_destroyed) {
    for (ObjectId id : Sorted(data.destroyed)) analyzer.RemoveObject(id);
  }
  for (const collector::EdgeState& edge : data.edges) {
    const collector::EdgeObservation& obs = edge.first;
    const collector::EdgeUpdate update = analyzer.AddEdge(obs);
    FormatAll(update.findings, data, result);
    if (const collector::EdgeState* state = analyzer.FindEdge(obs.from, obs.to);
        state != nullptr && state->count == 0) {
      result->violations.push_back("an edge just added has count 0");
    }
  }
  const std::vector<Finding> findings = analyzer.Findings();
  result->report_bytes += analyzer.Edges().size();
  FormatAll(findings, data, result);
  return findings.size();
}

#ifdef LOCKSCOPE_FUZZ_VIEWER
// Runs one `lockscope` command line in-process, the way viewer/main.cc
// does, with output to memory. Returns the exit status; -1 for an error
// status (main prints it and exits 2); -2 when the command line itself did
// not parse (a harness bug: the arguments are fixed).
int RunViewer(const std::vector<std::string>& args, std::string* out) {
  CLI::App app{"lockscope", "lockscope"};
  app.require_subcommand(1);
  std::vector<std::unique_ptr<viewer::Subcommand>> subcommands =
      viewer::AllSubcommands();
  std::vector<CLI::App*> apps;
  for (const auto& subcommand : subcommands) {
    CLI::App* command =
        app.add_subcommand(std::string(subcommand->name()),
                           std::string(subcommand->description()));
    subcommand->Configure(*command);
    apps.push_back(command);
  }
  // CLI11 takes a vector in reverse order.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError&) {
    return -2;
  }
  std::ostringstream stdout_text, stderr_text;
  viewer::CommandContext context{stdout_text, stderr_text, /*color=*/false,
                                 /*progress=*/false};
  for (size_t i = 0; i < apps.size(); ++i) {
    if (!apps[i]->parsed()) continue;
    absl::StatusOr<int> status = subcommands[i]->Run(context);
    *out = stdout_text.str() + stderr_text.str();
    return status.ok() ? *status : -1;
  }
  return -2;
}

// The subcommand lines run on `path`; `merged` is a scratch file for
// `merge` and the `check` that reads its output (they run as one).
std::vector<std::vector<std::vector<std::string>>> ViewerCommands(
    const std::string& path, const std::string& merged) {
  return {
      {{"summary", path}},
      {{"cycles", path}},
      {{"cycles", "--max-frames=1", path, path}},
      {{"borrows", path}},
      {{"locks", path}},
      {{"locks", "--sort=wait", "--top=3", path}},
      {{"events", "--limit=300", path}},
      {{"events", "--thread=1", "--lock=1", "--limit=0", path}},
      {{"graph", path}},
      {{"graph", "--classes", "--format=json", path}},
      {{"check", path}},
      {{"check", "--format=json", path, path}},
      {{"check", "--format=sarif", "--strict", path}},
      {{"check", "--format=junit", path}},
      {{"export", "--format=chrome-json", path}},
      {{"merge", "-o", merged, path, path}, {"check", merged}},
  };
}

// The viewer's own analysis, as `cycles`/`check` build it, for the trace
// alone and merged with itself (ids remapped, analysis re-run).
void ExerciseAnalysis(const TraceData& data, ExerciseResult* result) {
  const std::vector<TraceData> one = {data};
  const std::vector<TraceData> two = {data, data};
  for (const std::vector<TraceData>* traces : {&one, &two}) {
    const viewer::Analysis analysis = viewer::Analysis::Build(*traces);
    for (const viewer::AnalyzedFinding& f : analysis.findings) {
      CheckReport(collector::FormatReport(f.finding, analysis), result);
      result->report_bytes +=
          collector::FormatOneLine(f.finding, analysis).size();
    }
    result->report_bytes += analysis.edges.size();
  }
}

void ExerciseViewer(const std::string& path, int which,
                    ExerciseResult* result) {
  // merge writes a real file (the writer refuses /proc/self/fd links).
  static const std::string merged =
      absl::StrCat(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
                   "/lockscope_fuzz_merge.", getpid(), ".lstrace");
  const auto groups = ViewerCommands(path, merged);
  const bool loads = result->load.ok();
  for (size_t g = 0; g < groups.size(); ++g) {
    if (which != kAllViewerCommands && static_cast<size_t>(which) != g) {
      continue;
    }
    // A stale file from an earlier input must not stand in for this one.
    std::remove(merged.c_str());
    for (const std::vector<std::string>& args : groups[g]) {
      std::string out;
      const int code = RunViewer(args, &out);
      result->commands.push_back(absl::StrJoin(args, " "));
      result->exit_codes.push_back(code);
      result->report_bytes += out.size();
      const bool accepted = code == 0 || code == 1;
      const bool reads_merged = args[0] == "check" && args[1] == merged;
      if (code < -1 || code > 2) {
        result->violations.push_back(absl::StrCat(
            "lockscope ", result->commands.back(), " returned ", code));
      } else if (!loads && accepted && !reads_merged) {
        result->violations.push_back(
            absl::StrCat("lockscope ", result->commands.back(),
                         " accepted a trace LoadTrace rejects: ",
                         result->load.message()));
      } else if (args[0] == "merge" && loads && code != 0) {
        result->violations.push_back(
            absl::StrCat("lockscope merge failed on a loadable trace: ", out));
      } else if (reads_merged && loads && !accepted) {
        result->violations.push_back(
            absl::StrCat("the merged trace does not load: ", out));
      }
    }
    std::remove(merged.c_str());
  }
}
#endif

}  // namespace

bool ExercisesViewer() {
#ifdef LOCKSCOPE_FUZZ_VIEWER
  return true;
#else
  return false;
#endif
}

int ViewerCommandCount() {
#ifdef LOCKSCOPE_FUZZ_VIEWER
  static const int count = static_cast<int>(ViewerCommands("", "").size());
  return count;
#else
  return 0;
#endif
}

ExerciseResult ExerciseTrace(const std::string& path, int viewer_command) {
  ExerciseResult result;
  uint64_t touched = 0;
  absl::StatusOr<TraceData> data =
      collector::LoadTrace(path, [&touched](const collector::TraceEvent& e) {
        touched += e.thread + e.event.object + e.event.stack +
                   static_cast<uint64_t>(e.event.type);
      });
  if (!data.ok()) {
    result.load = data.status();
    if (!absl::StartsWith(result.load.message(), path)) {
      result.violations.push_back(absl::StrCat(
          "load error does not name the file: ", result.load.message()));
    }
  } else {
    result.warning = data->warning;
    result.events = data->events;
    result.stored_findings = data->findings.size();
    for (const Finding& f : data->findings) {
      result.stored_cycles += f.kind == collector::FindingKind::kLockOrderCycle;
    }
    result.report_bytes += touched & 1;
    FormatAll(data->findings, *data, &result);
    result.reanalyzed_findings =
        Reanalyze(*data, /*remove_destroyed=*/false, &result);
    Reanalyze(*data, /*remove_destroyed=*/true, &result);
#ifdef LOCKSCOPE_FUZZ_VIEWER
    ExerciseAnalysis(*data, &result);
#endif
  }
#ifdef LOCKSCOPE_FUZZ_VIEWER
  ExerciseViewer(path, viewer_command, &result);
#else
  (void)viewer_command;
#endif
  return result;
}

}  // namespace lockscope::fuzz
