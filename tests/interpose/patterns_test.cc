// Lock-order patterns of plain programs (tests/interpose/programs/, no
// lockscope include) run through `lockscope run`: the findings each one's
// trace holds, read back with `lockscope check --format=json`. Every test
// needs the interposer: without it there is no trace, no finding and no
// exit status 66.
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/interpose/run_program.h"

#ifndef LOCKSCOPE_LOCK_PATTERNS
#error \
    "LOCKSCOPE_LOCK_PATTERNS must name tests/interpose/programs/lock_patterns"
#endif

namespace lockscope::interpose_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const char* const kPatterns = LOCKSCOPE_LOCK_PATTERNS;
const char* const kPatternsC = LOCKSCOPE_LOCK_PATTERNS_C;
const char* const kCallback = LOCKSCOPE_CALLBACK_MAIN;

using Edge = std::pair<std::string, std::string>;

// Runs one pattern; expects it to finish (no crash, no hang) with `status`
// and to leave exactly one trace, whose findings it returns.
std::vector<Finding> RunPattern(const std::string& dir,
                                const std::vector<std::string>& argv,
                                int status, Outcome* outcome = nullptr,
                                int timeout_s = 15) {
  const Outcome run = RunUnderLockscope(dir, argv, "", "", timeout_s);
  if (outcome != nullptr) *outcome = run;
  EXPECT_FALSE(run.timed_out) << argv[1] << " hung";
  EXPECT_EQ(run.exit_code, status)
      << argv[1] << ": signal " << run.signal << "; stderr:\n"
      << run.err;
  EXPECT_THAT(run.traces, SizeIs(1)) << argv[1] << ": one trace expected";
  if (run.traces.size() != 1) return {};
  return FindingsOf(run.traces[0]);
}

// A cycle pattern: exit 66, one finding, a lock-order-cycle over `locks`,
// named in the report on stderr.
void ExpectOneCycle(const std::vector<std::string>& argv,
                    const std::set<std::string>& locks) {
  const std::string dir = MakeRunDir();
  Outcome run;
  const std::vector<Finding> findings = RunPattern(dir, argv, 66, &run);
  ASSERT_THAT(findings, SizeIs(1));
  EXPECT_EQ(findings[0].kind, "lock-order-cycle");
  EXPECT_TRUE(findings[0].failing);
  EXPECT_EQ(findings[0].locks, locks) << findings[0].summary;
  for (const std::string& lock : locks) {
    EXPECT_THAT(run.err, HasSubstr(lock)) << "the report names every lock";
  }
}

// A clean pattern: exit 0, no finding at all; returns the trace's edges.
std::set<Edge> ExpectClean(const std::string& dir,
                           const std::vector<std::string>& argv,
                           Outcome* outcome = nullptr, int timeout_s = 15) {
  Outcome run;
  const std::vector<Finding> findings =
      RunPattern(dir, argv, 0, &run, timeout_s);
  for (const Finding& f : findings) ADD_FAILURE() << "finding: " << f.summary;
  EXPECT_THAT(run.err, IsEmpty());
  if (outcome != nullptr) *outcome = run;
  if (run.traces.size() != 1) return {};
  return EdgesOf(run.traces[0]);
}

TEST(InterposePatterns, TwoLockCycleInOneThread) {
  ExpectOneCycle({kPatterns, "cycle2"}, {"accounts_mu", "ledger_mu"});
}

class RingCycle : public ::testing::TestWithParam<int> {};

TEST_P(RingCycle, OneFindingNamingEveryLock) {
  const int n = GetParam();
  ExpectOneCycle({kPatterns, "ring", std::to_string(n)}, RingNames(n));
}

INSTANTIATE_TEST_SUITE_P(Sizes, RingCycle, ::testing::Values(5, 10, 20, 64));

TEST(InterposePatterns, SuccessfulTrylockFormsNoEdgeIntoItsLock) {
  const std::string dir = MakeRunDir();
  const std::set<Edge> edges = ExpectClean(dir, {kPatternsC, "trylock_into"});
  EXPECT_EQ(edges.count({"second_mu", "first_mu"}), 1u);
  EXPECT_EQ(edges.count({"first_mu", "second_mu"}), 0u);
}

TEST(InterposePatterns, LockHeldSinceTrylockFormsEdges) {
  ExpectOneCycle({kPatternsC, "trylock_from"}, {"first_mu", "second_mu"});
}

TEST(InterposePatterns, WriteLockThenReadLockCycle) {
  ExpectOneCycle({kPatternsC, "rw_write_read"}, {"config_rw", "state_mu"});
}

TEST(InterposePatterns, ReadLockThenWriteLockCycle) {
  ExpectOneCycle({kPatternsC, "rw_read_write"}, {"config_rw", "state_mu"});
}

TEST(InterposePatterns, ReadReadCyclesCannotDeadlock) {
  const std::string dir = MakeRunDir();
  const std::set<Edge> edges = ExpectClean(dir, {kPatternsC, "rw_read_read"});
  for (const Edge& e : std::vector<Edge>{{"config_rw", "schema_rw"},
                                         {"schema_rw", "config_rw"},
                                         {"config_rw", "state_mu"},
                                         {"state_mu", "config_rw"}}) {
    EXPECT_EQ(edges.count(e), 1u) << e.first << " -> " << e.second;
  }
}

