// A plain program (no lockscope include) for tests/interpose/core_test.cc,
// run under `lockscope run`. argv[1] picks the scenario; the threads are
// ordered with joins and atomics, never sleeps.
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include <unistd.h>

std::mutex accounts_mu;
std::mutex ledger_mu;
std::recursive_mutex journal_mu;
std::mutex queue_mu;
std::condition_variable queue_cv;

namespace {

// Both orders, on two threads that never overlap: a potential deadlock.
int Abba() {
  std::thread([] {
    std::lock_guard<std::mutex> a(accounts_mu);
    std::lock_guard<std::mutex> b(ledger_mu);
  }).join();
  std::thread([] {
    std::lock_guard<std::mutex> b(ledger_mu);
    std::lock_guard<std::mutex> a(accounts_mu);
  }).join();
  return 0;
}

// accounts then (try) ledger, later ledger then accounts: the trylock formed
// no edge, so there is no cycle.
int Trylock() {
  std::thread([] {
    std::lock_guard<std::mutex> a(accounts_mu);
    if (ledger_mu.try_lock()) ledger_mu.unlock();
  }).join();
  std::thread([] {
    std::lock_guard<std::mutex> b(ledger_mu);
    std::lock_guard<std::mutex> a(accounts_mu);
  }).join();
  return 0;
}

// A recursive mutex relocked by its holder, inside and around another lock
// in one consistent order.
int Recursive() {
  for (int i = 0; i < 3; ++i) {
    std::lock_guard<std::recursive_mutex> outer(journal_mu);
    std::lock_guard<std::recursive_mutex> inner(journal_mu);
    std::lock_guard<std::mutex> a(accounts_mu);
    std::lock_guard<std::recursive_mutex> innermost(journal_mu);
  }
  return 0;
}

// A condition wait releases and retakes queue_mu; ledger_mu is only ever
// taken inside queue_mu: no cycle.
int CondWait() {
  bool ready = false;
  std::thread consumer([&] {
    std::unique_lock<std::mutex> lock(queue_mu);
    queue_cv.wait(lock, [&] { return ready; });
    std::lock_guard<std::mutex> b(ledger_mu);
  });
  {
    std::lock_guard<std::mutex> lock(queue_mu);
    std::lock_guard<std::mutex> b(ledger_mu);
    ready = true;
  }
  queue_cv.notify_all();
  consumer.join();
  return 0;
}

// A real ABBA deadlock: each thread holds one lock when it asks for the
// other. Only the watchdog ends it.
int Deadlock() {
  std::atomic<int> holding{0};
  auto worker = [&](std::mutex& first, std::mutex& second) {
    std::lock_guard<std::mutex> a(first);
    holding.fetch_add(1);
    while (holding.load() < 2) std::this_thread::yield();
    std::lock_guard<std::mutex> b(second);
  };
  std::thread t1(worker, std::ref(accounts_mu), std::ref(ledger_mu));
  std::thread t2(worker, std::ref(ledger_mu), std::ref(accounts_mu));
  t1.join();
  t2.join();
  std::puts("not reached");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 100;
  const char* mode = argv[1];
  if (std::strcmp(mode, "abba") == 0) return Abba();
  if (std::strcmp(mode, "trylock") == 0) return Trylock();
  if (std::strcmp(mode, "recursive") == 0) return Recursive();
  if (std::strcmp(mode, "condwait") == 0) return CondWait();
  if (std::strcmp(mode, "deadlock") == 0) return Deadlock();
  if (std::strcmp(mode, "exit") == 0 && argc > 2) {
    std::lock_guard<std::mutex> a(accounts_mu);
    return std::atoi(argv[2]);
  }
  if (std::strcmp(mode, "signal") == 0 && argc > 2) {
    std::raise(std::atoi(argv[2]));
    return 101;
  }
  if (std::strcmp(mode, "marker") == 0 && argc > 2) {
    std::FILE* f = std::fopen(argv[2], "w");
    if (f != nullptr) std::fclose(f);
    return 0;
  }
  if (std::strcmp(mode, "pause") == 0) {  // until a signal ends it
    std::lock_guard<std::mutex> a(accounts_mu);
    std::puts("ready");
    std::fflush(stdout);
    for (;;) pause();
  }
  if (std::strcmp(mode, "echo") == 0) {
    std::printf("out:%s\n", argc > 2 ? argv[2] : "");
    std::fprintf(stderr, "err:%s\n", argc > 2 ? argv[2] : "");
    return 0;
  }
  return 100;
}
