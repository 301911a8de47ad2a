// A tracked program that sites_e2e_test.cc runs as a child process: the
// acquisition sites and outstanding borrows its findings must name.
//
//   sites_program sites    one thread takes `ledger` alone in LedgerAlone(),
//                          then ledger -> accounts in AuditSites(), then
//                          accounts -> ledger in TransferSites(): a cycle
//                          whose edge ledger -> accounts must say ledger was
//                          taken in AuditSites(), not LedgerAlone()
//   sites_program borrows  `cell` borrowed in FirstReader() and
//                          SecondReader() on the main thread and in
//                          OtherThreadReader() on another, all alive, then
//                          borrow_mut(): a borrow-conflict naming all three
#include <cstdio>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "lockscope/lockscope.h"

namespace {

lockscope::Mutex ledger{"ledger"};
lockscope::Mutex accounts{"accounts"};

__attribute__((noinline)) void LedgerAlone() {
  std::lock_guard<lockscope::Mutex> l(ledger);
}

__attribute__((noinline)) void AuditSites() {
  std::lock_guard<lockscope::Mutex> l(ledger);
  std::lock_guard<lockscope::Mutex> a(accounts);
}

__attribute__((noinline)) void TransferSites() {
  std::lock_guard<lockscope::Mutex> a(accounts);
  std::lock_guard<lockscope::Mutex> l(ledger);
}

struct State {
  int value = 0;
};

using Cell = lockscope::AppCell<State>;

__attribute__((noinline)) lockscope::Ref<State> FirstReader(const Cell& c) {
  return c.borrow();
}

__attribute__((noinline)) lockscope::Ref<State> SecondReader(const Cell& c) {
  return c.borrow();
}

__attribute__((noinline)) void OtherThreadReader(const Cell& c,
                                                 std::promise<void>* borrowed,
                                                 std::future<void> never) {
  auto r = c.borrow();
  borrowed->set_value();
  never.wait();  // holds the borrow until the process aborts
}

int Borrows() {
  Cell cell{State{}, "cell"};
  auto r1 = FirstReader(cell);
  auto r2 = SecondReader(cell);
  std::promise<void> borrowed, never;
  std::thread other(OtherThreadReader, std::cref(cell), &borrowed,
                    never.get_future());
  borrowed.get_future().wait();
  cell.borrow_mut()->value = 1;  // conflict: aborts
  never.set_value();
  other.join();
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 2 ? argv[1] : "";
  if (mode == "sites") {
    LedgerAlone();
    AuditSites();
    TransferSites();
    return 0;
  }
  if (mode == "borrows") return Borrows();
  std::fprintf(stderr, "usage: sites_program sites|borrows\n");
  return 2;
}
