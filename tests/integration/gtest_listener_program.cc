// A GoogleTest binary with lockscope's listener installed. gtest_listener_test
// runs it as a child process (once built tracked, once untracked) and reads
// which of these tests failed and why.
#include <cstdio>
#include <mutex>
#include <thread>

#include "gtest/gtest.h"
#include "lockscope/gtest.h"
#include "lockscope/lockscope.h"

namespace {

void LockInOrder(lockscope::Mutex& first, lockscope::Mutex& second) {
  std::lock_guard<lockscope::Mutex> a(first);
  std::lock_guard<lockscope::Mutex> b(second);
}

// One thread takes first -> second, then another second -> first. The
// threads are joined in turn, so the run never hangs, but it forms a
// lock-order cycle.
void Invert(lockscope::Mutex& first, lockscope::Mutex& second) {
  std::thread forward([&] { LockInOrder(first, second); });
  forward.join();
  std::thread backward([&] { LockInOrder(second, first); });
  backward.join();
}

// Tests of one suite run in the order written, which the test relies on.
TEST(Listener, A_Clean) {
  lockscope::Mutex a{"clean_a"}, b{"clean_b"};
  LockInOrder(a, b);
  LockInOrder(a, b);
}

TEST(Listener, B_Inversion) {
  lockscope::Mutex a{"inverted_a"}, b{"inverted_b"};
  Invert(a, b);
}

TEST(Listener, C_CleanAfterInversion) {
  lockscope::Mutex a{"after_a"}, b{"after_b"};
  LockInOrder(a, b);
}

// Both edges are formed under one gate lock, so the cycle cannot deadlock:
// it is a finding, but not a failing one.
TEST(Guarded, CycleUnderGate) {
  lockscope::Mutex gate{"gate"}, a{"guarded_a"}, b{"guarded_b"};
  std::thread forward([&] {
    std::lock_guard<lockscope::Mutex> g(gate);
    LockInOrder(a, b);
  });
  forward.join();
  std::thread backward([&] {
    std::lock_guard<lockscope::Mutex> g(gate);
    LockInOrder(b, a);
  });
  backward.join();
}

// The inversion happens in suite set-up, before any test of the suite runs.
class SuiteSetUp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    static lockscope::Mutex a{"suite_a"}, b{"suite_b"};
    Invert(a, b);
  }
};

TEST_F(SuiteSetUp, FirstTest) {}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const bool installed = lockscope::InstallGoogleTestListener();
  // A second call must not add a second listener (no doubled failures).
  lockscope::InstallGoogleTestListener();
  std::printf("lockscope listener installed: %s\n", installed ? "yes" : "no");
  return RUN_ALL_TESTS();
}
