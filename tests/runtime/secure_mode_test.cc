// Secure-execution mode (runtime/secure_mode.h). The end-to-end tests
// reproduce issue #16: a tracked program installed setuid root and run by
// nobody, with LOCKSCOPE_OPTIONS naming a root-only 0600 file as trace or
// suppressions file. The file must stay as it was (content, mode, mtime),
// its content must not reach stderr, one line must say why, and tracking
// must still run.
#include "runtime/secure_mode.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::runtime {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr uid_t kNobody = 65534;
constexpr char kSecureLine[] =
    "lockscope: secure-execution mode (setuid, setgid or file capabilities): "
    "no trace is written and no suppressions or lock order file is read, "
    "whatever LOCKSCOPE_OPTIONS says";

TEST(DropFileOptionsTest, DropsTraceAndSuppressionsAndSaysSo) {
  std::vector<std::string> errors;
  Options options = ParseOptions(
      "trace=/etc/shadow:suppressions=/root/x:lock_order=/root/order:"
      "exitcode=3:stack_depth=5",
      &errors);
  ASSERT_THAT(errors, IsEmpty());
  EXPECT_EQ(DropFileOptions(&options), kSecureLine);
  EXPECT_EQ(options.trace, "");
  EXPECT_EQ(options.suppressions, "");
  EXPECT_EQ(options.lock_order, "");
  // Options that name no file stay in force.
  EXPECT_EQ(options.exitcode, 3);
  EXPECT_EQ(options.stack_depth, 5);
}

TEST(DropFileOptionsTest, DefaultTraceIsDroppedToo) {
  Options options;  // trace=lockscope.%p.lstrace in the working directory
  EXPECT_EQ(DropFileOptions(&options), kSecureLine);
  EXPECT_EQ(options.trace, "");
}

TEST(DropFileOptionsTest, NothingToSayWhenNoFileIsNamed) {
  std::vector<std::string> errors;
  Options options = ParseOptions("trace=off", &errors);
  EXPECT_EQ(DropFileOptions(&options), "");
}

TEST(InSecureExecutionTest, OrdinaryProcessIsNotSecure) {
  // The test binary is not setuid: real and effective ids agree.
  ASSERT_EQ(getuid(), geteuid());
  EXPECT_FALSE(InSecureExecution());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

std::vector<std::string> DirEntries(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(d);
  }
  return names;
}

// Every directory from `path` up to / can be searched by others.
bool TraversableByOthers(std::string path) {
  while (!path.empty()) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) {
      return false;
    }
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos || slash == 0) break;
    path.resize(slash);
  }
  return true;
}

struct ProgramRun {
  int status = -1;  // exit status, or 128 + signal
  std::string out;
  std::string err;
};

