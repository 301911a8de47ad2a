// `lockscope order` writes the order the traces show; `lockscope check
// --lock-order` flags recorded edges that break a declared order, even when
// the reverse path never ran (no cycle).
#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string WriteOrder(const std::vector<std::string>& traces) {
  const std::string path = TempPath("lockscope.order");
  std::vector<std::string> args{"order", "-o", path};
  args.insert(args.end(), traces.begin(), traces.end());
  const CliResult result = RunCli(args);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  return path;
}

// A trace whose main thread takes the locks `chain` nested, in that order
// (an edge from each to every later one).
std::string ChainTrace(const std::vector<std::string>& chain, int64_t pid) {
  const std::string path = TempPath("chain.lstrace");
  TraceBuilder b(path, pid);
  const collector::ThreadId main = b.Thread("main");
  std::vector<collector::ObjectId> ids;
  for (size_t i = 0; i < chain.size(); ++i) {
    ids.push_back(b.Mutex(chain[i], static_cast<uint32_t>(10 + i)));
  }
  const collector::StackId stack = b.Stack({{"Work", "src/work.cc", 7}});
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t j = i + 1; j < ids.size(); ++j) {
      b.Edge(ids[i], ids[j], main, stack, stack);
    }
  }
  b.End(100);
  return path;
}

TEST(OrderTest, WritesChainsOfTheTransitiveReduction) {
  const std::string order =
      WriteOrder({ChainTrace({"accounts", "ledger", "journal"}, 1),
                  ChainTrace({"accounts", "audit"}, 2)});
  const std::string text = ReadFile(order);
  EXPECT_THAT(text, HasSubstr("# lockscope lock order, written by `lockscope order` from "
                        "2 traces.\n"));
  // accounts < journal is implied, so not written on its own.
  EXPECT_THAT(text, HasSubstr("\naccounts < audit  # sightings: 1\n"));
  EXPECT_THAT(text,
              HasSubstr("\naccounts < ledger < journal  # sightings: 1, 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("accounts < journal")));
  // Deterministic: the same traces in another order, the same file.
  EXPECT_EQ(ReadFile(WriteOrder({ChainTrace({"accounts", "audit"}, 2),
                                 ChainTrace({"accounts", "ledger", "journal"},
                                            1)})),
            text);
}

TEST(OrderTest, CyclesAreLeftOutAndNamed) {
  const std::string text = ReadFile(WriteOrder({BankTrace()}));
  EXPECT_THAT(text, HasSubstr("# left out, taken in both orders"));
  EXPECT_THAT(text, HasSubstr("accounts, ledger"));
  EXPECT_THAT(text, Not(HasSubstr("accounts <")));
  EXPECT_THAT(text, Not(HasSubstr("< accounts")));
  // What it writes is a valid order file.
  EXPECT_EQ(RunCli({"check", "--lock-order=" + WriteOrder({BankTrace()}),
                    "--fail-on=lock-order-violation", BankTrace()})
                .exit_code,
            0);
}

TEST(OrderTest, RoundTripFlagsTheReversedPairWithoutACycle) {
  // Clean runs show left < right.
  const std::string forward = TempPath("forward.lstrace");
  WriteHalfInversion(forward, 10, true);
  const std::string order = WriteOrder({forward});
  EXPECT_THAT(ReadFile(order), HasSubstr("\nleft < right  # sightings: 1\n"));
  EXPECT_EQ(RunCli({"check", "--lock-order=" + order, forward}).exit_code, 0);

  // A later run takes the pair the other way; the forward path never ran in
  // it, so there is no cycle and plain `check` passes.
  const std::string backward = TempPath("backward.lstrace");
  WriteHalfInversion(backward, 11, false);
  EXPECT_EQ(RunCli({"check", backward}).exit_code, 0);
  const CliResult flagged =
      RunCli({"check", "--lock-order=" + order, backward});
  EXPECT_EQ(flagged.exit_code, 1) << flagged.out;
  EXPECT_THAT(flagged.out, HasSubstr("lockscope: lock-order-violation"));
  EXPECT_THAT(flagged.out,
              HasSubstr("'left' taken while holding 'right', against the "
                        "declared order " +
                        order + ": left < right (line"));
  EXPECT_THAT(flagged.out, HasSubstr("taken at:"));
  EXPECT_THAT(flagged.out, HasSubstr("Consume"));

  std::unique_ptr<Json> json = MustParse(
      RunCli({"check", "--format=json", "--lock-order=" + order, backward})
          .out);
  ASSERT_NE(json, nullptr);
  const Json& finding = json->Get("findings")->array.at(0);
  EXPECT_EQ(finding.Get("kind")->string, "lock-order-violation");
  EXPECT_EQ(finding.Get("locks")->array.at(0).Get("name")->string, "right");
  EXPECT_EQ(finding.Get("locks")->array.at(1).Get("name")->string, "left");
  EXPECT_EQ(finding.Get("edges")->array.size(), 1u);

  // Suppressible as a cycle-family finding, and baseline-able.
  const std::string supp = TempPath("order.supp");
  WriteFile(supp, "cycle:^left$\n");
  EXPECT_EQ(RunCli({"check", "--lock-order=" + order,
                    "--suppressions=" + supp, backward})
                .exit_code,
            0);
  const std::string baseline = TempPath("order.baseline");
  ASSERT_EQ(RunCli({"baseline", "-o", baseline, "--lock-order=" + order,
                    backward})
                .exit_code,
            0);
  EXPECT_THAT(ReadFile(baseline), HasSubstr("# lock-order-violation left, "
                                            "right @ Consume"));
  EXPECT_EQ(RunCli({"check", "--lock-order=" + order,
                    "--baseline=" + baseline, backward})
                .exit_code,
            0);
}

TEST(OrderTest, BadOrderFileIsOneLine) {
  const std::string bad = TempPath("bad.order");
  WriteFile(bad, "# ok\na < b\nb < c < a\n");
  ExpectOneLineError(RunCli({"check", "--lock-order=" + bad, BankTrace()}),
                     "bad.order:3: 'c < a' contradicts the order a < b < c");
  const std::string syntax = TempPath("syntax.order");
  WriteFile(syntax, "a<b\n");
  ExpectOneLineError(RunCli({"check", "--lock-order=" + syntax, BankTrace()}),
                     "syntax.order:1: expected a chain");
  ExpectOneLineError(
      RunCli({"check", "--lock-order=" + TempPath("none"), BankTrace()}),
      "cannot open lock order file");
  EXPECT_EQ(RunCli({"order", BankTrace()}).exit_code, 2);
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
