// UserFrames / StackLines: which frames a report starts at and folds.
#include "collector/analysis/user_frames.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

Frame F(const std::string& function, const std::string& file = "",
        const std::string& module = "") {
  Frame f;
  f.pc = 0x1000;
  f.function = function;
  f.file = file;
  f.line = file.empty() ? 0 : 7;
  f.module = module;
  return f;
}

std::vector<std::string> Functions(const std::vector<Frame>& frames) {
  std::vector<std::string> out;
  for (const Frame& f : frames) out.push_back(f.function);
  return out;
}

TEST(UserFramesTest, DropsLockscopeAndEveryLockGuardUpFront) {
  const std::vector<Frame> frames = {
      F("lockscope::v_tracked::RwLock::lock_shared()"),
      F("std::shared_lock<lockscope::RwLock>::shared_lock(lockscope::RwLock&)"),
      F("std::unique_lock<lockscope::Mutex>::lock()"),
      F("std::scoped_lock<lockscope::Mutex, lockscope::Mutex>::scoped_lock("
        "lockscope::Mutex&, lockscope::Mutex&)"),
      F("void std::lock<lockscope::Mutex, lockscope::Mutex>(lockscope::Mutex&,"
        " lockscope::Mutex&)"),
      F("void std::__detail::__lock_impl<lockscope::Mutex>(int&, int, "
        "lockscope::Mutex&)"),
      F("void std::_V2::condition_variable_any::wait<std::unique_lock<"
        "lockscope::Mutex> >(std::unique_lock<lockscope::Mutex>&)"),
      F("Reader::Poll()", "/src/reader.cc"),
      F("std::unique_lock<lockscope::Mutex>::lock()"),  // not leading: kept
  };
  EXPECT_EQ(Functions(UserFrames(frames, StackView::kUser)),
            (std::vector<std::string>{
                "Reader::Poll()", "std::unique_lock<lockscope::Mutex>::lock()"}));
  EXPECT_EQ(UserFrames(frames, StackView::kFull).size(), frames.size());
}

TEST(UserFramesTest, InlinedWrapperFramesAreKnownByTheirFile) {
  // -O2: the wrapper and the guard are inlined into the user's function and
  // carry unqualified names.
  const std::vector<Frame> frames = {
      F("lock", "/opt/lockscope/include/lockscope/mutex.h"),
      F("lock_guard", "/usr/include/c++/12/bits/std_mutex.h"),
      F("Transfer", "/src/demo.cc"),
  };
  EXPECT_EQ(Functions(UserFrames(frames, StackView::kUser)),
            (std::vector<std::string>{"Transfer"}));
}

TEST(UserFramesTest, UnsymbolizedRuntimeFramesGoByModule) {
  const std::vector<Frame> frames = {
      F("", "", "/opt/lockscope/lib/liblockscope.so.0"),
      F("(anonymous namespace)::Audit(Bank&)", "/src/demo.cc"),
  };
  EXPECT_EQ(Functions(UserFrames(frames, StackView::kUser)),
            (std::vector<std::string>{"(anonymous namespace)::Audit(Bank&)"}));
}

TEST(UserFramesTest, UserCodeNamedLikeTheLibraryIsKept) {
  // A user's function called lock() in a user's file, and a user's type
  // whose return type mentions lockscope, are not lockscope's frames.
  const std::vector<Frame> frames = {
      F("Account::lock()", "/src/account.cc"),
      F("lockscope::Mutex& Pick(Bank&)", "/src/bank.cc"),
  };
  EXPECT_EQ(UserFrames(frames, StackView::kUser).size(), 2u);
}

TEST(UserFramesTest, AStackOfOnlyLibraryFramesIsKeptWhole) {
  const std::vector<Frame> frames = {F("lockscope::Mutex::lock()"),
                                     F("std::lock_guard<M>::lock_guard(M&)")};
  EXPECT_EQ(UserFrames(frames, StackView::kUser).size(), 2u);
}

TEST(UserFramesTest, FoldsRunsOfTwoOrMoreLibraryFramesAfterTheFirst) {
  const std::vector<Frame> frames = {
      F("std::function<void ()>::operator()() const"),  // first: never folded
      F("Worker::Run()", "/src/pool.cc"),
      F("void std::__invoke_impl<void>(std::__invoke_other)"),
      F("std::_Function_handler<void (), F>::_M_invoke(std::_Any_data const&)"),
      F("std::function<void ()>::operator()() const"),
      F("Pool::Loop()", "/src/pool.cc"),
      F("std::thread::_State_impl<T>::_M_run()"),  // a run of one: kept
      F("start_thread", "./nptl/pthread_create.c"),
  };
  const std::vector<StackLine> lines = StackLines(frames, StackView::kUser);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].index, 0u);
  EXPECT_EQ(lines[1].index, 1u);
  EXPECT_EQ(lines[2].index, 2u);
  EXPECT_EQ(lines[2].folded, 3u);
  EXPECT_EQ(lines[3].index, 5u);
  EXPECT_EQ(lines[4].index, 6u);
  EXPECT_EQ(lines[4].folded, 0u);
  EXPECT_EQ(lines[5].index, 7u);
  EXPECT_EQ(StackLines(frames, StackView::kFull).size(), frames.size());
  EXPECT_EQ(FoldedText(3), "\u2026 3 frames in the C++ library");
  EXPECT_EQ(FoldedText(1), "\u2026 1 frame in the C++ library");
}

}  // namespace
}  // namespace lockscope::collector
