// Compiled with -std=c++17: the public headers must be C++17-clean. The
// untracked build links no runtime library at all, so any call into the
// runtime that survived the switch would fail to link.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "lockscope/lockscope.h"

// Tracked or not: tracking changes no layout.
static_assert(sizeof(lockscope::Mutex) == sizeof(std::mutex),
              "Mutex must take exactly a std::mutex's room");
static_assert(sizeof(lockscope::RwLock) == sizeof(std::shared_mutex),
              "RwLock must take exactly a std::shared_mutex's room");
static_assert(sizeof(lockscope::CondVar) == sizeof(std::condition_variable),
              "CondVar must take exactly a std::condition_variable's room");
#ifndef TRACK_THREAD_BORROWS
static_assert(!lockscope::kTrack);
#else
static_assert(lockscope::kTrack);
#endif

int main() {
  lockscope::Mutex mu{"mu"};
  lockscope::RwLock rw{"rw"};
  lockscope::AppCell<int> cell{1, "cell"};
  lockscope::CondVar cv{"cv"};
  {
    std::unique_lock<lockscope::Mutex> lock(mu);
    cv.notify_all();
    cv.wait(lock, [] { return true; });
    if (cv.wait_for(lock, std::chrono::milliseconds(0)) !=
        std::cv_status::timeout) {
      return 2;
    }
    cv.wait_until(lock, std::chrono::steady_clock::now(), [] { return true; });
  }
  {
    std::scoped_lock lock(mu);
    std::shared_lock<lockscope::RwLock> read(rw);
    auto value = cell.borrow_mut();
    *value += 1;
  }
  return *cell.borrow() == 2 ? 0 : 1;
}
