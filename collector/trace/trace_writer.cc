// collector/trace/trace_writer.cc — see trace_writer.h.
//
// The buffer is built so that FlushFromSignal can write it at any moment
// without allocating or locking:
//
//   data[0, written)           already handed to write(2)
//   data[written, committed)   whole records, waiting for write(2)
//   data[committed, ...)       the record being appended, if any
//
// A record is serialized in place past `committed`, and `committed` is
// advanced only once it is complete, so a signal that interrupts an append
// on this thread writes only whole records. When the buffer grows, the old
// bytes are copied to the same offsets of the new block before its pointer
// is published, so every published (pointer, committed) pair is valid; the
// previous block is kept alive until the next growth, in case a handler
// running on another thread still reads it. Against such a handler the
// writer is best effort only (nothing short of a lock could make it exact):
// the same bytes may be written twice if the handler runs between a
// write(2) in Flush() returning and Flush() recording its progress.
#include "collector/trace/trace_writer.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "collector/trace/event_batch_encoder.h"
#include "collector/trace/output_file.h"
#include "collector/trace/trace_convert.h"
#include "collector/trace/trace_reader.h"
#include "google/protobuf/io/coded_stream.h"
#include "proto/trace.pb.h"

namespace lockscope::collector {
namespace {

using google::protobuf::io::CodedOutputStream;

// Field 1 of TraceFile, wire type 2 (length-delimited).
constexpr uint8_t kRecordTag = 0x0A;
constexpr size_t kInitialCapacity = 64 << 10;
// Events per EventBatch record. Even at the worst case of ~40 bytes per
// event (10-byte varints everywhere and a stack on every event) a batch
// stays near 2.6 MB, far below kMaxRecordBytes.
constexpr size_t kMaxEventsPerBatch = 1 << 16;

}  // namespace

struct TraceWriter::Rep {
  int fd = -1;

  // The published buffer (see the file comment). data and the two offsets
  // are atomics only so that a signal handler sees whole values.
  std::atomic<char*> data{nullptr};
  std::atomic<size_t> committed{0};
  std::atomic<size_t> written{0};
  size_t capacity = 0;
  std::unique_ptr<char[]> storage;  // owns `data`
  std::unique_ptr<char[]> retired;  // the block before, kept for handlers

  // Bytes of earlier buffer generations, all handed to write(2).
  uint64_t base_bytes = 0;

  // After the first write error everything later is dropped and counted.
  std::atomic<bool> failed{false};
  absl::Status error;
  bool error_reported = false;
  uint64_t records_dropped = 0;
  uint64_t bytes_dropped = 0;

  absl::flat_hash_map<std::string, uint64_t> strings;
  uint64_t next_string_id = 1;

  // Reused for every Finding record: Clear() keeps the edge messages it
  // allocated, so a long cycle's record costs no allocation per edge.
  trace::Record finding_scratch;
  // Event batches are encoded by hand (event_batch_encoder.h).
  EventBatchEncoder events_encoder;

  // Appends the record `events_encoder` holds (an EventBatch).
  void AppendEncodedEvents() {
    const size_t size = events_encoder.size();
    if (failed.load(std::memory_order_relaxed)) {
      ++records_dropped;
      bytes_dropped += size;
      return;
    }
    ResetIfDrained();
    const size_t framed = 1 + CodedOutputStream::VarintSize64(size) + size;
    Reserve(framed);
    const size_t c = committed.load(std::memory_order_relaxed);
    auto* out = reinterpret_cast<uint8_t*>(storage.get() + c);
    *out++ = kRecordTag;
    out = CodedOutputStream::WriteVarint64ToArray(size, out);
    events_encoder.WriteTo(reinterpret_cast<char*>(out));
    committed.store(c + framed, std::memory_order_release);
  }

  // Starts a new buffer generation once everything buffered is written.
  void ResetIfDrained() {
    const size_t c = committed.load(std::memory_order_relaxed);
    if (c == 0 || written.load(std::memory_order_acquire) != c) return;
    base_bytes += c;
    // `committed` first: a handler running in between sees committed <=
    // written and writes nothing.
    committed.store(0, std::memory_order_release);
    written.store(0, std::memory_order_release);
  }

