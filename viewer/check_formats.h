// viewer/check_formats.h — the machine-readable outputs of `lockscope
// check`: JSON, SARIF 2.1.0 and JUnit XML.
//
// JSON prints one object:
//   {"findings": [{"kind", "severity", "suppressed", "baseline",
//                  "guarded_by": [names],
//                  "locks": [{"name", "class", ...}], "threads": [...],
//                  "edges": [{"from", "to", "thread", "stack": [...]}], ...}],
//    "traces": [...], "failed": bool}
// (docs/cli.md lists every key). The keys named above are a contract; keys
// may be added, never renamed.
#ifndef LOCKSCOPE_VIEWER_CHECK_FORMATS_H_
#define LOCKSCOPE_VIEWER_CHECK_FORMATS_H_

#include <string>
#include <vector>

#include "collector/analysis/user_frames.h"
#include "collector/trace/trace_loader.h"
#include "viewer/trace_set.h"
#include "viewer/verdict.h"

namespace lockscope::viewer {

struct CheckResult {
  const std::vector<collector::TraceData>* traces = nullptr;
  const Analysis* analysis = nullptr;
  std::vector<Verdict> verdicts;
  FailPolicy policy;
  bool failed = false;
  // --baseline: the file given ("" = none) and its entries that matched no
  // finding (stale), in file order.
  std::string baseline_path;
  std::vector<collector::BaselineEntry> absent;
  // Stacks in every format start at the user's first frame (kUser) or keep
  // every frame (kFull, --full-stacks; JSON says which in "full_stacks").
  collector::StackView stack_view = collector::StackView::kUser;
};

// Why a finding that is not suppressed does not fail: "guarded",
// "warning", "note" or "not in --fail-on"; empty for failing and suppressed ones.
std::string PassReason(const Verdict& verdict, const FailPolicy& policy);

std::string CheckJson(const CheckResult& result);

// `source_root` is the directory that artifact URIs are made relative to
// (the enclosing git work tree, else the current directory); absolute paths
// outside it become file:// URIs.
std::string CheckSarif(const CheckResult& result,
                       const std::string& source_root);

std::string CheckJunit(const CheckResult& result);

// The git work tree enclosing the current directory, else the current
// directory itself; "" if even that is unknown.
std::string FindSourceRoot();

// `path` as a SARIF artifact URI: relative (percent-encoded) when it lies
// under `root` or is already relative, else a file:// URI. `relative` tells
// which one was made.
std::string ArtifactUri(const std::string& path, const std::string& root,
                        bool* relative);

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_CHECK_FORMATS_H_
