#include "viewer/output.h"

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/viewer/json_checker.h"
#include "viewer/check_formats.h"

namespace lockscope::viewer {
namespace {

using ::testing::HasSubstr;
using test_traces::Json;
using test_traces::ParseJson;

std::string RoundTrip(std::string_view text) {
  std::string error;
  std::unique_ptr<Json> json = ParseJson(JsonString(text), &error);
  EXPECT_NE(json, nullptr) << error << " in " << JsonString(text);
  return json ? json->string : "";
}

TEST(JsonStringTest, EscapesRoundTrip) {
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(RoundTrip("tab\tnew\nline\x01 end"), "tab\tnew\nline\x01 end");
  EXPECT_EQ(RoundTrip("caf\xc3\xa9 \xe2\x86\x92"), "caf\xc3\xa9 \xe2\x86\x92");
}

TEST(JsonStringTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(JsonString("a\xff" "b"), "\"a\\ufffdb\"");
  EXPECT_EQ(RoundTrip("\xc3"), "\xef\xbf\xbd");
  // An overlong encoding of '/' is not accepted either.
  EXPECT_EQ(JsonString("\xc0\xaf"), "\"\\ufffd\\ufffd\"");
}

TEST(JsonWriterTest, NestedOutputParses) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject();
  json.Field("name", "x\"y");
  json.Key("empty").BeginArray().EndArray();
  json.Key("list").BeginArray().String("a").Int(-3).Bool(true).Null().EndArray();
  json.Key("objects").BeginArray();
  json.BeginObject().Field("k", uint64_t{1}).EndObject();
  json.BeginObject().EndObject();
  json.EndArray();
  json.EndObject();
  std::string error;
  std::unique_ptr<Json> parsed = ParseJson(out, &error);
  ASSERT_NE(parsed, nullptr) << error << "\n" << out;
  ASSERT_NE(parsed->Get("list"), nullptr);
  EXPECT_EQ(parsed->Get("list")->array.size(), 4u);
  EXPECT_EQ(parsed->Get("objects")->array.size(), 2u);
  EXPECT_EQ(parsed->Get("name")->string, "x\"y");
  EXPECT_THAT(out, HasSubstr("\"list\": [\"a\", -3, true, null]"));

  std::string compact;
  JsonWriter flat(&compact, /*pretty=*/false);
  flat.BeginObject().Field("a", 1).Key("b").BeginArray().Int(1).Int(2);
  flat.EndArray().EndObject();
  EXPECT_EQ(compact, "{\"a\":1,\"b\":[1,2]}");
}

TEST(FormatDurationTest, ThreeSignificantDigits) {
  EXPECT_EQ(FormatDuration(0), "0ns");
  EXPECT_EQ(FormatDuration(850), "850ns");
  EXPECT_EQ(FormatDuration(1234), "1.23us");
  EXPECT_EQ(FormatDuration(12345), "12.3us");
  EXPECT_EQ(FormatDuration(999'999), "1.00ms");
  EXPECT_EQ(FormatDuration(4'560'000), "4.56ms");
  EXPECT_EQ(FormatDuration(1'200'000'000), "1.20s");
  EXPECT_EQ(FormatDuration(7200'000'000'000), "7200s");
}

TEST(TableTest, AlignsColumnsIgnoringColourCodes) {
  Table table({"NAME", "N"});
  table.AlignRight(1);
  table.AddRow({"a", "1"});
  table.AddRow({Style(true).Red("long-name"), "100"});
  std::ostringstream out;
  table.Render(out);
  EXPECT_EQ(out.str(),
            "NAME         N\n"
            "a            1\n"
            "\x1b[1;31mlong-name\x1b[0m  100\n");
}

TEST(OutputTest, OneLineAndFramesAreSafe) {
  EXPECT_EQ(OneLine("a\nb\rc\x1b"), "a b c ");
  collector::Frame frame;
  frame.pc = 0x4010;
  EXPECT_EQ(FormatFrame(0, frame), "#0 0x4010");
  frame.module = "/lib/libx.so";
  EXPECT_EQ(FormatFrame(1, frame), "#1 0x4010 (/lib/libx.so)");
  frame.function = "Run";
  frame.file = "src/a.cc";
  frame.line = 7;
  EXPECT_EQ(FormatFrame(2, frame), "#2 Run src/a.cc:7");
  EXPECT_EQ(XmlEscape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
}

TEST(OutputTest, ColorModes) {
  EXPECT_EQ(ParseColorMode("always"), ColorMode::kAlways);
  EXPECT_EQ(ParseColorMode("sometimes"), std::nullopt);
  EXPECT_TRUE(UseColor(ColorMode::kAlways, -1));
  EXPECT_FALSE(UseColor(ColorMode::kNever, -1));
  // Not a terminal.
  EXPECT_FALSE(UseColor(ColorMode::kAuto, -1));
  EXPECT_EQ(Style(false).Red("x"), "x");
}

TEST(ArtifactUriTest, RelativeUnderRootElseFileUri) {
  bool relative = false;
  EXPECT_EQ(ArtifactUri("/src/repo/lib/a b.cc", "/src/repo", &relative),
            "lib/a%20b.cc");
  EXPECT_TRUE(relative);
  EXPECT_EQ(ArtifactUri("/usr/include/mutex", "/src/repo", &relative),
            "file:///usr/include/mutex");
  EXPECT_FALSE(relative);
  EXPECT_EQ(ArtifactUri("src/x.cc", "/src/repo", &relative), "src/x.cc");
  EXPECT_TRUE(relative);
  // A sibling directory sharing the root's prefix is outside the root.
  EXPECT_EQ(ArtifactUri("/src/repository/x.cc", "/src/repo", &relative),
            "file:///src/repository/x.cc");
}

TEST(JsonCheckerTest, RejectsMalformedJson) {
  std::string error;
  EXPECT_EQ(ParseJson("{\"a\":1,}", &error), nullptr);
  EXPECT_EQ(ParseJson("[1 2]", &error), nullptr);
  EXPECT_EQ(ParseJson("\"unterminated", &error), nullptr);
  EXPECT_EQ(ParseJson("01", &error), nullptr);
  EXPECT_NE(ParseJson(" {\"a\": [1.5e3, \"\\u00e9\"]} ", &error), nullptr);
}

}  // namespace
}  // namespace lockscope::viewer
