#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {

const std::string& BankTrace() {
  static const std::string* path = [] {
    auto* p = new std::string(TempPath("bank.lstrace"));
    WriteBankTrace(*p);
    return p;
  }();
  return *path;
}

std::unique_ptr<Json> MustParse(const std::string& text) {
  std::string error;
  std::unique_ptr<Json> json = ParseJson(text, &error);
  EXPECT_NE(json, nullptr) << "invalid JSON: " << error << "\n" << text;
  return json;
}

void ExpectOneLineError(const CliResult& result, const std::string& what) {
  EXPECT_EQ(result.exit_code, 2) << result.err;
  const std::vector<std::string> lines = result.ErrLines();
  ASSERT_EQ(lines.size(), 1u) << result.err;
  EXPECT_THAT(lines[0], ::testing::StartsWith("lockscope: "));
  EXPECT_THAT(lines[0], ::testing::HasSubstr(what));
}

}  // namespace lockscope::viewer::test_traces
