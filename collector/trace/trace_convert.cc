// collector/trace/trace_convert.cc — see trace_convert.h.
#include "collector/trace/trace_convert.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "collector/trace/trace_reader.h"

namespace lockscope::collector {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if none.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  const uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint8_t low = 0x80;  // bounds of the second byte (overlongs, surrogates)
  uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size() || byte(1) < low || byte(1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

std::string Utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t length = Utf8SequenceLength(s, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.data() + i, length);
      i += length;
    }
  }
  return out;
}

// --- Model to proto.

trace::ObjectKind ToProto(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kMutex:
      return trace::MUTEX;
    case ObjectKind::kRwLock:
      return trace::RWLOCK;
    case ObjectKind::kCell:
      return trace::CELL;
  }
  return trace::OBJECT_KIND_UNSPECIFIED;
}

trace::Access ToProto(Access access) {
  switch (access) {
    case Access::kShared:
      return trace::SHARED;
    case Access::kExclusive:
      return trace::EXCLUSIVE;
  }
  return trace::ACCESS_UNSPECIFIED;
}

uint32_t EventKindBits(const RawEvent& event) {
  uint32_t bits = static_cast<uint32_t>(event.type) & 0xF;
  if (event.access == Access::kShared) bits |= 1u << 4;
  if (event.was_try) bits |= 1u << 5;
  return bits;
}

void ToProto(const TraceHeaderInfo& header, trace::Header* h) {
  h->set_magic(kTraceMagic);
  h->set_schema_version(kTraceSchemaVersion);
  h->set_pid(header.pid);
  h->set_executable(Utf8(header.executable));
  h->set_start_unix_ns(header.start_unix_ns);
  h->set_clock("CLOCK_MONOTONIC");
  h->set_start_clock_ns(header.start_clock_ns);
  h->set_options(Utf8(header.options));
  h->set_events_mode(Utf8(header.events_mode));
}

void ToProto(const ThreadInfo& thread, int64_t start_ns, trace::Thread* t) {
  t->set_id(thread.id);
  t->set_os_tid(thread.os_tid);
  t->set_name(Utf8(thread.name));
  t->set_start_ns(start_ns);
}

void ToProto(const ObjectInfo& object, InternFn intern, trace::Object* o) {
  const uint64_t file = intern(object.created.file);
  const uint64_t function = intern(object.created.function);
  o->set_id(object.id);
  o->set_kind(ToProto(object.kind));
  o->set_name(Utf8(object.name));
  o->set_class_name(Utf8(object.class_name));
  o->set_created_file(file);
  o->set_created_function(function);
  o->set_created_line(object.created.line);
  o->set_created_thread(object.created_thread);
  o->set_owner_thread(object.owner_thread);
}

void ToProto(const ModuleInfo& module, trace::Module* m) {
  m->set_id(module.id);
  m->set_path(Utf8(module.path));
  m->set_build_id(Utf8(module.build_id));
  m->set_base(module.base);
  m->set_end(module.end);
}

void ToProto(const Frame& frame, uint64_t module,
             const std::vector<Frame>& inlined, InternFn intern,
             trace::Frame* f) {
  const uint64_t function = intern(frame.function);
  const uint64_t file = intern(frame.file);
  f->set_pc(frame.pc);
  f->set_module(module);
  f->set_function(function);
  f->set_file(file);
  f->set_line(frame.line);
  for (const Frame& in : inlined) {
    trace::InlinedFrame* i = f->add_inlined();
    i->set_function(intern(in.function));
    i->set_file(intern(in.file));
    i->set_line(in.line);
  }
}

void ToProto(const EdgeObservation& edge, const std::vector<ObjectId>& gates,
             uint64_t count, trace::Edge* e) {
  e->set_from(edge.from);
  e->set_to(edge.to);
  e->set_from_access(ToProto(edge.from_access));
  e->set_to_access(ToProto(edge.to_access));
  e->set_thread(edge.thread);
  e->set_to_stack(edge.to_stack);
  e->set_from_stack(edge.from_stack);
  e->mutable_held()->Add(gates.begin(), gates.end());
  e->set_time_ns(edge.time_ns);
  e->set_count(count);
}

