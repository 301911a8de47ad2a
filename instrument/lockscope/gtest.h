// lockscope/gtest.h — a GoogleTest listener that fails the test during which
// a lockscope finding appeared.
//
// Without it, a tracked test binary learns of findings only at exit (the
// process exit status, LOCKSCOPE_OPTIONS exitcode) or from `lockscope check`
// on its trace, neither of which says which TEST() caused them. With it, a
// finding that would fail `lockscope check` (unsuppressed, not a guarded
// cycle, error severity) fails the test that was running when the finding
// was made, with its one-line form:
//
//   [ RUN      ] Bank.TransferBothWays
//   bank_test.cc:42: Failure     (the TEST()'s own file and line)
//   lockscope finding during this test: lock-order-cycle alice -> bob -> alice
//   [  FAILED  ] Bank.TransferBothWays
//
// Install it once, before RUN_ALL_TESTS():
//
//   int main(int argc, char** argv) {
//     ::testing::InitGoogleTest(&argc, argv);
//     lockscope::InstallGoogleTestListener();
//     return RUN_ALL_TESTS();
//   }
//
// or, with gtest_main, from any one source file of the test binary:
//
//   static const bool kLockscopeListener =
//       lockscope::InstallGoogleTestListener();
//
// Attribution: findings are made synchronously on the thread that forms the
// offending edge or borrow, so one made by any thread while a test runs
// belongs to that test. A finding made between tests (in SetUpTestSuite or
// an Environment) fails the next test that ends, saying so. A finding made
// after the last test (TearDownTestSuite, global destructors) fails no test;
// the exit status and the trace still carry it. Findings that do not fail a
// check (suppressed, guarded, warnings) never fail a test.
//
// Untracked builds (no TRACK_THREAD_BORROWS): there are no findings; the
// listener is not installed and nothing here calls into the runtime, so the
// header is harmless and needs no library.
//
// Header-only, C++17; needs GoogleTest (#include <gtest/gtest.h>).
#ifndef LOCKSCOPE_GTEST_H_
#define LOCKSCOPE_GTEST_H_

#include <cstdint>
#include <string>

#include "gtest/gtest.h"
#include "lockscope/config.h"

namespace lockscope {
inline namespace LOCKSCOPE_MODE_NAMESPACE {

// The listener. Use InstallGoogleTestListener() rather than constructing it;
// it is public so that a custom listener setup can append it itself.
class GoogleTestListener : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo& /*test*/) override {
    if constexpr (kTrack) test_start_ = runtime::FindingCount();
  }

  // Runs before gtest's own printer reports the test (OnTestEnd is delivered
  // to listeners in reverse order of installation), so the failure shows and
  // counts for this test.
  void OnTestEnd(const ::testing::TestInfo& test) override {
    if constexpr (kTrack) {
      const uint64_t count = runtime::FindingCount();
      for (uint64_t i = reported_; i < count; ++i) ReportFinding(test, i);
      reported_ = count;
    }
  }

 private:
  // The failure is located at the TEST()'s own file and line (where an IDE
  // should jump), not at this header.
  void ReportFinding(const ::testing::TestInfo& test, uint64_t index) const {
    char line[1024];
    bool fails = false;
    if (!runtime::DescribeFinding(index, line, sizeof(line), &fails)) return;
    if (!fails) return;
    const char* file = test.file() != nullptr ? test.file() : "";
    // ADD_FAILURE_AT without its "Failed" line.
    GTEST_MESSAGE_AT_(file, test.line(), "",
                      ::testing::TestPartResult::kNonFatalFailure)
        << (index < test_start_
                          ? "lockscope finding made before this test started "
                            "(between tests or in suite set-up): "
                          : "lockscope finding during this test: ")
                  << line;
  }

  // Findings [0, reported_) were looked at when earlier tests ended.
  uint64_t reported_ = 0;
  // FindingCount() when the current test started.
  uint64_t test_start_ = 0;
};

// Appends a GoogleTestListener to GoogleTest's listeners (which then owns
// it). Call it once; later calls do nothing. Returns whether a listener is
// installed: true in tracked builds, false in untracked ones, which have no
// findings to watch.
inline bool InstallGoogleTestListener() {
  if constexpr (kTrack) {
    static const bool installed = [] {
      ::testing::UnitTest::GetInstance()->listeners().Append(
          new GoogleTestListener);
      return true;
    }();
    return installed;
  } else {
    return false;
  }
}

}  // namespace LOCKSCOPE_MODE_NAMESPACE
}  // namespace lockscope

#endif  // LOCKSCOPE_GTEST_H_
