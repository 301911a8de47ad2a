// collector/trace/trace_reader.h — reads .lstrace files record by record
// (LoadTrace in trace_loader.h folds them into a proto-free TraceData).
//
// Traces are untrusted input. The reader never crashes and never allocates
// more than a record's bounded size from a length field. Every error names
// the file, the record number and the byte offset:
//   "out.lstrace: record 12 at byte 4096: event refers to unknown object 77"
// A torn tail (a record cut short by a crash) is not an error: reading stops
// there with a warning, "out.lstrace: truncated at byte 8190 (record 40 cut
// short); 39 records read", and everything before it is used.
#ifndef LOCKSCOPE_COLLECTOR_TRACE_TRACE_READER_H_
#define LOCKSCOPE_COLLECTOR_TRACE_TRACE_READER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
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

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_TRACE_TRACE_READER_H_