void ToProto(const ObjectCounters& counters, trace::ObjectCounters* c) {
  c->set_object(counters.object);
  c->set_acquisitions(counters.acquisitions);
  c->set_contended(counters.contended);
  c->set_wait_total_ns(counters.wait_total_ns);
  c->set_wait_max_ns(counters.wait_max_ns);
  c->set_hold_total_ns(counters.hold_total_ns);
  c->set_hold_max_ns(counters.hold_max_ns);
  c->set_hold_samples(counters.hold_samples);
  c->set_shared(counters.shared);
}

void ToProto(const Finding& finding, trace::Finding* f) {
  f->set_id(finding.id);
  f->set_kind(std::string(FindingKindName(finding.kind)));
  f->set_severity(std::string(SeverityName(finding.severity)));
  f->mutable_objects()->Add(finding.objects.begin(), finding.objects.end());
  f->mutable_threads()->Add(finding.threads.begin(), finding.threads.end());
  for (const FindingEdge& edge : finding.edges) {
    trace::FindingEdge* e = f->add_edges();
    e->set_from(edge.from);
    e->set_to(edge.to);
    e->set_thread(edge.thread);
    e->set_to_stack(edge.to_stack);
    e->set_from_stack(edge.from_stack);
  }
  f->mutable_guarded_by()->Add(finding.guarded_by.begin(),
                               finding.guarded_by.end());
  f->set_stack(finding.stack);
  f->set_other_stack(finding.other_stack);
  f->set_message(Utf8(finding.message));
  f->set_time_ns(finding.time_ns);
  f->set_suppressed(finding.suppressed);
  f->set_count(finding.count);
  for (const FindingBorrow& borrow : finding.borrows) {
    trace::FindingBorrow* b = f->add_borrows();
    b->set_thread(borrow.thread);
    b->set_exclusive(borrow.access == Access::kExclusive);
    b->set_file(Utf8(borrow.site.file));
    b->set_function(Utf8(borrow.site.function));
    b->set_line(borrow.site.line);
    b->set_stack(borrow.stack);
  }
}

void ToProto(const TraceEndInfo& end, trace::End* e) {
  e->set_end_time_ns(end.end_time_ns);
  e->set_events_written(end.events_written);
  e->set_events_dropped(end.events_dropped);
  e->set_reason(Utf8(end.reason));
}

// --- Proto to model.

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

Access FromProto(trace::Access access) {
  return access == trace::SHARED ? Access::kShared : Access::kExclusive;
}

bool DecodeEventKind(uint32_t bits, RawEvent* event) {
  const uint32_t type = bits & 0xF;
  if ((bits & ~0x3Fu) != 0 || type < 1 || type > 5) return false;
  event->type = static_cast<EventType>(type);
  event->access = (bits & (1u << 4)) ? Access::kShared : Access::kExclusive;
  event->was_try = (bits & (1u << 5)) != 0;
  return true;
}

TraceHeaderInfo FromProto(const trace::Header& h) {
  TraceHeaderInfo out;
  out.pid = h.pid();
  out.executable = h.executable();
  out.start_unix_ns = h.start_unix_ns();
  out.start_clock_ns = h.start_clock_ns();
  out.options = h.options();
  out.events_mode = h.events_mode();
  return out;
}

ThreadInfo FromProto(const trace::Thread& t) {
  return ThreadInfo{t.id(), t.os_tid(), t.name()};
}

absl::StatusOr<ObjectInfo> FromProto(const trace::Object& o,
                                     StringFn string_of) {
  const std::optional<ObjectKind> kind = FromProto(o.kind());
  if (!kind) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "object %d has unknown kind %d", o.id(), static_cast<int>(o.kind())));
  }
  ObjectInfo info;
  info.id = o.id();
  info.kind = *kind;
  info.name = o.name();
  info.class_name = o.class_name();
  info.created.file = string_of(o.created_file());
  info.created.function = string_of(o.created_function());
  info.created.line = o.created_line();
  info.created_thread = o.created_thread();
  info.owner_thread = o.owner_thread();
  return info;
}

ModuleInfo FromProto(const trace::Module& m) {
  ModuleInfo out;
  out.id = m.id();
  out.path = m.path();
  out.build_id = m.build_id();
  out.base = m.base();
  out.end = m.end();
  return out;
}

