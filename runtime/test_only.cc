#include "runtime/test_only.h"

#include "collector/analysis/report.h"
#include "runtime/session.h"
#include "runtime/watchdog.h"

namespace lockscope::runtime {

size_t TestOnlyHeldCount() { return CurrentThread()->held.size(); }

std::vector<collector::Finding> TestOnlyFindings() {
  return Session::Get().TestOnlyFindings();
}

std::vector<std::string> TestOnlyFindingLines() {
  return Session::Get().TestOnlyFindingLines();
}

void TestOnlyShutdown() { Session::Get().Shutdown("test"); }

size_t TestOnlyBlockedThreads() {
  return Session::Get().BlockedThreads().size();
}

std::optional<collector::Finding> TestOnlyWatchdogScan() {
  std::string headline;
  return ScanForDeadlock(&Session::Get(), 0, &headline);
}

}  // namespace lockscope::runtime
