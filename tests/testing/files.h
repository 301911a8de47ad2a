// tests/testing/files.h — whole-file reads and writes for tests.
#ifndef LOCKSCOPE_TESTS_TESTING_FILES_H_
#define LOCKSCOPE_TESTS_TESTING_FILES_H_

#include <string>
#include <vector>

namespace lockscope::testing {

// The bytes of `path`; "" when it cannot be read.
std::string ReadFile(const std::string& path);

// Replaces `path` with `bytes`; false when it cannot be written.
bool WriteFile(const std::string& path, const std::string& bytes);

// The paths ("DIR/NAME") of the entries of `dir` whose names end in
// `suffix` (and are longer than it), sorted; none when it cannot be read.
std::vector<std::string> FilesIn(const std::string& dir,
                                 const std::string& suffix);

}  // namespace lockscope::testing

#endif  // LOCKSCOPE_TESTS_TESTING_FILES_H_
