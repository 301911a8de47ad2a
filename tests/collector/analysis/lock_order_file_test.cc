// collector/analysis/lock_order_file.h: the declared lock-order file (its
// syntax, its contradictions, one-line errors) and what counts as breaking
// it.
#include "collector/analysis/lock_order_file.h"

#include <string>

#include "collector/analysis/text_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

DeclaredLockOrder MustParse(const std::string& text) {
  absl::StatusOr<DeclaredLockOrder> parsed =
      DeclaredLockOrder::Parse(text, "order.txt");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *std::move(parsed) : DeclaredLockOrder();
}

ObjectInfo Lock(const std::string& name, const std::string& class_name = "") {
  ObjectInfo info;
  info.id = name.size();
  info.name = name;
  info.class_name = class_name.empty() ? name : class_name;
  return info;
}

// True when taking `taken` while holding `held` breaks `order`.
bool Breaks(const DeclaredLockOrder& order, const std::string& held,
            const std::string& taken) {
  return order.Violation(Lock(held), Lock(taken)).has_value();
}

TEST(LockOrderFileTest, ChainsOrderEachEntryBeforeTheNext) {
  const DeclaredLockOrder order = MustParse(
      "# the bank\n"
      "accounts < ledger < journal   # chain\n"
      "\n");
  EXPECT_EQ(order.entries(), 3u);
  EXPECT_FALSE(Breaks(order, "accounts", "ledger"));
  EXPECT_FALSE(Breaks(order, "accounts", "journal"));
  EXPECT_TRUE(Breaks(order, "ledger", "accounts"));
  EXPECT_TRUE(Breaks(order, "journal", "accounts"));  // transitively
  EXPECT_TRUE(Breaks(order, "journal", "ledger"));
  // Locks the file does not name are never a violation.
  EXPECT_FALSE(Breaks(order, "journal", "cache"));
  EXPECT_FALSE(Breaks(order, "cache", "accounts"));
  EXPECT_FALSE(Breaks(order, "ledger", "ledger"));
}

TEST(LockOrderFileTest, RulesCombineAcrossLines) {
  const DeclaredLockOrder order = MustParse("a < b\nb < c\n");
  EXPECT_TRUE(Breaks(order, "c", "a"));
  const std::optional<std::string> why =
      order.Violation(Lock("c"), Lock("a"));
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why, "order.txt: a < b < c (lines 1, 2)");
}

TEST(LockOrderFileTest, GlobsAndClasses) {
  const DeclaredLockOrder order =
      MustParse("registry_mu < Account*\nbank.cc:* < log_mu\n");
  EXPECT_TRUE(Breaks(order, "Account#7", "registry_mu"));
  EXPECT_FALSE(Breaks(order, "registry_mu", "Account#7"));
  EXPECT_TRUE(Breaks(order, "log_mu", "bank.cc:42"));
  // Whole-name matches only.
  EXPECT_FALSE(Breaks(order, "log_mu", "xbank.cc:42"));
  // The class matches too.
  EXPECT_TRUE(order.Violation(Lock("log_mu"), Lock("a 7", "bank.cc:3"))
                  .has_value());
}

TEST(LockOrderFileTest, OverlappingGlobsThatDisagreeDecideNothing) {
  const DeclaredLockOrder order = MustParse("db* < cache*\ncache* < dbx\n");
  // "dbx" is both before (db*) and after (cache* < dbx) "cache1".
  EXPECT_FALSE(Breaks(order, "dbx", "cache1"));
  EXPECT_FALSE(Breaks(order, "cache1", "dbx"));
  EXPECT_TRUE(Breaks(order, "cache1", "db1"));
}

TEST(LockOrderFileTest, NamesMayHoldAngleBracketsAndBlanks) {
  const DeclaredLockOrder order =
      MustParse("Pool<int>::mu < the log lock\n");
  EXPECT_TRUE(Breaks(order, "the log lock", "Pool<int>::mu"));
}

void ExpectError(const std::string& text, const std::string& where,
                 const std::string& what) {
  absl::StatusOr<DeclaredLockOrder> parsed =
      DeclaredLockOrder::Parse(text, "order.txt");
  ASSERT_FALSE(parsed.ok()) << text;
  const std::string message(parsed.status().message());
  EXPECT_THAT(message, StartsWith(where)) << message;
  EXPECT_THAT(message, HasSubstr(what)) << message;
  EXPECT_THAT(message, Not(HasSubstr("\n")));
}

TEST(LockOrderFileTest, BadSyntaxNamesFileAndLine) {
  ExpectError("a < b\nab\n", "order.txt:2:", "expected a chain");
  ExpectError("a<b\n", "order.txt:1:", "got 'a<b'");
  ExpectError("a < b <\n", "order.txt:1:", "empty lock name");
  ExpectError("# x\n< b\n", "order.txt:2:", "empty lock name");
  ExpectError("a < < b\n", "order.txt:1:", "empty lock name");
}

TEST(LockOrderFileTest, ContradictionsAreRejected) {
  ExpectError("a < a\n", "order.txt:1:", "'a' is ordered before itself");
  ExpectError("a < b < a\n", "order.txt:1:",
              "'b < a' contradicts the order a < b (line 1)");
  ExpectError("a < b\nb < c\n\nc < a\n", "order.txt:4:",
              "'c < a' contradicts the order a < b < c (lines 1, 2)");
}

TEST(LockOrderFileTest, EmptyFileOrdersNothing) {
  const DeclaredLockOrder order = MustParse("# nothing yet\n");
  EXPECT_TRUE(order.empty());
  EXPECT_FALSE(Breaks(order, "a", "b"));
}

TEST(LockOrderFileTest, CheckMakesTheFinding) {
  const DeclaredLockOrder order = MustParse("accounts < ledger\n");
  ObjectInfo accounts = Lock("accounts");
  accounts.id = 5;
  ObjectInfo ledger = Lock("ledger");
  ledger.id = 9;
  EdgeObservation edge;
  edge.from = 9;
  edge.to = 5;
  edge.thread = 3;
  edge.from_stack = 11;
  edge.to_stack = 12;
  std::optional<Finding> f = order.Check(edge, ledger, accounts);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, FindingKind::kLockOrderViolation);
  EXPECT_EQ(f->objects, (std::vector<ObjectId>{9, 5}));
  EXPECT_EQ(f->threads, (std::vector<ThreadId>{3}));
  ASSERT_EQ(f->edges.size(), 1u);
  EXPECT_EQ(f->edges[0].from_stack, 11u);
  EXPECT_EQ(f->edges[0].to_stack, 12u);
  EXPECT_EQ(f->stack, 12u);
  EXPECT_EQ(f->other_stack, 11u);
  EXPECT_THAT(f->message, HasSubstr("'accounts' taken while holding 'ledger'"));
  EXPECT_THAT(f->message, HasSubstr("order.txt: accounts < ledger (line 1)"));
  // The declared direction is no violation.
  std::swap(edge.from, edge.to);
  EXPECT_FALSE(order.Check(edge, accounts, ledger).has_value());
}

TEST(LockOrderFileTest, PatternsMatchWholeNames) {
  EXPECT_TRUE(GlobMatches("a*", "abc"));
  EXPECT_TRUE(GlobMatches("*", ""));
  EXPECT_TRUE(GlobMatches("a*c", "abbc"));
  EXPECT_FALSE(GlobMatches("a*c", "abcd"));
  EXPECT_FALSE(GlobMatches("b", "abc"));
}

}  // namespace
}  // namespace lockscope::collector
