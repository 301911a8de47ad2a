// viewer/output.h — text helpers shared by the subcommands: colour, JSON and
// XML escaping, aligned tables, durations and stack frames.
//
// Pure functions and small value types; nothing here reads a trace or writes
// to a stream it was not handed.
#ifndef LOCKSCOPE_VIEWER_OUTPUT_H_
#define LOCKSCOPE_VIEWER_OUTPUT_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "collector/analysis/model.h"

namespace lockscope::viewer {

// absl::string_view is not std::string_view in this Abseil build, so
// std::string_view values (the collector's names) pass through this to
// reach absl::StrCat and friends.
inline absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

enum class ColorMode { kAuto, kAlways, kNever };

// "auto", "always", "never"; nullopt for anything else.
std::optional<ColorMode> ParseColorMode(std::string_view text);

// Whether output written to `fd` gets ANSI colour: kAlways and kNever mean
// what they say; kAuto colours only a terminal, and only when NO_COLOR is
// unset or empty (https://no-color.org).
bool UseColor(ColorMode mode, int fd);

// ANSI styling that collapses to the plain text when colour is off, so the
// printers never branch on colour themselves.
class Style {
 public:
  explicit Style(bool color) : color_(color) {}
  bool color() const { return color_; }
  std::string Bold(std::string_view text) const;
  std::string Red(std::string_view text) const;
  std::string Yellow(std::string_view text) const;
  std::string Green(std::string_view text) const;
  std::string Dim(std::string_view text) const;

 private:
  std::string Wrap(std::string_view code, std::string_view text) const;
  bool color_;
};

// `text` with every control character (C0 including newlines, DEL, C1)
// replaced by a space and invalid UTF-8 by U+FFFD (collector::Printable),
// so an untrusted string cannot break a one-line message or drive a
// terminal.
std::string OneLine(std::string_view text);

// A JSON string literal, quotes included. Invalid UTF-8 bytes become U+FFFD
// so that the output always parses.
std::string JsonString(std::string_view text);

// Text escaped for XML character data and attribute values.
std::string XmlEscape(std::string_view text);

// A human duration with three significant digits: "850ns", "12.3us",
// "4.56ms", "1.20s".
std::string FormatDuration(uint64_t ns);

// "file:line" ("file" when the line is unknown, "?" when both are).
std::string FormatSite(std::string_view file, uint32_t line);

// One stack frame as "#n function file:line"; unknown parts fall back to the
// raw pc and the module path.
std::string FormatFrame(int index, const collector::Frame& frame);

// A streaming JSON writer that places commas itself. With `pretty`, objects
// and arrays are indented by two spaces per level; arrays whose elements are
// all scalars stay on one line.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out, bool pretty = true)
      : out_(out), pretty_(pretty) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // The next value belongs to this key (inside an object only).
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Key(key) followed by the value.
  JsonWriter& Field(std::string_view key, std::string_view value);
  JsonWriter& Field(std::string_view key, const char* value) {
    return Field(key, std::string_view(value));
  }
  JsonWriter& Field(std::string_view key, int64_t value);
  JsonWriter& Field(std::string_view key, uint64_t value);
  JsonWriter& Field(std::string_view key, int value) {
    return Field(key, static_cast<int64_t>(value));
  }
  JsonWriter& Field(std::string_view key, uint32_t value) {
    return Field(key, static_cast<uint64_t>(value));
  }
  JsonWriter& Field(std::string_view key, bool value);

 private:
  struct Level {
    bool array;
    bool empty = true;
  };
  void BeforeValue();
  void Open(char c, bool array);
  void Close(char c);
  void Newline(size_t depth);

  std::string* out_;
  bool pretty_;
  bool after_key_ = false;
  std::vector<Level> stack_;
};

// A text table with a header row. Columns are padded to their widest cell;
// right-aligned columns suit numbers. Cells may hold ANSI colour codes, which
// take no width.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  // Right-aligns column `index` (header included).
  void AlignRight(size_t index);
  // A row with fewer cells than the header is padded with empty cells.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  // Writes the header, then the rows; two spaces between columns, no
  // trailing spaces. `indent` prefixes every line.
  void Render(std::ostream& out, std::string_view indent = "") const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// Visible width of `text`: UTF-8 code points, not counting ANSI escapes.
size_t DisplayWidth(std::string_view text);

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_OUTPUT_H_
