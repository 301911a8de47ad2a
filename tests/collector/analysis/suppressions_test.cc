// Tests for collector/analysis/suppressions.h: the grammar, its error messages,
// pattern matching and which findings a rule applies to.
#include "collector/analysis/suppressions.h"

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace lockscope::collector {
namespace {

using ::testing::HasSubstr;
using ::testing::IsNull;
using ::testing::Pointee;

class FakeContext : public FindingContext {
 public:
  std::map<ObjectId, ObjectInfo> objects;
  std::map<StackId, std::vector<Frame>> stacks;

  const ObjectInfo* Object(ObjectId id) const override {
    auto it = objects.find(id);
    return it == objects.end() ? nullptr : &it->second;
  }
  const ThreadInfo* Thread(ThreadId) const override { return nullptr; }
  std::vector<Frame> Stack(StackId id) const override {
    auto it = stacks.find(id);
    return it == stacks.end() ? std::vector<Frame>{} : it->second;
  }
};

class SuppressionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ObjectInfo a;
    a.id = 1;
    a.name = "accounts";
    a.class_name = "accounts";
    a.created = {"src/bank.cc", "", 10};
    ObjectInfo b;
    b.id = 2;
    b.name = "src/ledger.cc:20";
    b.class_name = "src/ledger.cc:20";
    b.created = {"src/ledger.cc", "", 20};
    ObjectInfo cell;
    cell.id = 3;
    cell.kind = ObjectKind::kCell;
    cell.name = "app";
    cell.class_name = "app";
    cell.created = {"ui/app.cc", "", 5};
    ctx_.objects = {{1, a}, {2, b}, {3, cell}};
    Frame f1;
    f1.function = "bank::Transfer(Account&, Account&)";
    f1.file = "src/bank.cc";
    Frame f2;
    f2.function = "third_party::Pool::Run()";
    f2.file = "third_party/pool.cc";
    ctx_.stacks = {{10, {f1}}, {20, {f2}}};
  }

  Finding Cycle() const {
    Finding f;
    f.kind = FindingKind::kLockOrderCycle;
    f.objects = {1, 2};
    f.edges = {FindingEdge{1, 2, 1, 10, 10}, FindingEdge{2, 1, 2, 20, 20}};
    return f;
  }

  static Suppressions MustParse(std::string_view text) {
    absl::StatusOr<Suppressions> s = Suppressions::Parse(text, "test.supp");
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : Suppressions();
  }

  static std::string ParseError(std::string_view text) {
    absl::StatusOr<Suppressions> s = Suppressions::Parse(text, "supp.txt");
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(s.status().message());
  }

  FakeContext ctx_;
};

TEST_F(SuppressionsTest, ParsesRulesCommentsAndBlankLines) {
  Suppressions s = MustParse(
      "# deadlocks we know about\n"
      "\n"
      "cycle:accounts\n"
      "  borrow : ui/*.cc   # trailing comment\r\n"
      "lock:bank.cc:42\n"
      "lock-class-cycle:^Account$\n");
  EXPECT_EQ(s.size(), 4u);
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(MustParse("").empty());
  EXPECT_TRUE(MustParse("# only a comment\n\n   \n").empty());
}

TEST_F(SuppressionsTest, ErrorsNameOriginAndLine) {
  EXPECT_EQ(ParseError("cycle:a\n\ncycel:foo\n"),
            "supp.txt:3: unknown rule type 'cycel' (expected cycle, borrow, "
            "lock or a finding kind)");
  EXPECT_EQ(ParseError("accounts\n"),
            "supp.txt:1: expected TYPE:PATTERN, got 'accounts'");
  EXPECT_EQ(ParseError("# c\nborrow:   # nothing\n"),
            "supp.txt:2: empty pattern in rule 'borrow:'");
  EXPECT_EQ(ParseError(":x\n"),
            "supp.txt:1: unknown rule type '' (expected cycle, borrow, lock or "
            "a finding kind)");
}

TEST_F(SuppressionsTest, LoadReadsFileAndNamesItInErrors) {
  const std::string path = testing::TempPath("supp_test.txt");
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("cycle:accounts\nbogus:x\n", f);
  std::fclose(f);
  absl::StatusOr<Suppressions> bad = Suppressions::Load(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            path +
                ":2: unknown rule type 'bogus' (expected cycle, borrow, "
                "lock or a finding kind)");

  f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("cycle:accounts\n", f);
  std::fclose(f);
  absl::StatusOr<Suppressions> good = Suppressions::Load(path);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->size(), 1u);
  std::remove(path.c_str());

  absl::StatusOr<Suppressions> missing = Suppressions::Load(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr(path + ": cannot open suppressions file"));
}

