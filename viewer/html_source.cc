// viewer/html_source.cc — reading the source lines a report quotes.
#include "viewer/html_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace lockscope::viewer {

SourceLines::SourceLines(std::vector<std::string> roots)
    : roots_(std::move(roots)) {}

bool SourceLines::IsSourcePath(const std::string& path) {
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return false;
  }
  const std::string ext = absl::AsciiStrToLower(path.substr(dot + 1));
  for (const char* known : {"c", "cc", "cpp", "cxx", "c++", "h", "hh", "hpp",
                            "hxx", "h++", "inl", "ipp", "tcc", "tpp", "inc",
                            "m", "mm", "rs", "go"}) {
    if (ext == known) return true;
  }
  return false;
}

const std::vector<std::string>* SourceLines::Load(const std::string& file) {
  auto it = cache_.find(file);
  if (it != cache_.end()) return it->second.get();
  std::unique_ptr<std::vector<std::string>> lines;
  if (IsSourcePath(file) && cache_.size() < kMaxFiles) {
    std::vector<std::string> candidates;
    if (!file.empty() && file[0] == '/') {
      // System headers are library code, not the program's.
      if (!absl::StartsWith(file, "/usr/include/") &&
          !absl::StartsWith(file, "/usr/lib/")) {
        candidates.push_back(file);
      }
    } else {
      // As given, then without its leading "../" (a path relative to a
      // build directory, looked up from the source tree).
      absl::string_view inner = file;
      while (absl::StartsWith(inner, "../")) inner.remove_prefix(3);
      for (const std::string& root : roots_) {
        candidates.push_back(root.empty() ? file : root + "/" + file);
        if (inner.size() != file.size()) {
          candidates.push_back(root.empty() ? std::string(inner)
                                            : root + "/" + std::string(inner));
        }
      }
    }
    for (const std::string& path : candidates) {
      // O_NONBLOCK: a FIFO named like a source file must not hang us; the
      // fstat check then refuses it.
      const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
      if (fd < 0) continue;
      struct stat st;
      if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
          static_cast<size_t>(st.st_size) > kMaxFileBytes) {
        close(fd);
        continue;
      }
      std::string text(static_cast<size_t>(st.st_size), '\0');
      size_t got = 0;
      while (got < text.size()) {
        const ssize_t n = read(fd, text.data() + got, text.size() - got);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
      }
      close(fd);
      text.resize(got);
      lines = std::make_unique<std::vector<std::string>>(
          absl::StrSplit(text, '\n'));
      break;
    }
  }
  const std::vector<std::string>* result = lines.get();
  cache_.emplace(file, std::move(lines));
  return result;
}

SourceLines::Snippet SourceLines::Around(const std::string& file,
                                         uint32_t line, uint32_t context) {
  Snippet snippet;
  if (line == 0) return snippet;
  const std::vector<std::string>* lines = Load(file);
  if (lines == nullptr || line > lines->size()) return snippet;
  const uint32_t first = line > context ? line - context : 1;
  const uint32_t last = std::min<uint64_t>(
      static_cast<uint64_t>(line) + context, lines->size());
  snippet.first = first;
  for (uint32_t n = first; n <= last; ++n) {
    std::string text = (*lines)[n - 1];
    if (!text.empty() && text.back() == '\r') text.pop_back();
    snippet.lines.push_back(std::move(text));
  }
  return snippet;
}

}  // namespace lockscope::viewer
