// `lockscope check --format=json` and `--format=junit`.
#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::HasSubstr;

const Json* FindingOfKind(const Json& root, const std::string& kind) {
  for (const Json& finding : root.Get("findings")->array) {
    if (finding.Get("kind")->string == kind) return &finding;
  }
  return nullptr;
}

TEST(CheckJsonTest, OneObjectWithTheContractKeys) {
  const CliResult result = RunCli({"check", "--format=json", BankTrace()});
  EXPECT_EQ(result.exit_code, 1);
  std::unique_ptr<Json> json = MustParse(result.out);
  ASSERT_NE(json, nullptr);
  ASSERT_TRUE(json->is_object());
  ASSERT_TRUE(json->Get("findings") && json->Get("findings")->is_array());
  ASSERT_TRUE(json->Get("traces") && json->Get("traces")->is_array());
  ASSERT_TRUE(json->Get("failed") && json->Get("failed")->is_bool());
  EXPECT_TRUE(json->Get("failed")->boolean);
  EXPECT_EQ(json->Get("findings")->array.size(), 5u);
  for (const Json& finding : json->Get("findings")->array) {
    for (const char* key : {"kind", "severity", "suppressed", "guarded_by",
                            "locks", "threads", "edges", "message", "count",
                            "fingerprint"}) {
      EXPECT_NE(finding.Get(key), nullptr) << key;
    }
    EXPECT_TRUE(finding.Get("suppressed")->is_bool());
    EXPECT_TRUE(finding.Get("guarded_by")->is_array());
    for (const Json& lock : finding.Get("locks")->array) {
      EXPECT_TRUE(lock.Get("name") && lock.Get("name")->is_string());
      EXPECT_TRUE(lock.Get("class") && lock.Get("class")->is_string());
    }
  }
  const Json* cycle = FindingOfKind(*json, "lock-order-cycle");
  ASSERT_NE(cycle, nullptr);
  EXPECT_EQ(cycle->Get("severity")->string, "error");
  const std::vector<Json>& edges = cycle->Get("edges")->array;
  ASSERT_EQ(edges.size(), 2u);
  EXPECT_EQ(edges[0].Get("from")->string, "accounts");
  EXPECT_EQ(edges[0].Get("to")->string, "ledger");
  ASSERT_NE(edges[0].Get("thread"), nullptr);
  EXPECT_EQ(edges[0].Get("thread")->Get("name")->string, "worker");
  const std::vector<Json>& stack = edges[0].Get("stack")->array;
  ASSERT_EQ(stack.size(), 2u);
  EXPECT_EQ(stack[0].Get("function")->string, "Transfer");
  EXPECT_EQ(stack[0].Get("line")->number, 42);

  // The guarded cycle names its gate.
  bool found_guarded = false;
  for (const Json& finding : json->Get("findings")->array) {
    if (!finding.Get("guarded_by")->array.empty()) {
      found_guarded = true;
      EXPECT_EQ(finding.Get("guarded_by")->array[0].string, "gate");
      EXPECT_FALSE(finding.Get("failing")->boolean);
    }
  }
  EXPECT_TRUE(found_guarded);
  EXPECT_EQ(json->Get("traces")->array[0].Get("path")->string, BankTrace());
}

TEST(CheckJsonTest, CleanRunIsNotFailed) {
  const std::string clean = TempPath("clean.lstrace");
  WriteCleanTrace(clean);
  const CliResult result = RunCli({"check", "--format=json", clean});
  EXPECT_EQ(result.exit_code, 0);
  std::unique_ptr<Json> json = MustParse(result.out);
  ASSERT_NE(json, nullptr);
  EXPECT_FALSE(json->Get("failed")->boolean);
  EXPECT_TRUE(json->Get("findings")->array.empty());
}

TEST(CheckJunitTest, OneTestcasePerTraceWithFailures) {
  const std::string clean = TempPath("clean.lstrace");
  WriteCleanTrace(clean);
  const CliResult result =
      RunCli({"check", "--format=junit", clean, BankTrace()});
  EXPECT_EQ(result.exit_code, 1);
  const std::string& xml = result.out;
  EXPECT_THAT(xml, HasSubstr("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"lockscope\" tests=\"2\" "
                             "failures=\"1\">"));
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"lockscope\" name=\"" +
                             clean + "\"/>"));
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"lockscope\" name=\"" +
                             BankTrace() + "\">"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"3 failing lockscope "
                             "findings\""));
  EXPECT_THAT(xml, HasSubstr("accounts =&gt; ledger =&gt; accounts"));
  EXPECT_THAT(xml, HasSubstr("</testsuites>"));
  EXPECT_EQ(std::count(xml.begin(), xml.end(), '<') -
                std::count(xml.begin(), xml.end(), '>'),
            0);
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