TEST(SuppressionPatternTest, WildcardsAndAnchors) {
  EXPECT_TRUE(SuppressionPatternMatches("ledger", "src/ledger.cc"));
  EXPECT_FALSE(SuppressionPatternMatches("Ledger", "src/ledger.cc"));
  EXPECT_TRUE(SuppressionPatternMatches("^src/", "src/ledger.cc"));
  EXPECT_FALSE(SuppressionPatternMatches("^ledger", "src/ledger.cc"));
  EXPECT_TRUE(SuppressionPatternMatches(".cc$", "src/ledger.cc"));
  EXPECT_FALSE(SuppressionPatternMatches("src$", "src/ledger.cc"));
  EXPECT_TRUE(SuppressionPatternMatches("^accounts$", "accounts"));
  EXPECT_FALSE(SuppressionPatternMatches("^accounts$", "accounts2"));
  EXPECT_TRUE(SuppressionPatternMatches("^src/*.cc$", "src/ledger.cc"));
  EXPECT_TRUE(SuppressionPatternMatches("src*ledger", "x/src/a/b/ledger.h"));
  EXPECT_FALSE(SuppressionPatternMatches("^src*ledger$", "src/ledger.h"));
  EXPECT_TRUE(SuppressionPatternMatches("a*b*c", "xxaxxbxxbxxcxx"));
  EXPECT_TRUE(SuppressionPatternMatches("*", ""));
  EXPECT_TRUE(SuppressionPatternMatches("bank::Transfer(Account&",
                                        "bank::Transfer(Account&, Account&)"));
}

TEST_F(SuppressionsTest, MatchesLockNameClassFileAndFrames) {
  const Finding cycle = Cycle();
  EXPECT_THAT(MustParse("cycle:^accounts$\n").Match(cycle, ctx_),
              Pointee(std::string("cycle:^accounts$")));
  EXPECT_THAT(MustParse("cycle:src/ledger.cc:20\n").Match(cycle, ctx_),
              Pointee(std::string("cycle:src/ledger.cc:20")));
  // A frame function, with a wildcard, matched anywhere in the stacks.
  EXPECT_THAT(MustParse("cycle:Pool::*()\n").Match(cycle, ctx_),
              Pointee(std::string("cycle:Pool::*()")));
  // A frame's file.
  EXPECT_THAT(MustParse("cycle:^third_party/\n").Match(cycle, ctx_),
              Pointee(std::string("cycle:^third_party/")));
  EXPECT_THAT(MustParse("cycle:nothing_like_this\n").Match(cycle, ctx_),
              IsNull());
  // Anchors hold against the whole text.
  EXPECT_THAT(MustParse("cycle:^bank.cc\n").Match(cycle, ctx_), IsNull());
}

TEST_F(SuppressionsTest, FirstMatchingRuleIsReturnedAsWritten) {
  Suppressions s = MustParse("cycle:zzz\n  cycle:  ledger   # why\ncycle:a\n");
  EXPECT_THAT(s.Match(Cycle(), ctx_), Pointee(std::string("cycle:  ledger")));
}

TEST_F(SuppressionsTest, RulesApplyOnlyToTheirKinds) {
  Finding cycle = Cycle();
  Finding borrow;
  borrow.kind = FindingKind::kCrossThreadBorrow;
  borrow.objects = {3};
  Finding recursive;
  recursive.kind = FindingKind::kRecursiveLock;
  recursive.objects = {1};

  Suppressions lock = MustParse("lock:accounts\n");
  EXPECT_THAT(lock.Match(recursive, ctx_),
              Pointee(std::string("lock:accounts")));
  EXPECT_THAT(lock.Match(cycle, ctx_), IsNull());

  Suppressions borrows = MustParse("borrow:app\n");
  EXPECT_NE(borrows.Match(borrow, ctx_), nullptr);
  EXPECT_THAT(borrows.Match(recursive, ctx_), IsNull());

  Suppressions exact = MustParse("lock-order-cycle:accounts\n");
  EXPECT_NE(exact.Match(cycle, ctx_), nullptr);
  Finding class_cycle = cycle;
  class_cycle.kind = FindingKind::kLockClassCycle;
  EXPECT_THAT(exact.Match(class_cycle, ctx_), IsNull());
  EXPECT_NE(MustParse("cycle:accounts\n").Match(class_cycle, ctx_), nullptr);
  Finding deadlock = cycle;
  deadlock.kind = FindingKind::kActualDeadlock;
  EXPECT_NE(MustParse("cycle:accounts\n").Match(deadlock, ctx_), nullptr);
  Finding destroyed = recursive;
  destroyed.kind = FindingKind::kDestroyedWhileHeld;
  EXPECT_NE(lock.Match(destroyed, ctx_), nullptr);
}

}  // namespace
}  // namespace lockscope::collector
