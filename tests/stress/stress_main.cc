// lockscope_stress: the limits of tests/runtime/limits_test.cc at full size.
// Not part of ctest (minutes, gigabytes of trace); scripts/stress.sh runs
// every scenario and docs/RELIABILITY.md records the results.
//
//   lockscope_stress locks [N]         N locks (default 1,000,000) created,
//                                      locked (alone and nested), destroyed;
//                                      resident memory must return to a
//                                      bounded level
//   lockscope_stress threads [T] [R]   T threads (128) x R rounds (20,000),
//                                      all alive at once, events=all, exact
//                                      event counts read back from the trace
//   lockscope_stress held [K] [R]      K locks (200) held at once, R passes
//   lockscope_stress acquisitions [N]  N acquisitions (10,000,000) on 2
//                                      threads, events=all, exact counts
//   lockscope_stress fork [F]          F forks (500) while another thread
//                                      holds and churns locks
//   lockscope_stress thread-exit [T]   T threads (1,000) exit holding a lock
//
// Each scenario sets LOCKSCOPE_OPTIONS itself (trace in $TMPDIR, removed
// afterwards) before the first lockscope hook. Exit status 0 on success, 1
// with a one-line reason otherwise. Prints one result line per scenario:
//   stress locks: 1000000 locks in 41.2 s; resident 9.1 MB -> 9.3 MB
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collector/trace/trace_loader.h"
#include "lockscope/lockscope.h"
#include "runtime/test_only.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double ResidentMb() {
  std::ifstream statm("/proc/self/statm");
  size_t total = 0, resident = 0;
  statm >> total >> resident;
  return static_cast<double>(resident) * sysconf(_SC_PAGESIZE) / (1 << 20);
}

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "stress: FAILED: %s\n", why.c_str());
  std::exit(1);
}

// $TMPDIR/lockscope_stress_SCENARIO.PID.lstrace
std::string TracePath(const char* scenario, pid_t pid = getpid()) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/lockscope_stress_" +
         scenario + "." + std::to_string(pid) + ".lstrace";
}

// Sets the options before lockscope starts (the first hook reads them).
void Options(const std::string& options) {
  setenv("LOCKSCOPE_OPTIONS", options.c_str(), 1);
}

long Arg(int argc, char** argv, int index, long fallback) {
  return argc > index ? std::atol(argv[index]) : fallback;
}

// Closes the trace and counts acquisitions per lock name; checks that
// nothing was dropped and the End record agrees.
std::map<std::string, uint64_t> ReadBackAcquisitions(const std::string& path) {
  lockscope::runtime::TestOnlyShutdown();
  std::map<uint64_t, uint64_t> by_id;
  auto data = lockscope::collector::LoadTrace(
      path, [&by_id](const lockscope::collector::TraceEvent& e) {
        if (e.event.type == lockscope::collector::EventType::kAcquired) {
          ++by_id[e.event.object];
        }
      });
  if (!data.ok()) Fail(std::string(data.status().message()));
  if (!data->end.has_value()) Fail("no End record: " + data->warning);
  if (data->events_dropped != 0) {
    Fail(std::to_string(data->events_dropped) + " events dropped");
  }
  if (data->end->events_written != data->events) {
    Fail("End says " + std::to_string(data->end->events_written) +
         " events, the trace holds " + std::to_string(data->events));
  }
  std::map<std::string, uint64_t> out;
  for (const auto& [id, info] : data->objects) out[info.name] += by_id[id];
  std::remove(path.c_str());
  return out;
}

void ExpectCount(const std::map<std::string, uint64_t>& counts,
                 const std::string& name, uint64_t expected) {
  auto it = counts.find(name);
  const uint64_t got = it == counts.end() ? 0 : it->second;
  if (got != expected) {
    Fail(name + ": " + std::to_string(got) + " acquisitions in the trace, " +
         std::to_string(expected) + " made");
  }
}

int Locks(long n) {
  Options("trace=off:report=off:exitcode=0");
  const auto start = Clock::now();
  lockscope::Mutex outer{"stress_outer"};
  double warm = 0;
  for (long i = 0; i < n; ++i) {
    auto mu = std::make_unique<lockscope::Mutex>();
    { std::lock_guard<lockscope::Mutex> g(*mu); }
    std::lock_guard<lockscope::Mutex> o(outer);
    std::lock_guard<lockscope::Mutex> g(*mu);
    if (i == n / 10) warm = ResidentMb();
  }
  const double end = ResidentMb();
  std::printf("stress locks: %ld locks in %.1f s; resident %.1f MB (after "
              "%ld) -> %.1f MB\n",
              n, Seconds(start), warm, n / 10, end);
  // 90% of the locks came and went after `warm`; 8 MB is < 10 bytes each.
  if (end > warm + 8) Fail("resident memory grew with the number of locks");
  return 0;
}

