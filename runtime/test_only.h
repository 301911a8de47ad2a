// runtime/test_only.h — hooks for lockscope's own tests. Not for programs.
#ifndef LOCKSCOPE_RUNTIME_TEST_ONLY_H_
#define LOCKSCOPE_RUNTIME_TEST_ONLY_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "collector/analysis/model.h"

namespace lockscope::runtime {

// Locks (not borrows) the calling thread holds, as the runtime sees them.
size_t TestOnlyHeldCount();
// Every finding made so far in this process, oldest first.
std::vector<collector::Finding> TestOnlyFindings();
// The same, each as its one-line form ("lock-order-cycle a => b => a"),
// with " [guarded by g]" appended for guarded cycles and " [suppressed]" for
// suppressed findings.
std::vector<std::string> TestOnlyFindingLines();
// Closes the trace now, as at exit.
void TestOnlyShutdown();
// Threads that publish a wait for the watchdog now (blocked in lock(), an
// untimed condition wait or a join; needs watchdog_ms > 0).
size_t TestOnlyBlockedThreads();
// One watchdog scan, now, on this thread, counting every published wait as
// older than the period: the actual-deadlock it would report (its message
// is the headline without "lockscope: "), or nullopt. Reports nothing.
std::optional<collector::Finding> TestOnlyWatchdogScan();

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_TEST_ONLY_H_
