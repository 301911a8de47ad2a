// Built with TRACK_THREAD_BORROWS and run under `lockscope run`: one
// runtime sees the lockscope::Mutex and the plain std::mutex, so a cycle
// through both is found.
#include <mutex>
#include <thread>

#include "lockscope/mutex.h"

lockscope::Mutex wrapped_mu{"wrapped_mu"};
std::mutex plain_mu;

int main() {
  std::thread([] {
    std::lock_guard<lockscope::Mutex> a(wrapped_mu);
    std::lock_guard<std::mutex> b(plain_mu);
  }).join();
  std::thread([] {
    std::lock_guard<std::mutex> b(plain_mu);
    std::lock_guard<lockscope::Mutex> a(wrapped_mu);
  }).join();
  return 0;
}
