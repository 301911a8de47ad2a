// viewer/merge_analysis.h — builds an Analysis from loaded traces (internal
// to trace_set.cc; see trace_set.h for what the result means).
#ifndef LOCKSCOPE_VIEWER_MERGE_ANALYSIS_H_
#define LOCKSCOPE_VIEWER_MERGE_ANALYSIS_H_

#include <string>
#include <vector>

#include "collector/trace_reader.h"
#include "viewer/trace_set.h"

namespace lockscope::viewer {

class AnalysisBuilder {
 public:
  explicit AnalysisBuilder(const std::vector<collector::TraceData>& traces)
      : traces_(traces) {}

  // One trace: everything copied with ids unchanged.
  Analysis Single();
  // Several traces: ids remapped, lock-order analysis re-run.
  Analysis Merged();

 private:
  void MergeThreads();
  void MergeObjects();
  void MergeModulesAndFrames();
  void MergeStacks();
  void MergeEdges();
  void MergeCounters();
  void Reanalyze();
  void KeepStoredFindings();
  void CarrySuppressions();

  // `finding` with trace `trace`'s ids replaced by the Analysis's.
  collector::Finding Remap(size_t trace,
                           const collector::Finding& finding) const;
  // The key under which two cycles are "the same": kind plus the sorted
  // object ids (instance cycles) or class names (class cycles).
  std::string CycleKey(const collector::Finding& finding) const;

  const std::vector<collector::TraceData>& traces_;
  Analysis out_;
};

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_MERGE_ANALYSIS_H_