  // Makes room for `extra` bytes past committed.
  void Reserve(size_t extra) {
    const size_t c = committed.load(std::memory_order_relaxed);
    if (c + extra <= capacity) return;
    size_t new_capacity = std::max(kInitialCapacity, capacity * 2);
    while (new_capacity < c + extra) new_capacity *= 2;
    std::unique_ptr<char[]> block(new char[new_capacity]);
    if (c > 0) std::memcpy(block.get(), storage.get(), c);
    data.store(block.get(), std::memory_order_release);
    retired = std::move(storage);
    storage = std::move(block);
    capacity = new_capacity;
  }

  void Append(const trace::Record& record) {
    if (failed.load(std::memory_order_relaxed)) {
      ++records_dropped;
      bytes_dropped += record.ByteSizeLong();
      return;
    }
    ResetIfDrained();
    const size_t size = record.ByteSizeLong();
    const size_t framed = 1 + CodedOutputStream::VarintSize64(size) + size;
    Reserve(framed);
    const size_t c = committed.load(std::memory_order_relaxed);
    auto* out = reinterpret_cast<uint8_t*>(storage.get() + c);
    *out++ = kRecordTag;
    out = CodedOutputStream::WriteVarint64ToArray(size, out);
    record.SerializeWithCachedSizesToArray(out);
    committed.store(c + framed, std::memory_order_release);
  }

