// One half of a lock-order cycle, in its own shared library: takes the
// library's own lock, then the one it is given.
#include <mutex>

#include "lockscope/lockscope.h"
#include "tests/runtime/two_libraries/halves.h"

namespace two_libraries {

lockscope::Mutex& LeftMutex() {
  static lockscope::Mutex mu{"two_libraries_left"};
  return mu;
}

void LeftThenOther(lockscope::Mutex& other) {
  std::lock_guard<lockscope::Mutex> left(LeftMutex());
  std::lock_guard<lockscope::Mutex> then(other);
}

}  // namespace two_libraries
