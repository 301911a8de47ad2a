// Tests for collector/analysis/report.h: the report text of every finding kind,
// through a small fake FindingContext.
#include "collector/analysis/report.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class FakeContext : public FindingContext {
 public:
  void AddObject(ObjectId id, const std::string& name, ObjectKind kind,
                 const std::string& file, uint32_t line,
                 ThreadId created_thread = 1,
                 const std::string& class_name = "") {
    ObjectInfo info;
    info.id = id;
    info.kind = kind;
    info.name = name;
    info.class_name = class_name.empty() ? name : class_name;
    info.created = {file, "", line};
    info.created_thread = created_thread;
    if (kind == ObjectKind::kCell) info.owner_thread = created_thread;
    objects_[id] = info;
  }
  void AddThread(ThreadId id, const std::string& name) {
    threads_[id] = ThreadInfo{id, 1000 + id, name};
  }
  void AddStack(StackId id, std::vector<Frame> frames) {
    stacks_[id] = std::move(frames);
  }

  const ObjectInfo* Object(ObjectId id) const override {
    auto it = objects_.find(id);
    return it == objects_.end() ? nullptr : &it->second;
  }
  const ThreadInfo* Thread(ThreadId id) const override {
    auto it = threads_.find(id);
    return it == threads_.end() ? nullptr : &it->second;
  }
  std::vector<Frame> Stack(StackId id) const override {
    auto it = stacks_.find(id);
    return it == stacks_.end() ? std::vector<Frame>{} : it->second;
  }

 private:
  std::map<ObjectId, ObjectInfo> objects_;
  std::map<ThreadId, ThreadInfo> threads_;
  std::map<StackId, std::vector<Frame>> stacks_;
};

Frame F(const std::string& function, const std::string& file, uint32_t line,
        uint64_t pc = 0x1000) {
  Frame f;
  f.pc = pc;
  f.function = function;
  f.file = file;
  f.line = line;
  return f;
}

// accounts (1) and ledger (2), taken in both orders by 'worker' (3) and
// 'main' (1).
class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_.AddObject(1, "accounts", ObjectKind::kMutex, "bank.cc", 10);
    ctx_.AddObject(2, "ledger", ObjectKind::kMutex, "bank.cc", 11);
    ctx_.AddObject(5, "gate", ObjectKind::kMutex, "bank.cc", 12);
    ctx_.AddObject(7, "app", ObjectKind::kCell, "app.cc", 7, /*thread=*/1);
    ctx_.AddThread(1, "main");
    ctx_.AddThread(3, "worker");
    ctx_.AddStack(11, {F("Transfer", "bank.cc", 42), F("", "", 0, 0x4011a0)});
    ctx_.AddStack(12, {F("Transfer", "bank.cc", 40)});
    ctx_.AddStack(21, {F("Audit", "audit.cc", 7)});
    ctx_.AddStack(22, {F("Audit", "audit.cc", 5)});
    ctx_.AddStack(31, {F("Render", "ui.cc", 3), F("Main", "main.cc", 9),
                       F("__libc_start_main", "", 0)});
    ctx_.AddStack(32, {F("Paint", "ui.cc", 30)});
  }

  Finding TwoLockCycle() const {
    Finding f;
    f.id = 1;
    f.kind = FindingKind::kLockOrderCycle;
    f.objects = {1, 2};
    f.threads = {3, 1};
    f.edges = {FindingEdge{1, 2, 3, /*to_stack=*/11, /*from_stack=*/12},
               FindingEdge{2, 1, 1, /*to_stack=*/21, /*from_stack=*/22}};
    f.message = "lock-order-cycle (potential deadlock): accounts => ledger";
    return f;
  }

  FakeContext ctx_;
};

