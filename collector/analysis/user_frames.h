// collector/analysis/user_frames.h — which frames of a stack a user reads.
//
// A captured stack starts inside lockscope (lockscope::Mutex::lock, the
// AppCell borrow) and the standard library's lock guards (std::lock_guard,
// unique_lock, scoped_lock, shared_lock, std::lock, condition_variable_any's
// internals). Reports, JSON and SARIF start at the first frame outside them,
// the user's; `--full-stacks` (StackView::kFull) keeps every frame.
//
// Frames are told apart by their demangled function (its qualified name,
// after any return type), by their file (lockscope's public headers, the C++
// library's lock headers: inlined frames carry unqualified names) and by
// their module (liblockscope*.so).
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_USER_FRAMES_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_USER_FRAMES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collector/analysis/model.h"

namespace lockscope::collector {

enum class StackView : uint8_t {
  kUser,  // from the first frame outside lockscope and the lock guards
  kFull,  // every frame
};

// kUser: `frames` without its leading run of lockscope and standard-library
// lock-guard frames (all of `frames` when every frame is such a frame, so a
// stack never prints empty). kFull: `frames` unchanged.
std::vector<Frame> UserFrames(const std::vector<Frame>& frames,
                              StackView view);

// One printed line of a stack: a frame (folded == 0) or, in the user view, a
// run of `folded` consecutive C++-library frames (std::__invoke_impl,
// std::thread::_State_impl, ...) between the user's first frame and the
// thread's entry, printed as one line.
struct StackLine {
  size_t index = 0;  // position of the (first) frame in `frames`
  size_t folded = 0;
};

// The lines to print for `frames` (already UserFrames'd): every frame in
// kFull; in kUser, runs of two or more C++-library frames after the first
// frame fold into one line.
std::vector<StackLine> StackLines(const std::vector<Frame>& frames,
                                  StackView view);

// "… 6 frames in the C++ library" (singular for 1).
std::string FoldedText(size_t folded);

// A FindingContext whose stacks are UserFrames(inner.Stack(id), view): hand
// it to code that walks stacks (JSON, SARIF) to start them at the user's
// frame. Everything else is the inner context's.
class UserStackContext : public FindingContext {
 public:
  UserStackContext(const FindingContext& inner, StackView view)
      : inner_(inner), view_(view) {}
  const ObjectInfo* Object(ObjectId id) const override {
    return inner_.Object(id);
  }
  const ThreadInfo* Thread(ThreadId id) const override {
    return inner_.Thread(id);
  }
  std::vector<Frame> Stack(StackId id) const override {
    return UserFrames(inner_.Stack(id), view_);
  }

 private:
  const FindingContext& inner_;
  StackView view_;
};

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_USER_FRAMES_H_
