// tests/runtime/lock_order_program.cc — a tracked program for
// lock_order_test: locks named "accounts", "ledger" and "journal" taken in
// one order or against it.
//
//   lock_order_program forward    Transfer(): accounts, then ledger, then
//                                 journal, nested
//   lock_order_program backward   Audit() on two threads, one after the
//                                 other: ledger, then accounts (the forward
//                                 path never runs: no cycle)
//   lock_order_program older      Sweep(): journal, then an unlisted
//                                 "scratch", then accounts: the edge into
//                                 accounts runs from scratch, the newest
//                                 held lock; journal is only held
// Each prints "started" once its locks exist (the runtime has read
// LOCKSCOPE_OPTIONS by then) and "done" at the end.
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "lockscope/lockscope.h"

namespace {

lockscope::Mutex* g_accounts;
lockscope::Mutex* g_ledger;
lockscope::Mutex* g_journal;

__attribute__((noinline)) void Transfer() {
  std::lock_guard<lockscope::Mutex> a(*g_accounts);
  std::lock_guard<lockscope::Mutex> l(*g_ledger);
  std::lock_guard<lockscope::Mutex> j(*g_journal);
}

__attribute__((noinline)) void Audit() {
  std::lock_guard<lockscope::Mutex> l(*g_ledger);
  std::lock_guard<lockscope::Mutex> a(*g_accounts);
}

__attribute__((noinline)) void Sweep(lockscope::Mutex& scratch) {
  std::lock_guard<lockscope::Mutex> j(*g_journal);
  std::lock_guard<lockscope::Mutex> s(scratch);
  std::lock_guard<lockscope::Mutex> a(*g_accounts);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lock_order_program forward|backward|older\n");
    return 2;
  }
  lockscope::Mutex accounts{"accounts"}, ledger{"ledger"}, journal{"journal"};
  g_accounts = &accounts;
  g_ledger = &ledger;
  g_journal = &journal;
  std::printf("started\n");
  std::fflush(stdout);
  if (std::strcmp(argv[1], "forward") == 0) {
    Transfer();
  } else if (std::strcmp(argv[1], "backward") == 0) {
    std::thread(Audit).join();
    std::thread(Audit).join();
  } else if (std::strcmp(argv[1], "older") == 0) {
    lockscope::Mutex scratch{"scratch"};
    Sweep(scratch);
  } else {
    return 2;
  }
  std::printf("done\n");
  return 0;
}
