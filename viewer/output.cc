#include "viewer/output.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collector/analysis/printable.h"

namespace lockscope::viewer {

std::optional<ColorMode> ParseColorMode(std::string_view text) {
  if (text == "auto") return ColorMode::kAuto;
  if (text == "always") return ColorMode::kAlways;
  if (text == "never") return ColorMode::kNever;
  return std::nullopt;
}

bool UseColor(ColorMode mode, int fd) {
  switch (mode) {
    case ColorMode::kAlways:
      return true;
    case ColorMode::kNever:
      return false;
    case ColorMode::kAuto:
      break;
  }
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(fd) == 1;
}

std::string Style::Wrap(std::string_view code, std::string_view text) const {
  if (!color_) return std::string(text);
  return absl::StrCat("\x1b[", ToAbsl(code), "m", ToAbsl(text), "\x1b[0m");
}
std::string Style::Bold(std::string_view text) const { return Wrap("1", text); }
std::string Style::Red(std::string_view text) const {
  return Wrap("1;31", text);
}
std::string Style::Yellow(std::string_view text) const {
  return Wrap("33", text);
}
std::string Style::Green(std::string_view text) const {
  return Wrap("32", text);
}
std::string Style::Dim(std::string_view text) const { return Wrap("2", text); }

std::string OneLine(std::string_view text) {
  return collector::Printable(text);
}

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char c = byte(i);
  size_t len;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) {
    len = 2;
    min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3;
    min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  uint32_t cp = c & (0x7f >> len);
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

}  // namespace

std::string JsonString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(text, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else if (len == 2 && c == 0xc2 &&
                 static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
        // A C1 control (U+0080..U+009F): escaped, so JSON printed on a
        // terminal cannot drive it.
        out += absl::StrFormat("\\u%04x",
                               static_cast<unsigned char>(text[i + 1]));
        i += len;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(text, i);
      if (len == 0) {
        out += "&#xFFFD;";
        ++i;
      } else if (len == 2 && c == 0xc2 &&
                 static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
        // A C1 control, as a character reference (raw, it could drive a
        // terminal the XML is printed on).
        out += absl::StrFormat("&#x%X;",
                               static_cast<unsigned char>(text[i + 1]));
        i += len;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
      case '\t':
        out.push_back(static_cast<char>(c));
        break;
      default:
        // XML 1.0 cannot carry other control characters at all.
        out.push_back(c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c));
    }
    ++i;
  }
  return out;
}

