// A tiny test, as a test suite holds hundreds of them: it takes one lock
// once and exits 0. Built untracked (tiny_test_plain) and tracked
// (tiny_test_tracked) from this one source; process_benchmark runs a suite
// of them each way and compares what a process pays for being traced.
#include "lockscope/mutex.h"

int main() {
  lockscope::Mutex mu{"tiny"};
  mu.lock();
  mu.unlock();
  return 0;
}
