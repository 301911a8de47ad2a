// Stacks in the viewer's output start at the user's first frame, with runs
// of C++-library frames folded; --full-stacks keeps every frame (cycles,
// borrows, check text and JSON). Borrow conflicts list every outstanding
// borrow.
#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using collector::Access;
using collector::FindingKind;
using collector::ObjectKind;
using collector::Severity;
using ::testing::HasSubstr;
using ::testing::Not;

// A thread-pool stack as a -O0 build captures it.
collector::StackId PoolStack(TraceBuilder& b, const std::string& user,
                             uint32_t line) {
  return b.Stack({{"lockscope::Mutex::lock()",
                   "/opt/lockscope/include/lockscope/mutex.h", 100},
                  {"std::lock_guard<lockscope::Mutex>::lock_guard("
                   "lockscope::Mutex&)",
                   "/usr/include/c++/12/bits/std_mutex.h", 229},
                  {user, "src/bank.cc", line},
                  {"WorkerMain()", "src/bank.cc", 90},
                  {"void std::__invoke_impl<void, void (*)()>(std::__invoke_"
                   "other, void (*&&)())",
                   "/usr/include/c++/12/bits/invoke.h", 61},
                  {"std::__invoke_result<void (*)()>::type std::__invoke<void "
                   "(*)()>(void (*&&)())",
                   "/usr/include/c++/12/bits/invoke.h", 96},
                  {"std::thread::_State_impl<std::thread::_Invoker<std::tuple<"
                   "void (*)()> > >::_M_run()",
                   "/usr/include/c++/12/bits/std_thread.h", 211},
                  {"start_thread", "./nptl/pthread_create.c", 442}});
}

const std::string& PoolTrace() {
  static const std::string path = [] {
    const std::string p = TempPath("pool.lstrace");
    TraceBuilder b(p, 777);
    const collector::ThreadId t2 = b.Thread("bank");
    const collector::ThreadId t3 = b.Thread("bank");
    const collector::ObjectId accounts = b.Mutex("accounts", 10);
    const collector::ObjectId ledger = b.Mutex("ledger", 11);
    const collector::ObjectId app =
        b.Object("app", ObjectKind::kCell, "src/app.cc", 5, "", t2);
    const collector::StackId transfer_l = PoolStack(b, "Transfer()", 42);
    const collector::StackId transfer_a = PoolStack(b, "Transfer()", 41);
    const collector::StackId audit_a = PoolStack(b, "Audit()", 52);
    const collector::StackId audit_l = PoolStack(b, "Audit()", 51);
    b.Edge(accounts, ledger, t2, transfer_a, transfer_l);
    b.Edge(ledger, accounts, t3, audit_l, audit_a);
    collector::Finding cycle;
    cycle.kind = FindingKind::kLockOrderCycle;
    cycle.severity = Severity::kError;
    cycle.objects = {accounts, ledger};
    cycle.threads = {t2, t3};
    cycle.edges = {{accounts, ledger, t2, transfer_l, transfer_a},
                   {ledger, accounts, t3, audit_a, audit_l}};
    cycle.stack = audit_a;
    cycle.other_stack = transfer_l;
    cycle.message = "lock-order-cycle";
    b.Finding(cycle);
    const collector::StackId render = b.Stack(
        {{"lockscope::AppCell<App>::borrow_mut(lockscope::SourceLocation) "
          "const",
          "/opt/lockscope/include/lockscope/app_cell.h", 140},
         {"Render()", "src/app.cc", 30}});
    const collector::StackId first = b.Stack({{"Update()", "src/app.cc", 20}});
    const collector::StackId second = b.Stack({{"Paint()", "src/app.cc", 25}});
    collector::Finding conflict;
    conflict.kind = FindingKind::kBorrowConflict;
    conflict.severity = Severity::kError;
    conflict.objects = {app};
    conflict.threads = {t2, t3};
    conflict.stack = render;
    conflict.other_stack = second;
    conflict.message = "borrow-conflict: borrow_mut of 'app'";
    collector::FindingBorrow b1;
    b1.thread = t2;
    b1.access = Access::kShared;
    b1.site = {"src/app.cc", "Update", 20};
    b1.stack = first;
    collector::FindingBorrow b2 = b1;
    b2.thread = t3;
    b2.site = {"src/app.cc", "Paint", 25};
    b2.stack = second;
    conflict.borrows = {b1, b2};
    b.Finding(conflict);
    b.End(1000);
    return p;
  }();
  return path;
}

