// LOCKSCOPE_OPTIONS=lock_order=FILE end to end: the order `lockscope order`
// writes from a clean run, then a run that takes one pair the other way
// (the reverse path never executed, so no cycle) is flagged by the runtime
// and by `lockscope check --lock-order`; a bad order file stops the
// program at startup with one line.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace lockscope::runtime {
namespace {

using ::lockscope::testing::ChildOptions;
using ::lockscope::testing::ChildResult;
using ::lockscope::testing::ReadFile;
using ::lockscope::testing::RunChild;
using ::lockscope::testing::TempPath;
using ::lockscope::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

ChildResult Program(const std::string& mode, const std::string& options) {
  ChildOptions child;
  child.env = {"LOCKSCOPE_OPTIONS=" + options};
  child.timeout_seconds = 60;
  return RunChild({LOCKSCOPE_LOCK_ORDER_PROGRAM, mode}, child);
}

ChildResult Cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{LOCKSCOPE_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildOptions child;
  child.env = {"NO_COLOR=1"};
  child.timeout_seconds = 60;
  return RunChild(argv, child);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// The order of a clean run, as `lockscope order` writes it.
std::string CleanOrder() {
  const std::string trace = TempPath("forward.lstrace");
  const ChildResult run = Program("forward", "trace=" + trace);
  EXPECT_EQ(run.status(), 0) << run.err;
  const std::string order = TempPath("lockscope.order");
  const ChildResult written = Cli({"order", "-o", order, trace});
  EXPECT_EQ(written.status(), 0) << written.err;
  return order;
}

TEST(LockOrderOptionTest, RoundTripFlagsTheReversedPair) {
  const std::string order = CleanOrder();
  EXPECT_THAT(ReadFile(order), HasSubstr("\naccounts < ledger < journal  #"));

  // Without the order, taking ledger before accounts is no finding: the
  // other order never ran in this process.
  const ChildResult plain = Program("backward", "trace=off");
  EXPECT_EQ(plain.status(), 0) << plain.err;
  EXPECT_THAT(plain.err, Not(HasSubstr("lockscope:")));

  // With it, the runtime reports the violation with both sites, once,
  // though both threads take the pair (each validates its own chain).
  const std::string trace = TempPath("backward.lstrace");
  const ChildResult run =
      Program("backward", "trace=" + trace + ":lock_order=" + order);
  EXPECT_EQ(run.status(), 66) << run.err;
  EXPECT_EQ(Count(run.err, "lockscope: lock-order-violation ("), 1u)
      << run.err;
  EXPECT_THAT(run.err,
              HasSubstr("'accounts' taken while holding 'ledger', against "
                        "the declared order " +
                        order + ": accounts < ledger (line"));
  EXPECT_THAT(run.err, HasSubstr("lock: ledger (mutex, class ledger)"));
  EXPECT_THAT(run.err, HasSubstr("taken at:"));
  EXPECT_THAT(run.err, HasSubstr("while holding the later lock, acquired at:"));
  EXPECT_THAT(run.err, HasSubstr("Audit"));
  // The trace carries it: `check` fails without being told the order.
  const ChildResult checked = Cli({"check", trace});
  EXPECT_EQ(checked.status(), 1) << checked.out << checked.err;
  EXPECT_THAT(checked.out, HasSubstr("FAIL       lock-order-violation"));
  // ...and `check --lock-order` does not report it twice.
  const ChildResult again = Cli({"check", "--lock-order=" + order, trace});
  EXPECT_EQ(Count(again.out, "FAIL       lock-order-violation"), 1u)
      << again.out;
}

TEST(LockOrderOptionTest, CheckLockOrderFlagsARunMadeWithoutIt) {
  const std::string order = CleanOrder();
  const std::string trace = TempPath("unchecked.lstrace");
  const ChildResult run = Program("backward", "trace=" + trace);
  ASSERT_EQ(run.status(), 0) << run.err;
  EXPECT_EQ(Cli({"check", trace}).status(), 0);
  const ChildResult flagged = Cli({"check", "--lock-order=" + order, trace});
  EXPECT_EQ(flagged.status(), 1) << flagged.out << flagged.err;
  EXPECT_THAT(flagged.out, HasSubstr("lock-order-violation ledger, accounts"));
}

// Edges run from the newest held lock only: holding journal and scratch
// while taking accounts forms scratch -> accounts, and the order breaks
// between journal (held, older) and accounts all the same.
TEST(LockOrderOptionTest, AnOlderHeldLockBreaksTheOrderToo) {
  const std::string order = CleanOrder();
  const std::string trace = TempPath("older.lstrace");
  const ChildResult run =
      Program("older", "trace=" + trace + ":lock_order=" + order);
  EXPECT_EQ(run.status(), 66) << run.err;
  EXPECT_THAT(run.err, HasSubstr("'accounts' taken while holding 'journal'"));
  // Both sites: where accounts was taken and where journal was, in Sweep.
  EXPECT_THAT(run.err, HasSubstr("while holding the later lock, acquired at:\n"
                                 "      #0 (anonymous namespace)::Sweep"));
  EXPECT_THAT(run.err, Not(HasSubstr("(no stack captured)")));

  const std::string unchecked = TempPath("older-unchecked.lstrace");
  ASSERT_EQ(Program("older", "trace=" + unchecked).status(), 0);
  const ChildResult flagged =
      Cli({"check", "--lock-order=" + order, unchecked});
  EXPECT_EQ(flagged.status(), 1) << flagged.out << flagged.err;
  EXPECT_THAT(flagged.out, HasSubstr("lock-order-violation journal, accounts"));
}

TEST(LockOrderOptionTest, SuppressedLikeACycle) {
  const std::string order = CleanOrder();
  const std::string supp = TempPath("order.supp");
  ASSERT_TRUE(WriteFile(supp, "cycle:^accounts$\n"));
  const ChildResult run = Program(
      "backward", "trace=off:lock_order=" + order + ":suppressions=" + supp);
  EXPECT_EQ(run.status(), 0) << run.err;
}

TEST(LockOrderOptionTest, BadOrderFileStopsTheProgramAtStartup) {
  const std::string bad = TempPath("bad.order");
  ASSERT_TRUE(WriteFile(bad, "# the bank\naccounts < ledger < accounts\n"));
  const ChildResult run = Program("forward", "trace=off:lock_order=" + bad);
  EXPECT_EQ(run.status(), 2);
  EXPECT_THAT(run.out, Not(HasSubstr("started")));
  EXPECT_EQ(run.err,
            "lockscope: LOCKSCOPE_OPTIONS: lock_order: " + bad +
                ":2: 'ledger < accounts' contradicts the order accounts < "
                "ledger (line 2); stopping (fix the file or drop the "
                "option)\n");

  const std::string missing = TempPath("missing.order");
  const ChildResult none = Program("forward", "trace=off:lock_order=" + missing);
  EXPECT_EQ(none.status(), 2);
  EXPECT_THAT(none.out, Not(HasSubstr("started")));
  EXPECT_THAT(none.err, HasSubstr(missing + ": cannot open lock order file"));
}

}  // namespace
}  // namespace lockscope::runtime
