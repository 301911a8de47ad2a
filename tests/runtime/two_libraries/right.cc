// The other half, in a second shared library: takes this library's lock,
// then the one it is given.
#include <mutex>

#include "lockscope/lockscope.h"
#include "tests/runtime/two_libraries/halves.h"

namespace two_libraries {

lockscope::Mutex& RightMutex() {
  static lockscope::Mutex mu{"two_libraries_right"};
  return mu;
}

void RightThenOther(lockscope::Mutex& other) {
  std::lock_guard<lockscope::Mutex> right(RightMutex());
  std::lock_guard<lockscope::Mutex> then(other);
}

}  // namespace two_libraries
