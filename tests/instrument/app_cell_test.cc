// AppCell borrow rules, always on, in both modes (see tests.cmake).
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockscope/app_cell.h"

namespace {

struct State {
  int value = 0;
  std::string name = "state";
};

TEST(AppCellTest, ManySharedBorrows) {
  lockscope::AppCell<State> cell{State{7, "x"}, "cell"};
  auto a = cell.borrow();
  auto b = cell.borrow();
  EXPECT_EQ(a->value, 7);
  EXPECT_EQ((*b).name, "x");
  EXPECT_EQ(a.get(), b.get());
}

TEST(AppCellTest, ExclusiveBorrowWritesThrough) {
  lockscope::AppCell<State> cell;
  {
    auto m = cell.borrow_mut();
    m->value = 42;
    (*m).name = "changed";
  }
  EXPECT_EQ(cell.borrow()->value, 42);
  EXPECT_EQ(cell.borrow()->name, "changed");
}

TEST(AppCellTest, TryBorrowRespectsTheRules) {
  lockscope::AppCell<int> cell{1};
  {
    auto shared = cell.borrow();
    EXPECT_TRUE(cell.try_borrow().has_value());
    EXPECT_FALSE(cell.try_borrow_mut().has_value());
  }
  {
    auto mut = cell.try_borrow_mut();
    ASSERT_TRUE(mut.has_value());
    **mut = 5;
    EXPECT_FALSE(cell.try_borrow().has_value());
    EXPECT_FALSE(cell.try_borrow_mut().has_value());
  }
  EXPECT_TRUE(cell.try_borrow_mut().has_value());
  EXPECT_EQ(*cell.borrow(), 5);
}

TEST(AppCellTest, MovedGuardReleasesOnce) {
  lockscope::AppCell<int> cell{3};
  {
    auto m = cell.borrow_mut();
    lockscope::RefMut<int> moved = std::move(m);
    *moved = 4;
    EXPECT_FALSE(cell.try_borrow().has_value());
  }
  EXPECT_TRUE(cell.try_borrow_mut().has_value());
  {
    auto r1 = cell.borrow();
    auto r2 = cell.borrow();
    r1 = std::move(r2);  // r1's old borrow is released, r2's moves in
    EXPECT_FALSE(cell.try_borrow_mut().has_value());
  }
  EXPECT_TRUE(cell.try_borrow_mut().has_value());
}

// The message names both sites, file:line and function.
std::string ConflictPattern(const char* what, const char* cell, int new_line,
                            const char* kind, int old_line) {
  return std::string("lockscope: borrow-conflict: ") + what + " of '" + cell +
         "' at [^ ]*app_cell_test.cc:" + std::to_string(new_line) +
         " in [^ ]+ while " + kind + " borrow taken at [^ ]*app_cell_test.cc:" +
         std::to_string(old_line) + " in [^ ]+ is outstanding";
}

// The conflicting borrows live in plain functions so their lines are known.
constexpr int kSharedThenMutLine = __LINE__ + 2;
void SharedThenMut(const lockscope::AppCell<int>& cell) {
  auto r = cell.borrow();
  auto m = cell.borrow_mut();
}

constexpr int kMutThenSharedLine = __LINE__ + 2;
void MutThenShared(const lockscope::AppCell<int>& cell) {
  auto m = cell.borrow_mut();
  auto r = cell.borrow();
}

TEST(AppCellDeathTest, BorrowMutWhileBorrowedAbortsNamingBothSites) {
  lockscope::AppCell<int> cell{0, "counter"};
  EXPECT_DEATH(SharedThenMut(cell),
               ConflictPattern("borrow_mut\\(\\)", "counter",
                               kSharedThenMutLine + 1, "a shared",
                               kSharedThenMutLine));
}

TEST(AppCellDeathTest, BorrowWhileMutablyBorrowedAbortsNamingBothSites) {
  lockscope::AppCell<int> cell{0, "counter"};
  EXPECT_DEATH(MutThenShared(cell),
               ConflictPattern("borrow\\(\\)", "counter",
                               kMutThenSharedLine + 1, "an exclusive",
                               kMutThenSharedLine));
}

TEST(AppCellDeathTest, UnnamedCellIsNamedByItsCreationSite) {
  lockscope::AppCell<int> cell{0};
  const int created = __LINE__ - 1;
  EXPECT_DEATH(MutThenShared(cell), "of '[^']*app_cell_test.cc:" +
                                        std::to_string(created) + "'");
}

}  // namespace
