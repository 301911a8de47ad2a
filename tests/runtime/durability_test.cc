// Durability: a traced process that dies mid-stream (SIGKILL, abort(),
// SIGSEGV, _exit) while two threads write events at events=all leaves a
// trace that reads back: the finding made before the death is there, each
// thread's events are a gap-free prefix of what it did (no hole, no
// reordering, nothing invented), everything flushed before the death is
// there, and the reader reports a torn tail instead of failing. The trace of
// a process still alive reads the same way; a trace cut at any byte reads
// as a clean prefix or a torn tail, never as an error.
//
// trace_e2e_test.cc covers the same deaths right after a finding, with no
// events streaming.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "collector/trace/trace_loader.h"
#include "collector/trace/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"
#include "runtime/event_ring.h"

namespace lockscope {
namespace {

using ::testing::HasSubstr;
using collector::EventType;
using collector::ObjectId;
using collector::ThreadId;

// Rounds each worker does before main dies: enough to fill its event ring
// several times, so most of its events must have been drained and flushed.
constexpr long kRounds = 2 * runtime::EventRing::kCapacity;

using ::lockscope::testing::TempPath;

// A traced_program child with LOCKSCOPE_OPTIONS set; stdin and stdout are
// pipes, stderr is discarded.
std::unique_ptr<testing::ChildProcess> StartProgram(
    const std::vector<std::string>& args, const std::string& options) {
  std::vector<std::string> argv = {LOCKSCOPE_TRACED_PROGRAM};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::ChildOptions child;
  child.env = {"LOCKSCOPE_OPTIONS=" + options};
  child.stdin_pipe = true;
  child.discard_stderr = true;
  auto started = std::make_unique<testing::ChildProcess>(argv, child);
  EXPECT_TRUE(started->started()) << started->error();
  return started;
}

// Checks one worker thread's events as they stream by. Its loop produces
//   ACQUIRED own, [ACQUIRE_WAIT shared], ACQUIRED shared, RELEASED shared,
//   RELEASED own, ...
// and the trace must hold a prefix of that, with nondecreasing times. The
// first two objects the thread acquires are taken as `own` and `shared`
// (checked against their names once the whole trace is read).
class WorkerChecker {
 public:
  void Add(const collector::RawEvent& e) {
    ++events_;
    if (e.time_ns < last_time_) Fail("time went backwards", e);
    last_time_ = e.time_ns;
    if (own_ == 0) own_ = e.object;
    if (shared_ == 0 && e.object != own_) shared_ = e.object;
    // States: 0 nothing held, 1 own held, 2 own held and waiting for
    // shared, 3 both held, 4 own held after releasing shared.
    const bool own = e.object == own_, shared = e.object == shared_;
    if (state_ == 0 && own && e.type == EventType::kAcquired) {
      state_ = 1;
    } else if (state_ == 1 && shared && e.type == EventType::kAcquireWait) {
      state_ = 2;
    } else if ((state_ == 1 || state_ == 2) && shared &&
               e.type == EventType::kAcquired) {
      state_ = 3;
    } else if (state_ == 3 && shared && e.type == EventType::kReleased) {
      state_ = 4;
    } else if (state_ == 4 && own && e.type == EventType::kReleased) {
      state_ = 0;
      ++rounds_;
    } else {
      Fail("out of sequence", e);
    }
  }

  ObjectId own() const { return own_; }
  ObjectId shared() const { return shared_; }
  uint64_t events() const { return events_; }
  uint64_t rounds() const { return rounds_; }
  const std::string& error() const { return error_; }

