// tests/testing/temp_dir.h — a scratch directory of this test process.
//
// The directory is made on first use under $TMPDIR (else P_tmpdir, the C
// library's default), named after the program, mode 0700, and removed with
// everything in it when the process that made it exits (a forked child that
// exits leaves it alone). ctest runs each test in its own process, so every
// test has its own directory and concurrent runs never share a path.
#ifndef LOCKSCOPE_TESTS_TESTING_TEMP_DIR_H_
#define LOCKSCOPE_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace lockscope::testing {

// The directory (no trailing slash). Aborts with one line on stderr if it
// cannot be made.
const std::string& TempDir();

// A fresh path in TempDir() ending in `name`: "<dir>/<n>-<name>", with n
// counting calls, so two calls never return the same path. Nothing is
// created.
std::string TempPath(const std::string& name);

}  // namespace lockscope::testing

#endif  // LOCKSCOPE_TESTS_TESTING_TEMP_DIR_H_
