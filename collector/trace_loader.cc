// collector/trace_loader.cc — LoadTrace and TraceData (see trace_reader.h):
// folds records into tables, checks every reference, decodes events.
#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "collector/trace_reader.h"

namespace lockscope::collector {

namespace {

std::optional<ObjectKind> FromProto(trace::ObjectKind kind) {
  switch (kind) {
    case trace::MUTEX:
      return ObjectKind::kMutex;
    case trace::RWLOCK:
      return ObjectKind::kRwLock;
    case trace::CELL:
      return ObjectKind::kCell;
    default:
      return std::nullopt;
  }
}

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
        data_.modules[record.module().id()] = record.module();
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
        data_.end = record.end();
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
    return data_.end ? data_.end->events_dropped() : dropped_before_sum_;
  }

 private:
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
    data_.threads[t.id()] = ThreadInfo{t.id(), t.os_tid(), t.name()};
  }

  void AddObject(const trace::Object& o) {
    if (o.id() == 0) return Fail("object with id 0");
    const std::optional<ObjectKind> kind = FromProto(o.kind());
    if (!kind) {
      return Fail(absl::StrFormat("object %d has unknown kind %d", o.id(),
                                  static_cast<int>(o.kind())));
    }
    // created_thread and owner_thread are informational and not checked:
    // an object may be created before its thread's record is written.
    ObjectInfo& info = data_.objects[o.id()];
    info.id = o.id();
    info.kind = *kind;
    info.name = o.name();
    info.class_name = o.class_name();
    info.created =
        SourceSite{String(o.created_file(), "object"),
                   String(o.created_function(), "object"), o.created_line()};
    info.created_thread = o.created_thread();
    info.owner_thread = o.owner_thread();
  }

  void AddString(const trace::InternedString& s) {
    if (s.id() == 0) return Fail("string with id 0");
    auto [it, inserted] = strings_.try_emplace(s.id(), s.value());
    if (!inserted && it->second != s.value()) {
      Fail(absl::StrFormat("string %d redefined", s.id()));
    }
  }

  void AddFrame(const trace::Frame& f) {
    Frame frame;
    frame.pc = f.pc();
    if (f.module() != 0) {
      auto it = data_.modules.find(f.module());
      if (it == data_.modules.end()) {
        return Fail(
            absl::StrFormat("frame refers to unknown module %d", f.module()));
      }
      frame.module = it->second.path();
    }
    frame.function = String(f.function(), "frame");
    frame.file = String(f.file(), "frame");
    frame.line = f.line();
    std::vector<Frame> inlined;
    for (const trace::InlinedFrame& in : f.inlined()) {
      Frame i;
      i.pc = frame.pc;
      i.module = frame.module;
      i.function = String(in.function(), "frame");
      i.file = String(in.file(), "frame");
      i.line = in.line();
      inlined.push_back(std::move(i));
    }
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
      data_.edges.push_back(e);
    } else {
      data_.edges[it->second] = e;
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
      const uint32_t kind = b.kind(i);
      const uint32_t type = kind & 0xF;
      if ((kind & ~0x3Fu) != 0 || type < 1 || type > 5) {
        return Fail(
            absl::StrFormat("event %d has an unknown kind 0x%x", i, kind));
      }
      NeedObject(object, "event");
      event.time_ns = static_cast<int64_t>(time);
      event.object = object;
      event.type = static_cast<EventType>(type);
      event.access = (kind & (1u << 4)) ? Access::kShared : Access::kExclusive;
      event.was_try = (kind & (1u << 5)) != 0;
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
      if (on_event_) on_event_(out);
    }
    dropped_before_sum_ += b.dropped_before();
  }

  void AddCounters(const trace::ObjectCounters& c) {
    NeedObject(c.object(), "counters");
    data_.counters[c.object()] =
        ObjectCounters{c.object(),        c.acquisitions(), c.contended(),
                       c.wait_total_ns(), c.wait_max_ns(),  c.hold_total_ns(),
                       c.hold_max_ns(),   c.hold_samples(), c.shared()};
  }

  void AddFinding(const trace::Finding& f) {
    Finding finding;
    finding.id = f.id();
    const std::optional<FindingKind> kind = ParseFindingKind(f.kind());
    if (!kind) {
      return Fail(absl::StrFormat("finding %d has unknown kind '%s'", f.id(),
                                  f.kind()));
    }
    finding.kind = *kind;
    if (f.severity().empty()) {
      finding.severity = DefaultSeverity(*kind);
    } else if (f.severity() == SeverityName(Severity::kError)) {
      finding.severity = Severity::kError;
    } else if (f.severity() == SeverityName(Severity::kWarning)) {
      finding.severity = Severity::kWarning;
    } else {
      return Fail(absl::StrFormat("finding %d has unknown severity '%s'",
                                  f.id(), f.severity()));
    }
    NeedObjects(f.objects(), "finding");
    for (uint32_t thread : f.threads()) NeedThread(thread, "finding");
    for (const trace::FindingEdge& e : f.edges()) {
      NeedObject(e.from(), "finding");
      NeedObject(e.to(), "finding");
      NeedThread(e.thread(), "finding");
      NeedStack(e.to_stack(), "finding");
      NeedStack(e.from_stack(), "finding");
      finding.edges.push_back(FindingEdge{e.from(), e.to(), e.thread(),
                                          e.to_stack(), e.from_stack()});
    }
    NeedObjects(f.guarded_by(), "finding");
    NeedStack(f.stack(), "finding");
    NeedStack(f.other_stack(), "finding");
    finding.objects.assign(f.objects().begin(), f.objects().end());
    finding.threads.assign(f.threads().begin(), f.threads().end());
    finding.guarded_by.assign(f.guarded_by().begin(), f.guarded_by().end());
    finding.stack = f.stack();
    finding.other_stack = f.other_stack();
    finding.message = f.message();
    finding.time_ns = f.time_ns();
    finding.suppressed = f.suppressed();
    finding.count = f.count() == 0 ? 1 : f.count();
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
};

}  // namespace

