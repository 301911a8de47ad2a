// Usage: inversion_test FROM TO
//
// Transfers FROM -> TO on one thread, then TO -> FROM on another. The threads
// run one after the other, so this run cannot hang; had they overlapped,
// each could have held one account's lock while waiting for the other's.
// lockscope reports that potential deadlock (a lock-order cycle), and
// lockscope check fails the test, unless the accounts' lock order is fixed
// (CONSUMER_FIXED) or the cycle is suppressed.
#include <cstdio>
#include <thread>

#include "bank.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s FROM TO\n", argv[0]);
    return 2;
  }
  bank::Account from(argv[1], 100), to(argv[2], 100);
  std::thread forward([&] { bank::Transfer(from, to, 10); });
  forward.join();
  std::thread backward([&] { bank::Transfer(to, from, 5); });
  backward.join();
  const bool ok = from.balance() == 95 && to.balance() == 105;
  std::printf("%s %lld, %s %lld: %s\n", argv[1],
              static_cast<long long>(from.balance()), argv[2],
              static_cast<long long>(to.balance()), ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
