// A tiny bank: accounts guarded by lockscope::Mutex, and a Transfer() that
// needs two of them at once.
#ifndef LOCKSCOPE_CONSUMER_BANK_H_
#define LOCKSCOPE_CONSUMER_BANK_H_

#include <cstdint>
#include <string>

#include <lockscope/lockscope.h>

namespace bank {

class Account {
 public:
  // The id names the account's lock, so traces from different test
  // processes agree on which lock is which.
  Account(std::string id, int64_t balance)
      : id_(std::move(id)), mu_(id_), balance_(balance) {}

  const std::string& id() const { return id_; }
  int64_t balance() const;

 private:
  friend void Transfer(Account& from, Account& to, int64_t amount);

  const std::string id_;
  mutable lockscope::Mutex mu_;
  int64_t balance_;
};

// Moves `amount` from `from` to `to`, holding both accounts' locks.
void Transfer(Account& from, Account& to, int64_t amount);

}  // namespace bank

#endif  // LOCKSCOPE_CONSUMER_BANK_H_
