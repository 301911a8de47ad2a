// collector/analysis/baseline.h: the baseline file format, written and read
// back, and its errors (one line naming file:line and what is wrong).
#include "collector/analysis/baseline.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace lockscope::collector {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(BaselineTest, FormatIsVersionedSortedAndOnePerFingerprint) {
  const std::string text = FormatBaseline({
      {"ffff000000000000", "lock-order-cycle b, c", 0},
      {"0123456789abcdef", "cross-thread-borrow app @ Run()", 0},
      {"ffff000000000000", "lock-order-cycle b, c", 0},
  });
  EXPECT_THAT(text, StartsWith("# lockscope baseline v1\n"));
  const size_t first = text.find("0123456789abcdef  # cross-thread-borrow");
  const size_t second = text.find("ffff000000000000  # lock-order-cycle b, c");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_LT(first, second);
  EXPECT_EQ(text.find("ffff000000000000", second + 1), std::string::npos);
  // The same entries in another order make the same file.
  EXPECT_EQ(FormatBaseline({{"0123456789abcdef",
                             "cross-thread-borrow app @ Run()", 0},
                            {"ffff000000000000", "lock-order-cycle b, c", 0}}),
            text);
}

TEST(BaselineTest, RoundTrip) {
  const std::string text =
      FormatBaseline({{"00000000000000aa", "recursive-lock cache", 0},
                      {"00000000000000bb", "", 0}});
  absl::StatusOr<Baseline> parsed = Baseline::Parse(text, "b.txt");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->entries().size(), 2u);
  EXPECT_EQ(parsed->entries()[0].fingerprint, "00000000000000aa");
  EXPECT_EQ(parsed->entries()[0].label, "recursive-lock cache");
  EXPECT_GT(parsed->entries()[0].line, 1);
  EXPECT_EQ(parsed->entries()[1].label, "");
  EXPECT_TRUE(parsed->Contains("00000000000000bb"));
  EXPECT_FALSE(parsed->Contains("00000000000000cc"));
}

TEST(BaselineTest, CommentsBlankLinesAndCrlf) {
  absl::StatusOr<Baseline> parsed = Baseline::Parse(
      "# lockscope baseline v1\r\n\r\n# a comment\n  00000000000000aa\r\n",
      "b.txt");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->entries().size(), 1u);
  EXPECT_EQ(parsed->entries()[0].line, 4);
}

void ExpectError(const std::string& text, const std::string& where,
                 const std::string& what) {
  absl::StatusOr<Baseline> parsed = Baseline::Parse(text, "base.txt");
  ASSERT_FALSE(parsed.ok()) << text;
  const std::string message(parsed.status().message());
  EXPECT_THAT(message, StartsWith(where)) << message;
  EXPECT_THAT(message, HasSubstr(what)) << message;
  EXPECT_THAT(message, Not(HasSubstr("\n")));
}

TEST(BaselineTest, BadFilesNameFileLineAndProblem) {
  ExpectError("", "base.txt:1:", "empty file");
  ExpectError("00000000000000aa\n", "base.txt:1:", "not a lockscope baseline");
  ExpectError("# lockscope baseline v2\n", "base.txt:1:",
              "unsupported baseline version");
  ExpectError("# lockscope baseline v1\n00000000000000aa\nxyz\n",
              "base.txt:3:", "got 'xyz'");
  // Upper case, too short, too long: not what `lockscope baseline` writes.
  ExpectError("# lockscope baseline v1\n00000000000000AA\n", "base.txt:2:",
              "16 lowercase hex digits");
  ExpectError("# lockscope baseline v1\n0000aa # short\n", "base.txt:2:",
              "expected a fingerprint");
  ExpectError("# lockscope baseline v1\n00000000000000aa0\n", "base.txt:2:",
              "expected a fingerprint");
}

TEST(BaselineTest, LoadNamesAMissingFile) {
  const std::string path = testing::TempPath("missing.baseline");
  absl::StatusOr<Baseline> loaded = Baseline::Load(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(std::string(loaded.status().message()),
              StartsWith(path + ": cannot open baseline file"));
  const std::string good = testing::TempPath("good.baseline");
  ASSERT_TRUE(testing::WriteFile(good, FormatBaseline({{"00000000000000aa",
                                                        "x", 0}})));
  loaded = Baseline::Load(good);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(loaded->Contains("00000000000000aa"));
}

}  // namespace
}  // namespace lockscope::collector
