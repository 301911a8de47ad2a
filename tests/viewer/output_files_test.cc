// Files the viewer writes (merge -o, check -o, export -o) are created 0600,
// and a symbolic link or another user's file at the output path is refused
// with one line, not followed or overwritten.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

// The command line writing to `out` for each subcommand with an output file.
std::vector<std::vector<std::string>> Writers(const std::string& out) {
  return {{"merge", "-o", out, BankTrace()},
          {"check", "--format=sarif", "-o", out, BankTrace()},
          {"check", "-o", out, BankTrace()},
          {"export", BankTrace(), "-o", out}};
}

// A permissive umask, so that 0600 is lockscope's doing.
class OutputFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { old_umask_ = umask(022); }
  void TearDown() override { umask(old_umask_); }

 private:
  mode_t old_umask_ = 022;
};

TEST_F(OutputFilesTest, NewFilesAreOwnerOnly) {
  const std::string out = TempPath("new.out");
  for (const auto& args : Writers(out)) {
    const CliResult run = RunCli(args);
    EXPECT_LE(run.exit_code, 1) << args[0] << ": " << run.err;
    EXPECT_EQ(ModeOf(out), 0600u) << args[0];
    std::remove(out.c_str());
  }
}

TEST_F(OutputFilesTest, ExistingOwnFileIsReplacedAndMadeOwnerOnly) {
  const std::string out = TempPath("old.out");
  for (const auto& args : Writers(out)) {
    WriteFile(out, "old");
    ASSERT_EQ(chmod(out.c_str(), 0644), 0);
    const CliResult run = RunCli(args);
    EXPECT_LE(run.exit_code, 1) << args[0] << ": " << run.err;
    EXPECT_NE(ReadFile(out), "old") << args[0];
    EXPECT_EQ(ModeOf(out), 0600u) << args[0];
    std::remove(out.c_str());
  }
}

TEST_F(OutputFilesTest, SymlinkIsRefusedAndNotFollowed) {
  const std::string target = TempPath("target.txt");
  const std::string link = TempPath("link.out");
  WriteFile(target, "precious");
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  for (const auto& args : Writers(link)) {
    ExpectOneLineError(RunCli(args), "symbolic link; refusing to follow it");
    EXPECT_EQ(ReadFile(target), "precious") << args[0];
  }
  std::remove(link.c_str());
  std::remove(target.c_str());
}

TEST_F(OutputFilesTest, FileOfAnotherUserIsRefusedAndKept) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to make another user's file";
  const std::string out = TempPath("nobodys.out");
  WriteFile(out, "nobody's");
  ASSERT_EQ(chmod(out.c_str(), 0666), 0);
  ASSERT_EQ(chown(out.c_str(), 65534, 65534), 0);
  for (const auto& args : Writers(out)) {
    ExpectOneLineError(RunCli(args),
                       "owned by uid 65534, not by this user; refusing to "
                       "write into it");
    EXPECT_EQ(ReadFile(out), "nobody's") << args[0];
    EXPECT_EQ(ModeOf(out), 0666u) << args[0];
  }
  std::remove(out.c_str());
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
