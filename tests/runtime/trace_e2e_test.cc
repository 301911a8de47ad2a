// Traces written by a real tracked program (traced_program.cc, run as a
// child process) read back: exact event counts, findings that survive
// SIGKILL, abort() and SIGSEGV, a fork child's own trace, and no network.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "collector/trace/trace_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace lockscope {
namespace {

using ::testing::HasSubstr;

using ::lockscope::testing::ChildResult;
using ::lockscope::testing::TempPath;

// Runs traced_program with `args` and LOCKSCOPE_OPTIONS=`options`; its
// stderr is kept for failure messages.
ChildResult RunProgram(const std::vector<std::string>& args,
                       const std::string& options) {
  std::vector<std::string> argv = {LOCKSCOPE_TRACED_PROGRAM};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::ChildOptions child;
  child.env = {"LOCKSCOPE_OPTIONS=" + options};
  child.discard_stdout = true;
  return testing::RunChild(argv, child);
}

// A trace path pattern with its %p replaced by `pid`.
std::string WithPid(std::string pattern, int pid) {
  pattern.replace(pattern.find("%p"), 2, std::to_string(pid));
  return pattern;
}

std::vector<std::string> FindingKinds(const collector::TraceData& data) {
  std::vector<std::string> kinds;
  for (const auto& f : data.findings) {
    kinds.push_back(std::string(collector::FindingKindName(f.kind)));
  }
  return kinds;
}

TEST(TraceEndToEndTest, EventCountsAreExactAtEventsAll) {
  const std::string path = TempPath("counts.lstrace");
  constexpr int kPairs = 20000;
  const ChildResult run = RunProgram({"counts", std::to_string(kPairs)},
                             "trace=" + path + ":events=all:exitcode=0");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  absl::flat_hash_map<collector::ObjectId, uint64_t> acquired, released,
      borrows;
  auto data = collector::LoadTrace(path, [&](const collector::TraceEvent& e) {
    switch (e.event.type) {
      case collector::EventType::kAcquired:
        ++acquired[e.event.object];
        break;
      case collector::EventType::kReleased:
        ++released[e.event.object];
        break;
      case collector::EventType::kBorrow:
        ++borrows[e.event.object];
        break;
      default:
        break;
    }
  });
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_TRUE(data->end.has_value()) << "no End record: " << data->warning;
  EXPECT_EQ(data->events_dropped, 0u);
  EXPECT_EQ(data->end->events_written, data->events);
  std::map<std::string, collector::ObjectId> by_name;
  for (const auto& [id, info] : data->objects) by_name[info.name] = id;
  ASSERT_TRUE(by_name.count("shared") && by_name.count("own1") &&
              by_name.count("own2") && by_name.count("cell"));
  EXPECT_EQ(acquired[by_name["shared"]], 2u * kPairs);
  EXPECT_EQ(released[by_name["shared"]], 2u * kPairs);
  EXPECT_EQ(acquired[by_name["own1"]], 1u * kPairs);
  EXPECT_EQ(released[by_name["own2"]], 1u * kPairs);
  EXPECT_EQ(borrows[by_name["cell"]], 1u * kPairs);
  // The per-lock counters agree with the events.
  EXPECT_EQ(data->counters[by_name["shared"]].acquisitions, 2u * kPairs);
  EXPECT_TRUE(data->findings.empty());
  std::remove(path.c_str());
}

TEST(TraceEndToEndTest, FindingSurvivesSigkill) {
  const std::string path = TempPath("kill.lstrace");
  const ChildResult run = RunProgram({"kill"}, "trace=" + path);
  EXPECT_EQ(run.signal, SIGKILL) << run.err;
  auto data = collector::LoadTrace(path);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_FALSE(data->end.has_value());
  EXPECT_THAT(FindingKinds(*data), ::testing::Contains("lock-order-cycle"));
  // The finding's stacks are symbolized in the file already.
  ASSERT_FALSE(data->findings.empty());
  const auto& edge = data->findings[0].edges.at(0);
  std::vector<collector::Frame> frames = data->Stack(edge.to_stack);
  ASSERT_FALSE(frames.empty());
  bool named = false;
  for (const auto& f : frames) named |= !f.function.empty();
  EXPECT_TRUE(named);
  std::remove(path.c_str());
}

// Killed the moment the cycle-closing lock() returns (the child says so on
// a pipe, still holding both locks): the finding is in the trace with its
// stacks, because the lock() wrote and flushed it with raw pcs before
// returning; symbols come from the background thread or, when it had not
// got there, from the loader and the binaries at hand (raw_frames.h).
TEST(TraceEndToEndTest, FindingSurvivesSigkillRightAfterTheClosingLock) {
  const std::string path = TempPath("kill_at_finding.lstrace");
  testing::ChildOptions options;
  options.env = {"LOCKSCOPE_OPTIONS=trace=" + path};
  options.stdin_pipe = true;
  options.discard_stderr = true;
  testing::ChildProcess child({LOCKSCOPE_TRACED_PROGRAM, "kill-at-finding"},
                              options);
  ASSERT_TRUE(child.started()) << child.error();
  ASSERT_EQ(child.ReadLine(), "closed");
  ASSERT_EQ(kill(child.pid(), SIGKILL), 0);
  const ChildResult run = child.Wait();
  EXPECT_EQ(run.signal, SIGKILL) << run.err;
  auto data = collector::LoadTrace(path);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_FALSE(data->end.has_value());
  ASSERT_THAT(FindingKinds(*data), ::testing::Contains("lock-order-cycle"));
  const collector::Finding& finding = data->findings[0];
  ASSERT_EQ(finding.edges.size(), 2u);
  // Both edges' acquisitions, in this program's main().
  for (const collector::FindingEdge& edge : finding.edges) {
    std::string functions;
    for (const collector::Frame& f : data->Stack(edge.to_stack)) {
      functions += f.function + ";";
    }
    EXPECT_THAT(functions, HasSubstr("main")) << "edge " << edge.from
                                              << "->" << edge.to;
  }
  std::remove(path.c_str());
}

TEST(TraceEndToEndTest, AbortKeepsTheTraceReadable) {
  const std::string path = TempPath("abort.lstrace");
  const ChildResult run = RunProgram({"abort"}, "trace=" + path);
  EXPECT_EQ(run.signal, SIGABRT) << run.err;
  auto data = collector::LoadTrace(path);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_THAT(FindingKinds(*data), ::testing::Contains("lock-order-cycle"));
  std::remove(path.c_str());
}

TEST(TraceEndToEndTest, SegfaultKeepsTheTraceReadable) {
  const std::string path = TempPath("segv.lstrace");
  const ChildResult run = RunProgram({"segv"}, "trace=" + path);
  EXPECT_EQ(run.signal, SIGSEGV) << run.err;
  auto data = collector::LoadTrace(path);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_THAT(FindingKinds(*data), ::testing::Contains("lock-order-cycle"));
  std::remove(path.c_str());
}

TEST(TraceEndToEndTest, ForkChildWritesItsOwnTrace) {
  const std::string pattern = TempPath("fork.%p.lstrace");
  testing::ChildOptions options;
  options.env = {"LOCKSCOPE_OPTIONS=trace=" + pattern + ":exitcode=0"};
  options.discard_stderr = true;
  const ChildResult run =
      testing::RunChild({LOCKSCOPE_TRACED_PROGRAM, "fork"}, options);
  ASSERT_EQ(run.status(), 0) << run.error;
  int child = 0;
  ASSERT_EQ(std::sscanf(run.out.c_str(), "%d", &child), 1) << run.out;
  const std::string child_path = WithPid(pattern, child);
  auto data = collector::LoadTrace(child_path);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->header.pid, child);
  ASSERT_EQ(data->findings.size(), 1u);
  bool names_child = false;
  for (collector::ObjectId id : data->findings[0].objects) {
    const collector::ObjectInfo* o = data->Object(id);
    names_child |= o != nullptr && o->name == "child_a";
  }
  EXPECT_TRUE(names_child);
  std::remove(child_path.c_str());
}

