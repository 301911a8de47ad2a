// collector/trace/trace_writer.h — appends records to a .lstrace file.
//
// Locking contract: no internal locking, except that FlushFromSignal may run
// in a signal handler at any time. Calls must be serialized by the caller
// (the runtime's trace lock).
//
// Records are converted by trace_convert.h, framed as field 1 of
// trace.TraceFile (see proto/trace.proto) and appended to an in-memory
// buffer; Flush() writes the buffer with write(2). Strings in Frame and
// Object records are interned: the writer emits an InternedString record
// before the first record that uses it.
#ifndef LOCKSCOPE_COLLECTOR_TRACE_TRACE_WRITER_H_
#define LOCKSCOPE_COLLECTOR_TRACE_TRACE_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "collector/analysis/model.h"
#include "collector/analysis/trace_data.h"

namespace lockscope::collector {

class TraceWriter {
 public:
  // Creates `path` with CreateOutputFile (collector/output_file.h: mode
  // 0600; an existing file replaced only if it is a regular file of the
  // real user; links never followed) and writes the Header record. Errors
  // name the path and errno.
  static absl::StatusOr<std::unique_ptr<TraceWriter>> Create(
      const std::string& path, const TraceHeaderInfo& header);
  // Writes to an already open descriptor (tests, pipes). Takes ownership.
  static std::unique_ptr<TraceWriter> FromFd(int fd,
                                             const TraceHeaderInfo& header);
  ~TraceWriter();  // flushes and closes
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void WriteThread(const ThreadInfo& thread, int64_t start_ns);
  void WriteObject(const ObjectInfo& object);
  void WriteDestroyed(ObjectId id, int64_t time_ns);
  void WriteModule(const ModuleInfo& module);
  void WriteStack(StackId id, const uint64_t* pcs, size_t count);
  // `frame` is the physical (not inlined) function at frame.pc; `inlined`
  // the functions inlined there, innermost first (see trace.proto Frame).
  // `module` is the ModuleInfo id (0 = unknown); Frame::module is ignored.
  void WriteFrame(const Frame& frame, uint64_t module,
                  const std::vector<Frame>& inlined = {});
  void WriteEdge(const EdgeObservation& edge,
                 const std::vector<ObjectId>& gates, uint64_t count);
  // Encodes events of one thread column-wise, times delta-encoded.
  void WriteEvents(ThreadId thread, const RawEvent* events, size_t count,
                   uint64_t dropped_before);
  void WriteCounters(const ObjectCounters& counters);
  void WriteFinding(const Finding& finding);
  void WriteEnd(const TraceEndInfo& end);

  // Writes buffered bytes to the file. Returns the first write error (once;
  // later records are then discarded and counted).
  absl::Status Flush();
  // Async-signal-safe: write(2)s whatever is buffered, allocating nothing.
  // A record being appended when the signal arrived may be torn; readers
  // report a torn tail.
  void FlushFromSignal() noexcept;

  // Bytes handed to write(2) so far, plus those buffered.
  uint64_t bytes() const;
  // Bytes currently buffered (the runtime flushes when this grows).
  size_t buffered() const;
  const std::string& path() const { return path_; }

 private:
  struct Rep;
  TraceWriter(int fd, std::string path, const TraceHeaderInfo& header);
  std::string path_;
  std::unique_ptr<Rep> rep_;
};

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_TRACE_TRACE_WRITER_H_
