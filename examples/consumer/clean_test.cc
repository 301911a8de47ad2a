// Transfers that all run in one direction: no lock-order cycle, so this
// test passes.
#include <cstdio>
#include <thread>
#include <vector>

#include "bank.h"

int main() {
  bank::Account alice("alice", 100), bob("bob", 100), carol("carol", 100);
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      for (int j = 0; j < 100; ++j) {
        bank::Transfer(alice, bob, 1);
        bank::Transfer(bob, carol, 1);
      }
    });
  }
  for (std::thread& t : workers) t.join();
  const bool ok = alice.balance() == -300 && bob.balance() == 100 &&
                  carol.balance() == 500;
  std::printf("alice %lld, bob %lld, carol %lld: %s\n",
              static_cast<long long>(alice.balance()),
              static_cast<long long>(bob.balance()),
              static_cast<long long>(carol.balance()), ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
