// runtime/proc_file.h — reading a small file (a /proc entry) from inside the
// program under test.
#ifndef LOCKSCOPE_RUNTIME_PROC_FILE_H_
#define LOCKSCOPE_RUNTIME_PROC_FILE_H_

#include <string>

namespace lockscope::runtime {

// The whole of a small file, or what could be read of it: a /proc file of
// a thread that is exiting fails with ESRCH, which must not throw (as
// std::ifstream's underflow does) in the program under test.
std::string ReadSmallFile(const char* path);

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_PROC_FILE_H_