// A setuid-root copy of setuid_program in a fresh directory nobody can
// reach, a root-only 0600 file beside it, and a way to run the copy as
// nobody.
class SetuidRootProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      GTEST_SKIP() << "needs root: installs a setuid-root program and runs "
                      "it as nobody";
    }
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1) {
      GTEST_SKIP() << "no_new_privs is set on this process: the kernel "
                      "would ignore the setuid bit";
    }
    std::string base = ::testing::TempDir();
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    // Another user must reach the copy (a TEST_TMPDIR under a 0700
    // directory would not do).
    if (!TraversableByOthers(base)) base = "/tmp";
    std::string pattern = base + "/secure_mode_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << pattern;
    dir_ = pattern;
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
    struct statvfs fs;
    ASSERT_EQ(statvfs(dir_.c_str(), &fs), 0);
    if ((fs.f_flag & ST_NOSUID) != 0) {
      GTEST_SKIP() << dir_ << " is on a nosuid mount";
    }
    cwd_ = dir_ + "/cwd";
    ASSERT_EQ(mkdir(cwd_.c_str(), 0755), 0);

    program_ = dir_ + "/setuid_program";
    std::ofstream(program_, std::ios::binary)
        << std::ifstream(LOCKSCOPE_SETUID_PROGRAM, std::ios::binary).rdbuf();
    ASSERT_EQ(chown(program_.c_str(), 0, 0), 0);
    ASSERT_EQ(chmod(program_.c_str(), 04755), 0);

    secret_ = dir_ + "/root_only";
    MakeSecret("root-secret-token: line 1 of a root-only file\n");
  }

  void TearDown() override {
    if (dir_.empty()) return;
    for (const std::string& name : DirEntries(cwd_)) {
      std::remove((cwd_ + "/" + name).c_str());
    }
    rmdir(cwd_.c_str());
    for (const std::string& name : DirEntries(dir_)) {
      std::remove((dir_ + "/" + name).c_str());
    }
    rmdir(dir_.c_str());
  }

  // (Re)writes the root-only file with `text`, mode 0600, and an mtime far
  // in the past so that any write would show.
  void MakeSecret(const std::string& text) {
    secret_text_ = text;
    std::ofstream(secret_, std::ios::binary | std::ios::trunc) << text;
    ASSERT_EQ(chmod(secret_.c_str(), 0600), 0);
    const timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT_EQ(utimensat(AT_FDCWD, secret_.c_str(), times, 0), 0);
  }

  void ExpectSecretUntouched() {
    struct stat st;
    ASSERT_EQ(stat(secret_.c_str(), &st), 0);
    EXPECT_EQ(ReadFile(secret_), secret_text_);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_EQ(st.st_uid, 0u);
    EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
    EXPECT_EQ(st.st_mtim.tv_nsec, 0);
  }

  // Runs the setuid copy with LOCKSCOPE_OPTIONS=`options` in cwd_, as
  // `uid` (nobody by default; 0 runs it as root, not in secure mode).
  ProgramRun Run(const std::string& options, uid_t uid = kNobody) {
    const std::string out_path = dir_ + "/stdout";
    const std::string err_path = dir_ + "/stderr";
    const pid_t pid = fork();
    if (pid == 0) {
      const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (out < 0 || err < 0 || chdir(cwd_.c_str()) != 0) _exit(126);
      dup2(out, STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      close(out);
      close(err);
      if (uid != 0 &&
          (setgroups(0, nullptr) != 0 || setgid(uid) != 0 || setuid(uid) != 0)) {
        _exit(125);
      }
      setenv("LOCKSCOPE_OPTIONS", options.c_str(), 1);
      char* argv[] = {program_.data(), nullptr};
      execv(argv[0], argv);
      _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ProgramRun run;
    run.status =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.out = ReadFile(out_path);
    run.err = ReadFile(err_path);
    return run;
  }

  // The run was setuid root in secure mode, said so in exactly one line,
  // and still tracked (the inversion was reported).
  static void ExpectSecureRun(const ProgramRun& run) {
    ASSERT_EQ(run.out, "euid=0 secure=1\n")
        << "the kernel did not run the program setuid root; stderr:\n"
        << run.err;
    EXPECT_EQ(run.status, 0) << run.err;
    int secure_lines = 0;
    for (const std::string& line : Lines(run.err)) {
      if (absl::StrContains(line, "secure-execution")) {
        ++secure_lines;
        EXPECT_EQ(line, kSecureLine);
      }
    }
    EXPECT_EQ(secure_lines, 1) << run.err;
    EXPECT_THAT(run.err, HasSubstr("lock-order-cycle"));
  }

  std::string dir_, cwd_, program_, secret_, secret_text_;
};

TEST_F(SetuidRootProgramTest, TraceNamingARootOnlyFileLeavesItIntact) {
  const ProgramRun run = Run("trace=" + secret_ + ":exitcode=0");
  ExpectSecureRun(run);
  ExpectSecretUntouched();
  EXPECT_THAT(DirEntries(cwd_), IsEmpty());
}

TEST_F(SetuidRootProgramTest, TraceIsNotCreatedInARootOnlyDirectory) {
  // A new file (here with %p) in a directory only root may write to: as
  // nobody the program could not create it, so neither may it as root.
  const std::string root_dir = dir_ + "/root_dir";
  ASSERT_EQ(mkdir(root_dir.c_str(), 0700), 0);
  const ProgramRun run = Run("trace=" + root_dir + "/t.%p.lstrace:exitcode=0");
  ExpectSecureRun(run);
  EXPECT_THAT(DirEntries(root_dir), IsEmpty());
  rmdir(root_dir.c_str());
}

TEST_F(SetuidRootProgramTest, SuppressionsNamingARootOnlyFileIsNotRead) {
  const ProgramRun run =
      Run("trace=off:exitcode=0:suppressions=" + secret_);
  ExpectSecureRun(run);
  // Read as root, its first line would be echoed in a parse error.
  EXPECT_THAT(run.err, Not(HasSubstr("root-secret-token")));
  ExpectSecretUntouched();
}

TEST_F(SetuidRootProgramTest, SuppressionsFromARootOnlyFileAreNotApplied) {
  // Read as root, this rule would silence the finding.
  MakeSecret("cycle:*\n");
  const ProgramRun run = Run("trace=off:exitcode=0:suppressions=" + secret_);
  ExpectSecureRun(run);
  ExpectSecretUntouched();
}

TEST_F(SetuidRootProgramTest, DefaultTraceIsNotWrittenToTheCallersDirectory) {
  // No trace= at all: the default, lockscope.%p.lstrace in the working
  // directory, is a place the caller chose too.
  const ProgramRun run = Run("exitcode=0");
  ExpectSecureRun(run);
  EXPECT_THAT(DirEntries(cwd_), IsEmpty());
}

TEST_F(SetuidRootProgramTest, NonFileOptionsStillApply) {
  const ProgramRun run = Run("trace=" + secret_);  // exitcode stays 66
  ASSERT_EQ(run.out, "euid=0 secure=1\n") << run.err;
  EXPECT_EQ(run.status, 66) << run.err;
  ExpectSecretUntouched();
}

// The control: run by root itself the same binary is not in secure mode,
// and the trace option works (so the tests above can fail).
TEST_F(SetuidRootProgramTest, RunByItsOwnerWritesTheTraceAsAsked) {
  const std::string trace = dir_ + "/asked.lstrace";
  const ProgramRun run = Run("trace=" + trace + ":exitcode=0", 0);
  EXPECT_EQ(run.out, "euid=0 secure=0\n");
  EXPECT_THAT(run.err, Not(HasSubstr("secure-execution")));
  struct stat st;
  ASSERT_EQ(stat(trace.c_str(), &st), 0) << run.err;
  EXPECT_GT(st.st_size, 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

}  // namespace
}  // namespace lockscope::runtime