std::string FormatDuration(uint64_t ns) {
  if (ns < 1000) return absl::StrCat(ns, "ns");
  struct Unit {
    const char* name;
    double scale;
  };
  static constexpr Unit kUnits[] = {{"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  for (size_t u = 0; u < 3; ++u) {
    const double v = static_cast<double>(ns) / kUnits[u].scale;
    const bool last = u == 2;
    // Moving up a unit once three significant digits would round to 1000.
    if (!last && v >= 999.5) continue;
    if (v < 9.995) return absl::StrFormat("%.2f%s", v, kUnits[u].name);
    if (v < 99.95) return absl::StrFormat("%.1f%s", v, kUnits[u].name);
    return absl::StrFormat("%.0f%s", v, kUnits[u].name);
  }
  return absl::StrCat(ns, "ns");  // not reached
}

std::string FormatSite(std::string_view file, uint32_t line) {
  if (file.empty()) return line == 0 ? "?" : absl::StrCat("?:", line);
  if (line == 0) return std::string(file);
  return absl::StrCat(ToAbsl(file), ":", line);
}

std::string FormatFrame(int index, const collector::Frame& frame) {
  std::string out = absl::StrCat("#", index, " ");
  if (frame.function.empty()) {
    absl::StrAppend(&out, absl::StrFormat("0x%x", frame.pc));
  } else {
    absl::StrAppend(&out, OneLine(frame.function));
  }
  if (!frame.file.empty()) {
    absl::StrAppend(&out, " ", OneLine(FormatSite(frame.file, frame.line)));
  } else if (!frame.module.empty()) {
    absl::StrAppend(&out, " (", OneLine(frame.module), ")");
  }
  return out;
}

void JsonWriter::Newline(size_t depth) {
  if (!pretty_) return;
  out_->push_back('\n');
  out_->append(2 * depth, ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  Level& level = stack_.back();
  if (!level.empty) out_->append(pretty_ && level.array ? ", " : ",");
  if (!level.array) Newline(stack_.size());
  level.empty = false;
}

void JsonWriter::Open(char c, bool array) {
  // Containers inside arrays start on their own line so that arrays of
  // objects read one element per block.
  if (!after_key_ && !stack_.empty() && stack_.back().array) {
    if (!stack_.back().empty) out_->push_back(',');
    stack_.back().empty = false;
    Newline(stack_.size());
  } else {
    BeforeValue();
  }
  out_->push_back(c);
  stack_.push_back(Level{array});
}

void JsonWriter::Close(char c) {
  const bool empty = stack_.back().empty;
  const bool array = stack_.back().array;
  stack_.pop_back();
  // An object always closes on its own line; an array only if it was broken
  // over lines (it holds containers), which its last element's shape tells:
  // a trailing '}' or ']' means it did.
  if (!empty && (!array || out_->back() == '}' || out_->back() == ']')) {
    Newline(stack_.size());
  }
  out_->push_back(c);
}

JsonWriter& JsonWriter::BeginObject() {
  Open('{', false);
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  Close('}');
  return *this;
}
JsonWriter& JsonWriter::BeginArray() {
  Open('[', true);
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  Close(']');
  return *this;
}
JsonWriter& JsonWriter::Key(std::string_view key) {
  BeforeValue();
  out_->append(JsonString(key));
  out_->append(pretty_ ? ": " : ":");
  after_key_ = true;
  return *this;
}
JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  out_->append(JsonString(value));
  return *this;
}
JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  absl::StrAppend(out_, value);
  return *this;
}
JsonWriter& JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  absl::StrAppend(out_, value);
  return *this;
}
JsonWriter& JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) value = 0;
  absl::StrAppend(out_, absl::StrFormat("%.3f", value));
  return *this;
}
JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
  return *this;
}
JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
  return *this;
}
JsonWriter& JsonWriter::Field(std::string_view key, std::string_view value) {
  return Key(key).String(value);
}
JsonWriter& JsonWriter::Field(std::string_view key, int64_t value) {
  return Key(key).Int(value);
}
JsonWriter& JsonWriter::Field(std::string_view key, uint64_t value) {
  return Key(key).Uint(value);
}
JsonWriter& JsonWriter::Field(std::string_view key, bool value) {
  return Key(key).Bool(value);
}

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b && i + 1 < text.size() && text[i + 1] == '[') {
      // Skip a CSI sequence: ESC [ parameters final-byte.
      i += 2;
      while (i < text.size() && !(text[i] >= 0x40 && text[i] <= 0x7e)) ++i;
      continue;
    }
    if ((c & 0xc0) != 0x80) ++width;  // count lead bytes only
  }
  return width;
}

Table::Table(std::vector<std::string> header)
    : header_(std::move(header)), right_(header_.size(), false) {}

void Table::AlignRight(size_t index) {
  if (index < right_.size()) right_[index] = true;
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(header_.size());
  rows_.push_back(std::move(cells));
}

void Table::Render(std::ostream& out, std::string_view indent) const {
  std::vector<size_t> widths(header_.size(), 0);
  const auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  const auto render = [&](const std::vector<std::string>& row) {
    std::string line(indent);
    for (size_t i = 0; i < row.size(); ++i) {
      const size_t pad = widths[i] - DisplayWidth(row[i]);
      if (i > 0) line += "  ";
      if (right_[i]) line.append(pad, ' ');
      line += row[i];
      if (!right_[i]) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  render(header_);
  for (const auto& row : rows_) render(row);
}

}  // namespace lockscope::viewer
