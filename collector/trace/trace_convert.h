// collector/trace/trace_convert.h — every conversion between the schema's
// generated types (proto/trace.proto) and the model (collector/analysis/),
// in both directions. Internal to trace I/O: the writer and the loader call
// it; nothing above trace I/O sees a proto type (Perfetto's importer idea).
//
// Conversions are field for field. Checks that need more than one record
// (does this id exist?) stay in the loader, and string interning stays in
// the writer and loader, which pass the ids or lookups in.
#ifndef LOCKSCOPE_COLLECTOR_TRACE_TRACE_CONVERT_H_
#define LOCKSCOPE_COLLECTOR_TRACE_TRACE_CONVERT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "collector/analysis/model.h"
#include "collector/analysis/trace_data.h"
#include "proto/trace.pb.h"

namespace lockscope::collector {

// proto3 parsers reject a record whose `string` field is not UTF-8, and
// names and paths from the OS are arbitrary bytes: invalid bytes become
// U+FFFD, so one odd thread name cannot make a trace unreadable. Every
// string the model→proto conversions store goes through this.
std::string Utf8(std::string_view s);

// Interns a string into the trace being written: its InternedString id (0
// for the empty string).
using InternFn = absl::FunctionRef<uint64_t(std::string_view)>;
// Looks up an interned string of the trace being read ("" for id 0; an
// unknown id is the caller's error to report).
using StringFn = absl::FunctionRef<std::string(uint64_t)>;

// --- Model to proto (the writer).
trace::ObjectKind ToProto(ObjectKind kind);
trace::Access ToProto(Access access);
// EventBatch.kind: type in bits 0-3, bit 4 shared, bit 5 try.
uint32_t EventKindBits(const RawEvent& event);
// Also sets magic, schema version (trace_reader.h) and clock.
void ToProto(const TraceHeaderInfo& header, trace::Header* out);
void ToProto(const ThreadInfo& thread, int64_t start_ns, trace::Thread* out);
// Interns the creation file, then the function.
void ToProto(const ObjectInfo& object, InternFn intern, trace::Object* out);
void ToProto(const ModuleInfo& module, trace::Module* out);
// `module` is the ModuleInfo id (Frame::module is ignored). Interns the
// function and file of `frame`, then of each inlined frame.
void ToProto(const Frame& frame, uint64_t module,
             const std::vector<Frame>& inlined, InternFn intern,
             trace::Frame* out);
void ToProto(const EdgeObservation& edge, const std::vector<ObjectId>& gates,
             uint64_t count, trace::Edge* out);
void ToProto(const ObjectCounters& counters, trace::ObjectCounters* out);
void ToProto(const Finding& finding, trace::Finding* out);
void ToProto(const TraceEndInfo& end, trace::End* out);

// --- Proto to model (the loader).
std::optional<ObjectKind> FromProto(trace::ObjectKind kind);
// ACCESS_UNSPECIFIED reads as exclusive.
Access FromProto(trace::Access access);
// Decodes EventBatch.kind bits into `event`'s type, access and was_try;
// false for bits no writer makes.
bool DecodeEventKind(uint32_t bits, RawEvent* event);
TraceHeaderInfo FromProto(const trace::Header& header);
ThreadInfo FromProto(const trace::Thread& thread);
// Fails (message without location) on an unknown kind.
absl::StatusOr<ObjectInfo> FromProto(const trace::Object& object,
                                     StringFn string_of);
ModuleInfo FromProto(const trace::Module& module);
// `module_path` is the path of the frame's module ("" if none). Returns the
// physical frame; `inlined` gets the inlined ones, innermost first.
Frame FromProto(const trace::Frame& frame, const std::string& module_path,
                StringFn string_of, std::vector<Frame>* inlined);
// `gates` sorted and unique; a count of 0 (older writers) reads as 1.
EdgeState FromProto(const trace::Edge& edge);
ObjectCounters FromProto(const trace::ObjectCounters& counters);
// Fails (message without location) on an unknown kind or severity.
absl::StatusOr<Finding> FromProto(const trace::Finding& finding);
TraceEndInfo FromProto(const trace::End& end);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_TRACE_TRACE_CONVERT_H_
