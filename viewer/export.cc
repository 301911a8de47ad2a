// lockscope export TRACE --format=chrome-json — Chrome trace-event JSON,
// which ui.perfetto.dev and chrome://tracing open.
//
// Per thread: "X" (complete) slices for lock waits (acquire-wait to
// acquired), holds (acquired to released) and borrows (borrow to its
// release); findings are "i" (instant) events; "M" metadata names the
// process and threads. Times are microseconds since the trace start.
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "collector/trace/output_file.h"
#include "collector/analysis/report.h"
#include "viewer/fd_ostream.h"
#include "viewer/subcommand.h"

namespace lockscope::viewer {
namespace {

using collector::EventType;
using collector::ObjectId;
using collector::RawEvent;
using collector::ThreadId;
using collector::TraceData;

struct Open {
  int64_t start_ns;
  collector::Access access;
  bool was_try;
};

// Per (thread, object): the state between an event and its partner.
struct Pending {
  std::optional<int64_t> wait_since;
  std::vector<Open> holds;    // nested shared holds stack up
  std::vector<Open> borrows;  // nested shared borrows stack up
};

class ChromeWriter {
 public:
  ChromeWriter(const TraceData& trace, std::ostream& out)
      : trace_(trace), out_(out) {
    pid_ = trace.header.pid != 0 ? trace.header.pid : 1;
    start_ = trace.header.start_clock_ns != 0
                 ? trace.header.start_clock_ns
                 : trace.first_time_ns;
  }

  void Begin() {
    out_ << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
    std::string name = trace_.header.executable.empty()
                           ? std::string("lockscope trace")
                           : trace_.header.executable;
    Metadata("process_name", 0, absl::StrCat(name, " (pid ", pid_, ")"));
    for (ThreadId id : SortedKeys(trace_.threads)) {
      const std::string& thread = trace_.threads.at(id).name;
      Metadata("thread_name", id,
               thread.empty() ? absl::StrCat("thread ", id) : thread);
    }
  }

  void Event(ThreadId thread, const RawEvent& e) {
    last_ns_ = std::max(last_ns_, e.time_ns);
    Pending& p = pending_[{thread, e.object}];
    switch (e.type) {
      case EventType::kAcquireWait:
        p.wait_since = e.time_ns;
        break;
      case EventType::kAcquired:
        if (p.wait_since.has_value()) {
          Slice("wait", thread, e.object, *p.wait_since, e.time_ns, e.access,
                false, false);
          p.wait_since.reset();
        }
        p.holds.push_back({e.time_ns, e.access, e.was_try});
        break;
      case EventType::kReleased:
        // A release whose acquisition was not recorded (events=contended
        // records only waited ones) has nothing to close.
        if (!p.holds.empty()) {
          const Open open = p.holds.back();
          p.holds.pop_back();
          Slice("hold", thread, e.object, open.start_ns, e.time_ns,
                open.access, open.was_try, false);
        }
        break;
      case EventType::kBorrow:
        p.borrows.push_back({e.time_ns, e.access, e.was_try});
        break;
      case EventType::kBorrowRelease:
        if (!p.borrows.empty()) {
          const Open open = p.borrows.back();
          p.borrows.pop_back();
          Slice("borrow", thread, e.object, open.start_ns, e.time_ns,
                open.access, open.was_try, false);
        }
        break;
    }
  }

  void End() {
    int64_t end = last_ns_;
    if (trace_.end.has_value()) end = std::max(end, trace_.end->end_time_ns);
    // A wait that never ended is the most interesting slice of a hung
    // process; it runs to the end of the trace. An acquisition whose release
    // was not recorded is an instant, not a guess at a hold time.
    for (const auto& key : SortedKeys(pending_)) {
      const Pending& p = pending_.at(key);
      if (p.wait_since.has_value()) {
        Slice("wait", key.first, key.second, *p.wait_since, end,
              collector::Access::kExclusive, false, true);
      }
      for (const Open& open : p.holds) {
        Instant(absl::StrCat("acquired ", Name(key.second)), "hold",
                key.first, open.start_ns, "", "");
      }
      for (const Open& open : p.borrows) {
        Instant(absl::StrCat("borrowed ", Name(key.second)), "borrow",
                key.first, open.start_ns, "", "");
      }
    }
    for (const collector::Finding& finding : trace_.findings) {
      const ThreadId thread = finding.threads.empty() ? 0 : finding.threads[0];
      Instant(std::string(collector::FindingKindName(finding.kind)),
              "finding", thread, finding.time_ns,
              collector::FormatOneLine(finding, trace_), finding.message);
    }
    out_ << "\n]}\n";
  }

