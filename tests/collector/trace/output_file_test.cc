// collector::CreateOutputFile: the mode of new files, and which existing
// paths it replaces (a regular file of the real user) or refuses (links,
// devices, directories, other users' files) without changing a byte.
#include "collector/trace/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "collector/trace/trace_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

using ::testing::HasSubstr;

constexpr uid_t kNobody = 65534;

std::string TempPath(const std::string& name) {
  static int counter = 0;
  const std::string path = ::testing::TempDir() + "/output_file_" +
                           std::to_string(getpid()) + "_" +
                           std::to_string(counter++) + "_" + name;
  std::remove(path.c_str());
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  ASSERT_EQ(chmod(path.c_str(), mode), 0) << path;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

// Runs CreateOutputFile and closes what it opened.
absl::Status Create(const std::string& path) {
  absl::StatusOr<int> fd = CreateOutputFile(path, "test file");
  if (!fd.ok()) return fd.status();
  const bool written = WriteAll(*fd, "new", path).ok();
  close(*fd);
  EXPECT_TRUE(written);
  return absl::OkStatus();
}

// Every test runs under a permissive umask, so that 0600 is the function's
// doing, not the environment's.
class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override { old_umask_ = umask(022); }
  void TearDown() override { umask(old_umask_); }

 private:
  mode_t old_umask_ = 022;
};

TEST_F(OutputFileTest, NewFileIsOwnerOnly) {
  const std::string path = TempPath("new.txt");
  ASSERT_TRUE(Create(path).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ReadFile(path), "new");
  std::remove(path.c_str());
}

TEST_F(OutputFileTest, NewTraceIsOwnerOnly) {
  const std::string path = TempPath("new.lstrace");
  auto writer = TraceWriter::Create(path, TraceHeaderInfo{});
  ASSERT_TRUE(writer.ok()) << writer.status();
  writer->reset();
  EXPECT_EQ(ModeOf(path), 0600u);
  std::remove(path.c_str());
}

TEST_F(OutputFileTest, OwnFileIsReplacedAndNarrowedToOwnerOnly) {
  const std::string path = TempPath("old.txt");
  WriteFile(path, "old content, longer than the new", 0644);
  ASSERT_TRUE(Create(path).ok());
  EXPECT_EQ(ReadFile(path), "new");
  EXPECT_EQ(ModeOf(path), 0600u);
  std::remove(path.c_str());
}

TEST_F(OutputFileTest, NarrowerModeOfOwnFileIsKept) {
  const std::string path = TempPath("narrow.txt");
  WriteFile(path, "old", 0200);
  ASSERT_TRUE(Create(path).ok());
  EXPECT_EQ(ModeOf(path), 0200u);
  std::remove(path.c_str());
}

TEST_F(OutputFileTest, SymlinkIsRefusedAndItsTargetUntouched) {
  const std::string target = TempPath("target.txt");
  const std::string link = TempPath("link.txt");
  WriteFile(target, "precious", 0644);
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  const absl::Status status = Create(link);
  EXPECT_EQ(status.message(),
            "cannot open test file '" + link +
                "': Too many levels of symbolic links (it is a symbolic "
                "link; refusing to follow it)");
  EXPECT_EQ(ReadFile(target), "precious");
  EXPECT_EQ(ModeOf(target), 0644u);
  // A dangling link is not followed to create its target either.
  std::remove(target.c_str());
  EXPECT_FALSE(Create(link).ok());
  EXPECT_NE(access(target.c_str(), F_OK), 0);
  std::remove(link.c_str());
}

TEST_F(OutputFileTest, DirectoryAndFifoAreRefused) {
  const std::string dir = TempPath("dir");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  EXPECT_THAT(Create(dir).message(), HasSubstr("'" + dir + "'"));
  rmdir(dir.c_str());
  const std::string fifo = TempPath("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // No reader: a blocking open would hang here.
  EXPECT_THAT(Create(fifo).message(), HasSubstr("'" + fifo + "'"));
  std::remove(fifo.c_str());
}

TEST_F(OutputFileTest, DeviceIsRefused) {
  EXPECT_EQ(Create("/dev/null").message(),
            "cannot open test file '/dev/null': not a regular file");
}

TEST_F(OutputFileTest, FileOfAnotherUserIsRefusedUnchanged) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to make another user's file";
  const std::string path = TempPath("nobodys.txt");
  WriteFile(path, "nobody's data", 0666);
  ASSERT_EQ(chown(path.c_str(), kNobody, kNobody), 0);
  EXPECT_EQ(Create(path).message(),
            "cannot open test file '" + path +
                "': owned by uid 65534, not by this user; refusing to "
                "write into it");
  EXPECT_EQ(ReadFile(path), "nobody's data");
  EXPECT_EQ(ModeOf(path), 0666u);
  std::remove(path.c_str());
}

// The owner is compared with the real uid, not the effective one: a
// process whose effective uid is root on behalf of nobody (what a setuid
// root program is) must not replace root's files.
TEST_F(OutputFileTest, OwnerIsComparedWithTheRealUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to change the real uid";
  const std::string path = TempPath("roots.txt");
  WriteFile(path, "root's data", 0600);
  const pid_t pid = fork();
  if (pid == 0) {
    // Real uid nobody, effective and saved uid root.
    if (setresuid(kNobody, 0, 0) != 0) _exit(125);
    absl::StatusOr<int> fd = CreateOutputFile(path, "test file");
    if (fd.ok()) _exit(1);
    const bool named = fd.status().message().find("owned by uid 0, not by "
                                                  "this user") !=
                       std::string_view::npos;
    _exit(named ? 0 : 2);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "1: the file was opened; 2: another error; 125: setresuid failed";
  EXPECT_EQ(ReadFile(path), "root's data");
  std::remove(path.c_str());
}

TEST_F(OutputFileTest, MissingDirectoryNamesThePath) {
  const std::string path = TempPath("no/such/dir.txt");
  EXPECT_EQ(Create(path).message(),
            "cannot open test file '" + path + "': No such file or directory");
}

}  // namespace
}  // namespace lockscope::collector