TEST(FullStacksTest, CyclesStartAtTheUsersFrameAndFoldTheLibrary) {
  const CliResult result = RunCli({"cycles", PoolTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("    ledger acquired at:\n"
                                    "      #0 Transfer() src/bank.cc:42\n"
                                    "      #1 WorkerMain() src/bank.cc:90\n"
                                    "         \u2026 3 frames in the C++ "
                                    "library\n"
                                    "      #5 start_thread"));
  EXPECT_THAT(result.out, Not(HasSubstr("lockscope::Mutex::lock")));
  EXPECT_THAT(result.out, Not(HasSubstr("__invoke_impl")));
  // Two threads called 'bank' are told apart by id.
  EXPECT_THAT(result.out, HasSubstr("thread 'bank' #1"));
  EXPECT_THAT(result.out, HasSubstr("thread 'bank' #2"));
}

TEST(FullStacksTest, CyclesFullStacksKeepEveryFrame) {
  const CliResult result = RunCli({"cycles", "--full-stacks", PoolTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("    ledger acquired at:\n"
                        "      #0 lockscope::Mutex::lock() "
                        "/opt/lockscope/include/lockscope/mutex.h:100\n"
                        "      #1 std::lock_guard<lockscope::Mutex>::"));
  EXPECT_THAT(result.out, HasSubstr("#4 void std::__invoke_impl"));
  EXPECT_THAT(result.out, Not(HasSubstr("in the C++ library")));
}

TEST(FullStacksTest, CheckJsonSaysWhichStacks) {
  for (const bool full : {false, true}) {
    std::vector<std::string> args = {"check", "--format=json", PoolTrace()};
    if (full) args.push_back("--full-stacks");
    const CliResult result = RunCli(args);
    EXPECT_EQ(result.exit_code, 1) << result.err;
    std::unique_ptr<Json> json = MustParse(result.out);
    ASSERT_NE(json, nullptr);
    ASSERT_TRUE(json->Get("full_stacks") && json->Get("full_stacks")->is_bool());
    EXPECT_EQ(json->Get("full_stacks")->boolean, full);
    const Json& cycle = json->Get("findings")->array.at(0);
    const Json& frame0 = cycle.Get("edges")->array.at(0).Get("stack")->array.at(0);
    EXPECT_EQ(frame0.Get("function")->string,
              full ? "lockscope::Mutex::lock()" : "Transfer()");
    // JSON never folds: every frame below the user's is there.
    EXPECT_EQ(cycle.Get("edges")->array.at(0).Get("stack")->array.size(),
              full ? 8u : 6u);
  }
}

TEST(FullStacksTest, BorrowConflictListsEveryOutstandingBorrow) {
  const CliResult result = RunCli({"borrows", PoolTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("  new borrow in thread 1 'bank' at:\n"
                                    "      #0 Render() src/app.cc:30\n"));
  EXPECT_THAT(result.out,
              HasSubstr("  outstanding borrow 1 of 2: shared, in thread 1 "
                        "'bank', at src/app.cc:20 in Update:\n"
                        "      #0 Update() src/app.cc:20\n"
                        "  outstanding borrow 2 of 2: shared, in thread 2 "
                        "'bank', at src/app.cc:25 in Paint:\n"
                        "      #0 Paint() src/app.cc:25\n"));
  const CliResult full = RunCli({"borrows", "--full-stacks", PoolTrace()});
  EXPECT_THAT(full.out, HasSubstr("#0 lockscope::AppCell<App>::borrow_mut"));

  const CliResult json = RunCli({"check", "--format=json", PoolTrace()});
  std::unique_ptr<Json> parsed = MustParse(json.out);
  ASSERT_NE(parsed, nullptr);
  const Json& conflict = parsed->Get("findings")->array.at(1);
  ASSERT_TRUE(conflict.Get("borrows") && conflict.Get("borrows")->is_array());
  ASSERT_EQ(conflict.Get("borrows")->array.size(), 2u);
  EXPECT_EQ(conflict.Get("borrows")->array[1].Get("function")->string, "Paint");
  EXPECT_EQ(conflict.Get("borrows")->array[1].Get("line")->number, 25);
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
