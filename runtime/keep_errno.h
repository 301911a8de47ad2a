// KeepErrno: restores errno when a scope ends.
//
// The wrappers must leave errno as they found it, as std::mutex does (a
// program may take a lock on an error path before it reads errno). Every
// out-of-line slow path of the hooks (the *Slow functions, a thread's
// registration), every hook off the uncontended fast paths (creation,
// destruction, blocking, a futex wait or wake) and the fork handlers hold
// one; the fast paths make no call that could set errno and need none.
#ifndef LOCKSCOPE_RUNTIME_KEEP_ERRNO_H_
#define LOCKSCOPE_RUNTIME_KEEP_ERRNO_H_

#include <cerrno>

namespace lockscope::runtime {

class KeepErrno {
 public:
  KeepErrno() : saved_(errno) {}
  KeepErrno(const KeepErrno&) = delete;
  KeepErrno& operator=(const KeepErrno&) = delete;
  ~KeepErrno() { errno = saved_; }

 private:
  const int saved_;
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_KEEP_ERRNO_H_
