// One runtime per process: the two halves of a lock-order cycle live in two
// different shared libraries of one program (left takes left -> right, right
// takes right -> left). Each library and the program link the runtime; with
// a runtime per library (a static runtime) each would keep its own partial
// graph and neither half alone is a cycle.
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/test_only.h"
#include "tests/runtime/two_libraries/halves.h"

namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TwoLibrariesTest, CycleAcrossTwoSharedLibrariesIsFound) {
  std::thread([] {
    two_libraries::LeftThenOther(two_libraries::RightMutex());
  }).join();
  std::thread([] {
    two_libraries::RightThenOther(two_libraries::LeftMutex());
  }).join();
  EXPECT_THAT(lockscope::runtime::TestOnlyFindingLines(),
              ElementsAre(AllOf(HasSubstr("lock-order-cycle"),
                                HasSubstr("two_libraries_left"),
                                HasSubstr("two_libraries_right"))));
}

}  // namespace
