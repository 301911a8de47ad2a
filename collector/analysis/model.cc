// collector/analysis/model.cc — names of the model's enums (the contract's
// spelling). Finding kinds are named by their table (finding_kinds.cc).
#include "collector/analysis/model.h"

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

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "unknown";
}

}  // namespace lockscope::collector
