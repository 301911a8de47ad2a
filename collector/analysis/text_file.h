// collector/analysis/text_file.h — reading the small text files the
// analysis takes as input (suppressions, baselines, lock-order files), and
// the globs they hold.
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_TEXT_FILE_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_TEXT_FILE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace lockscope::collector {

// The whole file. Errors name the path, `what` the file is ("baseline
// file") and the system's reason: "b.txt: cannot open baseline file: No such
// file or directory".
absl::StatusOr<std::string> ReadTextFile(const std::string& path,
                                         std::string_view what);

// Calls fn(line_number, line) for each line of `text` (1-based, without
// the newline; a final line without one counts). Stops at the first error
// fn returns.
template <typename Fn>
absl::Status ForEachLine(std::string_view text, Fn&& fn) {
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    absl::Status status = fn(line_no, line);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Whole-string glob match, as suppression rules and lock-order files use
// it: `*` matches any run of characters, everything else is literal.
bool GlobMatches(std::string_view glob, std::string_view text);

// `s` without leading and trailing blanks.
std::string_view TrimBlanks(std::string_view s);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_TEXT_FILE_H_
