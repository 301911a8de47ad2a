#include "runtime/secure_mode.h"

#include <sys/auxv.h>

namespace lockscope::runtime {

bool InSecureExecution() { return getauxval(AT_SECURE) != 0; }

std::string DropFileOptions(Options* options) {
  if (options->trace.empty() && options->suppressions.empty()) return "";
  options->trace.clear();
  options->suppressions.clear();
  return "lockscope: secure-execution mode (setuid, setgid or file "
         "capabilities): no trace is written and no suppressions file is "
         "read, whatever LOCKSCOPE_OPTIONS says";
}

}  // namespace lockscope::runtime
