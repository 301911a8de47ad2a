#include "runtime/secure_mode.h"

#include <sys/auxv.h>

namespace lockscope::runtime {

bool InSecureExecution() { return getauxval(AT_SECURE) != 0; }

namespace {

// Clears `value` if its kind names a file; true if it named one.
template <typename Kind>
bool DropIfFile(typename Kind::Value& value) {
  if constexpr (Kind::kNamesAFile) {
    if (value.empty()) return false;
    value.clear();
    return true;
  } else {
    return false;
  }
}

}  // namespace

std::string DropFileOptions(Options* options) {
  // Every row of options.inc whose value names a file, so an option added
  // later cannot be forgotten here.
  bool dropped = false;
#define LOCKSCOPE_OPTION(Kind, name, default_value, min, max, help) \
  dropped |= DropIfFile<Kind>(options->name);
#include "runtime/options.inc"
  if (!dropped) return "";
  return "lockscope: secure-execution mode (setuid, setgid or file "
         "capabilities): no trace is written and no suppressions or lock "
         "order file is read, whatever LOCKSCOPE_OPTIONS says";
}

}  // namespace lockscope::runtime
