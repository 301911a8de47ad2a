// Untrusted traces stay untrusted in every output. A trace may come from a
// CI run of code nobody reviewed, and its lock, class, thread, function and
// file names are whatever that code chose: quotes, "</script>", terminal
// escape sequences (C0 and C1), line breaks, DOT and JSON punctuation.
//
// The same trace is written twice, once with such names and once with
// plain ones, and every subcommand and format is run on both:
//   - no output (stdout or stderr, any format) carries a terminal control:
//     no C0 byte but \n and \t, no DEL, no C1 code point, only valid UTF-8;
//   - text has as many lines for the hostile trace as for the plain one
//     (no name forges a line);
//   - JSON, SARIF and chrome-json parse, have the plain trace's shape (no
//     name adds a key or a value), and carry the quote-bearing names
//     verbatim;
//   - JUnit XML and DOT have the plain trace's skeleton once attribute
//     values / quoted strings are blanked (no name adds a tag, attribute,
//     node or edge).
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using collector::EventType;
using collector::FindingKind;
using collector::ObjectId;
using collector::ObjectKind;
using collector::StackId;
using collector::ThreadId;
using ::testing::HasSubstr;
using ::testing::Not;

struct Names {
  std::string lock_a, lock_b, class_a, cell, thread_1, thread_2, file,
      function, message;
};

// Names with quotes and markup only (printable): JSON must carry them
// verbatim.
const char kQuoted[] = "q\"uote'</script><script>alert(1)</script>&amp;";
const char kDotBreak[] = "x\"]; pwn -> owned [label=\"y\\";
const char kJsonBreak[] = "\"},{\"injected\":\"1\\u0000";

Names Hostile() {
  return Names{
      kQuoted,
      // C0 escape sequences: colour, window title (OSC ... BEL), clear.
      "\x1b[31mred\x1b]0;title\x07\x1b[2J\x1b[H",
      kJsonBreak,
      // C1 controls as UTF-8: CSI, OSC, ST.
      "cell\xc2\x9b" "31m\xc2\x9d" "0;t\xc2\x9c",
      "line1\nSUMMARY: no findings\r\b\x7f",
      kDotBreak,
      "]]><!-- x --><testcase name=\"forged\"/>\x1b[1m.cc",
      "Fn\x1b[8m\xc2\x9b" "2J</failure>",
      "msg\n\x1b[2Kforged line"};
}

Names Plain() {
  return Names{"lock_a", "lock_b", "class_a", "cell", "thread_1",
               "thread_2", "src/file.cc", "Function", "message"};
}

void WriteTrace(const std::string& path, const Names& n) {
  TraceBuilder b(path, 77);
  const ThreadId t1 = b.Thread(n.thread_1);
  const ThreadId t2 = b.Thread(n.thread_2);
  const ObjectId a =
      b.Object(n.lock_a, ObjectKind::kMutex, n.file, 10, n.class_a);
  const ObjectId c = b.Object(n.lock_b, ObjectKind::kMutex, n.file, 11);
  const ObjectId cell = b.Object(n.cell, ObjectKind::kCell, n.file, 12, "", t1);
  const StackId s1 = b.Stack({{n.function, n.file, 20}, {"main", n.file, 30}});
  const StackId s2 = b.Stack({{n.function, n.file, 21}});
  b.Edge(a, c, t1, s1, s2);
  b.Edge(c, a, t2, s2, s1);
  collector::Finding cycle;
  cycle.kind = FindingKind::kLockOrderCycle;
  cycle.severity = collector::DefaultSeverity(cycle.kind);
  cycle.objects = {a, c};
  cycle.edges = {{a, c, t1, s2, s1}, {c, a, t2, s1, s2}};
  cycle.threads = {t1, t2};
  cycle.message = n.message;
  cycle.time_ns = 3000;
  b.Finding(cycle);
  collector::Finding borrow;
  borrow.kind = FindingKind::kCrossThreadBorrow;
  borrow.severity = collector::DefaultSeverity(borrow.kind);
  borrow.objects = {cell};
  borrow.threads = {t2};
  borrow.stack = s2;
  borrow.message = n.message;
  borrow.time_ns = 3500;
  b.Finding(borrow);
  b.Events(t1, {Ev(1000, a, EventType::kAcquireWait),
                Ev(1100, a, EventType::kAcquired),
                Ev(1200, c, EventType::kAcquired),
                Ev(1300, c, EventType::kReleased),
                Ev(1400, a, EventType::kReleased)});
  b.Events(t2, {Ev(2000, cell, EventType::kBorrow, collector::Access::kShared),
                Ev(2100, cell, EventType::kBorrowRelease,
                   collector::Access::kShared)});
  b.Counters({a, 1, 1, 100, 100, 300, 300, 1, 0});
  b.End(10'000);
}

const std::string& HostileTrace() {
  static const std::string path = [] {
    const std::string p = TempPath("hostile.lstrace");
    WriteTrace(p, Hostile());
    return p;
  }();
  return path;
}

const std::string& PlainTrace() {
  static const std::string path = [] {
    const std::string p = TempPath("plain.lstrace");
    WriteTrace(p, Plain());
    return p;
  }();
  return path;
}

// Describes the first thing in `text` a terminal would act on, or "".
std::string FirstTerminalControl(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
        return "control byte " + std::to_string(c) + " at " + std::to_string(i);
      }
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return "stray byte " + std::to_string(c) + " at " + std::to_string(i);
    }
    if (i + len > text.size()) return "truncated UTF-8 at " + std::to_string(i);
    for (size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(text[i + k]);
      if ((d & 0xc0) != 0x80) return "bad UTF-8 at " + std::to_string(i);
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp >= 0x80 && cp <= 0x9f) {
      return "C1 control U+00" + std::to_string(cp) + " (decimal) at " +
             std::to_string(i);
    }
    i += len;
  }
  return "";
}

