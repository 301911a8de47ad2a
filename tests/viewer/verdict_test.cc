// viewer/verdict.h called directly: which findings fail a build (Judge,
// AnyFailing), how they are counted (CountByKind) and their stable
// fingerprints. Most cases build an Analysis in memory; the rest read
// traces written as the runtime writes them.
#include "viewer/verdict.h"

#include <string>
#include <utility>
#include <vector>

#include "collector/analysis/suppressions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/viewer/test_traces.h"
#include "viewer/trace_set.h"

namespace lockscope::viewer {
namespace {

using collector::Finding;
using collector::FindingKind;
using collector::ObjectId;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test_traces::TempPath;

// --- An Analysis in memory ----------------------------------------------

class Findings {
 public:
  Findings() {
    Lock(1, "accounts");
    Lock(2, "ledger");
    Lock(3, "gate");
    collector::ObjectInfo& cell = analysis_.objects[4];
    cell.id = 4;
    cell.kind = collector::ObjectKind::kCell;
    cell.name = cell.class_name = "app";
    analysis_.stacks[1] = {0x401000};
    analysis_.frames[0x401000] =
        collector::Frame{0x401000, "Offender", "src/app.cc", 12, ""};
    analysis_.stacks[2] = {0x402000};
    analysis_.frames[0x402000] =
        collector::Frame{0x402000, "Elsewhere", "src/app.cc", 40, ""};
  }

  Finding& Add(FindingKind kind, std::vector<ObjectId> objects) {
    Finding f;
    f.id = analysis_.findings.size() + 1;
    f.kind = kind;
    f.severity = collector::DefaultSeverity(kind);
    f.objects = std::move(objects);
    f.stack = 1;
    analysis_.findings.push_back(AnalyzedFinding{std::move(f), {0}});
    return analysis_.findings.back().finding;
  }

  Analysis& analysis() { return analysis_; }