 private:
  std::string Name(ObjectId id) const {
    return collector::ObjectName(id, trace_);
  }
  double Micros(int64_t ns) const {
    return static_cast<double>(ns - start_) / 1000.0;
  }
  void Emit(const std::string& event) {
    if (!first_) out_ << ",\n";
    first_ = false;
    out_ << event;
  }
  void Metadata(std::string_view what, ThreadId tid, const std::string& name) {
    std::string text;
    JsonWriter json(&text, /*pretty=*/false);
    json.BeginObject().Field("name", what).Field("ph", "M");
    json.Field("pid", pid_).Field("tid", tid);
    json.Key("args").BeginObject().Field("name", name).EndObject();
    json.EndObject();
    Emit(text);
  }
  void Slice(std::string_view category, ThreadId thread, ObjectId object,
             int64_t from, int64_t to, collector::Access access, bool was_try,
             bool unfinished) {
    std::string text;
    JsonWriter json(&text, /*pretty=*/false);
    const std::string name = Name(object);
    json.BeginObject();
    json.Field("name", absl::StrCat(ToAbsl(category), " ", name));
    json.Field("cat", category).Field("ph", "X");
    json.Key("ts").Double(Micros(from));
    json.Key("dur").Double(static_cast<double>(std::max<int64_t>(to - from, 0)) /
                           1000.0);
    json.Field("pid", pid_).Field("tid", thread);
    json.Key("args").BeginObject();
    json.Field("object", name).Field("id", object);
    json.Field("access", collector::AccessName(access));
    if (was_try) json.Field("try", true);
    if (unfinished) json.Field("unfinished", true);
    json.EndObject();
    json.EndObject();
    Emit(text);
  }
  void Instant(const std::string& name, std::string_view category,
               ThreadId thread, int64_t at, const std::string& summary,
               const std::string& message) {
    std::string text;
    JsonWriter json(&text, /*pretty=*/false);
    json.BeginObject();
    json.Field("name", name).Field("cat", category).Field("ph", "i");
    // Thread-scoped when the thread is known, else process-wide.
    json.Field("s", thread != 0 ? "t" : "p");
    json.Key("ts").Double(Micros(at));
    json.Field("pid", pid_).Field("tid", thread);
    if (!summary.empty() || !message.empty()) {
      json.Key("args").BeginObject();
      if (!summary.empty()) json.Field("summary", summary);
      if (!message.empty()) json.Field("message", message);
      json.EndObject();
    }
    json.EndObject();
    Emit(text);
  }

  const TraceData& trace_;
  std::ostream& out_;
  int64_t pid_ = 1;
  int64_t start_ = 0;
  int64_t last_ns_ = 0;
  bool first_ = true;
  absl::flat_hash_map<std::pair<ThreadId, ObjectId>, Pending> pending_;
};

class ExportCommand : public Subcommand {
 public:
  std::string_view name() const override { return "export"; }
  std::string_view description() const override {
    return "convert a trace to Chrome trace-event JSON (ui.perfetto.dev)";
  }
  void Configure(CLI::App& command) override {
    AddTraceArgument(command, &path_);
    command.add_option("--format", format_, "output format (the only one)")
        ->check(CLI::IsMember({"chrome-json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    command.add_option("-o,--output", output_,
                       "write to FILE instead of stdout")
        ->type_name("FILE");
    command.footer(
        "Lock waits, holds and borrows become slices on their thread's track;\n"
        "findings are instant events. Open the file in ui.perfetto.dev.\n\n"
        "Example:\n"
        "  lockscope export app.lstrace --format=chrome-json -o app.json");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    // Pass 1: names; pass 2: events (see events.cc for why two).
    absl::StatusOr<TraceData> trace = LoadOne(path_, context.load_options());
    if (!trace.ok()) return trace.status();
    std::unique_ptr<FdOstream> file;
    std::ostream* out = &context.out;
    if (!output_.empty() && output_ != "-") {
      absl::StatusOr<int> fd = collector::CreateOutputFile(output_);
      if (!fd.ok()) return fd.status();
      file = std::make_unique<FdOstream>(*fd);
      out = file.get();
    }
    ChromeWriter writer(*trace, *out);
    writer.Begin();
    LoadOptions quiet;
    quiet.progress = context.progress;
    absl::StatusOr<TraceData> again =
        LoadOne(path_, quiet, [&](const collector::TraceEvent& event) {
          writer.Event(event.thread, event.event);
        });
    if (!again.ok()) return again.status();
    writer.End();
    out->flush();
    if (!*out) {
      return absl::UnavailableError(absl::StrCat(
          output_.empty() ? std::string("standard output") : output_,
          ": write failed"));
    }
    return kExitOk;
  }

 private:
  std::string path_;
  std::string format_ = "chrome-json";
  std::string output_;
};

}  // namespace

std::unique_ptr<Subcommand> NewExportCommand() {
  return std::make_unique<ExportCommand>();
}

}  // namespace lockscope::viewer
