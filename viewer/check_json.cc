// JSON and JUnit output of `lockscope check` (see check_formats.h).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collector/analysis/report.h"
#include "viewer/check_formats.h"
#include "viewer/output.h"

namespace lockscope::viewer {
namespace {

using collector::Finding;
using collector::FindingContext;

void WriteStack(JsonWriter& json, const FindingContext& context,
                collector::StackId stack) {
  json.BeginArray();
  if (stack != 0) {
    for (const collector::Frame& frame : context.Stack(stack)) {
      json.BeginObject();
      json.Field("pc", absl::StrFormat("0x%x", frame.pc));
      json.Field("function", frame.function);
      json.Field("file", frame.file);
      json.Field("line", frame.line);
      if (!frame.module.empty()) json.Field("module", frame.module);
      json.EndObject();
    }
  }
  json.EndArray();
}

void WriteThread(JsonWriter& json, const FindingContext& context,
                 collector::ThreadId id) {
  json.BeginObject();
  json.Field("id", id);
  const collector::ThreadInfo* thread = context.Thread(id);
  json.Field("name", thread ? thread->name : std::string());
  if (thread != nullptr) json.Field("os_tid", thread->os_tid);
  json.EndObject();
}

void WriteFinding(JsonWriter& json, const CheckResult& result,
                  const Verdict& verdict) {
  const Analysis& analysis = *result.analysis;
  // Stacks from the user's first frame unless --full-stacks.
  const collector::UserStackContext stacks(analysis, result.stack_view);
  const Finding& finding = verdict.analyzed->finding;
  json.BeginObject();
  json.Field("id", finding.id);
  json.Field("kind", collector::FindingKindName(finding.kind));
  json.Field("severity", collector::SeverityName(finding.severity));
  json.Field("suppressed", verdict.suppressed);
  if (verdict.suppressed) json.Field("suppressed_by", verdict.suppressed_by);
  json.Field("failing", verdict.failing);
  json.Field("baseline", verdict.baseline);
  json.Field("guarded", IsGuarded(finding));
  json.Key("guarded_by").BeginArray();
  for (collector::ObjectId gate : finding.guarded_by) {
    json.String(collector::ObjectName(gate, analysis));
  }
  json.EndArray();
  json.Field("message", finding.message);
  json.Field("summary", collector::FormatOneLine(finding, analysis));
  json.Field("count", finding.count);
  json.Field("fingerprint", Fingerprint(finding, analysis));
  json.Key("locks").BeginArray();
  for (collector::ObjectId id : finding.objects) {
    json.BeginObject();
    json.Field("id", id);
    json.Field("name", collector::ObjectName(id, analysis));
    const collector::ObjectInfo* object = analysis.Object(id);
    json.Field("class", object ? object->class_name : std::string());
    if (object != nullptr) {
      json.Field("kind", collector::ObjectKindName(object->kind));
      json.Field("created",
                 FormatSite(object->created.file, object->created.line));
    }
    json.EndObject();
  }
  json.EndArray();
  json.Key("threads").BeginArray();
  for (collector::ThreadId id : finding.threads) {
    WriteThread(json, analysis, id);
  }
  json.EndArray();
  json.Key("edges").BeginArray();
  for (const collector::FindingEdge& edge : finding.edges) {
    json.BeginObject();
    json.Field("from", collector::ObjectName(edge.from, analysis));
    json.Field("to", collector::ObjectName(edge.to, analysis));
    json.Key("thread");
    WriteThread(json, analysis, edge.thread);
    json.Key("stack");
    WriteStack(json, stacks, edge.to_stack);
    json.Key("from_stack");
    WriteStack(json, stacks, edge.from_stack);
    json.EndObject();
  }
  json.EndArray();
  json.Key("stack");
  WriteStack(json, stacks, finding.stack);
  json.Key("other_stack");
  WriteStack(json, stacks, finding.other_stack);
  // borrow-conflict: every outstanding borrow of the cell.
  if (!finding.borrows.empty()) {
    json.Key("borrows").BeginArray();
    for (const collector::FindingBorrow& borrow : finding.borrows) {
      json.BeginObject();
      json.Key("thread");
      WriteThread(json, analysis, borrow.thread);
      json.Field("access", collector::AccessName(borrow.access));
      json.Field("file", borrow.site.file);
      json.Field("line", borrow.site.line);
      json.Field("function", borrow.site.function);
      json.Key("stack");
      WriteStack(json, stacks, borrow.stack);
      json.EndObject();
    }
    json.EndArray();
  }
  json.Key("traces").BeginArray();
  for (size_t index : verdict.analyzed->traces) {
    json.String((*result.traces)[index].path);
  }
  json.EndArray();
  json.EndObject();
}

}  // namespace

std::string CheckJson(const CheckResult& result) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject();
  json.Key("findings").BeginArray();
  for (const Verdict& verdict : result.verdicts) {
    WriteFinding(json, result, verdict);
  }
  json.EndArray();
  json.Key("traces").BeginArray();
  for (const collector::TraceData& trace : *result.traces) {
    json.BeginObject();
    json.Field("path", trace.path);
    json.Field("pid", trace.header.pid);
    json.Field("executable", trace.header.executable);
    json.Field("complete", trace.end.has_value());
    if (!trace.warning.empty()) json.Field("warning", trace.warning);
    json.EndObject();
  }
  json.EndArray();
  size_t failing = 0, suppressed = 0, baseline = 0;
  for (const Verdict& verdict : result.verdicts) {
    failing += verdict.failing;
    suppressed += verdict.suppressed;
    baseline += verdict.baseline;
  }
  if (!result.baseline_path.empty()) {
    // The baseline's entries no finding matched (stale; they do not fail).
    json.Key("baseline").BeginObject();
    json.Field("path", result.baseline_path);
    json.Key("absent").BeginArray();
    for (const collector::BaselineEntry& entry : result.absent) {
      json.BeginObject();
      json.Field("fingerprint", entry.fingerprint);
      json.Field("label", entry.label);
      json.Field("line", entry.line);
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }
  json.Key("counts").BeginObject();
  json.Field("findings", static_cast<uint64_t>(result.verdicts.size()));
  json.Field("failing", static_cast<uint64_t>(failing));
  json.Field("suppressed", static_cast<uint64_t>(suppressed));
  json.Field("baseline", static_cast<uint64_t>(baseline));
  json.EndObject();
  json.Field("failed", result.failed);
  // false: every "stack" starts at the user's first frame; true
  // (--full-stacks): every frame, lockscope's and the C++ library's too.
  json.Field("full_stacks", result.stack_view == collector::StackView::kFull);
  json.EndObject();
  out.push_back('\n');
  return out;
}

std::string CheckJunit(const CheckResult& result) {
  const Analysis& analysis = *result.analysis;
  const std::vector<collector::TraceData>& traces = *result.traces;
  // Per trace, the failing findings it took part in (a cross-process cycle
  // fails every trace that holds one of its edges).
  std::vector<std::vector<const Verdict*>> failing(traces.size());
  for (const Verdict& verdict : result.verdicts) {
    if (!verdict.failing) continue;
    for (size_t index : verdict.analyzed->traces) {
      if (index < traces.size()) failing[index].push_back(&verdict);
    }
  }
  size_t failures = 0;
  for (const auto& list : failing) failures += !list.empty();
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  absl::StrAppend(&out, "<testsuites name=\"lockscope\" tests=\"",
                  traces.size(), "\" failures=\"", failures, "\">\n");
  absl::StrAppend(&out, "  <testsuite name=\"lockscope check\" tests=\"",
                  traces.size(), "\" failures=\"", failures,
                  "\" errors=\"0\" skipped=\"0\">\n");
  // Per trace, its findings in the baseline: listed in the test case's
  // output ("baseline: ..."), not failures.
  std::vector<std::string> baselined(traces.size());
  for (const Verdict& verdict : result.verdicts) {
    if (!verdict.baseline || verdict.failing) continue;
    for (size_t index : verdict.analyzed->traces) {
      if (index >= traces.size()) continue;
      absl::StrAppend(&baselined[index], "baseline (",
                      Fingerprint(verdict.analyzed->finding, analysis),
                      "): ",
                      collector::FormatOneLine(verdict.analyzed->finding,
                                               analysis),
                      "\n");
    }
  }
  for (size_t i = 0; i < traces.size(); ++i) {
    const std::string name = XmlEscape(traces[i].path);
    absl::StrAppend(&out, "    <testcase classname=\"lockscope\" name=\"",
                    name, "\"");
    const std::string system_out =
        baselined[i].empty()
            ? std::string()
            : absl::StrCat("      <system-out>", XmlEscape(baselined[i]),
                           "</system-out>\n");
    if (failing[i].empty()) {
      if (system_out.empty()) {
        absl::StrAppend(&out, "/>\n");
      } else {
        absl::StrAppend(&out, ">\n", system_out, "    </testcase>\n");
      }
      continue;
    }
    std::string body;
    for (const Verdict* verdict : failing[i]) {
      absl::StrAppend(&body,
                      collector::FormatOneLine(verdict->analyzed->finding,
                                               analysis),
                      "\n");
    }
    collector::ReportStyle report_style;
    report_style.stack_view = result.stack_view;
    for (const Verdict* verdict : failing[i]) {
      absl::StrAppend(&body, "\n",
                      collector::FormatReport(verdict->analyzed->finding,
                                              analysis, report_style));
    }
    absl::StrAppend(&out, ">\n      <failure message=\"", failing[i].size(),
                    " failing lockscope finding",
                    failing[i].size() == 1 ? "" : "s", "\" type=\"",
                    ToAbsl(collector::FindingKindName(
                        failing[i].front()->analyzed->finding.kind)),
                    "\">", XmlEscape(body), "</failure>\n", system_out,
                    "    </testcase>\n");
  }
  if (!result.absent.empty()) {
    std::string stale;
    for (const collector::BaselineEntry& entry : result.absent) {
      absl::StrAppend(&stale, "stale baseline entry ", entry.fingerprint,
                      " (", entry.label, ") matched no finding\n");
    }
    absl::StrAppend(&out, "    <system-out>", XmlEscape(stale),
                    "</system-out>\n");
  }
  absl::StrAppend(&out, "  </testsuite>\n</testsuites>\n");
  return out;
}

}  // namespace lockscope::viewer
