// Built by pkgconfig_test.cmake with `pkg-config --cflags --libs lockscope`
// (tracked) and with only its include path (untracked). Takes two locks in
// both orders, one thread after the other: tracked, that is a lock-order
// cycle and the process exits 66; untracked, it exits 0.
#include <cstdio>
#include <mutex>
#include <thread>

#include <lockscope/lockscope.h>

int main() {
  lockscope::Mutex first{"pc_first"}, second{"pc_second"};
  std::thread forward([&] {
    std::lock_guard<lockscope::Mutex> a(first);
    std::lock_guard<lockscope::Mutex> b(second);
  });
  forward.join();
  std::thread backward([&] {
    std::lock_guard<lockscope::Mutex> b(second);
    std::lock_guard<lockscope::Mutex> a(first);
  });
  backward.join();
  std::printf("tracked: %s\n", lockscope::kTrack ? "yes" : "no");
  return 0;
}
