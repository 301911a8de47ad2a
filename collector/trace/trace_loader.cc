// collector/trace/trace_loader.cc — LoadTrace (see trace_loader.h): folds
// records into a TraceData, checks every reference, decodes events. The
// field conversions are trace_convert.h's.
#include "collector/trace/trace_loader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "collector/trace/raw_frames.h"
#include "collector/trace/trace_convert.h"
#include "collector/trace/trace_reader.h"

namespace lockscope::collector {

namespace {

// Folds records into a TraceData, checking that every id a record names
// was defined by an earlier record (the writer's ordering guarantee), except
// Frame pcs, which may follow the stacks that use them. The Need* checks
// keep the first failure in status_, so a record handler runs its checks
// in a row and returns status_ once.
class Loader {
 public:
  Loader(const TraceReader& reader, TraceData& data,
         const std::function<void(const TraceEvent&)>& on_event)
      : reader_(reader), data_(data), on_event_(on_event) {}

  absl::Status Add(const trace::Record& record) {
    switch (record.data_case()) {
      case trace::Record::kHeader:
        Fail("a second header record");
        break;
      case trace::Record::kThread:
        AddThread(record.thread());
        break;
      case trace::Record::kObject:
        AddObject(record.object());
        break;
      case trace::Record::kString:
        AddString(record.string());
        break;
      case trace::Record::kFrame:
        AddFrame(record.frame());
        break;
      case trace::Record::kStack:
        if (record.stack().id() == 0) Fail("stack with id 0");
        data_.stacks[record.stack().id()].assign(record.stack().pc().begin(),
                                                 record.stack().pc().end());
        break;
      case trace::Record::kModule:
        if (record.module().id() == 0) Fail("module with id 0");
        data_.modules[record.module().id()] = FromProto(record.module());
        break;
      case trace::Record::kEdge:
        AddEdge(record.edge());
        break;
      case trace::Record::kEvents:
        AddEvents(record.events());
        break;
      case trace::Record::kCounters:
        AddCounters(record.counters());
        break;
      case trace::Record::kFinding:
        AddFinding(record.finding());
        break;
      case trace::Record::kDestroyed:
        NeedObject(record.destroyed().id(), "destroy");
        data_.destroyed[record.destroyed().id()] = record.destroyed().time_ns();
        break;
      case trace::Record::kEnd:
        data_.end = FromProto(record.end());
        break;
      case trace::Record::DATA_NOT_SET:
        // A record type from a compatible newer writer: skipped.
        break;
    }
    return status_;
  }

  // Drop count: End.events_dropped is the process-wide total, which already
  // includes every EventBatch.dropped_before; the sum of those is only the
  // fallback for a trace without an End record (a crash).
  uint64_t events_dropped() const {
    return data_.end ? data_.end->events_dropped : dropped_before_sum_;
  }

 private:
  // Looks up interned strings for trace_convert.h.
  std::string StringOf(uint64_t id) { return String(id, who_); }
  void Fail(std::string_view what) {
    if (!status_.ok()) return;
    status_ = absl::DataLossError(
        absl::StrFormat("%s: record %d at byte %d: %s", reader_.path(),
                        reader_.records(), reader_.offset(), what));
  }
  void NeedObject(ObjectId id, std::string_view who) {
    if (data_.objects.contains(id)) return;
    Fail(absl::StrFormat("%s refers to unknown object %d", who, id));
  }
  void NeedObjects(const google::protobuf::RepeatedField<uint64_t>& ids,
                   std::string_view who) {
    for (uint64_t id : ids) NeedObject(id, who);
  }
  void NeedThread(ThreadId id, std::string_view who) {
    if (data_.threads.contains(id)) return;
    Fail(absl::StrFormat("%s refers to unknown thread %d", who, id));
  }
  // Stack 0 means "none".
  void NeedStack(StackId id, std::string_view who) {
    if (id == 0 || data_.stacks.contains(id)) return;
    Fail(absl::StrFormat("%s refers to unknown stack %d", who, id));
  }
  // String 0 is the empty string.
  std::string String(uint64_t id, std::string_view who) {
    if (id == 0) return std::string();
    auto it = strings_.find(id);
    if (it != strings_.end()) return it->second;
    Fail(absl::StrFormat("%s refers to unknown string %d", who, id));
    return std::string();
  }

