// The wrappers' layout, built twice (untracked and tracked): a
// lockscope::Mutex, RwLock or AppCell<T> takes the size and alignment of
// what it replaces untracked, so switching tracking on changes no object's
// layout (which fields share a cache line, which heap blocks get reused).
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "gtest/gtest.h"
#include "lockscope/app_cell.h"
#include "lockscope/cond_var.h"
#include "lockscope/mutex.h"
#include "lockscope/rwlock.h"

namespace {

// What an AppCell<T> held before tracking existed: the value, the borrow
// state and the outstanding borrow's site, the name and the creation site.
template <typename T>
struct UntrackedCellShape {
  T value;
  int32_t state;
  const char* site_file;
  const char* site_function;
  uint32_t site_line;
  std::string name;
  lockscope::SourceLocation created;
};

// An object that holds a lock between two fields, as user types do.
struct Account {
  int64_t balance = 0;
  lockscope::Mutex mu;
  int64_t id = 0;
};
struct StdAccount {
  int64_t balance = 0;
  std::mutex mu;
  int64_t id = 0;
};

TEST(LayoutTest, MutexIsAStdMutex) {
  EXPECT_EQ(sizeof(lockscope::Mutex), sizeof(std::mutex));
  EXPECT_EQ(alignof(lockscope::Mutex), alignof(std::mutex));
  EXPECT_EQ(sizeof(Account), sizeof(StdAccount));
  // The field after the lock sits where it would beside a std::mutex.
  Account account;
  StdAccount std_account;
  EXPECT_EQ(reinterpret_cast<char*>(&account.id) -
                reinterpret_cast<char*>(&account),
            reinterpret_cast<char*>(&std_account.id) -
                reinterpret_cast<char*>(&std_account));
}

TEST(LayoutTest, RwLockIsAStdSharedMutex) {
  EXPECT_EQ(sizeof(lockscope::RwLock), sizeof(std::shared_mutex));
  EXPECT_EQ(alignof(lockscope::RwLock), alignof(std::shared_mutex));
}

TEST(LayoutTest, CondVarTakesAStdConditionVariablesRoom) {
  EXPECT_EQ(sizeof(lockscope::CondVar), sizeof(std::condition_variable));
  EXPECT_EQ(alignof(lockscope::CondVar), alignof(std::condition_variable));
}

TEST(LayoutTest, AppCellKeepsItsUntrackedSize) {
  EXPECT_EQ(sizeof(lockscope::AppCell<int>), sizeof(UntrackedCellShape<int>));
  EXPECT_EQ(sizeof(lockscope::AppCell<std::string>),
            sizeof(UntrackedCellShape<std::string>));
  EXPECT_EQ(sizeof(lockscope::AppCell<char>), sizeof(UntrackedCellShape<char>));
}

// The padding is inert: the wrappers still lock and unlock as before.
TEST(LayoutTest, PaddedLocksStillLock) {
  lockscope::Mutex mu{"layout_mu"};
  lockscope::RwLock rw{"layout_rw"};
  {
    std::lock_guard<lockscope::Mutex> g(mu);
    EXPECT_FALSE(mu.try_lock());
  }
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
  {
    std::shared_lock<lockscope::RwLock> r(rw);
    EXPECT_FALSE(rw.try_lock());
  }
  EXPECT_TRUE(rw.try_lock());
  rw.unlock();
  lockscope::AppCell<int> cell{7, "layout_cell"};
  EXPECT_EQ(*cell.borrow(), 7);
}

}  // namespace
