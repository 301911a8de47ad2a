// Limits of the runtime, at modest sizes (tests/stress/stress_main.cc runs
// the large ones): many locks created and destroyed with memory returning to
// a bounded level, many threads, many locks held at once, exact event
// counts, locks used before main and after the trace is closed, fork() while
// another thread holds a lock, a thread that exits holding a lock, and a
// trace that cannot be written (unwritable directory, full disk, planted
// symlink, not a file). None of them may crash or hang the program.
//
// In-process scenarios run with LOCKSCOPE_OPTIONS=trace=off:report=off
// (tests/reliability.cmake); scenarios that need their own options or a
// whole process run traced_program.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "collector/trace/trace_loader.h"
#include "collector/trace/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"
#include "lockscope/lockscope.h"
#include "runtime/test_only.h"

namespace lockscope {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

using ::lockscope::testing::ReadFile;

std::string TempName(const std::string& name) {
  return testing::TempPath("limits_" + name);
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// Resident set size in bytes, from /proc/self/statm.
size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t total = 0, resident = 0;
  statm >> total >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

using ProgramRun = testing::ChildResult;

// Runs traced_program with LOCKSCOPE_OPTIONS=`options`, as `uid` when not
// -1 (dropping root, so that directory permissions apply).
ProgramRun RunProgram(const std::vector<std::string>& args,
                      const std::string& options,
                      uid_t uid = static_cast<uid_t>(-1)) {
  // Another user may not reach the build tree (a checkout under a 0700
  // directory, as `mktemp -d` makes): run a copy from the temp directory,
  // which that user may then enter (but not list).
  std::string program = LOCKSCOPE_TRACED_PROGRAM;
  testing::ChildOptions child;
  child.env = {"LOCKSCOPE_OPTIONS=" + options};
  // The copy finds the runtime's shared libraries, copied beside it, through
  // LD_LIBRARY_PATH (searched before the build tree's run path).
  std::vector<std::string> copies;
  const auto copy = [&copies](const std::string& from,
                              const std::string& to) {
    std::ofstream(to, std::ios::binary)
        << std::ifstream(from, std::ios::binary).rdbuf();
    chmod(to.c_str(), 0755);
    copies.push_back(to);
  };
  if (uid != static_cast<uid_t>(-1)) {
    const std::string libs = TempName("traced_program_libs");
    mkdir(libs.c_str(), 0755);
    copy(LOCKSCOPE_RUNTIME_LIBRARY, libs + "/liblockscope.so.0");
    copy(LOCKSCOPE_PROTO_LIBRARY, libs + "/liblockscope_proto.so.0");
    program = TempName("traced_program");
    copy(LOCKSCOPE_TRACED_PROGRAM, program);
    copies.push_back(libs);
    chmod(testing::TempDir().c_str(), 0711);
    child.env.push_back("LD_LIBRARY_PATH=" + libs);
    child.uid = uid;
  }
  std::vector<std::string> argv = {program};
  argv.insert(argv.end(), args.begin(), args.end());
  ProgramRun run = testing::RunChild(argv, child);
  for (const std::string& path : copies) std::remove(path.c_str());
  return run;
}

std::map<std::string, collector::ObjectId> ByName(
    const collector::TraceData& data) {
  std::map<std::string, collector::ObjectId> out;
  for (const auto& [id, info] : data.objects) out[info.name] = id;
  return out;
}

// --- In-process limits ------------------------------------------------------

void CreateLockDestroy(int count, Mutex& outer) {
  for (int i = 0; i < count; ++i) {
    auto mu = std::make_unique<Mutex>();
    { std::lock_guard<Mutex> g(*mu); }
    // Nested under a long-lived lock: the new lock enters the lock graph.
    std::lock_guard<Mutex> o(outer);
    std::lock_guard<Mutex> g(*mu);
  }
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

TEST(LimitsTest, LocksCreatedAndDestroyedReturnMemory) {
  // ASan's quarantine and the sanitizers' shadow memory grow with every
  // allocation, freed or not: resident size says nothing there. The
  // plain build checks the bound; sanitized builds still run the churn.
  constexpr int kPerRound = 20000;
  Mutex outer{"limits_outer"};
  // Resident size swings by 1 to 2 MB from round to round as the bounded
  // per-thread caches fill and start over, and steps up once when malloc,
  // having seen a large block freed, keeps the next ones in its heap. So:
  // 5 rounds to settle, then the peak over 20 rounds may not exceed the
  // peak over the 5 before them by more than 2 MB.
  auto peak_over = [&](int rounds) {
    size_t peak = 0;
    for (int round = 0; round < rounds; ++round) {
      CreateLockDestroy(kPerRound, outer);
      peak = std::max(peak, ResidentBytes());
    }
    return peak;
  };
  peak_over(5);
  const size_t early = peak_over(5);
  const size_t late = peak_over(20);
  // 400,000 more locks lived and died; what stays must not grow with them.
  // (A leak of even 8 bytes per lock would be 3.2 MB.)
  if (!kSanitized) {
    EXPECT_LT(late, early + (2 << 20))
        << "peak resident " << early << " -> " << late << " bytes";
  }
  EXPECT_THAT(runtime::TestOnlyFindings(), IsEmpty());
}

TEST(LimitsTest, HundredTwentyEightThreadsAtOnce) {
  constexpr int kThreads = 128;
  std::vector<std::unique_ptr<Mutex>> shared;
  for (int i = 0; i < 4; ++i) {
    shared.push_back(std::make_unique<Mutex>("limits_shared_" + std::to_string(i)));
  }
  const size_t findings = runtime::TestOnlyFindings().size();
  std::latch all_alive(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Mutex own{"limits_thread_" + std::to_string(t)};
      all_alive.arrive_and_wait();  // every thread registered and live
      for (int i = 0; i < 200; ++i) {
        std::lock_guard<Mutex> g(own);
        std::lock_guard<Mutex> s(*shared[static_cast<size_t>(t % 4)]);
      }
      EXPECT_EQ(runtime::TestOnlyHeldCount(), 0u);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(runtime::TestOnlyFindings().size(), findings);
}

TEST(LimitsTest, TwoHundredLocksHeldAtOnce) {
  constexpr size_t kLocks = 200;
  std::vector<std::unique_ptr<Mutex>> locks;
  for (size_t i = 0; i < kLocks; ++i) {
    locks.push_back(std::make_unique<Mutex>("held_" + std::to_string(i)));
  }
  std::mt19937 random(42);
  for (int pass = 0; pass < 3; ++pass) {
    for (auto& mu : locks) mu->lock();
    EXPECT_EQ(runtime::TestOnlyHeldCount(), kLocks);
    // Released in a different random order each pass (out-of-order
    // releases rekey the held stack).
    std::vector<size_t> order(kLocks);
    for (size_t i = 0; i < kLocks; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), random);
    for (size_t i : order) locks[i]->unlock();
    EXPECT_EQ(runtime::TestOnlyHeldCount(), 0u);
  }
  const size_t before = runtime::TestOnlyFindings().size();
  EXPECT_EQ(before, 0u);
  // The last and the first, inverted: the cycle is still found among the
  // 19,900 edges the passes above formed.
  {
    std::lock_guard<Mutex> last(*locks[kLocks - 1]);
    std::lock_guard<Mutex> first(*locks[0]);
  }
  EXPECT_THAT(runtime::TestOnlyFindingLines(),
              ElementsAre(AllOf(HasSubstr("lock-order-cycle"),
                                HasSubstr("held_0 "), HasSubstr("held_199 "))));
}

TEST(LimitsTest, ThreadExitingWhileHoldingALockIsReportedNotFatal) {
  // Leaked on purpose: it stays locked by a thread that no longer exists.
  static Mutex* const orphan = new Mutex("orphaned");
  ::testing::internal::CaptureStderr();
  std::thread([] { orphan->lock(); }).join();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(Lines(err), ElementsAre(MatchesRegex(
                              "lockscope: warning: thread [0-9]+ \\(tid "
                              "[0-9]+\\) exited holding 1 lock\\(s\\)")));
  // The program carries on.
  Mutex after{"after_orphan"};
  std::lock_guard<Mutex> g(after);
  EXPECT_EQ(runtime::TestOnlyHeldCount(), 1u);
}

TEST(LimitsTest, ForkWhileAnotherThreadHoldsALock) {
  Mutex held{"held_by_other_thread"};
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool holding = false, release = false;
  std::thread holder([&] {
    std::lock_guard<Mutex> g(held);
    std::unique_lock<std::mutex> l(gate_mu);
    holding = true;
    gate_cv.notify_all();
    gate_cv.wait(l, [&] { return release; });
  });
  {
    std::unique_lock<std::mutex> l(gate_mu);
    gate_cv.wait(l, [&] { return holding; });
  }
  const size_t findings = runtime::TestOnlyFindings().size();
  const pid_t child = fork();
  if (child == 0) {
    // The child: only this thread exists; the runtime's own locks were
    // held across the fork and must be usable, findings must still work.
    int code = 0;
    Mutex a{"forked_a"}, b{"forked_b"};
    { std::lock_guard<Mutex> ga(a); std::lock_guard<Mutex> gb(b); }
    { std::lock_guard<Mutex> gb(b); std::lock_guard<Mutex> ga(a); }
    if (runtime::TestOnlyHeldCount() != 0) code |= 1;
    if (runtime::TestOnlyFindings().size() != findings + 1) code |= 2;
    _exit(code);
  }
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  {
    std::lock_guard<std::mutex> l(gate_mu);
    release = true;
    gate_cv.notify_all();
  }
  holder.join();
  ASSERT_TRUE(WIFEXITED(status)) << "child died by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The parent is untouched by the child's finding.
  EXPECT_EQ(runtime::TestOnlyFindings().size(), findings);
}

// --- Whole processes --------------------------------------------------------

TEST(LimitsProcessTest, ExactEventCountsForAMillionAcquisitions) {
  const std::string path = TempName("million") + ".lstrace";
  constexpr uint64_t kPairs = 250000;  // 2 threads x 2 locks x kPairs
  const ProgramRun run = RunProgram({"counts", std::to_string(kPairs)},
                             "trace=" + path + ":events=all:exitcode=0");
  ASSERT_EQ(run.status(), 0) << run.err;
  std::map<collector::ObjectId, uint64_t> acquired, released;
  auto data = collector::LoadTrace(path, [&](const collector::TraceEvent& e) {
    if (e.event.type == collector::EventType::kAcquired) ++acquired[e.event.object];
    if (e.event.type == collector::EventType::kReleased) ++released[e.event.object];
  });
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_TRUE(data->end.has_value());
  EXPECT_EQ(data->events_dropped, 0u);
  EXPECT_EQ(data->end->events_written, data->events);
  auto ids = ByName(*data);
  EXPECT_EQ(acquired[ids["shared"]], 2 * kPairs);
  EXPECT_EQ(released[ids["shared"]], 2 * kPairs);
  EXPECT_EQ(acquired[ids["own1"]], kPairs);
  EXPECT_EQ(acquired[ids["own2"]], kPairs);
  EXPECT_EQ(data->counters[ids["shared"]].acquisitions, 2 * kPairs);
  std::remove(path.c_str());
}

TEST(LimitsProcessTest, HundredTwentyEightTracedThreadsCountedExactly) {
  const std::string path = TempName("threads") + ".lstrace";
  constexpr int kThreads = 128, kRounds = 300;
  const ProgramRun run =
      RunProgram({"threads", std::to_string(kThreads), std::to_string(kRounds)},
                 "trace=" + path + ":events=all:exitcode=0");
  ASSERT_EQ(run.status(), 0) << run.err;
  std::map<collector::ObjectId, uint64_t> acquired;
  auto data = collector::LoadTrace(path, [&](const collector::TraceEvent& e) {
    if (e.event.type == collector::EventType::kAcquired) ++acquired[e.event.object];
  });
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_TRUE(data->end.has_value());
  EXPECT_EQ(data->events_dropped, 0u);
  EXPECT_GE(data->threads.size(), static_cast<size_t>(kThreads) + 1);
  auto ids = ByName(*data);
  EXPECT_EQ(acquired[ids["threads_shared"]],
            static_cast<uint64_t>(kThreads) * kRounds);
  for (int t = 0; t < kThreads; ++t) {
    const std::string name = "threads_own_" + std::to_string(t);
    ASSERT_TRUE(ids.count(name)) << name;
    EXPECT_EQ(acquired[ids[name]], static_cast<uint64_t>(kRounds)) << name;
  }
  std::remove(path.c_str());
}

TEST(LimitsProcessTest, LocksFromStaticInitializerAndAtexitHandlers) {
  const std::string path = TempName("static") + ".lstrace";
  const ProgramRun run = RunProgram({"static-atexit"},
                             "trace=" + path + ":events=all:exitcode=0");
  ASSERT_EQ(run.status(), 0) << run.err;
  // The handler that ran after the trace was closed still locked.
  EXPECT_EQ(run.out, "late-atexit-ok\n");
  EXPECT_EQ(run.err, "");
  std::map<collector::ObjectId, uint64_t> acquired;
  auto data = collector::LoadTrace(path, [&](const collector::TraceEvent& e) {
    if (e.event.type == collector::EventType::kAcquired) ++acquired[e.event.object];
  });
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_TRUE(data->end.has_value());
  auto ids = ByName(*data);
  ASSERT_TRUE(ids.count("static_init_mu") && ids.count("static_local_mu") &&
              ids.count("atexit_early_mu"));
  // 100 before main, 1 in main, 100 in the early atexit handler.
  EXPECT_EQ(acquired[ids["static_init_mu"]], 201u);
  EXPECT_EQ(data->counters[ids["static_init_mu"]].acquisitions, 201u);
  EXPECT_EQ(acquired[ids["static_local_mu"]], 100u);
  EXPECT_EQ(acquired[ids["atexit_early_mu"]], 100u);
  // Made after the trace was closed: not in it.
  EXPECT_EQ(ids.count("atexit_late_mu"), 0u);
  EXPECT_THAT(data->findings, IsEmpty());
  std::remove(path.c_str());
}

TEST(LimitsProcessTest, ForkWhileAnotherThreadHoldsALockTraced) {
  const std::string pattern = TempName("forkheld") + ".%p.lstrace";
  const ProgramRun run = RunProgram({"fork-held"},
                             "trace=" + pattern + ":exitcode=0:report=off");
  ASSERT_EQ(run.status(), 0) << run.err;
  int child = 0, child_status = -1, parent = 0;
  ASSERT_EQ(std::sscanf(run.out.c_str(), "%d %d %d", &child, &child_status,
                        &parent),
            3);
  EXPECT_EQ(child_status, 0);
  const auto expand = [&pattern](int pid) {
    std::string path = pattern;
    return path.replace(path.find("%p"), 2, std::to_string(pid));
  };
  // The child's trace: complete, its own pid, its finding.
  auto data = collector::LoadTrace(expand(child));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_TRUE(data->end.has_value());
  EXPECT_EQ(data->header.pid, child);
  ASSERT_EQ(data->findings.size(), 1u);
  EXPECT_EQ(data->Object(data->findings[0].objects[0])->name.substr(0, 7),
            "forked_");
  // The parent's: complete, and without the child's finding.
  auto parent_data = collector::LoadTrace(expand(parent));
  ASSERT_TRUE(parent_data.ok()) << parent_data.status();
  EXPECT_TRUE(parent_data->end.has_value());
  EXPECT_THAT(parent_data->findings, IsEmpty());
  std::remove(expand(child).c_str());
  std::remove(expand(parent).c_str());
}

// --- A trace that cannot be written ------------------------------------------

// One line on stderr, the program runs to completion, exit status 0.
void ExpectOneLineAndCarriesOn(const ProgramRun& run, const std::string& pattern) {
  EXPECT_EQ(run.status(), 0) << run.err;
  EXPECT_THAT(Lines(run.err), ElementsAre(MatchesRegex(pattern))) << run.err;
}

TEST(TraceFileTest, UnwritableDirectory) {
  const std::string dir = TempName("readonly_dir");
  ASSERT_EQ(mkdir(dir.c_str(), 0555), 0);
  ASSERT_EQ(chmod(dir.c_str(), 0555), 0);
  const std::string path = dir + "/t.lstrace";
  // Root ignores directory permissions: run the program as nobody.
  const uid_t uid = geteuid() == 0 ? 65534 : static_cast<uid_t>(-1);
  const ProgramRun run = RunProgram({"counts", "100"}, "trace=" + path, uid);
  ExpectOneLineAndCarriesOn(
      run, "lockscope: cannot open trace file '.*/t.lstrace': Permission "
           "denied; continuing without a trace");
  EXPECT_NE(access(path.c_str(), F_OK), 0);
  rmdir(dir.c_str());
}

TEST(TraceFileTest, MissingDirectory) {
  const ProgramRun run = RunProgram({"counts", "100"},
                             "trace=" + TempName("no_such_dir") + "/t.lstrace");
  ExpectOneLineAndCarriesOn(
      run, "lockscope: cannot open trace file '.*': No such file or "
           "directory; continuing without a trace");
}

TEST(TraceFileTest, DeviceInsteadOfAFile) {
  const ProgramRun run = RunProgram({"counts", "100"}, "trace=/dev/full");
  ExpectOneLineAndCarriesOn(
      run, "lockscope: cannot open trace file '/dev/full': not a regular "
           "file; continuing without a trace");
}

TEST(TraceFileTest, PlantedSymlinkIsNotFollowed) {
  const std::string victim = TempName("victim");
  const std::string link = TempName("planted") + ".lstrace";
  { std::ofstream(victim) << "precious"; }
  ASSERT_EQ(symlink(victim.c_str(), link.c_str()), 0);
  const ProgramRun run = RunProgram({"counts", "100"}, "trace=" + link);
  ExpectOneLineAndCarriesOn(
      run, "lockscope: cannot open trace file '.*': .*symbolic link; "
           "refusing to follow it\\); continuing without a trace");
  EXPECT_EQ(ReadFile(victim), "precious");
  std::remove(link.c_str());
  std::remove(victim.c_str());
}

TEST(TraceFileTest, PlantedFileOfAnotherUserIsNotWrittenInto) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to plant another user's file";
  const std::string planted = TempName("planted_by_nobody") + ".lstrace";
  { std::ofstream(planted) << "not yours"; }
  ASSERT_EQ(chown(planted.c_str(), 65534, 65534), 0);
  const ProgramRun run = RunProgram({"counts", "100"}, "trace=" + planted);
  ExpectOneLineAndCarriesOn(
      run, "lockscope: cannot open trace file '.*': owned by uid 65534, not "
           "by this user; refusing to write into it; continuing without a "
           "trace");
  EXPECT_EQ(ReadFile(planted), "not yours");
  std::remove(planted.c_str());
}

TEST(TraceFileTest, DiskFillsUpMidRun) {
  const std::string path = TempName("full") + ".lstrace";
  constexpr long kLimit = 64 << 10;
  const ProgramRun run = RunProgram({"fsize", std::to_string(kLimit), "20000"},
                             "trace=" + path + ":events=all:exitcode=0");
  ExpectOneLineAndCarriesOn(
      run, "lockscope: cannot write trace file '.*': File too large; later "
           "trace records are lost");
  EXPECT_EQ(run.out, "continued\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_LE(st.st_size, kLimit);
  // What did reach the disk reads back, up to a torn tail.
  auto data = collector::LoadTrace(path);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_GT(data->events, 0u);
  std::remove(path.c_str());
}

TEST(TraceFileTest, OverlongOptionValueIsRejected) {
  const ProgramRun run = RunProgram(
      {"counts", "10"},
      "trace=off:suppressions=" + std::string(2000, 'x') + ":exitcode=0");
  // Refused like any bad value: one line, exit status 2.
  EXPECT_EQ(run.status(), 2) << run.err;
  EXPECT_THAT(Lines(run.err),
              ElementsAre("lockscope: LOCKSCOPE_OPTIONS: value of "
                          "suppressions is longer than 1024 characters; "
                          "exiting with status 2"));
}

}  // namespace
}  // namespace lockscope
