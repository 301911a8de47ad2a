// tests/interpose/programs/lock_patterns.cc — lock-order patterns in plain
// C++ (std::mutex, std::shared_mutex, std::recursive_mutex; no lockscope
// include), run through `lockscope run` by tests/interpose/patterns_test.cc.
// After the patterns of compiler-rt's tsan deadlock lit tests
// (must_deadlock, mutex_cycle_long, deadlock_detector_stress_test).
//
// Usage: lock_patterns PATTERN [ARGS...]
//   cycle2           accounts_mu -> ledger_mu, then ledger_mu -> accounts_mu
//                    (one thread): one 2-lock cycle.
//   ring N           ring[0] -> ring[1] -> ... -> ring[N-1] -> ring[0]
//                    (N <= 64), each edge on its own thread, joined in
//                    turn: one N-lock cycle naming every ring[i].
//   recursive        a std::recursive_mutex relocked, nested with another
//                    lock in one order only: nothing to report.
//   churn R          4,096 heap mutexes per round, R rounds (default 2),
//                    pairs nested ascending in even rounds and descending
//                    in odd ones, freed between rounds (the allocator
//                    hands the same addresses back), on two threads:
//                    nothing to report.
//   rw16k            16,384 std::shared_mutex always taken in ascending
//                    order (exclusive then shared), two threads: clean.
//   reuse            objects with two mutexes, new/delete in a loop, each
//                    object taking them in the order opposite to the one
//                    before it (the allocator hands back the same address):
//                    clean.
//   passthrough S    writes fixed lines to stdout and stderr, echoes stdin
//                    to stdout, exits with status S.
//   signal N         kills itself with signal N.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

std::mutex accounts_mu;
std::mutex ledger_mu;
std::mutex ring[64];
std::recursive_mutex registry_mu;
std::mutex stats_mu;

namespace {

int Cycle2() {
  {
    std::lock_guard<std::mutex> a(accounts_mu);
    std::lock_guard<std::mutex> b(ledger_mu);
  }
  {
    std::lock_guard<std::mutex> b(ledger_mu);
    std::lock_guard<std::mutex> a(accounts_mu);
  }
  return 0;
}

int Ring(int n) {
  if (n < 2 || n > 64) {
    std::fprintf(stderr, "lock_patterns: ring size %d not in 2..64\n", n);
    return 2;
  }
  for (int i = 0; i < n; ++i) {
    std::thread([i, n] {
      std::lock_guard<std::mutex> outer(ring[i]);
      std::lock_guard<std::mutex> inner(ring[(i + 1) % n]);
    }).join();
  }
  return 0;
}

int Recursive() {
  for (int i = 0; i < 3; ++i) {
    std::lock_guard<std::recursive_mutex> a(registry_mu);
    std::lock_guard<std::recursive_mutex> again(registry_mu);
    std::lock_guard<std::mutex> s(stats_mu);
    std::lock_guard<std::recursive_mutex> third(registry_mu);
  }
  return 0;
}

void ChurnThread(int rounds) {
  constexpr int kLocks = 4096;
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::unique_ptr<std::mutex>> locks;
    locks.reserve(kLocks);
    for (int i = 0; i < kLocks; ++i) locks.push_back(std::make_unique<std::mutex>());
    for (int i = 0; i + 1 < kLocks; ++i) {
      std::mutex& first = round % 2 == 0 ? *locks[i] : *locks[i + 1];
      std::mutex& second = round % 2 == 0 ? *locks[i + 1] : *locks[i];
      std::lock_guard<std::mutex> a(first);
      std::lock_guard<std::mutex> b(second);
    }
  }
}

int Churn(int rounds) {
  std::thread other(ChurnThread, rounds);
  ChurnThread(rounds);
  other.join();
  return 0;
}

int Rw16k() {
  constexpr int kLocks = 16384;
  std::vector<std::shared_mutex> locks(kLocks);
  auto walk = [&locks] {
    for (int i = 0; i + 1 < kLocks; ++i) {
      std::unique_lock<std::shared_mutex> w(locks[i]);
      std::shared_lock<std::shared_mutex> r(locks[i + 1]);
    }
  };
  std::thread other(walk);
  walk();
  other.join();
  return 0;
}

// Padded past glibc's tcache and fastbin sizes (1 KiB): a freed block of
// this size is handed back to the next request of the same size, whatever
// small blocks the runtime's own allocations left in the thread's cache
// (at 80 bytes the reuse depended on that, and failed now and then).
struct Account {
  std::mutex balance_mu;
  std::mutex history_mu;
  char padding[2048];
};

int Reuse() {
  void* first_address = nullptr;
  int same_address = 0;
  for (int i = 0; i < 1000; ++i) {
    auto* account = new Account;
    if (i == 0) first_address = account;
    if (static_cast<void*>(account) == first_address) ++same_address;
    std::mutex& a = i % 2 == 0 ? account->balance_mu : account->history_mu;
    std::mutex& b = i % 2 == 0 ? account->history_mu : account->balance_mu;
    {
      std::lock_guard<std::mutex> ga(a);
      std::lock_guard<std::mutex> gb(b);
    }
    delete account;
  }
  // The pattern only means something if addresses were reused.
  std::printf("reused %d\n", same_address);
  return same_address > 1 ? 0 : 3;
}

int Passthrough(int status) {
  std::printf("stdout line 1\n");
  std::fprintf(stderr, "stderr line 1\n");
  {
    std::lock_guard<std::mutex> a(accounts_mu);
    std::printf("stdout line 2\n");
  }
  std::string line;
  while (std::getline(std::cin, line)) std::cout << "in: " << line << '\n';
  std::cout.flush();
  std::fprintf(stderr, "stderr line 2\n");
  return status;
}

int Signal(int signo) {
  { std::lock_guard<std::mutex> a(accounts_mu); }
  std::fflush(stdout);
  signal(signo, SIG_DFL);
  raise(signo);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string pattern = argc > 1 ? argv[1] : "";
  const int arg = argc > 2 ? std::atoi(argv[2]) : 0;
  if (pattern == "cycle2") return Cycle2();
  if (pattern == "ring") return Ring(arg);
  if (pattern == "recursive") return Recursive();
  if (pattern == "churn") return Churn(arg > 0 ? arg : 2);
  if (pattern == "rw16k") return Rw16k();
  if (pattern == "reuse") return Reuse();
  if (pattern == "passthrough") return Passthrough(arg);
  if (pattern == "signal") return Signal(arg);
  std::fprintf(stderr, "lock_patterns: unknown pattern '%s'\n",
               pattern.c_str());
  return 2;
}