size_t LineCount(const std::string& text) {
  return std::vector<std::string>(absl::StrSplit(text, '\n')).size();
}

// Runs `args` with the trace appended (or substituted for "TRACE").
CliResult RunOn(std::vector<std::string> args, const std::string& trace) {
  bool placed = false;
  for (std::string& arg : args) {
    if (arg == "TRACE") {
      arg = trace;
      placed = true;
    }
  }
  if (!placed) args.push_back(trace);
  return RunCli(args);
}

struct Pair {
  CliResult hostile;
  CliResult plain;
};

Pair RunBoth(const std::vector<std::string>& args) {
  Pair pair{RunOn(args, HostileTrace()), RunOn(args, PlainTrace())};
  EXPECT_GE(pair.hostile.exit_code, 0) << "crashed";
  EXPECT_EQ(pair.hostile.exit_code, pair.plain.exit_code)
      << pair.hostile.err;
  EXPECT_EQ(FirstTerminalControl(pair.hostile.out), "") << pair.hostile.out;
  EXPECT_EQ(FirstTerminalControl(pair.hostile.err), "") << pair.hostile.err;
  return pair;
}

// ---- text ----------------------------------------------------------------

class HostileTextTest
    : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(HostileTextTest, NoControlsAndNoForgedLines) {
  const Pair run = RunBoth(GetParam());
  EXPECT_EQ(LineCount(run.hostile.out), LineCount(run.plain.out))
      << "hostile:\n" << run.hostile.out << "\nplain:\n" << run.plain.out;
}

INSTANTIATE_TEST_SUITE_P(
    EveryTextOutput, HostileTextTest,
    ::testing::Values(std::vector<std::string>{"summary"},
                      std::vector<std::string>{"cycles"},
                      std::vector<std::string>{"borrows"},
                      std::vector<std::string>{"locks"},
                      std::vector<std::string>{"events"},
                      std::vector<std::string>{"check"},
                      std::vector<std::string>{"check", "--strict"}));

TEST(HostileTextTest, NamesAreShownNotDropped) {
  const CliResult run = RunCli({"cycles", HostileTrace()});
  EXPECT_THAT(run.out, HasSubstr("alert(1)"));
  EXPECT_THAT(run.out, HasSubstr("title"));
}

// ---- JSON, SARIF, chrome-json ---------------------------------------------

// `json` with every string and number blanked: its shape.
std::string Shape(const Json& json) {
  switch (json.type) {
    case Json::Type::kNull:
      return "null";
    case Json::Type::kBool:
      return "bool";
    case Json::Type::kNumber:
      return "0";
    case Json::Type::kString:
      return "\"\"";
    case Json::Type::kArray: {
      std::string out = "[";
      for (const Json& item : json.array) out += Shape(item) + ",";
      return out + "]";
    }
    case Json::Type::kObject: {
      std::string out = "{";
      for (size_t i = 0; i < json.keys.size(); ++i) {
        out += json.keys[i] + ":" + Shape(json.values[i]) + ",";
      }
      return out + "}";
    }
  }
  return "?";
}

