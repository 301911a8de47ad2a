// Usage: transfer_once FROM TO
//
// One transfer, one lock order. Alone it is harmless; `transfer_once a b` and
// `transfer_once b a` run as two tests take the two locks in opposite orders,
// which only a check over both traces (lockscope_add_run_gate) can see.
#include <cstdio>

#include "bank.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s FROM TO\n", argv[0]);
    return 2;
  }
  bank::Account from(argv[1], 100), to(argv[2], 100);
  bank::Transfer(from, to, 10);
  return from.balance() == 90 && to.balance() == 110 ? 0 : 1;
}
