// lockscope summary TRACE... — a trace at a glance.
#include <time.h>

#include <CLI/CLI.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/plural.h"
#include "viewer/subcommand.h"
#include "viewer/verdict.h"

namespace lockscope::viewer {
namespace {

using collector::FindingKind;
using collector::ObjectKind;
using collector::TraceData;

constexpr size_t kMaxThreadNames = 8;

std::string FormatUnixTime(int64_t unix_ns) {
  if (unix_ns <= 0) return "unknown";
  const time_t seconds = static_cast<time_t>(unix_ns / 1000000000);
  struct tm tm;
  if (gmtime_r(&seconds, &tm) == nullptr) return "unknown";
  char buf[64];
  if (strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
    return "unknown";
  }
  return buf;
}

std::string Duration(const TraceData& trace) {
  const int64_t start = trace.header.start_clock_ns;
  if (trace.end.has_value()) {
    const int64_t end = trace.end->end_time_ns;
    std::string text = end >= start
                           ? FormatDuration(static_cast<uint64_t>(end - start))
                           : "unknown";
    const std::string& reason = trace.end->reason;
    return absl::StrCat(text, " (closed: ", reason.empty() ? "exit" : reason,
                        ")");
  }
  std::string text = "unknown";
  if (trace.last_time_ns > start && start > 0) {
    text = absl::StrCat("at least ", FormatDuration(static_cast<uint64_t>(
                                         trace.last_time_ns - start)));
  }
  return absl::StrCat(text,
                      " (no end record: the process died or is still running)");
}

std::string ThreadList(const TraceData& trace) {
  // A name several threads share (a pool's, or the program's for threads
  // that name none) gets the thread id, as findings print them.
  absl::flat_hash_map<std::string, int> uses;
  for (const auto& [id, info] : trace.threads) ++uses[info.name];
  std::vector<std::string> names;
  for (collector::ThreadId id : SortedKeys(trace.threads)) {
    if (names.size() == kMaxThreadNames) break;
    const std::string& name = trace.threads.at(id).name;
    if (name.empty()) {
      names.push_back(absl::StrCat("#", id));
    } else if (uses[name] > 1) {
      names.push_back(absl::StrCat(OneLine(name), " #", id));
    } else {
      names.push_back(OneLine(name));
    }
  }
  std::string text = absl::StrCat(trace.threads.size());
  if (!names.empty()) absl::StrAppend(&text, " (", absl::StrJoin(names, ", "));
  if (trace.threads.size() > names.size()) {
    absl::StrAppend(&text, ", +", trace.threads.size() - names.size(),
                    " more");
  }
  if (!names.empty()) absl::StrAppend(&text, ")");
  return text;
}

std::string ObjectList(const TraceData& trace) {
  size_t counts[3] = {};
  for (const auto& [id, object] : trace.objects) {
    ++counts[static_cast<int>(object.kind)];
  }
  std::vector<std::string> parts;
  for (int k = 0; k < 3; ++k) {
    const std::string name(
        collector::ObjectKindName(static_cast<ObjectKind>(k)));
    parts.push_back(collector::Plural(counts[k], name,
                                      name == "mutex" ? "mutexes" : ""));
  }
  std::string text = absl::StrJoin(parts, ", ");
  if (!trace.destroyed.empty()) {
    absl::StrAppend(&text, " (", trace.destroyed.size(), " destroyed)");
  }
  return text;
}

std::string StoredFindings(const TraceData& trace) {
  int counts[collector::kNumFindingKinds] = {};
  size_t suppressed = 0;
  for (const collector::Finding& finding : trace.findings) {
    ++counts[static_cast<int>(finding.kind)];
    if (finding.suppressed) ++suppressed;
  }
  std::vector<std::string> parts;
  for (int k = 0; k < collector::kNumFindingKinds; ++k) {
    if (counts[k] == 0) continue;
    parts.push_back(absl::StrCat(
        counts[k], " ",
        ToAbsl(collector::FindingKindName(static_cast<FindingKind>(k)))));
  }
  if (parts.empty()) return "none";
  std::string text = absl::StrJoin(parts, ", ");
  if (suppressed > 0) absl::StrAppend(&text, " (", suppressed, " suppressed)");
  return text;
}

// "2 events recorded: 2 borrows (events=contended records only contended
// acquisitions and each borrow site's first borrow), 0 dropped": the count,
// what it is made of, and what the mode records at all, so that a low count
// is not read as a low activity.
std::string EventsLine(const TraceData& trace) {
  const std::string mode =
      trace.header.events_mode.empty() ? "?" : OneLine(trace.header.events_mode);
  std::string text =
      absl::StrCat(collector::Plural(trace.events, "event"), " recorded");
  struct Type {
    collector::EventType type;
    const char* one;
  };
  constexpr Type kTypes[] = {
      {collector::EventType::kAcquireWait, "contended wait"},
      {collector::EventType::kAcquired, "acquisition"},
      {collector::EventType::kReleased, "release"},
      {collector::EventType::kBorrow, "borrow"},
      {collector::EventType::kBorrowRelease, "borrow release"},
  };
  std::vector<std::string> parts;
  for (const Type& t : kTypes) {
    const uint64_t n = trace.events_by_type[static_cast<size_t>(t.type)];
    if (n > 0) parts.push_back(collector::Plural(n, t.one));
  }
  if (!parts.empty()) absl::StrAppend(&text, ": ", absl::StrJoin(parts, ", "));
  std::string records = "what the runtime was asked to record";
  if (mode == "contended") {
    records = "only contended acquisitions and each borrow site's first "
              "borrow";
  } else if (mode == "all") {
    records = "every acquisition, release and borrow";
  } else if (mode == "none") {
    records = "no events";
  }
  absl::StrAppend(&text, " (events=", mode, " records ", records, "), ",
                  trace.events_dropped, " dropped");
  return text;
}

void PrintTrace(const TraceData& trace, const Style& style,
                std::ostream& out) {
  const collector::TraceHeaderInfo& header = trace.header;
  out << style.Bold(absl::StrCat("trace ", OneLine(trace.path))) << "\n";
  out << "  process:   pid " << header.pid << ", "
      << (header.executable.empty() ? "(unknown executable)"
                                      : OneLine(header.executable))
      << "\n";
  out << "  started:   " << FormatUnixTime(header.start_unix_ns) << "\n";
  out << "  duration:  " << Duration(trace) << "\n";
  out << "  threads:   " << ThreadList(trace) << "\n";
  out << "  objects:   " << ObjectList(trace) << "\n";
  out << "  events:    " << EventsLine(trace) << "\n";
  out << "  edges:     " << collector::Plural(trace.edges.size(),
                                              "lock-order edge")
      << "\n";
  out << "  findings:  " << StoredFindings(trace) << "\n";
  if (!trace.warning.empty()) {
    out << "  warning:   " << OneLine(trace.warning) << "\n";
  }
}

// The verdict `lockscope check` (default policy) would give.
std::string VerdictLine(const std::vector<Verdict>& verdicts,
                        const Style& style) {
  const auto failing = [](const Verdict& v) { return v.failing; };
  const auto passing_unsuppressed = [](const Verdict& v) {
    return !v.failing && !v.suppressed;
  };
  const auto suppressed = [](const Verdict& v) { return v.suppressed; };
  size_t failing_count = 0, other = 0, suppressed_count = 0;
  for (const Verdict& v : verdicts) {
    if (v.failing) {
      ++failing_count;
    } else if (v.suppressed) {
      ++suppressed_count;
    } else {
      ++other;
    }
  }
  std::string text;
  if (failing_count > 0) {
    text = absl::StrCat(style.Red("FAIL"), ": ", failing_count, " finding",
                        failing_count == 1 ? "" : "s",
                        " would fail 'lockscope check' (",
                        CountByKind(verdicts, failing), ")");
  } else if (verdicts.empty()) {
    text = absl::StrCat(style.Green("clean"), ": no findings");
  } else {
    text = absl::StrCat(style.Green("clean"),
                        ": no finding fails 'lockscope check'");
  }
  if (other > 0) {
    absl::StrAppend(&text, "; ", other,
                    " guarded or warning only (fails with --strict: ",
                    CountByKind(verdicts, passing_unsuppressed), ")");
  }
  if (suppressed_count > 0) {
    absl::StrAppend(&text, "; ", suppressed_count, " suppressed (",
                    CountByKind(verdicts, suppressed), ")");
  }
  return text;
}

class SummaryCommand : public Subcommand {
 public:
  std::string_view name() const override { return "summary"; }
  std::string_view description() const override {
    return "threads, locks, events and findings at a glance";
  }
  void Configure(CLI::App& command) override {
    AddTracesArgument(command, &paths_);
    command.footer(
        "Prints, per trace, the process, duration, threads, objects by kind,\n"
        "events (and dropped), findings by kind; then the verdict that\n"
        "'lockscope check' would give (several traces: analysed as one).\n\n"
        "Example:\n  lockscope summary app.12345.lstrace");
  }
  absl::StatusOr<int> Run(const CommandContext& context) override {
    absl::StatusOr<LoadedSet> set = LoadAndAnalyze(paths_, context);
    if (!set.ok()) return set.status();
    const Style style = context.style();
    for (size_t i = 0; i < set->traces.size(); ++i) {
      if (i > 0) context.out << "\n";
      PrintTrace(set->traces[i], style, context.out);
    }
    const std::vector<Verdict> verdicts =
        Judge(set->analysis, nullptr, FailPolicy{});
    if (set->traces.size() > 1) {
      context.out << "\n"
                  << style.Bold(absl::StrCat("all ", set->traces.size(),
                                             " traces as one program"))
                  << "\n";
      context.out << "  findings:  "
                  << CountByKind(verdicts, [](const Verdict&) { return true; })
                  << "\n";
    }
    context.out << "verdict: " << VerdictLine(verdicts, style) << "\n";
    return kExitOk;
  }

 private:
  std::vector<std::string> paths_;
};

}  // namespace

std::unique_ptr<Subcommand> NewSummaryCommand() {
  return std::make_unique<SummaryCommand>();
}

}  // namespace lockscope::viewer