Frame FromProto(const trace::Frame& f, const std::string& module_path,
                StringFn string_of, std::vector<Frame>* inlined) {
  Frame frame;
  frame.pc = f.pc();
  frame.module = module_path;
  frame.function = string_of(f.function());
  frame.file = string_of(f.file());
  frame.line = f.line();
  inlined->clear();
  for (const trace::InlinedFrame& in : f.inlined()) {
    Frame i;
    i.pc = frame.pc;
    i.module = frame.module;
    i.function = string_of(in.function());
    i.file = string_of(in.file());
    i.line = in.line();
    inlined->push_back(std::move(i));
  }
  return frame;
}

EdgeState FromProto(const trace::Edge& edge) {
  EdgeState out;
  out.first.from = edge.from();
  out.first.to = edge.to();
  out.first.from_access = FromProto(edge.from_access());
  out.first.to_access = FromProto(edge.to_access());
  out.first.thread = edge.thread();
  out.first.to_stack = edge.to_stack();
  out.first.from_stack = edge.from_stack();
  out.first.held.assign(edge.held().begin(), edge.held().end());
  out.first.time_ns = edge.time_ns();
  out.gates = out.first.held;
  std::sort(out.gates.begin(), out.gates.end());
  out.gates.erase(std::unique(out.gates.begin(), out.gates.end()),
                  out.gates.end());
  out.count = std::max<uint64_t>(edge.count(), 1);
  return out;
}

ObjectCounters FromProto(const trace::ObjectCounters& c) {
  return ObjectCounters{c.object(),        c.acquisitions(), c.contended(),
                        c.wait_total_ns(), c.wait_max_ns(),  c.hold_total_ns(),
                        c.hold_max_ns(),   c.hold_samples(), c.shared()};
}

absl::StatusOr<Finding> FromProto(const trace::Finding& f) {
  Finding finding;
  finding.id = f.id();
  const std::optional<FindingKind> kind = ParseFindingKind(f.kind());
  if (!kind) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "finding %d has unknown kind '%s'", f.id(), f.kind()));
  }
  finding.kind = *kind;
  if (f.severity().empty()) {
    finding.severity = DefaultSeverity(*kind);
  } else if (f.severity() == SeverityName(Severity::kError)) {
    finding.severity = Severity::kError;
  } else if (f.severity() == SeverityName(Severity::kWarning)) {
    finding.severity = Severity::kWarning;
  } else if (f.severity() == SeverityName(Severity::kNote)) {
    finding.severity = Severity::kNote;
  } else {
    return absl::InvalidArgumentError(absl::StrFormat(
        "finding %d has unknown severity '%s'", f.id(), f.severity()));
  }
  for (const trace::FindingEdge& e : f.edges()) {
    finding.edges.push_back(FindingEdge{e.from(), e.to(), e.thread(),
                                        e.to_stack(), e.from_stack()});
  }
  finding.objects.assign(f.objects().begin(), f.objects().end());
  finding.threads.assign(f.threads().begin(), f.threads().end());
  finding.guarded_by.assign(f.guarded_by().begin(), f.guarded_by().end());
  finding.stack = f.stack();
  finding.other_stack = f.other_stack();
  finding.message = f.message();
  finding.time_ns = f.time_ns();
  finding.suppressed = f.suppressed();
  finding.count = f.count() == 0 ? 1 : f.count();
  for (const trace::FindingBorrow& b : f.borrows()) {
    FindingBorrow borrow;
    borrow.thread = b.thread();
    borrow.access = b.exclusive() ? Access::kExclusive : Access::kShared;
    borrow.site.file = b.file();
    borrow.site.function = b.function();
    borrow.site.line = b.line();
    borrow.stack = b.stack();
    finding.borrows.push_back(std::move(borrow));
  }
  return finding;
}

TraceEndInfo FromProto(const trace::End& e) {
  TraceEndInfo out;
  out.end_time_ns = e.end_time_ns();
  out.events_written = e.events_written();
  out.events_dropped = e.events_dropped();
  out.reason = e.reason();
  return out;
}

}  // namespace lockscope::collector