  uint64_t Intern(std::string_view value) {
    if (value.empty()) return 0;
    // Abseil's string_view is not std::string_view in this build.
    const absl::string_view key(value.data(), value.size());
    if (auto it = strings.find(key); it != strings.end()) return it->second;
    const uint64_t id = next_string_id++;
    strings.emplace(std::string(value), id);
    trace::Record record;
    trace::InternedString* s = record.mutable_string();
    s->set_id(id);
    s->set_value(Utf8(value));
    Append(record);
    return id;
  }
};

TraceWriter::TraceWriter(int fd, std::string path,
                         const TraceHeaderInfo& header)
    : path_(std::move(path)), rep_(std::make_unique<Rep>()) {
  rep_->fd = fd;
  trace::Record record;
  ToProto(header, record.mutable_header());
  rep_->Append(record);
}

absl::StatusOr<std::unique_ptr<TraceWriter>> TraceWriter::Create(
    const std::string& path, const TraceHeaderInfo& header) {
  absl::StatusOr<int> fd = CreateOutputFile(path, "trace file");
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<TraceWriter>(new TraceWriter(*fd, path, header));
}

std::unique_ptr<TraceWriter> TraceWriter::FromFd(
    int fd, const TraceHeaderInfo& header) {
  return std::unique_ptr<TraceWriter>(
      new TraceWriter(fd, absl::StrFormat("fd %d", fd), header));
}

TraceWriter::~TraceWriter() {
  Flush().IgnoreError();
  if (rep_->fd >= 0) close(rep_->fd);
}

void TraceWriter::WriteThread(const ThreadInfo& thread, int64_t start_ns) {
  trace::Record record;
  ToProto(thread, start_ns, record.mutable_thread());
  rep_->Append(record);
}

void TraceWriter::WriteObject(const ObjectInfo& object) {
  trace::Record record;
  Rep& r = *rep_;
  ToProto(object, [&r](std::string_view s) { return r.Intern(s); },
          record.mutable_object());
  rep_->Append(record);
}

void TraceWriter::WriteDestroyed(ObjectId id, int64_t time_ns) {
  trace::Record record;
  record.mutable_destroyed()->set_id(id);
  record.mutable_destroyed()->set_time_ns(time_ns);
  rep_->Append(record);
}

void TraceWriter::WriteModule(const ModuleInfo& module) {
  trace::Record record;
  ToProto(module, record.mutable_module());
  rep_->Append(record);
}

void TraceWriter::WriteStack(StackId id, const uint64_t* pcs, size_t count) {
  trace::Record record;
  trace::Stack* s = record.mutable_stack();
  s->set_id(id);
  s->mutable_pc()->Add(pcs, pcs + count);
  rep_->Append(record);
}

void TraceWriter::WriteFrame(const Frame& frame, uint64_t module,
                             const std::vector<Frame>& inlined) {
  trace::Record record;
  Rep& r = *rep_;
  ToProto(frame, module, inlined,
          [&r](std::string_view s) { return r.Intern(s); },
          record.mutable_frame());
  rep_->Append(record);
}

void TraceWriter::WriteEdge(const EdgeObservation& edge,
                            const std::vector<ObjectId>& gates,
                            uint64_t count) {
  trace::Record record;
  ToProto(edge, gates, count, record.mutable_edge());
  rep_->Append(record);
}

void TraceWriter::WriteEvents(ThreadId thread, const RawEvent* events,
                              size_t count, uint64_t dropped_before) {
  // An empty batch still carries a drop count worth recording.
  if (count == 0 && dropped_before == 0) return;
  size_t begin = 0;
  do {
    const size_t n = std::min(count - begin, kMaxEventsPerBatch);
    // Drops happened before the first event, so they belong to the first
    // record of a split batch.
    rep_->events_encoder.Encode(thread, events + begin, n,
                                begin == 0 ? dropped_before : 0);
    rep_->AppendEncodedEvents();
    begin += n;
  } while (begin < count);
}

void TraceWriter::WriteCounters(const ObjectCounters& counters) {
  trace::Record record;
  ToProto(counters, record.mutable_counters());
  rep_->Append(record);
}

void TraceWriter::WriteFinding(const Finding& finding) {
  trace::Record& record = rep_->finding_scratch;
  record.Clear();
  ToProto(finding, record.mutable_finding());
  rep_->Append(record);
}

void TraceWriter::WriteEnd(const TraceEndInfo& end) {
  trace::Record record;
  ToProto(end, record.mutable_end());
  rep_->Append(record);
}

absl::Status TraceWriter::Flush() {
  Rep& r = *rep_;
  if (!r.failed.load(std::memory_order_relaxed)) {
    const size_t c = r.committed.load(std::memory_order_relaxed);
    size_t w = r.written.load(std::memory_order_acquire);
    const char* data = r.storage.get();
    while (w < c) {
      const ssize_t n = write(r.fd, data + w, c - w);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = n < 0 ? errno : EIO;
        r.error = absl::UnavailableError(absl::StrFormat(
            "cannot write trace file '%s': %s", path_, std::strerror(err)));
        r.failed.store(true, std::memory_order_relaxed);
        // What could not be written is dropped with everything after it.
        r.bytes_dropped += c - w;
        r.committed.store(0, std::memory_order_release);
        r.written.store(0, std::memory_order_release);
        break;
      }
      // If a signal handler already wrote past w, it wrote everything it
      // saw; stop rather than write those bytes again.
      size_t expected = w;
      if (!r.written.compare_exchange_strong(expected,
                                             w + static_cast<size_t>(n))) {
        break;
      }
      w += static_cast<size_t>(n);
    }
    r.ResetIfDrained();
  }
  if (r.failed.load(std::memory_order_relaxed) && !r.error_reported) {
    r.error_reported = true;
    return r.error;
  }
  return absl::OkStatus();
}

void TraceWriter::FlushFromSignal() noexcept {
  Rep& r = *rep_;
  const int saved_errno = errno;
  const char* data = r.data.load(std::memory_order_acquire);
  const size_t c = r.committed.load(std::memory_order_acquire);
  size_t w = r.written.load(std::memory_order_acquire);
  while (data != nullptr && w < c) {
    const ssize_t n = write(r.fd, data + w, c - w);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    w += static_cast<size_t>(n);
  }
  if (data != nullptr && w <= c) r.written.store(w, std::memory_order_release);
  errno = saved_errno;
}

uint64_t TraceWriter::bytes() const {
  return rep_->base_bytes + rep_->committed.load(std::memory_order_relaxed);
}

size_t TraceWriter::buffered() const {
  return rep_->committed.load(std::memory_order_relaxed) -
         rep_->written.load(std::memory_order_relaxed);
}

}  // namespace lockscope::collector