TEST(InterposePatterns, ErrorCheckingAndTimedLocksKeepTheirSemantics) {
  const std::string dir = MakeRunDir();
  Outcome run;
  // The timed lock must find timed_mu held, so the main thread joins its
  // thread while holding it: one wait-while-holding note, which fails
  // nothing (exit 0).
  const std::vector<Finding> findings =
      RunPattern(dir, {kPatternsC, "errorcheck"}, 0, &run);
  ASSERT_THAT(findings, SizeIs(1));
  EXPECT_EQ(findings[0].kind, "wait-while-holding");
  EXPECT_FALSE(findings[0].failing);
  EXPECT_EQ(findings[0].locks, std::set<std::string>{"timed_mu"});
  ASSERT_THAT(run.traces, SizeIs(1));
  const std::set<Edge> edges = EdgesOf(run.traces[0]);
  EXPECT_EQ(run.out, "errorcheck ok\n");
  EXPECT_EQ(edges.count({"timed_mu", "other_mu"}), 1u);
  EXPECT_EQ(edges.count({"other_mu", "timed_mu"}), 0u)
      << "a timed lock that timed out formed an edge";
}

TEST(InterposePatterns, C11MutexCycle) {
  ExpectOneCycle({kPatternsC, "c11_cycle"}, {"c11_a", "c11_b"});
}

TEST(InterposePatterns, SpinlockCycle) {
  ExpectOneCycle({kPatternsC, "spin_cycle"}, {"spin_a", "spin_b"});
}

TEST(InterposePatterns, RecursiveMutexRelock) {
  const std::string dir = MakeRunDir();
  const std::set<Edge> edges = ExpectClean(dir, {kPatterns, "recursive"});
  EXPECT_EQ(edges.count({"registry_mu", "stats_mu"}), 1u);
  EXPECT_EQ(edges.count({"registry_mu", "registry_mu"}), 0u);
}

TEST(InterposePatterns, FourThousandLocksChurnedNoFalseReport) {
  const std::string dir = MakeRunDir();
  Outcome run;
  // Every lock is a new one, first seen with a new edge (the slow path):
  // this is the longest test, hence the longer timeout.
  ExpectClean(dir, {kPatterns, "churn", "2"}, &run, 40);
  ASSERT_THAT(run.traces, SizeIs(1));
  // 2 threads x 2 rounds x 4,095 pairs.
  EXPECT_GE(SummaryCount(run.traces[0], "edges"), 2 * 2 * 4095);
}

TEST(InterposePatterns, SixteenThousandRwLocksAscendingNoReport) {
  const std::string dir = MakeRunDir();
  Outcome run;
  ExpectClean(dir, {kPatterns, "rw16k"}, &run);
  ASSERT_THAT(run.traces, SizeIs(1));
  EXPECT_GE(SummaryCount(run.traces[0], "edges"), 16383);
}

TEST(InterposePatterns, ReusedAddressIsANewLock) {
  const std::string dir = MakeRunDir();
  Outcome run;
  ExpectClean(dir, {kPatterns, "reuse"}, &run);
  EXPECT_THAT(run.out, HasSubstr("reused "));
  ASSERT_THAT(run.traces, SizeIs(1));
  EXPECT_GE(SummaryCount(run.traces[0], "edges"), 1000);
}

TEST(InterposePatterns, CycleThroughSharedLibraryCallback) {
  ExpectOneCycle({kCallback, "cycle"}, {"app_mu", "lib_mu"});
}

TEST(InterposePatterns, OutputAndExitStatusPassThrough) {
  const std::string dir = MakeRunDir();
  const Outcome run = RunUnderLockscope(dir, {kPatterns, "passthrough", "7"},
                                        "", "hello\nworld\n");
  EXPECT_EQ(run.exit_code, 7);
  EXPECT_EQ(run.out, "stdout line 1\nstdout line 2\nin: hello\nin: world\n");
  EXPECT_EQ(run.err, "stderr line 1\nstderr line 2\n");
  ASSERT_THAT(run.traces, SizeIs(1)) << "the run was not interposed";
  EXPECT_THAT(FindingsOf(run.traces[0]), IsEmpty());
}

TEST(InterposePatterns, ExitcodeOptionKeepsTheProgramsStatus) {
  const std::string dir = MakeRunDir();
  const Outcome run =
      RunUnderLockscope(dir, {kPatterns, "cycle2"}, "exitcode=0");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_THAT(run.traces, SizeIs(1));
  const std::vector<Finding> findings = FindingsOf(run.traces[0]);
  ASSERT_THAT(findings, SizeIs(1));
  EXPECT_EQ(findings[0].kind, "lock-order-cycle");
}

TEST(InterposePatterns, KilledBySignalExits128PlusN) {
  const std::string dir = MakeRunDir();
  const Outcome run = RunUnderLockscope(dir, {kPatterns, "signal", "15"});
  EXPECT_EQ(run.exit_code, 128 + 15) << run.err;
  EXPECT_THAT(run.traces, SizeIs(1)) << "the run was not interposed";
}

}  // namespace
}  // namespace lockscope::interpose_test
