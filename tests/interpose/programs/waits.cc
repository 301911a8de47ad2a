// A plain program (no lockscope include) for tests/interpose/waits_test.cc,
// run under `lockscope run`: waits that are not lock acquisitions
// (std::condition_variable waits, std::thread::join) while holding a lock.
// argv[1] picks the scenario; threads are ordered with atomics and the
// mutexes under test, never sleeps.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

std::mutex join_mu;
std::mutex state_mu;
std::mutex queue_mu;
std::condition_variable queue_cv;

namespace {

void SpinUntil(const std::atomic<bool>& flag) {
  while (!flag.load()) std::this_thread::yield();
}

// main holds join_mu and joins a thread that needs it: a real deadlock,
// which only the watchdog ends.
int JoinDeadlock() {
  std::lock_guard<std::mutex> hold(join_mu);
  std::thread worker([] { std::lock_guard<std::mutex> g(join_mu); });
  worker.join();
  std::puts("not reached");
  return 0;
}

// The waiter holds state_mu and waits on queue_cv; the thread that notified
// queue_cv before then blocks on state_mu: nothing will ever wake the
// waiter. Only the watchdog ends it.
int CondDeadlock() {
  std::atomic<bool> notified{false}, waiter_holds{false};
  std::thread notifier([&] {
    queue_cv.notify_one();  // a known notifier from now on
    notified.store(true);
    SpinUntil(waiter_holds);
    std::lock_guard<std::mutex> g(state_mu);
    queue_cv.notify_one();  // never reached
  });
  std::thread waiter([&] {
    SpinUntil(notified);
    std::lock_guard<std::mutex> g(state_mu);
    std::unique_lock<std::mutex> lock(queue_mu);
    waiter_holds.store(true);
    queue_cv.wait(lock);
  });
  waiter.join();
  notifier.join();
  std::puts("not reached");
  return 0;
}

// Waits while holding state_mu that end well: a condition wait (woken by a
// thread that does not need state_mu) and a join (of a thread that does not
// need it). Two wait-while-holding notes, no failing finding: exit 0.
int Notes() {
  bool waiting = false, ready = false;
  std::thread waiter([&] {
    std::lock_guard<std::mutex> hold(state_mu);
    std::unique_lock<std::mutex> lock(queue_mu);
    waiting = true;
    queue_cv.wait(lock, [&] { return ready; });
  });
  // queue_mu is free with waiting set only once the waiter is in its wait.
  for (;;) {
    std::lock_guard<std::mutex> lock(queue_mu);
    if (waiting) {
      ready = true;
      break;
    }
  }
  queue_cv.notify_all();
  waiter.join();
  {
    std::lock_guard<std::mutex> hold(state_mu);
    std::thread([] {}).join();
  }
  std::puts("notes done");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 100;
  if (std::strcmp(argv[1], "join_deadlock") == 0) return JoinDeadlock();
  if (std::strcmp(argv[1], "cond_deadlock") == 0) return CondDeadlock();
  if (std::strcmp(argv[1], "notes") == 0) return Notes();
  return 100;
}