 private:
  void Lock(ObjectId id, const std::string& name) {
    collector::ObjectInfo& o = analysis_.objects[id];
    o.id = id;
    o.name = name;
    o.class_name = "class_" + name;
  }
  Analysis analysis_;
};

std::vector<bool> Failing(const std::vector<Verdict>& verdicts) {
  std::vector<bool> out;
  for (const Verdict& v : verdicts) out.push_back(v.failing);
  return out;
}

// Findings, in order: an unguarded cycle, a guarded cycle, a class cycle (a
// warning), a borrow suppressed in the process, a borrow.
Findings FiveFindings() {
  Findings f;
  f.Add(FindingKind::kLockOrderCycle, {1, 2});
  f.Add(FindingKind::kLockOrderCycle, {1, 2}).guarded_by = {3};
  f.Add(FindingKind::kLockClassCycle, {1, 2});
  f.Add(FindingKind::kCrossThreadBorrow, {4}).suppressed = true;
  f.Add(FindingKind::kCrossThreadBorrow, {4});
  return f;
}

TEST(VerdictTest, DefaultPolicyFailsUnsuppressedUnguardedErrors) {
  Findings f = FiveFindings();
  const std::vector<Verdict> verdicts = Judge(f.analysis(), nullptr, {});
  ASSERT_EQ(verdicts.size(), 5u);
  for (size_t i = 0; i < verdicts.size(); ++i) {
    EXPECT_EQ(verdicts[i].analyzed, &f.analysis().findings[i]) << i;
  }
  EXPECT_THAT(Failing(verdicts), ElementsAre(true, false, false, false, true));
  EXPECT_TRUE(verdicts[3].suppressed);
  EXPECT_EQ(verdicts[3].suppressed_by, "suppressed in the traced process");
  EXPECT_TRUE(AnyFailing(verdicts));
}

TEST(VerdictTest, StrictFailsGuardedAndWarningsButNeverSuppressed) {
  Findings f = FiveFindings();
  FailPolicy strict;
  strict.strict = true;
  EXPECT_THAT(Failing(Judge(f.analysis(), nullptr, strict)),
              ElementsAre(true, true, true, false, true));
}

TEST(VerdictTest, FailOnLimitsTheKindsThatFail) {
  Findings f = FiveFindings();
  FailPolicy policy;
  policy.fail_on = {FindingKind::kLockClassCycle};
  EXPECT_FALSE(AnyFailing(Judge(f.analysis(), nullptr, policy)));
  policy.strict = true;
  EXPECT_THAT(Failing(Judge(f.analysis(), nullptr, policy)),
              ElementsAre(false, false, true, false, false));
}

TEST(VerdictTest, SuppressionRuleIsNamedAndTheProcessMarkWins) {
  Findings f = FiveFindings();
  absl::StatusOr<collector::Suppressions> rules =
      collector::Suppressions::Parse("# ours\nborrow:^app$\n", "test.supp");
  ASSERT_TRUE(rules.ok()) << rules.status();
  const std::vector<Verdict> verdicts = Judge(f.analysis(), &*rules, {});
  EXPECT_THAT(Failing(verdicts), ElementsAre(true, false, false, false, false));
  EXPECT_EQ(verdicts[3].suppressed_by, "suppressed in the traced process");
  EXPECT_TRUE(verdicts[4].suppressed);
  EXPECT_THAT(verdicts[4].suppressed_by, HasSubstr("borrow:^app$"));
  EXPECT_FALSE(verdicts[0].suppressed);
  EXPECT_EQ(verdicts[0].suppressed_by, "");
}

TEST(VerdictTest, NothingToJudgeFailsNothing) {
  Findings f;
  EXPECT_TRUE(Judge(f.analysis(), nullptr, {}).empty());
  EXPECT_FALSE(AnyFailing({}));
  EXPECT_EQ(CountByKind({}, [](const Verdict&) { return true; }), "none");
}

TEST(VerdictTest, CountByKindCountsThePickedInKindOrder) {
  Findings f = FiveFindings();
  const std::vector<Verdict> verdicts = Judge(f.analysis(), nullptr, {});
  EXPECT_EQ(CountByKind(verdicts, [](const Verdict&) { return true; }),
            "2 lock-order-cycle, 1 lock-class-cycle, 2 cross-thread-borrow");
  EXPECT_EQ(CountByKind(verdicts, [](const Verdict& v) { return v.failing; }),
            "1 lock-order-cycle, 1 cross-thread-borrow");
  EXPECT_EQ(CountByKind(verdicts, [](const Verdict& v) {
              return v.suppressed && !v.failing &&
                     v.analyzed->finding.kind == FindingKind::kBorrowConflict;
            }),
            "none");
}

TEST(VerdictTest, IsGuardedMeansAGate) {
  Findings f = FiveFindings();
  EXPECT_FALSE(IsGuarded(f.analysis().findings[0].finding));
  EXPECT_TRUE(IsGuarded(f.analysis().findings[1].finding));
}

TEST(VerdictTest, FingerprintIsTheDocumentedHash) {
  // FNV-1a 64 of "lock-order-cycle\naccounts\nledger" and of
  // "cross-thread-borrow\napp\n@Offender" (computed independently): a
  // fingerprint must not change between versions, or baselines break.
  Findings f = FiveFindings();
  const Analysis& a = f.analysis();
  EXPECT_EQ(Fingerprint(a.findings[0].finding, a), "40e3f79c4aa676b5");
  EXPECT_EQ(Fingerprint(a.findings[4].finding, a), "1294d5c4f9df294e");
}

TEST(VerdictTest, FingerprintOfACycleIgnoresIdsOrderAndStacks) {
  Findings f = FiveFindings();
  Analysis& a = f.analysis();
  const std::string first = Fingerprint(a.findings[0].finding, a);
  Finding reordered = a.findings[0].finding;
  reordered.objects = {2, 1, 2};
  reordered.id = 99;
  reordered.stack = 2;
  EXPECT_EQ(Fingerprint(reordered, a), first);
  // The same names under other ids (another process) are the same finding.
  Findings other;
  other.analysis().objects[7] = a.objects.at(1);
  other.analysis().objects[8] = a.objects.at(2);
  Finding moved = a.findings[0].finding;
  moved.objects = {8, 7};
  EXPECT_EQ(Fingerprint(moved, other.analysis()), first);
  // Other locks are another finding; a class cycle goes by class names.
  Finding with_gate = a.findings[0].finding;
  with_gate.objects = {1, 3};
  EXPECT_NE(Fingerprint(with_gate, a), first);
  EXPECT_NE(Fingerprint(a.findings[2].finding, a), first);
}

TEST(VerdictTest, FingerprintOfOtherFindingsNamesTheInnermostFunction) {
  Findings f = FiveFindings();
  Analysis& a = f.analysis();
  Finding borrow = a.findings[4].finding;
  const std::string at_offender = Fingerprint(borrow, a);
  borrow.stack = 2;
  EXPECT_NE(Fingerprint(borrow, a), at_offender);
  borrow.stack = 0;
  const std::string no_stack = Fingerprint(borrow, a);
  EXPECT_NE(no_stack, at_offender);
  // An object the context does not know reads as "?": as one named "?".
  borrow.objects = {42};
  const std::string unknown = Fingerprint(borrow, a);
  EXPECT_NE(unknown, no_stack);
  a.objects[5] = a.objects.at(4);
  a.objects[5].id = 5;
  a.objects[5].name = "?";
  borrow.objects = {5};
  EXPECT_EQ(Fingerprint(borrow, a), unknown);
}

// --- Traces written as the runtime writes them --------------------------

std::vector<collector::TraceData> Load(const std::vector<std::string>& paths) {
  absl::StatusOr<std::vector<collector::TraceData>> traces =
      LoadTraces(paths, LoadOptions{});
  EXPECT_TRUE(traces.ok()) << traces.status();
  return traces.ok() ? *std::move(traces)
                     : std::vector<collector::TraceData>{};
}

const AnalyzedFinding* FirstOfKind(const Analysis& analysis,
                                   FindingKind kind) {
  for (const AnalyzedFinding& f : analysis.findings) {
    if (f.finding.kind == kind) return &f;
  }
  return nullptr;
}

std::vector<Verdict> JudgeSingle(FindingKind kind, bool suppressed,
                                 bool guarded, const FailPolicy& policy,
                                 const collector::Suppressions* rules,
                                 std::vector<collector::TraceData>* keep,
                                 Analysis* analysis) {
  const std::string path = TempPath("single.lstrace");
  test_traces::WriteSingleFindingTrace(path, kind, suppressed, guarded);
  *keep = Load({path});
  *analysis = Analysis::Build(*keep);
  return Judge(*analysis, rules, policy);
}

bool Fails(FindingKind kind, bool suppressed, bool guarded,
           const FailPolicy& policy,
           const collector::Suppressions* rules = nullptr) {
  std::vector<collector::TraceData> traces;
  Analysis analysis;
  const std::vector<Verdict> verdicts =
      JudgeSingle(kind, suppressed, guarded, policy, rules, &traces, &analysis);
  EXPECT_EQ(verdicts.size(), 1u);
  return AnyFailing(verdicts);
}

TEST(TraceVerdictTest, DefaultPolicyFailsUnguardedErrorsOnly) {
  EXPECT_TRUE(Fails(FindingKind::kLockOrderCycle, false, false, {}));
  EXPECT_TRUE(Fails(FindingKind::kCrossThreadBorrow, false, false, {}));
  EXPECT_FALSE(Fails(FindingKind::kLockOrderCycle, false, true, {}));
  EXPECT_FALSE(Fails(FindingKind::kLockClassCycle, false, false, {}));
  EXPECT_FALSE(Fails(FindingKind::kLockOrderCycle, true, false, {}));
}

TEST(TraceVerdictTest, StrictFailsGuardedAndWarningsButNotSuppressed) {
  FailPolicy strict;
  strict.strict = true;
  EXPECT_TRUE(Fails(FindingKind::kLockOrderCycle, false, true, strict));
  EXPECT_TRUE(Fails(FindingKind::kLockClassCycle, false, false, strict));
  EXPECT_FALSE(Fails(FindingKind::kLockOrderCycle, true, false, strict));
}

TEST(TraceVerdictTest, FailOnRestrictsKinds) {
  FailPolicy policy;
  policy.fail_on = {FindingKind::kCrossThreadBorrow};
  EXPECT_FALSE(Fails(FindingKind::kLockOrderCycle, false, false, policy));
  EXPECT_TRUE(Fails(FindingKind::kCrossThreadBorrow, false, false, policy));
}

TEST(TraceVerdictTest, SuppressionFileRuleIsReported) {
  absl::StatusOr<collector::Suppressions> rules =
      collector::Suppressions::Parse("cycle:Offender\n", "test.supp");
  ASSERT_TRUE(rules.ok()) << rules.status();
  std::vector<collector::TraceData> traces;
  Analysis analysis;
  const std::vector<Verdict> verdicts =
      JudgeSingle(FindingKind::kLockOrderCycle, false, false, {}, &*rules,
                  &traces, &analysis);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_TRUE(verdicts[0].suppressed);
  EXPECT_FALSE(verdicts[0].failing);
  EXPECT_THAT(verdicts[0].suppressed_by, HasSubstr("Offender"));
}

TEST(TraceVerdictTest, FingerprintIgnoresIdsButNotLocks) {
  const std::string a = TempPath("a.lstrace");
  const std::string b = TempPath("b.lstrace");
  test_traces::WriteHalfInversion(a, 1, true);
  test_traces::WriteHalfInversion(b, 2, false);
  const Analysis one = Analysis::Build(Load({a, b}));
  const Analysis other = Analysis::Build(Load({b, a}));
  const AnalyzedFinding* x = FirstOfKind(one, FindingKind::kLockOrderCycle);
  const AnalyzedFinding* y = FirstOfKind(other, FindingKind::kLockOrderCycle);
  ASSERT_NE(x, nullptr);
  ASSERT_NE(y, nullptr);
  EXPECT_EQ(Fingerprint(x->finding, one), Fingerprint(y->finding, other));
  EXPECT_EQ(Fingerprint(x->finding, one).size(), 16u);

  const std::string bank = TempPath("bank.lstrace");
  test_traces::WriteBankTrace(bank);
  const Analysis banked = Analysis::Build(Load({bank}));
  EXPECT_NE(Fingerprint(banked.findings[0].finding, banked),
            Fingerprint(x->finding, one));
}

}  // namespace
}  // namespace lockscope::viewer
