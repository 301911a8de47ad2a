// collector/model.cc — names of the model's enums (the contract's spelling).
#include "collector/model.h"

namespace lockscope::collector {

std::string_view ObjectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kMutex:
      return "mutex";
    case ObjectKind::kRwLock:
      return "rwlock";
    case ObjectKind::kCell:
      return "cell";
  }
  return "unknown";
}

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kShared:
      return "shared";
    case Access::kExclusive:
      return "exclusive";
  }
  return "unknown";
}

std::string_view FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kLockOrderCycle:
      return "lock-order-cycle";
    case FindingKind::kLockClassCycle:
      return "lock-class-cycle";
    case FindingKind::kActualDeadlock:
      return "actual-deadlock";
    case FindingKind::kCrossThreadBorrow:
      return "cross-thread-borrow";
    case FindingKind::kBorrowConflict:
      return "borrow-conflict";
    case FindingKind::kRecursiveLock:
      return "recursive-lock";
    case FindingKind::kUnlockNotOwner:
      return "unlock-not-owner";
    case FindingKind::kDestroyedWhileHeld:
      return "destroyed-while-held";
  }
  return "unknown";
}

std::optional<FindingKind> ParseFindingKind(std::string_view name) {
  for (int i = 0; i < kNumFindingKinds; ++i) {
    const auto kind = static_cast<FindingKind>(i);
    if (FindingKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
  }
  return "unknown";
}

Severity DefaultSeverity(FindingKind kind) {
  return kind == FindingKind::kLockClassCycle ? Severity::kWarning
                                              : Severity::kError;
}

}  // namespace lockscope::collector