TEST_F(ReportTest, HeadlineForEveryKind) {
  const std::map<FindingKind, std::string> want = {
      {FindingKind::kLockOrderCycle,
       "lockscope: lock-order-cycle (potential deadlock)"},
      {FindingKind::kLockClassCycle,
       "lockscope: lock-class-cycle (potential deadlock between lock "
       "classes)"},
      {FindingKind::kActualDeadlock,
       "lockscope: actual-deadlock (threads are blocked on each other)"},
      {FindingKind::kCrossThreadBorrow,
       "lockscope: cross-thread-borrow (cell borrowed off its owner thread)"},
      {FindingKind::kBorrowConflict,
       "lockscope: borrow-conflict (conflicting borrow of a cell)"},
      {FindingKind::kRecursiveLock,
       "lockscope: recursive-lock (thread locks a lock it already holds)"},
      {FindingKind::kUnlockNotOwner,
       "lockscope: unlock-not-owner (unlock of a lock this thread does not "
       "hold)"},
      {FindingKind::kDestroyedWhileHeld,
       "lockscope: destroyed-while-held (object destroyed while held or "
       "borrowed)"},
      {FindingKind::kWaitWhileHolding,
       "lockscope: wait-while-holding (waits while holding another lock)"},
      {FindingKind::kLockOrderViolation,
       "lockscope: lock-order-violation (lock taken against the declared "
       "lock order)"},
  };
  ASSERT_EQ(want.size(), static_cast<size_t>(kNumFindingKinds));
  for (const auto& [kind, headline] : want) {
    Finding f;
    f.kind = kind;
    f.objects = {1};
    f.threads = {1};
    EXPECT_EQ(FormatHeadline(f), headline);
    const std::string report = FormatReport(f, ctx_);
    EXPECT_THAT(report, StartsWith(headline + "\n"));
    EXPECT_THAT(report, HasSubstr("\nSUMMARY: lockscope: "));
    EXPECT_THAT(report, EndsWith("\n"));
  }
}

TEST_F(ReportTest, TwoLockCycleReport) {
  const std::string report = FormatReport(TwoLockCycle(), ctx_);
  EXPECT_THAT(report, StartsWith("lockscope: lock-order-cycle (potential "
                                 "deadlock)\n  cycle: accounts => ledger => "
                                 "accounts\n"));
  EXPECT_THAT(report, HasSubstr("  edge 1 of 2: ledger acquired while holding "
                                "accounts, in thread 3 'worker'\n"
                                "    ledger acquired at:\n"
                                "      #0 Transfer bank.cc:42\n"
                                "      #1 0x4011a0\n"
                                "    accounts acquired earlier at:\n"
                                "      #0 Transfer bank.cc:40\n"));
  EXPECT_THAT(report,
              HasSubstr("  edge 2 of 2: accounts acquired while holding "
                        "ledger, in thread 1 'main'\n"
                        "    accounts acquired at:\n"
                        "      #0 Audit audit.cc:7\n"
                        "    ledger acquired earlier at:\n"
                        "      #0 Audit audit.cc:5\n"));
  EXPECT_THAT(report, HasSubstr("    accounts (mutex, class accounts) created "
                                "at bank.cc:10 in thread 1 'main'\n"));
  EXPECT_THAT(report, HasSubstr("  threads: thread 3 'worker', thread 1 "
                                "'main'\n"));
  EXPECT_THAT(report,
              HasSubstr("  possible unsafe scenario:\n"
                        "         thread 'worker'         thread 'main'\n"
                        "         ----                    ----\n"
                        "    lock(accounts);\n"
                        "                                 lock(ledger);\n"
                        "                                 lock(accounts);\n"
                        "    lock(ledger);\n"));
  EXPECT_THAT(report, EndsWith("\nSUMMARY: lockscope: lock-order-cycle "
                               "accounts => ledger => accounts\n"));
  EXPECT_THAT(report, Not(HasSubstr("guarded by")));
  EXPECT_THAT(report, Not(HasSubstr("\033[")));
}

TEST_F(ReportTest, GuardedCycleNamesGate) {
  Finding f = TwoLockCycle();
  f.guarded_by = {5};
  const std::string report = FormatReport(f, ctx_);
  EXPECT_THAT(report, HasSubstr("  guarded by: gate (cannot deadlock while "
                                "gate is held)\n"));
  EXPECT_EQ(FormatOneLine(f, ctx_),
            "lock-order-cycle accounts => ledger => accounts (guarded by "
            "gate)");
}

