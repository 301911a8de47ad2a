// collector/trace_reader.h — reads .lstrace files record by record, and
// loads a whole trace (everything but the events) into memory.
//
// Traces are untrusted input. The reader never crashes and never allocates
// more than a record's bounded size from a length field. Every error names
// the file, the record number and the byte offset:
//   "out.lstrace: record 12 at byte 4096: event refers to unknown object 77"
// A torn tail (a record cut short by a crash) is not an error: reading stops
// there with a warning, "out.lstrace: truncated at byte 8190 (record 40 cut
// short); 39 records read", and everything before it is used.
#ifndef LOCKSCOPE_COLLECTOR_TRACE_READER_H_
#define LOCKSCOPE_COLLECTOR_TRACE_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "collector/model.h"
#include "proto/trace.pb.h"

namespace lockscope::collector {

// Newest schema version this reader understands.
inline constexpr uint32_t kTraceSchemaVersion = 1;
inline constexpr char kTraceMagic[] = "LOCKSCOPE-TRACE";
// Largest record the reader accepts (a bigger length is corruption).
inline constexpr uint64_t kMaxRecordBytes = 64 << 20;

class TraceReader {
 public:
  // Opens the file and reads the header record. Errors: missing file, a
  // directory, empty file, not a lockscope trace, newer schema version.
  static absl::StatusOr<std::unique_ptr<TraceReader>> Open(
      const std::string& path);
  ~TraceReader();

  const trace::Header& header() const { return header_; }

  // Reads the next record into *record. Returns true when one was read,
  // false at the end of the file or at a torn tail (see warning()). Corrupt
  // records are errors.
  absl::StatusOr<bool> Next(trace::Record* record);

  // Byte offset of the last record returned, and how many were read.
  uint64_t offset() const { return offset_; }
  uint64_t records() const { return records_; }
  // Non-empty after a torn tail was met.
  const std::string& warning() const { return warning_; }
  const std::string& path() const { return path_; }

 private:
  struct Rep;
  TraceReader();
  std::string path_;
  trace::Header header_;
  uint64_t offset_ = 0;
  uint64_t records_ = 0;
  std::string warning_;
  std::unique_ptr<Rep> rep_;
};

// One decoded event.
struct TraceEvent {
  ThreadId thread = 0;
  RawEvent event;
};

// A whole trace in memory, without its events (they are streamed).
class TraceData : public FindingContext {
 public:
  std::string path;
  trace::Header header;
  absl::flat_hash_map<ThreadId, ThreadInfo> threads;
  absl::flat_hash_map<ObjectId, ObjectInfo> objects;
  // Destruction time of destroyed objects.
  absl::flat_hash_map<ObjectId, int64_t> destroyed;
  absl::flat_hash_map<StackId, std::vector<uint64_t>> stacks;
  // Symbolized frames by pc (Frame::module holds the module's path): the
  // physical function at the pc...
  absl::flat_hash_map<uint64_t, Frame> frames;
  // ...and the functions inlined there, innermost first (see trace.proto).
  absl::flat_hash_map<uint64_t, std::vector<Frame>> inlined;
  absl::flat_hash_map<uint64_t, trace::Module> modules;
  // Latest record of each (from, to) edge, in first-seen order.
  std::vector<trace::Edge> edges;
  // Latest version of each finding id, in first-seen order.
  std::vector<Finding> findings;
  absl::flat_hash_map<ObjectId, ObjectCounters> counters;
  std::optional<trace::End> end;
  uint64_t records = 0;
  uint64_t events = 0;
  // Events lost in the traced process (EventBatch.dropped_before, End).
  uint64_t events_dropped = 0;
  // Earliest and latest event time seen (0 if none).
  int64_t first_time_ns = 0;
  int64_t last_time_ns = 0;
  // Torn-tail warning, empty if the trace ended cleanly or just stopped.
  std::string warning;

  // FindingContext. Stack() lists a pc's inlined functions, innermost
  // first, before its physical frame, all with the same pc.
  const ObjectInfo* Object(ObjectId id) const override;
  const ThreadInfo* Thread(ThreadId id) const override;
  std::vector<Frame> Stack(StackId id) const override;
};

// Reads a whole trace. Each event is passed to `on_event` (if set) in file
// order; events are not kept. Memory is bounded by the trace's tables, not
// by its number of events.
absl::StatusOr<TraceData> LoadTrace(
    const std::string& path,
    const std::function<void(const TraceEvent&)>& on_event = nullptr);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_TRACE_READER_H_
