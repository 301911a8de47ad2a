// lockscope merge -o OUT TRACE... — one trace holding the union of several.
//
// The output is the Analysis of the inputs (trace_set.h) written back with
// collector::TraceWriter: threads, objects, modules, stacks and frames,
// edges, counters, every input's events, and the findings (cycles re-found
// over the union, so a cross-process inversion is a stored finding of the
// merged file). Ids are remapped so they do not collide.
#include <sys/stat.h>

#include <algorithm>

#include <CLI/CLI.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collector/trace/trace_writer.h"
#include "collector/analysis/plural.h"
#include "viewer/subcommand.h"

namespace lockscope::viewer {
namespace {

using collector::TraceData;
using collector::TraceWriter;

constexpr size_t kEventBatch = 4096;
constexpr size_t kFlushBytes = 4 << 20;

bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

collector::TraceHeaderInfo MergedHeader(const std::vector<TraceData>& traces) {
  collector::TraceHeaderInfo header;
  const collector::TraceHeaderInfo& first = traces[0].header;
  header.pid = first.pid;
  header.executable = first.executable;
  header.events_mode = first.events_mode;
  header.start_unix_ns = first.start_unix_ns;
  header.start_clock_ns = first.start_clock_ns;
  std::vector<std::string> paths;
  for (const TraceData& trace : traces) {
    const collector::TraceHeaderInfo& h = trace.header;
    if (h.pid != header.pid) header.pid = 0;
    if (h.executable != header.executable) header.executable.clear();
    if (h.events_mode != header.events_mode) header.events_mode = "mixed";
    if (h.start_unix_ns != 0) {
      header.start_unix_ns = header.start_unix_ns == 0
                                 ? h.start_unix_ns
                                 : std::min(header.start_unix_ns,
                                            h.start_unix_ns);
    }
    if (h.start_clock_ns != 0) {
      header.start_clock_ns = header.start_clock_ns == 0
                                  ? h.start_clock_ns
                                  : std::min(header.start_clock_ns,
                                             h.start_clock_ns);
    }
    paths.push_back(trace.path);
  }
  header.options =
      absl::StrCat("lockscope merge of: ", absl::StrJoin(paths, " "));
  return header;
}

// Buffers events per (merged) thread and writes them in batches.
class EventSink {
 public:
  explicit EventSink(TraceWriter* writer) : writer_(writer) {}
  void Add(collector::ThreadId thread, const collector::RawEvent& event) {
    std::vector<collector::RawEvent>& batch = pending_[thread];
    batch.push_back(event);
    ++written_;
    if (batch.size() >= kEventBatch) Flush(thread, &batch);
  }
  void FlushAll() {
    for (collector::ThreadId thread : SortedKeys(pending_)) {
      Flush(thread, &pending_[thread]);
    }
  }
  uint64_t written() const { return written_; }
  // The first write error met while flushing, if any.
  const absl::Status& status() const { return status_; }

