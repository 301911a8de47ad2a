// tests/testing/files.h: whole-file writes and reads, and FilesIn.
#include "tests/testing/files.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace lockscope::testing {
namespace {

TEST(FilesTest, WrittenBytesReadBack) {
  const std::string path = TempPath("bytes");
  const std::string bytes("a\0b\nc", 5);
  ASSERT_TRUE(WriteFile(path, bytes));
  EXPECT_EQ(ReadFile(path), bytes);
  EXPECT_EQ(ReadFile(TempPath("missing")), "");
}

TEST(FilesTest, FilesInListsTheMatchingNamesSorted) {
  const std::string dir = TempPath("dir");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  for (const char* name : {"b.lstrace", "a.lstrace", "c.txt", ".lstrace"}) {
    ASSERT_TRUE(WriteFile(dir + "/" + name, ""));
  }
  EXPECT_EQ(FilesIn(dir, ".lstrace"),
            (std::vector<std::string>{dir + "/a.lstrace", dir + "/b.lstrace"}));
  EXPECT_TRUE(FilesIn(dir + "/missing", ".lstrace").empty());
}

}  // namespace
}  // namespace lockscope::testing
