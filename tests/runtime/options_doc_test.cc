// docs/options.md against runtime/options.inc: the table names every option
// with the runtime's values and default, and the help=1 sample is the text
// the runtime prints.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/options.h"

namespace lockscope::runtime {
namespace {

struct DocRow {
  std::string values;
  std::string default_value;
};

std::string ReadDoc() {
  std::ifstream in(LOCKSCOPE_OPTIONS_DOC);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first `code` span of a cell, or the whole cell when it has none
// ("`0` (off)" -> "0", "none" -> "none").
std::string FirstCode(absl::string_view cell) {
  const size_t open = cell.find('`');
  if (open == absl::string_view::npos) {
    return std::string(absl::StripAsciiWhitespace(cell));
  }
  const size_t close = cell.find('`', open + 1);
  return std::string(cell.substr(open + 1, close - open - 1));
}

// The values cell in the form of OptionSpec::values, lower case:
// "`0`..`255`" -> "0..255", "path, `off`" -> "path|off".
std::string NormalizeValues(absl::string_view cell) {
  std::string v = absl::StrReplaceAll(absl::StripAsciiWhitespace(cell),
                                      {{"`", ""}, {", ", "|"}});
  return absl::AsciiStrToLower(v);
}

// The rows of the table whose header starts "| key |", by key. A key seen
// twice is reported as a failure.
std::map<std::string, DocRow> DocTable(const std::string& doc) {
  std::map<std::string, DocRow> rows;
  bool in_table = false;
  for (absl::string_view line : absl::StrSplit(doc, '\n')) {
    if (absl::StartsWith(line, "| key |")) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (!absl::StartsWith(line, "|")) break;
    if (absl::StartsWith(line, "|---")) continue;
    const std::vector<absl::string_view> cells = absl::StrSplit(line, '|');
    // "", key, values, default, what it does, ""
    if (cells.size() < 5) {
      ADD_FAILURE() << LOCKSCOPE_OPTIONS_DOC << ": table row has "
                    << cells.size() << " cells: " << line;
      continue;
    }
    const std::string key = FirstCode(cells[1]);
    EXPECT_EQ(rows.count(key), 0u)
        << LOCKSCOPE_OPTIONS_DOC << ": option " << key << " listed twice";
    rows[key] = DocRow{NormalizeValues(cells[2]), FirstCode(cells[3])};
  }
  return rows;
}

TEST(OptionsDocTest, TableListsEveryOptionWithItsValuesAndDefault) {
  const std::map<std::string, DocRow> doc = DocTable(ReadDoc());
  ASSERT_FALSE(doc.empty()) << LOCKSCOPE_OPTIONS_DOC
                            << ": no table with a \"| key |\" header";
  const std::vector<OptionSpec> specs = OptionSpecs();
  for (const OptionSpec& s : specs) {
    auto it = doc.find(s.name);
    if (it == doc.end()) {
      ADD_FAILURE() << LOCKSCOPE_OPTIONS_DOC << ": option " << s.name
                    << " is missing from the table";
      continue;
    }
    EXPECT_EQ(it->second.default_value, s.default_value)
        << LOCKSCOPE_OPTIONS_DOC << ": default of " << s.name;
    EXPECT_EQ(it->second.values, absl::AsciiStrToLower(s.values))
        << LOCKSCOPE_OPTIONS_DOC << ": values of " << s.name;
  }
  for (const auto& [key, row] : doc) {
    bool known = false;
    for (const OptionSpec& s : specs) known = known || s.name == key;
    EXPECT_TRUE(known) << LOCKSCOPE_OPTIONS_DOC << ": the table lists " << key
                       << ", which runtime/options.inc does not define";
  }
}

TEST(OptionsDocTest, HelpSampleIsWhatTheRuntimePrints) {
  const std::string doc = ReadDoc();
  const std::string command = "$ LOCKSCOPE_OPTIONS=help=1";
  const size_t at = doc.find(command);
  ASSERT_NE(at, std::string::npos)
      << LOCKSCOPE_OPTIONS_DOC << ": no help=1 sample (a line starting \""
      << command << "\")";
  const size_t start = doc.find('\n', at) + 1;
  const size_t end = doc.find("```", start);
  ASSERT_NE(end, std::string::npos)
      << LOCKSCOPE_OPTIONS_DOC << ": help=1 sample is not closed by ```";
  EXPECT_EQ(doc.substr(start, end - start), OptionsHelp())
      << LOCKSCOPE_OPTIONS_DOC << ": the help=1 sample differs from what "
      << "the runtime prints";
}

}  // namespace
}  // namespace lockscope::runtime