absl::StatusOr<TraceData> LoadTrace(
    const std::string& path,
    const std::function<void(const TraceEvent&)>& on_event) {
  absl::StatusOr<std::unique_ptr<TraceReader>> reader = TraceReader::Open(path);
  if (!reader.ok()) return reader.status();
  TraceData data;
  data.path = path;
  data.header = (*reader)->header();
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
  return data;
}

const ObjectInfo* TraceData::Object(ObjectId id) const {
  auto it = objects.find(id);
  return it == objects.end() ? nullptr : &it->second;
}

const ThreadInfo* TraceData::Thread(ThreadId id) const {
  auto it = threads.find(id);
  return it == threads.end() ? nullptr : &it->second;
}

std::vector<Frame> TraceData::Stack(StackId id) const {
  std::vector<Frame> out;
  auto it = stacks.find(id);
  if (it == stacks.end()) return out;
  out.reserve(it->second.size());
  for (uint64_t pc : it->second) {
    if (auto f = frames.find(pc); f != frames.end()) {
      if (auto in = inlined.find(pc); in != inlined.end()) {
        out.insert(out.end(), in->second.begin(), in->second.end());
      }
      out.push_back(f->second);
      continue;
    }
    // Not symbolized: a raw pc, attributed to the module whose range holds
    // it (the highest base wins where ranges nest).
    Frame frame;
    frame.pc = pc;
    const trace::Module* best = nullptr;
    for (const auto& [module_id, module] : modules) {
      if (pc >= module.base() && pc < module.end() &&
          (best == nullptr || module.base() > best->base())) {
        best = &module;
      }
    }
    if (best != nullptr) frame.module = best->path();
    out.push_back(std::move(frame));
  }
  return out;
}

}  // namespace lockscope::collector
