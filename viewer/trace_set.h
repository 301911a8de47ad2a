// viewer/trace_set.h — loads the traces named on the command line; the one
// analysis that `cycles`, `check`, `graph`, `locks` and `merge` show is
// collector::Analysis (collector/analysis/merge_analysis.h), named here for
// the viewer's files.
#ifndef LOCKSCOPE_VIEWER_TRACE_SET_H_
#define LOCKSCOPE_VIEWER_TRACE_SET_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/analysis/merge_analysis.h"
#include "collector/analysis/model.h"
#include "collector/analysis/trace_data.h"
#include "collector/trace/trace_loader.h"

namespace lockscope::viewer {

using collector::Analysis;
using collector::AnalyzedEdge;
using collector::AnalyzedFinding;
using collector::IdMaps;
using collector::kSyntheticPcBase;
using collector::SortedKeys;

struct LoadOptions {
  // Receives each torn-tail warning (the text names the file and byte).
  std::function<void(const std::string&)> warn;
  // Print a progress line on stderr while reading a large trace. The caller
  // sets this only when stderr is a terminal.
  bool progress = false;
};

// Loads one trace (events are passed to `on_event`, if set, and not kept).
absl::StatusOr<collector::TraceData> LoadOne(
    const std::string& path, const LoadOptions& options,
    const std::function<void(const collector::TraceEvent&)>& on_event =
        nullptr);

// The command line's TRACE arguments as files: a directory becomes every
// regular *.lstrace file under it (recursively, not through symbolic links,
// sorted byte-wise: what the run gate's `find | sort` gives); anything else
// stays as given. A directory holding no trace is an error naming it.
absl::StatusOr<std::vector<std::string>> ExpandTraceArguments(
    const std::vector<std::string>& arguments);

// Loads every trace, in order. The first unreadable one is the error.
absl::StatusOr<std::vector<collector::TraceData>> LoadTraces(
    const std::vector<std::string>& paths, const LoadOptions& options);

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_TRACE_SET_H_