int Threads(int count, long rounds) {
  const std::string path = TracePath("threads");
  Options("trace=" + path + ":events=all:report=off:exitcode=0");
  const auto start = Clock::now();
  lockscope::Mutex shared_mu{"shared"};
  std::latch all_alive(count);
  std::vector<std::thread> threads;
  for (int t = 0; t < count; ++t) {
    threads.emplace_back([&, t] {
      lockscope::Mutex own{"own_" + std::to_string(t)};
      all_alive.arrive_and_wait();
      for (long i = 0; i < rounds; ++i) {
        std::lock_guard<lockscope::Mutex> g(own);
        std::lock_guard<lockscope::Mutex> s(shared_mu);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double run = Seconds(start);
  const auto counts = ReadBackAcquisitions(path);
  ExpectCount(counts, "shared", static_cast<uint64_t>(count) * rounds);
  for (int t = 0; t < count; ++t) {
    ExpectCount(counts, "own_" + std::to_string(t), rounds);
  }
  std::printf("stress threads: %d threads x %ld rounds in %.2f s; counts "
              "exact\n",
              count, rounds, run);
  return 0;
}

int Held(int count, long passes) {
  Options("trace=off:report=off:exitcode=0");
  const auto start = Clock::now();
  std::vector<std::unique_ptr<lockscope::Mutex>> locks;
  for (int i = 0; i < count; ++i) {
    locks.push_back(
        std::make_unique<lockscope::Mutex>("held_" + std::to_string(i)));
  }
  for (long p = 0; p < passes; ++p) {
    for (auto& mu : locks) mu->lock();
    if (lockscope::runtime::TestOnlyHeldCount() !=
        static_cast<size_t>(count)) {
      Fail("held-lock stack lost entries");
    }
    // Alternate release orders: reverse, and from the bottom up.
    if (p % 2 == 0) {
      for (auto it = locks.rbegin(); it != locks.rend(); ++it) (*it)->unlock();
    } else {
      for (auto& mu : locks) mu->unlock();
    }
  }
  if (!lockscope::runtime::TestOnlyFindings().empty()) {
    Fail("findings on a consistent order");
  }
  std::printf("stress held: %d locks held at once, %ld passes in %.1f s\n",
              count, passes, Seconds(start));
  return 0;
}

int Acquisitions(long n) {
  const std::string path = TracePath("acquisitions");
  Options("trace=" + path + ":events=all:report=off:exitcode=0");
  const long rounds = n / 4;  // 2 threads x (own + shared) per round
  const auto start = Clock::now();
  lockscope::Mutex shared_mu{"shared"};
  auto work = [&](const char* name) {
    lockscope::Mutex own{name};
    for (long i = 0; i < rounds; ++i) {
      std::lock_guard<lockscope::Mutex> g(own);
      std::lock_guard<lockscope::Mutex> s(shared_mu);
    }
  };
  std::thread t1(work, "own1"), t2(work, "own2");
  t1.join();
  t2.join();
  const double run = Seconds(start);
  const auto counts = ReadBackAcquisitions(path);
  ExpectCount(counts, "shared", 2 * rounds);
  ExpectCount(counts, "own1", rounds);
  ExpectCount(counts, "own2", rounds);
  std::printf("stress acquisitions: %ld acquisitions on 2 threads in %.2f s "
              "(events=all); counts exact\n",
              4 * rounds, run);
  return 0;
}

int Fork(long forks) {
  std::string pattern = TracePath("fork");
  pattern.replace(pattern.rfind(std::to_string(getpid())),
                  std::to_string(getpid()).size(), "%p");
  Options("trace=" + pattern + ":report=off:exitcode=0");
  const auto start = Clock::now();
  lockscope::Mutex a{"churn_a"}, b{"churn_b"};
  std::atomic<bool> stop{false};
  // Churns locks (and, through new chains, the runtime's own locks) while
  // main forks.
  std::thread churn([&] {
    for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
      std::lock_guard<lockscope::Mutex> ga(a);
      lockscope::Mutex fresh{"fresh"};
      std::lock_guard<lockscope::Mutex> gf(fresh);
    }
  });
  for (long f = 0; f < forks; ++f) {
    const pid_t child = fork();
    if (child == 0) {
      lockscope::Mutex c{"child"};
      { std::lock_guard<lockscope::Mutex> gb(b); std::lock_guard<lockscope::Mutex> gc(c); }
      lockscope::runtime::TestOnlyShutdown();
      std::remove(TracePath("fork").c_str());
      _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      Fail("fork child " + std::to_string(f) + " failed, status " +
           std::to_string(status));
    }
  }
  stop = true;
  churn.join();
  lockscope::runtime::TestOnlyShutdown();
  std::remove(TracePath("fork").c_str());
  std::printf("stress fork: %ld forks while another thread churns locks, "
              "in %.1f s\n",
              forks, Seconds(start));
  return 0;
}

int ThreadExit(int count) {
  Options("trace=off:report=off:exitcode=0");
  const auto start = Clock::now();
  std::vector<std::unique_ptr<lockscope::Mutex>> orphans;
  for (int t = 0; t < count; ++t) {
    orphans.push_back(std::make_unique<lockscope::Mutex>("orphan"));
    std::thread([&] { orphans.back()->lock(); }).join();
  }
  // Still working afterwards.
  lockscope::Mutex after{"after"};
  { std::lock_guard<lockscope::Mutex> g(after); }
  std::printf("stress thread-exit: %d threads exited holding a lock, in "
              "%.1f s\n",
              count, Seconds(start));
  // Locked by threads that are gone: never destroyed.
  for (auto& mu : orphans) (void)mu.release();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string scenario = argc > 1 ? argv[1] : "";
  if (scenario == "locks") return Locks(Arg(argc, argv, 2, 1000000));
  if (scenario == "threads") {
    return Threads(static_cast<int>(Arg(argc, argv, 2, 128)),
                   Arg(argc, argv, 3, 20000));
  }
  if (scenario == "held") {
    return Held(static_cast<int>(Arg(argc, argv, 2, 200)),
                Arg(argc, argv, 3, 10000));
  }
  if (scenario == "acquisitions") {
    return Acquisitions(Arg(argc, argv, 2, 10000000));
  }
  if (scenario == "fork") return Fork(Arg(argc, argv, 2, 500));
  if (scenario == "thread-exit") {
    return ThreadExit(static_cast<int>(Arg(argc, argv, 2, 1000)));
  }
  std::fprintf(stderr,
               "usage: lockscope_stress locks|threads|held|acquisitions|fork|"
               "thread-exit [SIZE...]\n");
  return 2;
}