TEST_F(ReportTest, ThreeLockCycleHasNoScenario) {
  ctx_.AddObject(3, "", ObjectKind::kMutex, "audit.cc", 99);
  Finding f;
  f.kind = FindingKind::kLockOrderCycle;
  f.objects = {1, 2, 3};
  f.threads = {1};
  f.edges = {FindingEdge{1, 2, 1, 11, 12}, FindingEdge{2, 3, 1, 21, 22},
             FindingEdge{3, 1, 1, 0, 0}};
  const std::string report = FormatReport(f, ctx_);
  // An unnamed lock is called by its creation site.
  EXPECT_THAT(report, HasSubstr("  cycle: accounts => ledger => audit.cc:99 => "
                                "accounts\n"));
  EXPECT_THAT(report, HasSubstr("  edge 3 of 3: accounts acquired while "
                                "holding audit.cc:99, in thread 1 'main'\n"
                                "    accounts acquired at:\n"
                                "      (no stack captured)\n"));
  EXPECT_THAT(report, Not(HasSubstr("possible unsafe scenario")));
}

TEST_F(ReportTest, ClassCycleUsesClassNames) {
  ctx_.AddObject(40, "a1", ObjectKind::kMutex, "acct.cc", 5, 1, "Account");
  ctx_.AddObject(41, "a2", ObjectKind::kMutex, "acct.cc", 5, 1, "Account");
  ctx_.AddObject(50, "b1", ObjectKind::kMutex, "ledg.cc", 6, 1, "Ledger");
  ctx_.AddObject(51, "b2", ObjectKind::kMutex, "ledg.cc", 6, 1, "Ledger");
  Finding f;
  f.kind = FindingKind::kLockClassCycle;
  f.severity = Severity::kWarning;
  f.objects = {40, 51};
  f.threads = {3, 1};
  f.edges = {FindingEdge{40, 50, 3, 11, 12}, FindingEdge{51, 41, 1, 21, 22}};
  const std::string report = FormatReport(f, ctx_);
  EXPECT_THAT(report, HasSubstr("  cycle: Account => Ledger => Account\n"));
  EXPECT_THAT(report, HasSubstr("edge 2 of 2: a2 acquired while holding b2"));
  EXPECT_THAT(report, HasSubstr("    a2 (mutex, class Account) created at "
                                "acct.cc:5"));
  EXPECT_THAT(report, HasSubstr("    lock(Account);\n"));
  EXPECT_THAT(report, EndsWith("SUMMARY: lockscope: lock-class-cycle Account "
                               "=> Ledger => Account\n"));
}

TEST_F(ReportTest, ActualDeadlockSaysWhoWaits) {
  Finding f = TwoLockCycle();
  f.kind = FindingKind::kActualDeadlock;
  const std::string report = FormatReport(f, ctx_);
  EXPECT_THAT(report, HasSubstr("  edge 1 of 2: thread 3 'worker' holds "
                                "accounts and waits for ledger\n"
                                "    waiting for ledger at:\n"
                                "      #0 Transfer bank.cc:42\n"));
  EXPECT_THAT(report, Not(HasSubstr("possible unsafe scenario")));
}

TEST_F(ReportTest, BorrowConflictShowsBothSites) {
  Finding f;
  f.kind = FindingKind::kBorrowConflict;
  f.objects = {7};
  f.threads = {1};
  f.stack = 31;
  f.other_stack = 32;
  f.message = "borrow_mut of app while it is borrowed";
  const std::string report = FormatReport(f, ctx_);
  EXPECT_THAT(report,
              HasSubstr("\n  borrow_mut of app while it is borrowed\n"
                        "  cell: app (cell, class app) created at app.cc:7 in "
                        "thread 1 'main', owner thread 1 'main'\n"
                        "  thread: thread 1 'main'\n"
                        "    new borrow at:\n"
                        "      #0 Render ui.cc:3\n"
                        "      #1 Main main.cc:9\n"
                        "      #2 __libc_start_main\n"
                        "    outstanding borrow at:\n"
                        "      #0 Paint ui.cc:30\n"));
  EXPECT_THAT(report, EndsWith("SUMMARY: lockscope: borrow-conflict app in "
                               "thread 1 'main'\n"));
}

