// collector/analysis/baseline.cc — see baseline.h.
#include "collector/analysis/baseline.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "collector/analysis/printable.h"
#include "collector/analysis/text_file.h"

namespace lockscope::collector {
namespace {

bool IsFingerprint(std::string_view s) {
  if (s.size() != 16) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// At most 60 printable characters of `s`, for quoting in an error.
std::string Quote(std::string_view s) {
  std::string out = Printable(s.substr(0, 60));
  if (s.size() > 60) out += "...";
  return absl::StrCat("'", out, "'");
}

}  // namespace

absl::StatusOr<Baseline> Baseline::Parse(std::string_view text,
                                         std::string_view origin) {
  Baseline out;
  const std::string where(origin);
  absl::Status status = ForEachLine(text, [&](int line_no,
                                              std::string_view line) {
    if (line_no == 1) {
      if (TrimBlanks(line) == kBaselineHeader) return absl::OkStatus();
      if (TrimBlanks(line).rfind("# lockscope baseline ", 0) == 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ":1: unsupported baseline version ", Quote(line),
            " (this lockscope reads '", std::string(kBaselineHeader), "')"));
      }
      return absl::InvalidArgumentError(absl::StrCat(
          where, ":1: not a lockscope baseline (the first line must be '",
          std::string(kBaselineHeader), "')"));
    }
    const std::string_view trimmed = TrimBlanks(line);
    if (trimmed.empty() || trimmed.front() == '#') return absl::OkStatus();
    const size_t hash = trimmed.find('#');
    const std::string_view fingerprint =
        TrimBlanks(trimmed.substr(0, hash));
    if (!IsFingerprint(fingerprint)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ":", line_no,
          ": expected a fingerprint (16 lowercase hex digits, then an "
          "optional # comment), got ",
          Quote(trimmed)));
    }
    BaselineEntry entry;
    entry.fingerprint = std::string(fingerprint);
    if (hash != std::string_view::npos) {
      entry.label = std::string(TrimBlanks(trimmed.substr(hash + 1)));
    }
    entry.line = line_no;
    out.fingerprints_.insert(entry.fingerprint);
    out.entries_.push_back(std::move(entry));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ":1: empty file, not a lockscope baseline (the first line "
               "must be '",
        std::string(kBaselineHeader), "')"));
  }
  return out;
}

absl::StatusOr<Baseline> Baseline::Load(const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path, "baseline file");
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

std::string FormatBaseline(std::vector<BaselineEntry> entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const BaselineEntry& a, const BaselineEntry& b) {
                     return a.fingerprint < b.fingerprint;
                   });
  std::string out = absl::StrCat(std::string(kBaselineHeader), "\n");
  absl::StrAppend(
      &out,
      "# Findings accepted for now, one fingerprint a line (kind + locks +\n"
      "# function; no lines or addresses). Made by `lockscope baseline`;\n"
      "# `lockscope check --baseline=FILE` fails only on findings not "
      "listed.\n");
  std::string_view last;
  for (const BaselineEntry& entry : entries) {
    if (entry.fingerprint == last) continue;
    last = entry.fingerprint;
    absl::StrAppend(&out, entry.fingerprint);
    if (!entry.label.empty()) {
      absl::StrAppend(&out, "  # ", Printable(entry.label));
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace lockscope::collector
