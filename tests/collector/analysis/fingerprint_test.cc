// collector/analysis/fingerprint.h: a finding's fingerprint ignores what
// changes between runs, builds and checkouts (ids, addresses, pids, thread
// ids, line numbers, directories) and follows what makes it another finding
// (kind, lock classes, function).
#include "collector/analysis/fingerprint.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A FindingContext built by hand: one "run" of a program.
class FakeRun : public FindingContext {
 public:
  // An unnamed lock: named by its creation site, as the runtime names it.
  ObjectId Unnamed(ObjectId id, const std::string& dir, const std::string& file,
                   uint32_t line, const std::string& function) {
    ObjectInfo info;
    info.id = id;
    info.created = SourceSite{dir + file, function, line};
    info.name = info.class_name = file + ":" + std::to_string(line);
    objects_[id] = info;
    return id;
  }
  ObjectId Named(ObjectId id, const std::string& name, const std::string& dir,
                 uint32_t line) {
    ObjectInfo info;
    info.id = id;
    info.created = SourceSite{dir + "bank.cc", "Bank::Bank()", line};
    info.name = info.class_name = name;
    objects_[id] = info;
    return id;
  }
  StackId Stack(StackId id, std::vector<Frame> frames) {
    stacks_[id] = std::move(frames);
    return id;
  }
  const ObjectInfo* Object(ObjectId id) const override {
    auto it = objects_.find(id);
    return it == objects_.end() ? nullptr : &it->second;
  }
  const ThreadInfo* Thread(ThreadId) const override { return nullptr; }
  std::vector<Frame> Stack(StackId id) const override {
    auto it = stacks_.find(id);
    return it == stacks_.end() ? std::vector<Frame>{} : it->second;
  }

 private:
  std::map<ObjectId, ObjectInfo> objects_;
  std::map<StackId, std::vector<Frame>> stacks_;
};

// One build of the program: `shift` moves every line, `dir` is where the
// checkout lives, `base` offsets ids, thread ids and addresses (another
// process, another ASLR base).
struct Build {
  FakeRun run;
  Finding cycle;
  Finding borrow;
};

Build MakeBuild(uint32_t shift, const std::string& dir, uint64_t base,
                const std::string& account_function = "Bank::Bank()") {
  Build b;
  const ObjectId accounts =
      b.run.Unnamed(base + 1, dir, "bank.cc", 40 + shift, account_function);
  const ObjectId ledger = b.run.Named(base + 2, "ledger", dir, 41 + shift);
  const ObjectId app = b.run.Named(base + 3, "app", dir, 50 + shift);
  const StackId transfer = b.run.Stack(
      base + 7, {Frame{0x400000 + base, "Bank::Transfer()", dir + "bank.cc",
                       90 + shift, dir + "bank"}});
  b.cycle.id = base + 11;
  b.cycle.kind = FindingKind::kLockOrderCycle;
  b.cycle.objects = {accounts, ledger};
  b.cycle.threads = {static_cast<ThreadId>(base + 2)};
  b.cycle.edges = {FindingEdge{accounts, ledger, 1, transfer, transfer},
                   FindingEdge{ledger, accounts, 2, transfer, transfer}};
  b.cycle.stack = transfer;
  b.cycle.time_ns = static_cast<int64_t>(base) * 1000;
  b.borrow.id = base + 12;
  b.borrow.kind = FindingKind::kCrossThreadBorrow;
  b.borrow.objects = {app};
  b.borrow.threads = {static_cast<ThreadId>(base + 3)};
  b.borrow.stack = transfer;
  return b;
}

TEST(FingerprintTest, SameAcrossLineShiftsIdsAddressesAndCheckouts) {
  const Build one = MakeBuild(0, "/home/ci/work/src/", 0);
  const Build shifted = MakeBuild(17, "/home/ci/work/src/", 0);
  const Build other_process = MakeBuild(0, "/home/ci/work/src/", 1000);
  const Build elsewhere = MakeBuild(3, "/tmp/checkout-2/project/src/", 77);
  for (const Build* b : {&shifted, &other_process, &elsewhere}) {
    EXPECT_EQ(FindingFingerprint(b->cycle, b->run),
              FindingFingerprint(one.cycle, one.run))
        << FingerprintText(b->cycle, b->run);
    EXPECT_EQ(FindingFingerprint(b->borrow, b->run),
              FindingFingerprint(one.borrow, one.run));
  }
  // Nothing that varies reaches the hashed text.
  const std::string text = FingerprintText(one.cycle, one.run);
  EXPECT_THAT(text, Not(HasSubstr("40")));
  EXPECT_THAT(text, Not(HasSubstr("/home")));
  EXPECT_EQ(FindingFingerprint(one.cycle, one.run).size(), 16u);
}