TEST_F(ReportTest, StackLabelsFitTheKind) {
  const std::map<FindingKind, std::pair<std::string, std::string>> want = {
      {FindingKind::kCrossThreadBorrow,
       {"borrowed off the owner thread at:", "earlier borrow at:"}},
      {FindingKind::kRecursiveLock,
       {"acquired again at:", "first acquired at:"}},
      {FindingKind::kUnlockNotOwner, {"unlocked at:", "acquired at:"}},
      {FindingKind::kDestroyedWhileHeld,
       {"destroyed at:", "still held, acquired at:"}},
      {FindingKind::kLockOrderViolation,
       {"taken at:", "while holding the later lock, acquired at:"}},
  };
  for (const auto& [kind, labels] : want) {
    Finding f;
    f.kind = kind;
    f.objects = {1};
    f.threads = {3};
    f.stack = 31;
    f.other_stack = 32;
    const std::string report = FormatReport(f, ctx_);
    EXPECT_THAT(report, HasSubstr("    " + labels.first + "\n      #0 Render"))
        << FindingKindName(kind);
    EXPECT_THAT(report, HasSubstr("    " + labels.second + "\n      #0 Paint"))
        << FindingKindName(kind);
    EXPECT_THAT(report, HasSubstr("  lock: accounts (mutex, class accounts)"));
  }
}

TEST_F(ReportTest, MaxFramesLimitsEveryStack) {
  Finding f;
  f.kind = FindingKind::kRecursiveLock;
  f.objects = {1};
  f.stack = 31;
  ReportStyle style;
  style.max_frames = 1;
  const std::string report = FormatReport(f, ctx_, style);
  EXPECT_THAT(report, HasSubstr("      #0 Render ui.cc:3\n"
                                "      ... 2 more frames\n"));
  EXPECT_THAT(report, Not(HasSubstr("#1 Main")));
}

TEST_F(ReportTest, ColorWrapsOnlyTheHeadline) {
  ReportStyle style;
  style.color = true;
  const std::string report = FormatReport(TwoLockCycle(), ctx_, style);
  EXPECT_THAT(report, StartsWith("\033[1;31mlockscope: lock-order-cycle "
                                 "(potential deadlock)\033[0m\n"));
  EXPECT_EQ(report.find("\033[", 1), report.find("\033[0m"));
  EXPECT_EQ(report.find("\033[", report.find("\033[0m") + 1),
            std::string::npos);
}

TEST_F(ReportTest, NamesOfUnknownThingsAreStable) {
  EXPECT_EQ(ObjectName(99, ctx_), "#99");
  EXPECT_EQ(ObjectName(1, ctx_), "accounts");
  EXPECT_EQ(ThreadName(3, ctx_), "thread 3 'worker'");
  EXPECT_EQ(ThreadName(8, ctx_), "thread 8");
  Finding f;
  f.kind = FindingKind::kUnlockNotOwner;
  f.objects = {99};
  f.threads = {8};
  f.stack = 77;  // not in the context
  const std::string report = FormatReport(f, ctx_);
  EXPECT_THAT(report, HasSubstr("  lock: #99 (unknown object)\n"));
  EXPECT_THAT(report, HasSubstr("      (stack 77 unavailable)\n"));
  EXPECT_EQ(FormatOneLine(f, ctx_), "unlock-not-owner #99 in thread 8");
}

TEST_F(ReportTest, RepeatedFindingSaysHowOften) {
  Finding f = TwoLockCycle();
  f.count = 4;
  EXPECT_THAT(FormatReport(f, ctx_), HasSubstr("  seen 4 times\n"));
}

Frame LibstdcxxFrame() {
  Frame f = F("", "", 0, 0x7f00d4c0);
  f.module = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
  return f;
}

// A stack as captured from a thread pool at -O0: lockscope's wrapper and the
// standard library's lock guard first, then the user's frames, then the
// C++ library's thread trampolines, then libc's thread entry.
std::vector<Frame> PoolStack() {
  return {F("lockscope::Mutex::lock()",
            "/opt/lockscope/include/lockscope/mutex.h", 100),
          F("std::lock_guard<lockscope::Mutex>::lock_guard(lockscope::Mutex&)",
            "/usr/include/c++/12/bits/std_mutex.h", 229),
          F("Transfer(Bank&, long)", "/src/bank.cc", 52),
          F("main::{lambda()#1}::operator()() const", "/src/bank.cc", 86),
          F("void std::__invoke_impl<void, main::{lambda()#1}>(std::__invoke_"
            "other, main::{lambda()#1}&&)",
            "/usr/include/c++/12/bits/invoke.h", 61),
          F("std::__invoke_result<main::{lambda()#1}>::type std::__invoke<"
            "main::{lambda()#1}>(main::{lambda()#1}&&)",
            "/usr/include/c++/12/bits/invoke.h", 96),
          F("std::thread::_State_impl<std::thread::_Invoker<std::tuple<main::{"
            "lambda()#1}> > >::_M_run()",
            "/usr/include/c++/12/bits/std_thread.h", 253),
          LibstdcxxFrame(),  // execute_native_thread_routine, no symbols
          F("start_thread", "./nptl/pthread_create.c", 442)};
}

