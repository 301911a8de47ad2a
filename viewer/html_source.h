// viewer/html_source.h — source lines around a frame, for the HTML report.
//
// A frame's file comes from an untrusted trace, so only what looks like a
// source file is read: a regular file (symbolic links followed) with a C,
// C++ or similar source extension, at most kMaxFileBytes. A relative path
// is tried against each of the given roots, then without its leading
// "../" components (debug info names files relative to the build
// directory). System headers (/usr/include, /usr/lib) are not quoted. Files
// are read once and cached.
#ifndef LOCKSCOPE_VIEWER_HTML_SOURCE_H_
#define LOCKSCOPE_VIEWER_HTML_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace lockscope::viewer {

class SourceLines {
 public:
  static constexpr size_t kMaxFileBytes = 4u << 20;
  static constexpr size_t kMaxFiles = 2000;

  // `roots` are tried for relative paths, in order ("" = as given).
  explicit SourceLines(std::vector<std::string> roots);

  struct Snippet {
    uint32_t first = 0;               // number of lines[0]
    std::vector<std::string> lines;   // raw text, not escaped
  };
  // Lines line-context .. line+context of `file`; empty lines when the file
  // cannot be read (or is not a source file) or has no such line.
  Snippet Around(const std::string& file, uint32_t line, uint32_t context);

  // True when `path` has an extension this reads.
  static bool IsSourcePath(const std::string& path);

 private:
  // The file's lines, or null if unreadable.
  const std::vector<std::string>* Load(const std::string& file);

  std::vector<std::string> roots_;
  absl::flat_hash_map<std::string, std::unique_ptr<std::vector<std::string>>>
      cache_;
};

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_HTML_SOURCE_H_
