// A tracked program that secure_mode_test.cc installs setuid root and runs
// as another user. Prints "euid=E secure=S" (its effective uid and
// AT_SECURE) on stdout, so the test knows the kernel honoured the setuid
// bit, then makes a lock-order inversion across two threads: a finding,
// reported on stderr, proving tracking still runs.
#include <sys/auxv.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <thread>

#include "lockscope/lockscope.h"

int main() {
  std::printf("euid=%d secure=%d\n", static_cast<int>(geteuid()),
              static_cast<int>(getauxval(AT_SECURE)));
  std::fflush(stdout);
  lockscope::Mutex first{"first"}, second{"second"};
  std::thread([&] {
    std::lock_guard<lockscope::Mutex> a(first);
    std::lock_guard<lockscope::Mutex> b(second);
  }).join();
  std::thread([&] {
    std::lock_guard<lockscope::Mutex> b(second);
    std::lock_guard<lockscope::Mutex> a(first);
  }).join();
  return 0;
}