 private:
  void Flush(collector::ThreadId thread,
             std::vector<collector::RawEvent>* batch) {
    if (batch->empty()) return;
    writer_->WriteEvents(thread, batch->data(), batch->size(), 0);
    batch->clear();
    // Keep memory bounded by the batch size, not by the trace: the writer
    // buffers until flushed. It reports a write error only once, so the
    // first one is kept here.
    if (writer_->buffered() >= kFlushBytes) {
      absl::Status flushed = writer_->Flush();
      if (status_.ok()) status_ = flushed;
    }
  }
  TraceWriter* writer_;
  absl::flat_hash_map<collector::ThreadId, std::vector<collector::RawEvent>>
      pending_;
  uint64_t written_ = 0;
  absl::Status status_;
};

class MergeCommand : public Subcommand {
 public:
  std::string_view name() const override { return "merge"; }
  std::string_view description() const override {
    return "one trace from many runs (so cycles across runs are stored)";
  }
  void Configure(CLI::App& command) override {
    command.add_option("-o,--output", output_, "the merged trace to write")
        ->required()
        ->type_name("OUT");
    AddTracesArgument(command, &paths_);
    command.footer(
        "Locks are matched across traces by name (the creation site when\n"
        "unnamed); the lock-order analysis is re-run over all edges, so the\n"
        "merged trace holds cycles whose halves ran in different processes.\n\n"
        "Example:\n"
        "  lockscope merge -o all.lstrace test_*.lstrace && "
        "lockscope check all.lstrace");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    for (const std::string& path : paths_) {
      if (SameFile(path, output_)) {
        return absl::InvalidArgumentError(absl::StrCat(
            output_, ": is also an input; write the merge to another file"));
      }
    }
    absl::StatusOr<LoadedSet> set = LoadAndAnalyze(paths_, context);
    if (!set.ok()) return set.status();
    const Analysis& analysis = set->analysis;

    absl::StatusOr<std::unique_ptr<TraceWriter>> created =
        TraceWriter::Create(output_, MergedHeader(set->traces));
    if (!created.ok()) return created.status();
    TraceWriter& writer = **created;

    for (collector::ThreadId id : SortedKeys(analysis.threads)) {
      writer.WriteThread(analysis.threads.at(id), 0);
    }
    for (collector::ObjectId id : SortedKeys(analysis.objects)) {
      writer.WriteObject(analysis.objects.at(id));
    }
    absl::flat_hash_map<std::string, uint64_t> module_by_path;
    for (uint64_t id : SortedKeys(analysis.modules)) {
      const collector::ModuleInfo& module = analysis.modules.at(id);
      writer.WriteModule(module);
      module_by_path.try_emplace(module.path, id);
    }
    for (collector::StackId id : SortedKeys(analysis.stacks)) {
      const std::vector<uint64_t>& pcs = analysis.stacks.at(id);
      writer.WriteStack(id, pcs.data(), pcs.size());
    }
    static const std::vector<collector::Frame> kNotInlined;
    for (uint64_t pc : SortedKeys(analysis.frames)) {
      const collector::Frame& frame = analysis.frames.at(pc);
      auto module = module_by_path.find(frame.module);
      auto inlined = analysis.inlined.find(pc);
      writer.WriteFrame(
          frame, module == module_by_path.end() ? 0 : module->second,
          inlined == analysis.inlined.end() ? kNotInlined : inlined->second);
    }
    for (const AnalyzedEdge& edge : analysis.edges) {
      writer.WriteEdge(edge.first, edge.gates, edge.count);
    }
    for (collector::ObjectId id : SortedKeys(analysis.counters)) {
      writer.WriteCounters(analysis.counters.at(id));
    }

    absl::StatusOr<collector::TraceEndInfo> end =
        CopyEvents(*set, context, &writer);
    if (!end.ok()) return end.status();
    for (const AnalyzedFinding& analyzed : analysis.findings) {
      writer.WriteFinding(analyzed.finding);
    }
    WriteDestroyed(*set, &writer);
    writer.WriteEnd(*end);
    absl::Status flushed = writer.Flush();
    if (!flushed.ok()) return flushed;
    context.out << "merged " << collector::Plural(set->traces.size(), "trace")
                << " into " << output_ << " ("
                << collector::Plural(analysis.objects.size(), "object") << ", "
                << collector::Plural(analysis.edges.size(), "edge") << ", "
                << collector::Plural(analysis.findings.size(), "finding")
                << ")"
                << std::endl;
    return kExitOk;
  }

 private:
  // Streams each input's events again, remapped; returns the End record.
  absl::StatusOr<collector::TraceEndInfo> CopyEvents(const LoadedSet& set, const CommandContext& context,
                          TraceWriter* writer) const {
    EventSink sink(writer);
    uint64_t dropped = 0;
    int64_t end_time = 0;
    LoadOptions quiet;  // warnings were printed on the first read
    quiet.progress = context.progress;
    for (size_t i = 0; i < set.traces.size(); ++i) {
      const IdMaps& maps = set.analysis.maps[i];
      absl::StatusOr<TraceData> again = LoadOne(
          set.traces[i].path, quiet, [&](const collector::TraceEvent& event) {
            auto thread = maps.threads.find(event.thread);
            auto object = maps.objects.find(event.event.object);
            if (thread == maps.threads.end() || object == maps.objects.end()) {
              return;  // the reader vouches for ids; stay safe regardless
            }
            collector::RawEvent copy = event.event;
            copy.object = object->second;
            auto stack = maps.stacks.find(copy.stack);
            copy.stack = stack == maps.stacks.end() ? 0 : stack->second;
            sink.Add(thread->second, copy);
          });
      if (!again.ok()) return again.status();
      dropped += set.traces[i].events_dropped;
      const TraceData& trace = set.traces[i];
      end_time = std::max(end_time, trace.end.has_value()
                                        ? trace.end->end_time_ns
                                        : trace.last_time_ns);
    }
    sink.FlushAll();
    if (!sink.status().ok()) return sink.status();
    collector::TraceEndInfo end;
    end.end_time_ns = end_time;
    end.events_written = sink.written();
    end.events_dropped = dropped;
    end.reason = "merge";
    return end;
  }

  static void WriteDestroyed(const LoadedSet& set, TraceWriter* writer) {
    absl::flat_hash_map<collector::ObjectId, int64_t> destroyed;
    for (size_t i = 0; i < set.traces.size(); ++i) {
      for (const auto& [old, time] : set.traces[i].destroyed) {
        auto it = set.analysis.maps[i].objects.find(old);
        if (it != set.analysis.maps[i].objects.end()) {
          destroyed.try_emplace(it->second, time);
        }
      }
    }
    for (collector::ObjectId id : SortedKeys(destroyed)) {
      writer->WriteDestroyed(id, destroyed.at(id));
    }
  }

  std::vector<std::string> paths_;
  std::string output_;
};

}  // namespace

std::unique_ptr<Subcommand> NewMergeCommand() {
  return std::make_unique<MergeCommand>();
}

}  // namespace lockscope::viewer
