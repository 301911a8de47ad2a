#include "bank.h"

#include <mutex>

namespace bank {

int64_t Account::balance() const {
  std::lock_guard<lockscope::Mutex> lock(mu_);
  return balance_;
}

void Transfer(Account& from, Account& to, int64_t amount) {
#ifdef BANK_FIXED_LOCK_ORDER
  // Every thread of every process takes the two locks in the same order (by
  // account id), so no two transfers can wait on each other.
  Account& first = from.id() < to.id() ? from : to;
  Account& second = from.id() < to.id() ? to : from;
#else
  // The bug: Transfer(a, b) locks a then b, Transfer(b, a) locks b then a.
  // Run at the same moment, each can hold its first lock and wait forever
  // for its second.
  Account& first = from;
  Account& second = to;
#endif
  std::lock_guard<lockscope::Mutex> lock_first(first.mu_);
  std::lock_guard<lockscope::Mutex> lock_second(second.mu_);
  from.balance_ -= amount;
  to.balance_ += amount;
}

}  // namespace bank
