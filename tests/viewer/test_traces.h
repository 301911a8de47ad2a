// tests/viewer/test_traces.h — small synthetic traces for the viewer tests,
// written with collector::TraceWriter exactly as the runtime writes them.
#ifndef LOCKSCOPE_TESTS_VIEWER_TEST_TRACES_H_
#define LOCKSCOPE_TESTS_VIEWER_TEST_TRACES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "collector/analysis/model.h"
#include "collector/trace/trace_writer.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace lockscope::viewer::test_traces {

// Base of every trace's clock; event times are given relative to it.
inline constexpr int64_t kStartNs = 5'000'000'000;

// Writes one trace, assigning ids in order. Times are relative to kStartNs.
class TraceBuilder {
 public:
  TraceBuilder(const std::string& path, int64_t pid,
               const std::string& events_mode = "all");
  ~TraceBuilder();

  collector::ThreadId Thread(const std::string& name);
  collector::ObjectId Object(const std::string& name,
                             collector::ObjectKind kind, const std::string& file,
                             uint32_t line, const std::string& class_name = "",
                             collector::ThreadId owner = 0);
  collector::ObjectId Mutex(const std::string& name, uint32_t line) {
    return Object(name, collector::ObjectKind::kMutex, "src/bank.cc", line);
  }
  // A symbolized stack of (function, file, line) frames, innermost first.
  collector::StackId Stack(
      const std::vector<std::tuple<std::string, std::string, uint32_t>>&
          frames);
  // A one-pc stack: `physical` is the function whose code holds the pc,
  // `inlined` the functions inlined there, innermost first.
  collector::StackId InlinedStack(
      const std::tuple<std::string, std::string, uint32_t>& physical,
      const std::vector<std::tuple<std::string, std::string, uint32_t>>&
          inlined);
  void Edge(collector::ObjectId from, collector::ObjectId to,
            collector::ThreadId thread, collector::StackId from_stack,
            collector::StackId to_stack,
            const std::vector<collector::ObjectId>& held = {},
            collector::Access from_access = collector::Access::kExclusive,
            collector::Access to_access = collector::Access::kExclusive);
  // Assigns the id; `time_ns` is relative.
  void Finding(collector::Finding finding);
  void Events(collector::ThreadId thread,
              std::vector<collector::RawEvent> events);
  void Counters(const collector::ObjectCounters& counters);
  // Writes the End record (a clean shutdown) and closes the file; without
  // it, the trace ends like one whose process died.
  void End(int64_t end_ns);

 private:
  std::unique_ptr<collector::TraceWriter> writer_;
  collector::ThreadId next_thread_ = 1;
  collector::ObjectId next_object_ = 1;
  collector::StackId next_stack_ = 1;
  uint64_t next_pc_ = 0x401000;
  uint64_t next_finding_ = 1;
  uint64_t events_ = 0;
};

collector::RawEvent Ev(int64_t time_ns, collector::ObjectId object,
                       collector::EventType type,
                       collector::Access access = collector::Access::kExclusive,
                       bool was_try = false);

// The rich trace most tests read ("bank", pid 4242): threads main and
// worker; mutexes accounts, ledger, gate, alpha, beta; rwlock config; cell
// app (owned by main); findings: a lock-order-cycle accounts <=> ledger, a
// lock-order-cycle alpha <=> beta guarded by gate, a cross-thread-borrow and
// a borrow-conflict on app, a lock-class-cycle (warning); events and
// counters.
void WriteBankTrace(const std::string& path);

// Two locks in one order, no findings.
void WriteCleanTrace(const std::string& path);

// One process's half of an inversion over mutexes "left" and "right": the
// edge left -> right when `forward`, else right -> left. No findings.
void WriteHalfInversion(const std::string& path, int64_t pid, bool forward);

// A trace whose only finding is `kind` on mutex "m" (with a stack in
// function "Offender"); `suppressed` marks it suppressed in the process,
// `guarded` gives a cycle a gate.
void WriteSingleFindingTrace(const std::string& path, collector::FindingKind kind,
                             bool suppressed = false, bool guarded = false);

// The shared helpers (tests/testing/), under the names these tests use.
using ::lockscope::testing::ReadFile;
using ::lockscope::testing::TempPath;
using ::lockscope::testing::WriteFile;

}  // namespace lockscope::viewer::test_traces

#endif  // LOCKSCOPE_TESTS_VIEWER_TEST_TRACES_H_
