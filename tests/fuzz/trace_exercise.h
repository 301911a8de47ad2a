// tests/fuzz/trace_exercise.h — runs everything lockscope does with a trace
// file that someone else wrote, and checks the invariants that must hold for
// any input, however corrupt.
//
// Shared by the libFuzzer target (trace_reader_fuzzer.cc), which aborts on a
// broken invariant, and by trace_corpus_test.cc, which replays the seed
// corpus and every former crash under tests/data/ in ordinary builds.
//
// What runs, in order:
//   1. collector::LoadTrace, touching every streamed event;
//   2. when it loads: the lock-order analysis re-run from the loaded Edge
//      records (collector::Analyzer), with and without the destroyed objects;
//   3. collector::FormatReport / FormatOneLine / FormatHeadline for every
//      stored and every re-found finding, in both report styles;
//   4. when built with LOCKSCOPE_FUZZ_VIEWER (the viewer library linked):
//      the viewer's analysis (viewer::Analysis::Build) of the trace alone and
//      of the trace merged with itself, every finding of both formatted; and
//      `lockscope` subcommands run in-process on the file, output to memory:
//      all of them (the corpus test) or the one `viewer_command` picks (the
//      fuzzer picks one for every fourth input, by a hash of the input, so
//      an input replays the same way while every subcommand still sees a
//      share of the inputs; the CLI costs more than the rest together).
//
// Invariants (a violation is a bug, reported in ExerciseResult::violations):
//   - a load error names the file at the start of its message;
//   - a report ends with a "SUMMARY: lockscope: " line and a newline;
//   - a subcommand returns 0, 1 or 2, or an error status (printed as one
//     line by the CLI); never anything else, never an exception;
//   - when LoadTrace rejects the file, no subcommand accepts it;
//   - `merge` of a loadable trace succeeds, and its output loads.
#ifndef LOCKSCOPE_TESTS_FUZZ_TRACE_EXERCISE_H_
#define LOCKSCOPE_TESTS_FUZZ_TRACE_EXERCISE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace lockscope::fuzz {

struct ExerciseResult {
  // LoadTrace's verdict.
  absl::Status load;
  // Torn-tail warning of a trace that loaded.
  std::string warning;
  uint64_t events = 0;
  // Stored findings, the stored lock-order cycles among them, and the
  // findings of the analysis re-run over every stored edge.
  size_t stored_findings = 0;
  size_t stored_cycles = 0;
  size_t reanalyzed_findings = 0;
  // Bytes of report text produced (keeps the formatting from being elided).
  size_t report_bytes = 0;
  // Subcommands run, and their exit statuses (-1 for an error status).
  std::vector<std::string> commands;
  std::vector<int> exit_codes;
  // Broken invariants; empty for a correct run.
  std::vector<std::string> violations;
};

// Runs every viewer subcommand, or none (see the file comment).
inline constexpr int kAllViewerCommands = -1;
inline constexpr int kNoViewerCommand = -2;

// How many viewer subcommand lines there are to pick from (0 without the
// viewer).
int ViewerCommandCount();

// Exercises the trace at `path` (see the file comment). `viewer_command`
// is kAllViewerCommands, kNoViewerCommand or an index below
// ViewerCommandCount().
ExerciseResult ExerciseTrace(const std::string& path,
                             int viewer_command = kAllViewerCommands);

// Whether the viewer's subcommands are part of ExerciseTrace in this build.
bool ExercisesViewer();

}  // namespace lockscope::fuzz

#endif  // LOCKSCOPE_TESTS_FUZZ_TRACE_EXERCISE_H_