void Strings(const Json& json, std::vector<std::string>* out) {
  if (json.is_string()) out->push_back(json.string);
  for (const Json& item : json.array) Strings(item, out);
  for (const Json& value : json.values) Strings(value, out);
}

bool SomeStringContains(const Json& json, const std::string& needle) {
  std::vector<std::string> all;
  Strings(json, &all);
  for (const std::string& s : all) {
    if (s.find(needle) != std::string::npos) return true;
  }
  return false;
}

class HostileJsonTest
    : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(HostileJsonTest, ParsesWithThePlainShapeAndNamesVerbatim) {
  const Pair run = RunBoth(GetParam());
  const std::unique_ptr<Json> hostile = MustParse(run.hostile.out);
  const std::unique_ptr<Json> plain = MustParse(run.plain.out);
  ASSERT_NE(hostile, nullptr);
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(Shape(*hostile), Shape(*plain));
  EXPECT_TRUE(SomeStringContains(*hostile, kQuoted)) << run.hostile.out;
}

INSTANTIATE_TEST_SUITE_P(
    EveryJsonOutput, HostileJsonTest,
    ::testing::Values(
        std::vector<std::string>{"check", "--format=json"},
        std::vector<std::string>{"check", "--format=sarif"},
        std::vector<std::string>{"graph", "--format=json"},
        std::vector<std::string>{"export", "--format=chrome-json"}));

// ---- JUnit XML and DOT ------------------------------------------------------

// XML with attribute values and character data blanked; "" if it is not
// well-formed at the level a name could break (a raw '<' or '&' in
// content or value, an unterminated value).
std::string XmlSkeleton(const std::string& xml) {
  std::string out;
  bool in_tag = false;
  for (size_t i = 0; i < xml.size(); ++i) {
    const char c = xml[i];
    if (!in_tag) {
      if (c == '<') {
        in_tag = true;
        out.push_back(c);
      } else if (c == '&') {
        const size_t semi = xml.find(';', i);
        if (semi == std::string::npos || semi - i > 8) return "";
        const std::string entity = xml.substr(i, semi - i + 1);
        if (entity != "&lt;" && entity != "&gt;" && entity != "&amp;" &&
            entity != "&quot;" && entity != "&apos;" &&
            entity.rfind("&#", 0) != 0) {
          return "";
        }
        i = semi;
      } else if (c == '>') {
        return "";  // "]]>" in content is not allowed either
      }
      continue;
    }
    if (c == '"') {
      const size_t end = xml.find('"', i + 1);
      if (end == std::string::npos) return "";
      const std::string value = xml.substr(i + 1, end - i - 1);
      if (value.find('<') != std::string::npos) return "";
      out += "\"\"";
      i = end;
      continue;
    }
    out.push_back(c);
    if (c == '>') in_tag = false;
  }
  return out;
}

TEST(HostileXmlTest, JunitKeepsItsSkeleton) {
  const Pair run = RunBoth({"check", "--format=junit"});
  const std::string hostile = XmlSkeleton(run.hostile.out);
  EXPECT_NE(hostile, "") << run.hostile.out;
  EXPECT_EQ(hostile, XmlSkeleton(run.plain.out)) << run.hostile.out;
  EXPECT_THAT(run.hostile.out, HasSubstr("alert(1)"));
  EXPECT_THAT(run.hostile.out, Not(HasSubstr("<script>")));
  EXPECT_THAT(run.hostile.out, Not(HasSubstr("<testcase name=\"forged\"")));
}

// DOT with every quoted string blanked; "" if a string is unterminated.
std::string DotSkeleton(const std::string& dot) {
  std::string out;
  for (size_t i = 0; i < dot.size(); ++i) {
    if (dot[i] != '"') {
      out.push_back(dot[i]);
      continue;
    }
    size_t j = i + 1;
    while (j < dot.size() && dot[j] != '"') j += dot[j] == '\\' ? 2 : 1;
    if (j >= dot.size()) return "";
    out += "\"\"";
    i = j;
  }
  return out;
}

TEST(HostileDotTest, GraphKeepsItsSkeleton) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"graph"},
        std::vector<std::string>{"graph", "--classes"}}) {
    const Pair run = RunBoth(args);
    const std::string hostile = DotSkeleton(run.hostile.out);
    EXPECT_NE(hostile, "") << run.hostile.out;
    EXPECT_EQ(hostile, DotSkeleton(run.plain.out)) << run.hostile.out;
    // Lock names for locks, the class names for --classes.
    EXPECT_THAT(run.hostile.out,
                HasSubstr(args.size() == 1 ? "alert(1)" : "injected"));
  }
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
