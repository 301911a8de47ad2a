// collector/trace_reader.cc — TraceReader (framing, bounds, header checks)
// and LoadTrace/TraceData (reference checks, event decoding).
//
// The file is read sequentially through a fixed window, and each record is
// parsed on its own from a bounded buffer, so neither the file size nor a
// length field can make the reader allocate more than kMaxRecordBytes, and
// protobuf's 2 GiB message limit applies per record, not per file.
#include "collector/trace_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/stubs/logging.h"

namespace lockscope::collector {
namespace {

constexpr uint8_t kRecordTag = 0x0A;
// Read window; records up to this size are parsed in place.
constexpr size_t kWindowBytes = 256 << 10;
// Tag byte plus the longest varint.
constexpr size_t kMaxPrefixBytes = 11;

}  // namespace

struct TraceReader::Rep {
  int fd = -1;
  // File size at open (or as refreshed), if the file is regular.
  bool size_known = false;
  uint64_t size = 0;
  // File offset of window[begin].
  uint64_t pos = 0;
  std::vector<char> window = std::vector<char>(kWindowBytes);
  size_t begin = 0;
  size_t end = 0;
  bool eof = false;
  // Holds records larger than the window.
  std::string big;
  // Set once reading has stopped: torn tail, clean end or error.
  bool done = false;
  absl::Status error;
  // What went wrong, without the "path: record K at byte N" prefix.
  std::string error_what;
  // End of the data when a torn tail was met.
  uint64_t torn_at = 0;

  ~Rep() {
    if (fd >= 0) close(fd);
  }

  // Makes up to n bytes at the cursor contiguous in the window (n must not
  // exceed the window). Returns how many are available: fewer than n only
  // at the end of the file.
  absl::StatusOr<size_t> Fill(size_t n) {
    if (end - begin >= n || eof) return std::min(n, end - begin);
    if (begin + n > window.size()) {
      std::memmove(window.data(), window.data() + begin, end - begin);
      end -= begin;
      begin = 0;
    }
    while (end - begin < n && !eof) {
      const ssize_t got = read(fd, window.data() + end, window.size() - end);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        return absl::DataLossError(absl::StrFormat("read error at byte %d: %s",
                                                   pos + (end - begin),
                                                   std::strerror(errno)));
      }
      if (got == 0) eof = true;
      end += static_cast<size_t>(got);
    }
    return std::min(n, end - begin);
  }

  void Consume(size_t n) {
    begin += n;
    pos += n;
  }

  // Reads n bytes (n may exceed the window) into `big`. Returns how many
  // were read: fewer than n only at the end of the file.
  absl::StatusOr<size_t> ReadBig(size_t n) {
    big.resize(n);
    size_t have = std::min(n, end - begin);
    std::memcpy(big.data(), window.data() + begin, have);
    Consume(have);
    while (have < n && !eof) {
      const ssize_t got = read(fd, big.data() + have, n - have);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        return absl::DataLossError(absl::StrFormat("read error at byte %d: %s",
                                                   pos, std::strerror(errno)));
      }
      if (got == 0) eof = true;
      have += static_cast<size_t>(got);
      pos += static_cast<uint64_t>(got);
    }
    return have;
  }

  // Whether n more bytes can follow the cursor. A regular file may have
  // grown since it was opened, so its size is refreshed before saying no.
  bool Holds(uint64_t n) {
    if (!size_known) return true;
    if (size < pos) size = pos;
    if (n <= size - pos) return true;
    struct stat st;
    if (fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) > size) {
      size = static_cast<uint64_t>(st.st_size);
    }
    return n <= size - pos;
  }
};

TraceReader::TraceReader() : rep_(std::make_unique<Rep>()) {}
TraceReader::~TraceReader() = default;

