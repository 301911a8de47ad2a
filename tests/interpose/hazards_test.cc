// Programs that are hard on an interposer (tests/interpose/programs/
// hazards.cc and the callback library's constructor) run through
// `lockscope run`: none may crash, hang or deadlock, each keeps its exit
// status and output, and each leaves a trace (so each fails without the
// interposer).
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/interpose/run_program.h"

#ifndef LOCKSCOPE_HAZARDS
#error "LOCKSCOPE_HAZARDS must name tests/interpose/programs/hazards"
#endif

namespace lockscope::interpose_test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Runs `hazards MODE`; expects exit 0 and `out` on stdout, nothing on
// stderr, `traces` traces and no finding in any of them.
Outcome ExpectSurvives(const std::string& dir, const std::string& mode,
                       const std::string& out, size_t traces = 1) {
  const Outcome run = RunUnderLockscope(dir, {LOCKSCOPE_HAZARDS, mode});
  EXPECT_FALSE(run.timed_out) << mode << " hung";
  EXPECT_EQ(run.exit_code, 0)
      << mode << ": signal " << run.signal << "; stderr:\n"
      << run.err;
  EXPECT_EQ(run.out, out);
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_THAT(run.traces, SizeIs(traces)) << mode;
  for (const std::string& trace : run.traces) {
    for (const Finding& f : FindingsOf(trace)) {
      ADD_FAILURE() << mode << ": " << trace << ": " << f.summary;
    }
  }
  return run;
}

TEST(InterposeHazards, ProgramThatNeverMakesAThread) {
  const std::string dir = MakeRunDir();
  ExpectSurvives(dir, "no_thread", "no_thread ok\n");
}

TEST(InterposeHazards, LocksInExitHandlersAndAfterTheTraceClosed) {
  const std::string dir = MakeRunDir();
  ExpectSurvives(dir, "atexit", "main done\nlate handler done\n");
}

TEST(InterposeHazards, MallocReallocFreeAroundLocks) {
  const std::string dir = MakeRunDir();
  ExpectSurvives(dir, "malloc", "malloc ok\n");
}

TEST(InterposeHazards, ExitWithThreadsHoldingAndWaitingOnLocks) {
  const std::string dir = MakeRunDir();
  ExpectSurvives(dir, "exit_holding", "exiting with a lock held\n");
}

TEST(InterposeHazards, LockTakenInSignalHandler) {
  const std::string dir = MakeRunDir();
  ExpectSurvives(dir, "signal", "signals handled 200\n");
}

TEST(InterposeHazards, ForkThenExecKeepsTracing) {
  const std::string dir = MakeRunDir();
  ExpectSurvives(dir, "fork_exec", "no_thread ok\nexec'd child status 0\n", 2);
}

// 8 children forked while another thread takes locks (the runtime's own
// locks may be held by that thread at the fork); each child keeps running
// with its own trace (t.<pid>.lstrace); the last one has a cycle and exits
// 66, which the parent checks. Every child writes and symbolizes a trace at
// exit, hence the longer timeout.
TEST(InterposeHazards, ForkedChildrenKeepRunningWithTheirOwnTraces) {
  const std::string dir = MakeRunDir();
  const Outcome run =
      RunUnderLockscope(dir, {LOCKSCOPE_HAZARDS, "fork"}, "", "", 40);
  EXPECT_FALSE(run.timed_out) << "fork hung (a child deadlocked?)";
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("children 8, failures 0\n"));
  const size_t at = run.out.find("child ");
  ASSERT_NE(at, std::string::npos) << run.out;
  const std::string pid =
      run.out.substr(at + 6, run.out.find('\n', at) - at - 6);
  const std::string child_trace = dir + "/t." + pid + ".lstrace";
  EXPECT_THAT(run.traces, SizeIs(9));
  int with_findings = 0;
  for (const std::string& trace : run.traces) {
    const std::vector<Finding> findings = FindingsOf(trace);
    if (findings.empty()) continue;
    ++with_findings;
    EXPECT_EQ(trace, child_trace);
    ASSERT_THAT(findings, SizeIs(1));
    EXPECT_EQ(findings[0].kind, "lock-order-cycle");
    EXPECT_EQ(findings[0].locks,
              (std::set<std::string>{"child_a_mu", "child_b_mu"}));
  }
  EXPECT_EQ(with_findings, 1);
}

TEST(InterposeHazards, SharedLibraryConstructorLocksBeforeMain) {
  const std::string dir = MakeRunDir();
  const Outcome run =
      RunUnderLockscope(dir, {LOCKSCOPE_CALLBACK_MAIN, "ctor_only"});
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "library ready\n");
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_THAT(run.traces, SizeIs(1)) << "the run was not interposed";
}

}  // namespace
}  // namespace lockscope::interpose_test
