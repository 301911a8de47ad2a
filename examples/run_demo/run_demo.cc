// The `lockscope run` demo: an ordinary program with std::mutex and
// std::thread, no lockscope include, not linked with lockscope. Transfer()
// takes accounts_mu then ledger_mu, Audit() takes ledger_mu then
// accounts_mu. The two threads run one after the other, so this run never
// hangs; another schedule would. Run it unchanged:
//   lockscope run -- ./lockscope_run_demo
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex accounts_mu;
std::mutex ledger_mu;
long accounts = 1000;
long ledger = 0;

// accounts -> ledger
static void Transfer(long amount) {
  std::lock_guard<std::mutex> a(accounts_mu);
  std::lock_guard<std::mutex> l(ledger_mu);
  accounts -= amount;
  ledger += amount;
}

// ledger -> accounts: the inversion.
static long Audit() {
  std::lock_guard<std::mutex> l(ledger_mu);
  std::lock_guard<std::mutex> a(accounts_mu);
  return accounts + ledger;
}

int main() {
  std::thread([] { Transfer(10); }).join();
  long total = 0;
  std::thread([&total] { total = Audit(); }).join();
  std::printf("total %ld\n", total);
  return 0;
}