absl::StatusOr<std::unique_ptr<TraceReader>> TraceReader::Open(
    const std::string& path) {
  std::unique_ptr<TraceReader> reader(new TraceReader());
  reader->path_ = path;
  Rep& r = *reader->rep_;
  r.fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r.fd < 0) {
    const int err = errno;
    std::string message =
        absl::StrFormat("%s: cannot open: %s", path, std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(message)
                         : absl::FailedPreconditionError(message);
  }
  struct stat st;
  if (fstat(r.fd, &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrFormat("%s: cannot stat: %s", path, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrFormat("%s: is a directory", path));
  }
  if (S_ISREG(st.st_mode)) {
    r.size_known = true;
    r.size = static_cast<uint64_t>(st.st_size);
  }

  absl::StatusOr<size_t> first = r.Fill(1);
  if (!first.ok()) {
    return absl::DataLossError(
        absl::StrFormat("%s: %s", path, first.status().message()));
  }
  if (*first == 0) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: empty file", path));
  }
  const auto not_ours = [&path](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: not a lockscope trace (%s)", path, why));
  };
  if (static_cast<uint8_t>(r.window[r.begin]) != kRecordTag) {
    return not_ours(absl::StrFormat(
        "bad magic at byte 0: 0x%02x where a record tag 0x0a belongs",
        static_cast<uint8_t>(r.window[r.begin])));
  }

  trace::Record record;
  absl::StatusOr<bool> got = reader->Next(&record);
  if (!got.ok()) {
    return not_ours(
        absl::StrFormat("the first record does not parse: %s", r.error_what));
  }
  if (!*got) {
    // Next() set a torn-tail warning; inside the header it is an error.
    return absl::DataLossError(absl::StrFormat(
        "%s: truncated at byte %d, inside the header record; not a complete "
        "lockscope trace",
        path, r.torn_at));
  }
  if (!record.has_header() || record.header().magic() != kTraceMagic) {
    return not_ours(
        "bad magic at byte 0: the first record is not a "
        "LOCKSCOPE-TRACE header");
  }
  reader->header_ = std::move(*record.mutable_header());
  const uint32_t version = reader->header_.schema_version();
  if (version > kTraceSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrFormat("%s: schema version %d is newer than this reader (%d)",
                        path, version, kTraceSchemaVersion));
  }
  if (version == 0) return not_ours("the header has no schema version");
  return reader;
}

absl::StatusOr<bool> TraceReader::Next(trace::Record* record) {
  Rep& r = *rep_;
  if (!r.error.ok()) return r.error;
  if (r.done) return false;
  const uint64_t start = r.pos;
  const uint64_t number = records_ + 1;
  const auto fail = [&](std::string_view what) {
    r.error_what = std::string(what);
    r.error = absl::DataLossError(absl::StrFormat(
        "%s: record %d at byte %d: %s", path_, number, start, what));
    r.done = true;
    return r.error;
  };
  const auto torn = [&]() {
    r.torn_at = r.pos + (r.end - r.begin);
    if (r.size_known) r.torn_at = std::max(r.torn_at, r.size);
    warning_ = absl::StrFormat(
        "%s: truncated at byte %d (record %d cut short); %d records read",
        path_, r.torn_at, number, records_);
    r.done = true;
    return false;
  };

  absl::StatusOr<size_t> avail = r.Fill(kMaxPrefixBytes);
  if (!avail.ok()) return fail(std::string(avail.status().message()));
  if (*avail == 0) {
    r.done = true;  // clean end at a record boundary
    return false;
  }
  const auto* p = reinterpret_cast<const uint8_t*>(r.window.data() + r.begin);
  if (p[0] != kRecordTag) {
    return fail(absl::StrFormat(
        "bad record tag 0x%02x (expected 0x0a: TraceFile field 1, "
        "length-delimited)",
        p[0]));
  }
  uint64_t length = 0;
  size_t prefix = 1;
  for (int shift = 0;; shift += 7) {
    if (prefix == kMaxPrefixBytes) {
      return fail("record length is not a varint (over 10 bytes)");
    }
    if (prefix == *avail) return torn();  // the varint runs into EOF
    const uint8_t byte = p[prefix++];
    if (shift == 63 && (byte & 0x7F) > 1) {
      return fail("record length is not a varint (over 64 bits)");
    }
    length |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (length > kMaxRecordBytes) {
    return fail(absl::StrFormat("record length %d exceeds the limit of %d",
                                length, kMaxRecordBytes));
  }
  r.Consume(prefix);
  // Do not allocate for a length the file cannot hold: that is a tear.
  if (!r.Holds(length)) return torn();

  const char* body = nullptr;
  if (length <= kWindowBytes) {
    absl::StatusOr<size_t> got = r.Fill(length);
    if (!got.ok()) return fail(std::string(got.status().message()));
    if (*got < length) return torn();
    body = r.window.data() + r.begin;
    r.Consume(length);
  } else {
    absl::StatusOr<size_t> got = r.ReadBig(length);
    if (!got.ok()) return fail(std::string(got.status().message()));
    if (*got < length) return torn();
    body = r.big.data();
  }
  bool parsed;
  {
    // A corrupt record is reported once, by us, not also by protobuf's log.
    google::protobuf::LogSilencer quiet;
    parsed = record->ParseFromArray(body, static_cast<int>(length));
  }
  if (!parsed) {
    return fail(
        absl::StrFormat("malformed record (%d bytes do not parse as "
                        "lockscope.trace.Record)",
                        length));
  }
  offset_ = start;
  records_ = number;
  return true;
}

// ---------------------------------------------------------------------------
// LoadTrace

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