  void AddThread(const trace::Thread& t) {
    if (t.id() == 0) return Fail("thread with id 0");
    // A later record renames the thread.
    data_.threads[t.id()] = FromProto(t);
  }

  void AddObject(const trace::Object& o) {
    if (o.id() == 0) return Fail("object with id 0");
    // created_thread and owner_thread are informational and not checked:
    // an object may be created before its thread's record is written.
    who_ = "object";
    absl::StatusOr<ObjectInfo> info =
        FromProto(o, [this](uint64_t id) { return StringOf(id); });
    if (!info.ok()) return Fail(std::string(info.status().message()));
    data_.objects[o.id()] = *std::move(info);
  }

  void AddString(const trace::InternedString& s) {
    if (s.id() == 0) return Fail("string with id 0");
    auto [it, inserted] = strings_.try_emplace(s.id(), s.value());
    if (!inserted && it->second != s.value()) {
      Fail(absl::StrFormat("string %d redefined", s.id()));
    }
  }

  void AddFrame(const trace::Frame& f) {
    std::string module;
    if (f.module() != 0) {
      auto it = data_.modules.find(f.module());
      if (it == data_.modules.end()) {
        return Fail(
            absl::StrFormat("frame refers to unknown module %d", f.module()));
      }
      module = it->second.path;
    }
    who_ = "frame";
    std::vector<Frame> inlined;
    Frame frame = FromProto(
        f, module, [this](uint64_t id) { return StringOf(id); }, &inlined);
    if (inlined.empty()) {
      data_.inlined.erase(f.pc());
    } else {
      data_.inlined[f.pc()] = std::move(inlined);
    }
    data_.frames[f.pc()] = std::move(frame);
  }

  void AddEdge(const trace::Edge& e) {
    NeedObject(e.from(), "edge");
    NeedObject(e.to(), "edge");
    NeedThread(e.thread(), "edge");
    NeedStack(e.to_stack(), "edge");
    NeedStack(e.from_stack(), "edge");
    NeedObjects(e.held(), "edge");
    auto [it, inserted] = edge_index_.try_emplace(
        std::make_pair(e.from(), e.to()), data_.edges.size());
    if (inserted) {
      data_.edges.push_back(FromProto(e));
    } else {
      data_.edges[it->second] = FromProto(e);
    }
  }

  void AddEvents(const trace::EventBatch& b) {
    NeedThread(b.thread(), "event batch");
    const int n = b.kind_size();
    if (b.time_delta_ns_size() != n || b.object_delta_size() != n) {
      return Fail(absl::StrFormat(
          "event batch columns disagree: %d kinds, %d times, %d objects", n,
          b.time_delta_ns_size(), b.object_delta_size()));
    }
    if (b.stack_event_size() != b.stack_id_size()) {
      return Fail(absl::StrFormat(
          "event batch stack columns disagree: %d indexes, %d stacks",
          b.stack_event_size(), b.stack_id_size()));
    }
    for (int j = 0; j < b.stack_event_size(); ++j) {
      const uint32_t index = b.stack_event(j);
      if (index >= static_cast<uint32_t>(n) ||
          (j > 0 && index <= b.stack_event(j - 1))) {
        return Fail(absl::StrFormat(
            "event batch stack index %d is out of order or range", index));
      }
    }
    uint64_t time = static_cast<uint64_t>(b.base_time_ns());
    uint64_t object = 0;
    int next_stack = 0;
    TraceEvent out;
    out.thread = b.thread();
    RawEvent& event = out.event;
    for (int i = 0; i < n && status_.ok(); ++i) {
      // Unsigned arithmetic mirrors the writer's: deltas wrap exactly.
      time += b.time_delta_ns(i);
      object += static_cast<uint64_t>(b.object_delta(i));
      if (!DecodeEventKind(b.kind(i), &event)) {
        return Fail(absl::StrFormat("event %d has an unknown kind 0x%x", i,
                                    b.kind(i)));
      }
      NeedObject(object, "event");
      event.time_ns = static_cast<int64_t>(time);
      event.object = object;
      event.stack = 0;
      if (next_stack < b.stack_event_size() &&
          b.stack_event(next_stack) == static_cast<uint32_t>(i)) {
        event.stack = b.stack_id(next_stack++);
        NeedStack(event.stack, "event");
      }
      if (!status_.ok()) return;
      if (data_.events == 0 || event.time_ns < data_.first_time_ns) {
        data_.first_time_ns = event.time_ns;
      }
      if (data_.events == 0 || event.time_ns > data_.last_time_ns) {
        data_.last_time_ns = event.time_ns;
      }
      ++data_.events;
      ++data_.events_by_type[static_cast<size_t>(event.type) % 6];
      if (on_event_) on_event_(out);
    }
    dropped_before_sum_ += b.dropped_before();
  }