TEST(FingerprintTest, AnotherLockClassOrFunctionIsAnotherFinding) {
  const Build one = MakeBuild(0, "/src/", 0);
  // The unnamed lock made in another function: another lock class.
  const Build other_class = MakeBuild(0, "/src/", 0, "Bank::Audit()");
  EXPECT_NE(FindingFingerprint(other_class.cycle, other_class.run),
            FindingFingerprint(one.cycle, one.run));
  // Another named lock.
  Build renamed = MakeBuild(0, "/src/", 0);
  renamed.run.Named(2, "journal", "/src/", 41);
  EXPECT_NE(FindingFingerprint(renamed.cycle, renamed.run),
            FindingFingerprint(one.cycle, one.run));
  // Another kind over the same locks.
  Finding class_cycle = one.cycle;
  class_cycle.kind = FindingKind::kLockClassCycle;
  EXPECT_NE(FindingFingerprint(class_cycle, one.run),
            FindingFingerprint(one.cycle, one.run));
  // A borrow in another function.
  Build moved = MakeBuild(0, "/src/", 0);
  moved.run.Stack(7, {Frame{0x400000, "Worker::Run()", "/src/w.cc", 3, ""}});
  EXPECT_NE(FindingFingerprint(moved.borrow, moved.run),
            FindingFingerprint(one.borrow, one.run));
}

TEST(FingerprintTest, NamedLocksKeepTheDocumentedHash) {
  // FNV-1a 64 of "lock-order-cycle\naccounts\nledger": the value SARIF
  // partialFingerprints carried before baselines existed.
  FakeRun run;
  run.Named(1, "accounts", "/src/", 10);
  run.Named(2, "ledger", "/src/", 11);
  Finding cycle;
  cycle.kind = FindingKind::kLockOrderCycle;
  cycle.objects = {2, 1};
  EXPECT_EQ(FingerprintText(cycle, run), "lock-order-cycle\naccounts\nledger");
  EXPECT_EQ(FindingFingerprint(cycle, run), "40e3f79c4aa676b5");
}

TEST(FingerprintTest, FunctionIsTheUsersNotLockscopesOrTheLibrarys) {
  FakeRun run;
  run.Named(1, "app", "/src/", 1);
  Finding f;
  f.kind = FindingKind::kCrossThreadBorrow;
  f.objects = {1};
  f.stack = run.Stack(
      5, {Frame{1, "lockscope::Mutex::lock()",
                "/opt/lockscope/include/lockscope/mutex.h", 100, ""},
          Frame{2, "std::lock_guard<lockscope::Mutex>::lock_guard()",
                "/usr/include/c++/12/bits/std_mutex.h", 229, ""},
          Frame{3, "Worker::Run()", "/src/worker.cc", 12, ""}});
  EXPECT_EQ(FingerprintText(f, run), "cross-thread-borrow\napp\n@Worker::Run()");
  // Only the tool's frames: the innermost one.
  run.Stack(5, {Frame{1, "lockscope::Mutex::lock()",
                      "/w/instrument/lockscope/mutex.h", 100, ""}});
  EXPECT_EQ(FingerprintText(f, run),
            "cross-thread-borrow\napp\n@lockscope::Mutex::lock()");
}

TEST(FingerprintTest, StableLockNames) {
  ObjectInfo info;
  info.created = SourceSite{"/w/src/bank.cc", "Bank::Bank()", 42};
  info.name = info.class_name = "bank.cc:42";
  EXPECT_EQ(StableLockName(&info, false), "bank.cc@Bank::Bank()");
  info.name = "src/bank.cc:42";
  EXPECT_EQ(StableLockName(&info, false), "bank.cc@Bank::Bank()");
  // A site that is not the object's own keeps only the file's name.
  info.name = "other.cc:7";
  EXPECT_EQ(StableLockName(&info, false), "other.cc");
  // Given names stay as they are, even with a colon and digits.
  info.name = "shard:3";
  EXPECT_EQ(StableLockName(&info, false), "shard:3");
  info.name = "Bank::registry_mu";
  EXPECT_EQ(StableLockName(&info, false), "Bank::registry_mu");
  EXPECT_EQ(StableLockName(nullptr, false), "?");
}

TEST(FingerprintTest, LabelNamesTheFindingOnOneLine) {
  const Build one = MakeBuild(0, "/src/", 0);
  EXPECT_EQ(FingerprintLabel(one.cycle, one.run),
            "lock-order-cycle bank.cc@Bank::Bank(), ledger");
  EXPECT_EQ(FingerprintLabel(one.borrow, one.run),
            "cross-thread-borrow app @ Bank::Transfer()");
  FakeRun run;
  run.Named(1, "evil\nname", "/src/", 1);
  Finding f;
  f.kind = FindingKind::kRecursiveLock;
  f.objects = {1};
  EXPECT_THAT(FingerprintLabel(f, run), Not(HasSubstr("\n")));
}

}  // namespace
}  // namespace lockscope::collector