// A thread's name is final when it exits: one it gave itself after its
// first lock (when the runtime first met it) is the one the trace keeps.
TEST(TraceEndToEndTest, ThreadKeepsTheNameItHadAtExit) {
  const std::string path = TempPath("rename.lstrace");
  const ChildResult run = RunProgram({"rename"}, "trace=" + path);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto data = collector::LoadTrace(path);
  ASSERT_TRUE(data.ok()) << data.status();
  std::vector<std::string> names;
  for (const auto& [id, info] : data->threads) names.push_back(info.name);
  EXPECT_THAT(names, ::testing::Contains("renamed_late"));
  std::remove(path.c_str());
}

// A listening TCP socket on 127.0.0.1 that nothing accepts from: a
// connection attempt stays queued and poll() sees it.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() {
    if (fd_ >= 0) close(fd_);
  }
  int port() const { return port_; }
  // Whether a connection waits to be accepted (looked at once, no waiting).
  bool Connected() const {
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, 0) == 1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Symbolizing never goes to the network: with DEBUGINFOD_URLS set (as
// Debian's login shells set it), libdw's standard lookup would ask the
// server for every module without local debug information (libc's frames
// in each stack), from inside the traced program and its fork child, and
// wait for it. The stacks still have every frame of the program itself.
TEST(TraceEndToEndTest, NeverAsksADebuginfodServer) {
  Listener server;
  ASSERT_GT(server.port(), 0);
  const std::string pattern = TempPath("nonet.%p.lstrace");
  testing::ChildOptions options;
  options.env = {
      "LOCKSCOPE_OPTIONS=trace=" + pattern + ":exitcode=0",
      "DEBUGINFOD_URLS=http://127.0.0.1:" + std::to_string(server.port()),
      // A lookup that does go out fails fast instead of hanging the test.
      "DEBUGINFOD_TIMEOUT=1", "DEBUGINFOD_CACHE_PATH=" + TempPath("dcache")};
  options.discard_stderr = true;
  options.timeout_seconds = 60;
  const ChildResult run =
      testing::RunChild({LOCKSCOPE_TRACED_PROGRAM, "fork"}, options);
  ASSERT_EQ(run.status(), 0) << run.error;
  EXPECT_FALSE(server.Connected());
  int child = 0;
  ASSERT_EQ(std::sscanf(run.out.c_str(), "%d", &child), 1) << run.out;
  const std::string child_path = WithPid(pattern, child);
  auto data = collector::LoadTrace(child_path);
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_EQ(data->findings.size(), 1u);
  bool names_inversion = false;
  for (const collector::FindingEdge& edge : data->findings[0].edges) {
    for (const collector::Frame& f : data->Stack(edge.to_stack)) {
      names_inversion |= f.function.find("Inversion") != std::string::npos;
    }
  }
  EXPECT_TRUE(names_inversion);
  std::remove(child_path.c_str());
}

}  // namespace
}  // namespace lockscope
