// Waits that are not lock acquisitions, in plain programs run through
// `lockscope run` (tests/interpose/programs/waits.cc): a pthread_join or a
// std::condition_variable wait while holding a lock is a wait-while-holding
// note (listed, failing nothing by default), and one that can never end is
// an actual-deadlock the watchdog reports before it stops the program.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/interpose/run_program.h"

#ifndef LOCKSCOPE_WAITS_PROGRAM
#error "LOCKSCOPE_WAITS_PROGRAM must name tests/interpose/programs/waits"
#endif

namespace lockscope::interpose_test {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

const char* const kWaits = LOCKSCOPE_WAITS_PROGRAM;

// Runs a deadlocking scenario with the watchdog on: the program must be
// stopped (SIGABRT, 128+6) with `headline` on stderr, not left hanging, and
// its trace must hold the actual-deadlock.
void ExpectDeadlockStopped(const std::string& mode,
                           const std::string& headline) {
  const std::string dir = MakeRunDir();
  const Outcome run = RunUnderLockscope(dir, {kWaits, mode}, "watchdog_ms=100");
  EXPECT_FALSE(run.timed_out) << mode << " hung";
  EXPECT_EQ(run.status(), 128 + 6) << run.err;
  EXPECT_THAT(run.err, ContainsRegex(headline));
  EXPECT_THAT(run.out, Not(HasSubstr("not reached")));
  ASSERT_THAT(run.traces, SizeIs(1));
  bool deadlock = false;
  for (const Finding& f : FindingsOf(run.traces[0])) {
    if (f.kind == "actual-deadlock") {
      deadlock = true;
      EXPECT_TRUE(f.failing);
    }
  }
  EXPECT_TRUE(deadlock) << "no actual-deadlock in " << run.traces[0];
}

TEST(InterposeWaits, JoinOfAThreadThatNeedsAHeldLockIsStopped) {
  ExpectDeadlockStopped(
      "join_deadlock",
      "lockscope: actual-deadlock: thread [0-9]+ joins thread [0-9]+ while "
      "holding 'join_mu', and thread [0-9]+ is blocked on 'join_mu', for "
      "more than 100 ms");
}

TEST(InterposeWaits, NotifierBlockedOnTheWaitersLockIsStopped) {
  ExpectDeadlockStopped(
      "cond_deadlock",
      "lockscope: actual-deadlock: thread [0-9]+ waits on condition "
      "variable 'queue_cv' \\(notified before only by thread [0-9]+\\) "
      "while holding 'state_mu', and thread [0-9]+ is blocked on "
      "'state_mu', for more than 100 ms");
}

// Two waits while holding state_mu that end well: two notes, listed but not
// failing, so the program keeps its exit status 0 (never exitcode's 66);
// `check` passes unless asked to fail on them.
TEST(InterposeWaits, WaitsWhileHoldingAreNotesThatFailOnlyWhenAsked) {
  const std::string dir = MakeRunDir();
  const Outcome run = RunUnderLockscope(dir, {kWaits, "notes"});
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.status(), 0) << run.err;
  EXPECT_EQ(run.out, "notes done\n");
  EXPECT_THAT(run.err, HasSubstr("wait-while-holding"));
  ASSERT_THAT(run.traces, SizeIs(1));
  const std::string& trace = run.traces[0];
  const std::vector<Finding> findings = FindingsOf(trace);
  ASSERT_THAT(findings, SizeIs(2));
  for (const Finding& f : findings) {
    EXPECT_EQ(f.kind, "wait-while-holding");
    EXPECT_FALSE(f.failing);
    EXPECT_THAT(f.locks, ::testing::ElementsAre("state_mu")) << f.summary;
  }
  EXPECT_EQ(RunCli({"check", trace}).exit_code, 0);
  EXPECT_EQ(RunCli({"check", "--strict", trace}).exit_code, 1);
  EXPECT_EQ(RunCli({"check", "--fail-on=wait-while-holding", trace}).exit_code,
            1);
  EXPECT_EQ(RunCli({"check", "--fail-on=lock-order-cycle", trace}).exit_code,
            0);
  const auto sarif = RunCli({"check", "--format=sarif", trace});
  EXPECT_THAT(sarif.out, HasSubstr("\"level\": \"note\""));
  // The program's own report names both waits.
  EXPECT_THAT(run.err, HasSubstr("waits on condition variable 'queue_cv' "
                                  "(releasing mutex 'queue_mu') while holding "
                                  "mutex 'state_mu'"));
  EXPECT_THAT(run.err, ContainsRegex("joins thread [0-9]+ while holding "
                                      "mutex 'state_mu'"));
}

}  // namespace
}  // namespace lockscope::interpose_test