  void AddCounters(const trace::ObjectCounters& c) {
    NeedObject(c.object(), "counters");
    data_.counters[c.object()] = FromProto(c);
  }

  void AddFinding(const trace::Finding& f) {
    absl::StatusOr<Finding> converted = FromProto(f);
    if (!converted.ok()) return Fail(std::string(converted.status().message()));
    Finding& finding = *converted;
    NeedObjects(f.objects(), "finding");
    for (uint32_t thread : f.threads()) NeedThread(thread, "finding");
    for (const trace::FindingEdge& e : f.edges()) {
      // 0: no lock (an actual-deadlock step through a condition wait or a
      // join, see trace.proto).
      if (e.from() != 0) NeedObject(e.from(), "finding");
      if (e.to() != 0) NeedObject(e.to(), "finding");
      NeedThread(e.thread(), "finding");
      NeedStack(e.to_stack(), "finding");
      NeedStack(e.from_stack(), "finding");
    }
    NeedObjects(f.guarded_by(), "finding");
    NeedStack(f.stack(), "finding");
    NeedStack(f.other_stack(), "finding");
    for (const trace::FindingBorrow& b : f.borrows()) {
      if (b.thread() != 0) NeedThread(b.thread(), "finding");
      NeedStack(b.stack(), "finding");
    }
    auto [it, inserted] =
        finding_index_.try_emplace(f.id(), data_.findings.size());
    if (inserted) {
      data_.findings.push_back(std::move(finding));
    } else {
      data_.findings[it->second] = std::move(finding);
    }
  }

  const TraceReader& reader_;
  TraceData& data_;
  const std::function<void(const TraceEvent&)>& on_event_;
  absl::Status status_;
  absl::flat_hash_map<uint64_t, std::string> strings_;
  absl::flat_hash_map<std::pair<ObjectId, ObjectId>, size_t> edge_index_;
  absl::flat_hash_map<uint64_t, size_t> finding_index_;
  uint64_t dropped_before_sum_ = 0;
  // The record type named in errors about its strings.
  std::string_view who_ = "object";
};

}  // namespace

absl::StatusOr<TraceData> LoadTrace(
    const std::string& path,
    const std::function<void(const TraceEvent&)>& on_event) {
  absl::StatusOr<std::unique_ptr<TraceReader>> reader = TraceReader::Open(path);
  if (!reader.ok()) return reader.status();
  TraceData data;
  data.path = path;
  data.header = FromProto((*reader)->header());
  Loader loader(**reader, data, on_event);
  trace::Record record;
  while (true) {
    absl::StatusOr<bool> got = (*reader)->Next(&record);
    if (!got.ok()) return got.status();
    if (!*got) break;
    if (absl::Status s = loader.Add(record); !s.ok()) return s;
  }
  data.records = (*reader)->records();
  data.events_dropped = loader.events_dropped();
  data.warning = (*reader)->warning();
  // A process that died before writing the Frame records of its findings'
  // and edges' stacks: symbolize them from the binaries at hand.
  SymbolizeRawFrames(&data);
  return data;
}

}  // namespace lockscope::collector