TEST_F(ReportTest, StacksStartAtTheUsersFirstFrame) {
  ctx_.AddStack(41, PoolStack());
  Finding f = TwoLockCycle();
  f.edges[0].to_stack = 41;
  const std::string report = FormatReport(f, ctx_);
  EXPECT_THAT(report, HasSubstr("    ledger acquired at:\n"
                                "      #0 Transfer(Bank&, long) /src/bank.cc:52\n"
                                "      #1 main::{lambda()#1}::operator()() const "
                                "/src/bank.cc:86\n"));
  EXPECT_THAT(report, Not(HasSubstr("lockscope::Mutex::lock")));
  EXPECT_THAT(report, Not(HasSubstr("std::lock_guard")));
}

TEST_F(ReportTest, LibraryFramesBelowTheUserFoldIntoOneLine) {
  ctx_.AddStack(41, PoolStack());
  Finding f = TwoLockCycle();
  f.edges[0].to_stack = 41;
  const std::string report = FormatReport(f, ctx_);
  // std::__invoke_impl, std::__invoke, _State_impl::_M_run and an
  // unsymbolized pc in libstdc++: four frames in the C++ library.
  EXPECT_THAT(report,
              HasSubstr("      #1 main::{lambda()#1}::operator()() const "
                        "/src/bank.cc:86\n"
                        "         \u2026 4 frames in the C++ library\n"
                        "      #6 start_thread ./nptl/pthread_create.c:442\n"));
  EXPECT_THAT(report, Not(HasSubstr("__invoke_impl")));
}

TEST_F(ReportTest, FullStacksKeepEveryFrame) {
  ctx_.AddStack(41, PoolStack());
  Finding f = TwoLockCycle();
  f.edges[0].to_stack = 41;
  ReportStyle style;
  style.stack_view = StackView::kFull;
  const std::string report = FormatReport(f, ctx_, style);
  EXPECT_THAT(report, HasSubstr("    ledger acquired at:\n"
                                "      #0 lockscope::Mutex::lock() "
                                "/opt/lockscope/include/lockscope/mutex.h:100\n"
                                "      #1 std::lock_guard<lockscope::Mutex>"));
  EXPECT_THAT(report, HasSubstr("      #4 void std::__invoke_impl<"));
  EXPECT_THAT(report, Not(HasSubstr("in the C++ library")));
}

TEST_F(ReportTest, OneMoreFrameIsSingular) {
  Finding f;
  f.kind = FindingKind::kRecursiveLock;
  f.objects = {1};
  f.stack = 31;
  ReportStyle style;
  style.max_frames = 2;
  EXPECT_THAT(FormatReport(f, ctx_, style),
              HasSubstr("      #1 Main main.cc:9\n"
                        "      ... 1 more frame\n"));
}

TEST_F(ReportTest, ScenarioTellsThreadsOfOneNameApartById) {
  ctx_.AddThread(2, "bank");
  ctx_.AddThread(4, "bank");
  Finding f = TwoLockCycle();
  f.threads = {2, 4};
  f.edges[0].thread = 2;
  f.edges[1].thread = 4;
  const std::string report = FormatReport(f, ctx_);
  EXPECT_THAT(report, HasSubstr("thread 'bank' #2"));
  EXPECT_THAT(report, HasSubstr("thread 'bank' #4"));
  // Distinct names need no ids.
  EXPECT_THAT(FormatReport(TwoLockCycle(), ctx_),
              HasSubstr("         thread 'worker'         thread 'main'\n"));
}

}  // namespace
}  // namespace lockscope::collector
