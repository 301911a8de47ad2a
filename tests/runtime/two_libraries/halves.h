// The two halves of one lock-order cycle, each in its own shared library
// (libtwo_libraries_left.so, libtwo_libraries_right.so), both tracked.
#ifndef LOCKSCOPE_TESTS_RUNTIME_TWO_LIBRARIES_HALVES_H_
#define LOCKSCOPE_TESTS_RUNTIME_TWO_LIBRARIES_HALVES_H_

#include "lockscope/lockscope.h"

namespace two_libraries {

// In the left library: its lock, then `other`.
lockscope::Mutex& LeftMutex();
void LeftThenOther(lockscope::Mutex& other);

// In the right library: its lock, then `other`.
lockscope::Mutex& RightMutex();
void RightThenOther(lockscope::Mutex& other);

}  // namespace two_libraries

#endif  // LOCKSCOPE_TESTS_RUNTIME_TWO_LIBRARIES_HALVES_H_