 private:
  void Fail(const char* what, const collector::RawEvent& e) {
    if (!error_.empty()) return;
    error_ = std::string(what) + " at event " + std::to_string(events_) +
             " (object " + std::to_string(e.object) + ", type " +
             std::to_string(static_cast<int>(e.type)) + ", state " +
             std::to_string(state_) + ")";
  }
  ObjectId own_ = 0, shared_ = 0;
  int state_ = 0;
  int64_t last_time_ = 0;
  uint64_t events_ = 0;
  uint64_t rounds_ = 0;
  std::string error_;
};

struct StreamTrace {
  absl::StatusOr<collector::TraceData> data = absl::UnknownError("not read");
  // The two workers, by thread name ("stream1", "stream2").
  std::map<std::string, WorkerChecker> workers;
};

// Loads a `stream` trace, checking every thread's events as they stream by
// (memory stays bounded however long the trace), then keeps the workers'.
StreamTrace LoadStream(const std::string& path) {
  StreamTrace out;
  absl::flat_hash_map<ThreadId, WorkerChecker> threads;
  out.data = collector::LoadTrace(
      path, [&threads](const collector::TraceEvent& e) {
        threads[e.thread].Add(e.event);
      });
  if (!out.data.ok()) return out;
  absl::flat_hash_map<std::string, ObjectId> objects;
  for (const auto& [id, info] : out.data->objects) objects[info.name] = id;
  for (const auto& [id, info] : out.data->threads) {
    if (info.name != "stream1" && info.name != "stream2") continue;
    WorkerChecker& worker = out.workers[info.name] = threads[id];
    const std::string own = "stream_own" + info.name.substr(6);
    EXPECT_EQ(worker.own(), objects[own]) << info.name;
    EXPECT_EQ(worker.shared(), objects["stream_shared"]) << info.name;
  }
  EXPECT_EQ(out.workers.size(), 2u) << "worker threads missing from the trace";
  return out;
}

bool HasCycleOn(const collector::TraceData& data, const std::string& a) {
  for (const collector::Finding& f : data.findings) {
    if (f.kind != collector::FindingKind::kLockOrderCycle) continue;
    for (ObjectId id : f.objects) {
      const collector::ObjectInfo* o = data.Object(id);
      if (o != nullptr && o->name == a) return true;
    }
  }
  return false;
}

struct Death {
  const char* how;
  int status;  // exit status, or 128 + signal
};

class MidStreamDeathTest : public ::testing::TestWithParam<Death> {};

TEST_P(MidStreamDeathTest, TraceHoldsTheFindingAndAGapFreePrefix) {
  const Death death = GetParam();
  const std::string path = TempPath(std::string(death.how) + ".lstrace");
  auto child = StartProgram({"stream", death.how, std::to_string(kRounds)},
                            "trace=" + path + ":events=all:report=off");
  ASSERT_EQ(child->Wait().status(), death.status);

  StreamTrace trace = LoadStream(path);
  ASSERT_TRUE(trace.data.ok()) << trace.data.status();
  const collector::TraceData& data = *trace.data;
  EXPECT_FALSE(data.end.has_value()) << "the process died: no End record";
  EXPECT_TRUE(HasCycleOn(data, "stream_a"))
      << "the finding made just before the death is missing";
  EXPECT_EQ(data.events_dropped, 0u);
  for (const auto& [name, worker] : trace.workers) {
    SCOPED_TRACE(name);
    EXPECT_EQ(worker.error(), "");
    // Main died only after the worker pushed 4 * kRounds events; all but
    // the last two ring-fulls had been drained, and a drain is followed by
    // a flush before the next one begins.
    EXPECT_GE(worker.events(), 4 * kRounds - 2 * runtime::EventRing::kCapacity);
  }
  if (!data.warning.empty()) {
    EXPECT_THAT(data.warning, HasSubstr("truncated at byte"));
    EXPECT_THAT(data.warning, HasSubstr(path));
  }
  std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Deaths, MidStreamDeathTest,
    ::testing::Values(Death{"kill", 128 + SIGKILL},
                      Death{"abort", 128 + SIGABRT},
                      Death{"segv", 128 + SIGSEGV}, Death{"exit", 3}),
    [](const ::testing::TestParamInfo<Death>& death) {
      return std::string(death.param.how);
    });

// The trace of a process that is still alive (its collector thread may be
// writing while the trace is read). The workers are paused first: a trace
// that grows faster than it can be read would keep the reader chasing it.
TEST(DurabilityTest, TraceOfARunningProcessReadsAsAPrefix) {
  const std::string path = TempPath("live.lstrace");
  auto child = StartProgram({"stream", "pause", std::to_string(kRounds)},
                            "trace=" + path + ":events=all:report=off");
  ASSERT_EQ(child->ReadLine(), "ready");
  for (int pass = 0; pass < 2; ++pass) {
    StreamTrace trace = LoadStream(path);
    ASSERT_TRUE(trace.data.ok()) << trace.data.status();
    EXPECT_TRUE(HasCycleOn(*trace.data, "stream_a"));
    for (const auto& [name, worker] : trace.workers) {
      EXPECT_EQ(worker.error(), "") << name;
      EXPECT_GT(worker.rounds(), 0u) << name;
    }
  }
  EXPECT_EQ(child->Wait().status(), 3);
  std::remove(path.c_str());
}

// A thread that records events faster than flush_ms has the collector drain
// its ring long before the ring is full: with a flush period far longer than
// the test, a running process's trace already holds most of its events.
TEST(DurabilityTest, CollectorDrainsARingBeforeItIsFull) {
  const std::string path = TempPath("early_drain.lstrace");
  // 6000 events: under the ring's capacity, past two drain marks.
  constexpr int kPairs = 3000;
  static_assert(2 * kPairs < runtime::EventRing::kCapacity);
  static_assert(2 * kPairs >= 2 * runtime::EventRing::kDrainEvery);
  auto child = StartProgram(
      {"events-pause", std::to_string(kPairs)},
      "trace=" + path + ":events=all:report=off:flush_ms=60000");
  ASSERT_EQ(child->ReadLine(), "ready");
  uint64_t events = 0;
  for (int attempt = 0; attempt < 200; ++attempt) {  // up to 20 s
    events = 0;
    auto data = collector::LoadTrace(
        path, [&](const collector::TraceEvent&) { ++events; });
    ASSERT_TRUE(data.ok()) << data.status();
    if (events >= 2 * runtime::EventRing::kDrainEvery) break;
    usleep(100 * 1000);
  }
  EXPECT_GE(events, 2 * runtime::EventRing::kDrainEvery);
  EXPECT_EQ(child->Wait().status(), 3);
  std::remove(path.c_str());
}

// Every record boundary of a real trace, and points inside every record:
// a cut at a boundary is a clean prefix, a cut inside a record a torn tail
// naming the byte; neither is an error, and nothing before the cut is lost.
TEST(DurabilityTest, CutAnywhereReadsAsCleanPrefixOrTornTail) {
  const std::string path = TempPath("cut_source.lstrace");
  auto child = StartProgram({"abort"},
                            "trace=" + path + ":events=all:report=off");
  ASSERT_EQ(child->Wait().status(), 128 + SIGABRT);
  std::vector<uint64_t> starts;
  {
    auto reader = collector::TraceReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status();
    trace::Record record;
    while (true) {
      absl::StatusOr<bool> got = (*reader)->Next(&record);
      ASSERT_TRUE(got.ok()) << got.status();
      if (!*got) break;
      starts.push_back((*reader)->offset());
    }
    ASSERT_EQ((*reader)->warning(), "");
  }
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  ASSERT_GT(starts.size(), 20u);
  starts.push_back(size);

  FILE* in = std::fopen(path.c_str(), "rb");
  ASSERT_NE(in, nullptr);
  std::string bytes(size, '\0');
  ASSERT_EQ(std::fread(bytes.data(), 1, size, in), size);
  std::fclose(in);

  const std::string cut_path = TempPath("cut.lstrace");
  uint64_t previous_findings = 0;
  // starts[0] is the record after the header (a cut inside the header is not
  // a trace at all); a cut in record i leaves the header and i records.
  for (size_t i = 0; i + 1 < starts.size(); ++i) {
    const uint64_t begin = starts[i], end = starts[i + 1];
    for (uint64_t cut : {begin, begin + 1, begin + (end - begin) / 2,
                         end - 1}) {
      if (cut < begin || cut >= end) continue;
      FILE* out = std::fopen(cut_path.c_str(), "wb");
      ASSERT_NE(out, nullptr);
      std::fwrite(bytes.data(), 1, cut, out);
      std::fclose(out);
      auto data = collector::LoadTrace(cut_path);
      ASSERT_TRUE(data.ok()) << "cut at " << cut << ": " << data.status();
      EXPECT_EQ(data->records, i + 1)
          << "cut at " << cut << ": " << data->warning;
      if (cut == begin) {
        EXPECT_EQ(data->warning, "") << "cut at " << cut;
      } else {
        EXPECT_THAT(data->warning,
                    HasSubstr("truncated at byte " + std::to_string(cut)))
            << "cut at " << cut;
      }
      EXPECT_GE(data->findings.size(), previous_findings);
      previous_findings = data->findings.size();
    }
  }
  auto whole = collector::LoadTrace(path);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->findings.size(), 1u);
  EXPECT_GE(whole->findings.size(), previous_findings);
  std::remove(cut_path.c_str());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lockscope
