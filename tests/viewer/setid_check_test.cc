// viewer::RefuseSetIdProgram, for `lockscope run`.
#include "viewer/setid_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace lockscope::viewer {
namespace {

class SetIdCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/setid_check_" + std::to_string(getpid());
    std::ofstream(path_) << "#!/bin/sh\n";
  }
  void TearDown() override { std::remove(path_.c_str()); }

  absl::Status CheckWithMode(mode_t mode) {
    EXPECT_EQ(chmod(path_.c_str(), mode), 0);
    struct stat st;
    EXPECT_EQ(stat(path_.c_str(), &st), 0);
    // chmod may drop S_ISGID for a group the user is not in.
    EXPECT_EQ(st.st_mode & 07777, mode) << "chmod did not take";
    return RefuseSetIdProgram(path_);
  }

  std::string path_;
};

TEST_F(SetIdCheckTest, OrdinaryProgramPasses) {
  EXPECT_TRUE(CheckWithMode(0755).ok());
}

TEST_F(SetIdCheckTest, SetuidIsRefusedInOneLine) {
  const absl::Status status = CheckWithMode(04755);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "lockscope run: " + path_ +
                " is setuid; the dynamic loader ignores LD_PRELOAD for it, "
                "so it cannot be tracked");
}

TEST_F(SetIdCheckTest, SetgidIsRefused) {
  EXPECT_EQ(CheckWithMode(02755).message(),
            "lockscope run: " + path_ +
                " is setgid; the dynamic loader ignores LD_PRELOAD for it, "
                "so it cannot be tracked");
}

TEST_F(SetIdCheckTest, BothAreNamed) {
  EXPECT_EQ(CheckWithMode(06755).message(),
            "lockscope run: " + path_ +
                " is setuid and setgid; the dynamic loader ignores "
                "LD_PRELOAD for it, so it cannot be tracked");
}

TEST_F(SetIdCheckTest, SetgidWithoutGroupExecuteIsNoPrivilege) {
  // The kernel changes the egid only when the group may execute the file.
  EXPECT_TRUE(CheckWithMode(02745).ok());
}

TEST_F(SetIdCheckTest, LinkToASetuidProgramIsRefused) {
  const std::string link = path_ + ".link";
  std::remove(link.c_str());
  ASSERT_EQ(symlink(path_.c_str(), link.c_str()), 0);
  ASSERT_EQ(chmod(path_.c_str(), 04755), 0);
  EXPECT_FALSE(RefuseSetIdProgram(link).ok());
  std::remove(link.c_str());
}

TEST_F(SetIdCheckTest, MissingProgramNamesThePath) {
  const absl::Status status = RefuseSetIdProgram(path_ + ".missing");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "lockscope run: " + path_ +
                                  ".missing: No such file or directory");
}

}  // namespace
}  // namespace lockscope::viewer
