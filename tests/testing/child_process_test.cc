// tests/testing/child_process.h: a file as stdin, and the timeout that
// keeps a hung child from hanging its test.
#include "tests/testing/child_process.h"

#include <signal.h>

#include <chrono>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace lockscope::testing {
namespace {

// Waiting for a child that never ends must stop at the timeout (1 s), far
// short of the 600 s the child would take.
void ExpectKilledAtTheTimeout(const std::vector<std::string>& argv) {
  ChildOptions options;
  options.timeout_seconds = 1;
  const auto start = std::chrono::steady_clock::now();
  const ChildResult r = RunChild(argv, options);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.error, "");
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_LT(waited, std::chrono::seconds(60));
}

TEST(ChildProcessTest, StdinFromAFile) {
  const std::string input = TempPath("stdin");
  ASSERT_TRUE(WriteFile(input, "line one\nline two\n"));
  ChildOptions options;
  options.stdin_path = input;
  const ChildResult r = RunChild({"/bin/cat"}, options);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "line one\nline two\n");
}

TEST(ChildProcessTest, MissingStdinFileIsAnError) {
  ChildOptions options;
  options.stdin_path = TempPath("no-such-file");
  const ChildResult r = RunChild({"/bin/cat"}, options);
  EXPECT_NE(r.error, "");
}

TEST(ChildProcessTest, ChildWithinItsTimeoutIsNotKilled) {
  ChildOptions options;
  options.timeout_seconds = 60;
  const ChildResult r = RunChild({"/bin/sh", "-c", "echo hi; exit 3"}, options);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "hi\n");
}

TEST(ChildProcessTest, HungChildIsKilledAtTheTimeout) {
  ExpectKilledAtTheTimeout({"/bin/sh", "-c", "echo started; exec sleep 600"});
}

TEST(ChildProcessTest, HungChildWithItsOutputClosedIsKilledAtTheTimeout) {
  ExpectKilledAtTheTimeout(
      {"/bin/sh", "-c", "exec >/dev/null 2>&1; exec sleep 600"});
}

TEST(ChildProcessTest, WhatAChildLeftHoldingItsOutputIsKilledToo) {
  // The child exits at once; the process it started keeps the pipes open.
  ChildOptions options;
  options.timeout_seconds = 1;
  const ChildResult r =
      RunChild({"/bin/sh", "-c", "sleep 600 & exit 0"}, options);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
}

}  // namespace
}  // namespace lockscope::testing
