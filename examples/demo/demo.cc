// The lockscope demo: a small "editor" in the spirit of Zed's App.
//
// The main (UI) thread owns the application state in an AppCell<App>. A pool
// of background workers shares two ledgers behind lockscope::Mutex and a
// configuration behind lockscope::RwLock. Two bugs hide in it:
//
//   1. A lock-order inversion: Transfer() takes accounts then ledger, Audit()
//      takes ledger then accounts. This run never hangs (the workers run one
//      after the other), but another schedule would: lockscope reports the
//      potential deadlock anyway.
//   2. A cross-thread borrow: the autosave worker peeks at the UI state with
//      app.borrow() from its own thread.
//
// Build with TRACK_THREAD_BORROWS (the lockscope_demo target does) and run:
//   LOCKSCOPE_OPTIONS=trace=demo.lstrace ./lockscope_demo
//   lockscope cycles demo.lstrace
#include <pthread.h>

#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "lockscope/lockscope.h"

namespace {

struct App {
  int frame = 0;
  std::vector<std::string> status;
};

struct Bank {
  lockscope::Mutex accounts_mu{"accounts"};
  lockscope::Mutex ledger_mu{"ledger"};
  long accounts = 1000;
  long ledger = 0;
};

struct Config {
  lockscope::RwLock mu{"config"};
  int autosave_every = 3;
};

void NameThread(const char* name) { pthread_setname_np(pthread_self(), name); }

// accounts -> ledger
void Transfer(Bank& bank, long amount) {
  std::lock_guard<lockscope::Mutex> a(bank.accounts_mu);
  std::lock_guard<lockscope::Mutex> l(bank.ledger_mu);
  bank.accounts -= amount;
  bank.ledger += amount;
}

// ledger -> accounts: the inversion.
long Audit(Bank& bank) {
  std::lock_guard<lockscope::Mutex> l(bank.ledger_mu);
  std::lock_guard<lockscope::Mutex> a(bank.accounts_mu);
  return bank.accounts + bank.ledger;
}

int ReadSetting(Config& config) {
  std::shared_lock<lockscope::RwLock> r(config.mu);
  return config.autosave_every;
}

}  // namespace

int main() {
  NameThread("ui");
  lockscope::AppCell<App> app{App{}, "app"};  // owned by the ui thread
  Bank bank;
  Config config;

  // The ui thread renders a few frames (borrows on its own thread: fine).
  for (int i = 0; i < 3; ++i) {
    auto ui = app.borrow_mut();
    ui->frame++;
    ui->status.push_back("frame " + std::to_string(ui->frame));
  }

  // Background pool, run one after the other so this run cannot hang.
  std::thread payments([&] {
    NameThread("payments");
    for (int i = 0; i < 100; ++i) Transfer(bank, 1);
  });
  payments.join();

  std::thread auditor([&] {
    NameThread("auditor");
    long total = 0;
    for (int i = 0; i < 100; ++i) total = Audit(bank);
    std::printf("audit: total %ld\n", total);
  });
  auditor.join();

  // Readers and a writer share the config (no bug here).
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      NameThread("reader");
      int sum = 0;
      for (int i = 0; i < 1000; ++i) sum += ReadSetting(config);
      std::printf("reader: %d\n", sum);
    });
  }
  {
    std::unique_lock<lockscope::RwLock> w(config.mu);
    config.autosave_every = 5;
  }
  for (auto& t : readers) t.join();

  // The autosave worker reads the ui state from its own thread: a
  // cross-thread borrow (AppCell state belongs to the ui thread).
  std::thread autosave([&] {
    NameThread("autosave");
    auto snapshot = app.borrow();
    std::printf("autosave: frame %d\n", snapshot->frame);
  });
  autosave.join();

  std::printf("demo: done (accounts %ld, ledger %ld)\n", bank.accounts,
              bank.ledger);
  return 0;
}
