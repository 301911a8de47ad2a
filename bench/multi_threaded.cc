// Linked into every benchmark: makes the process multi-threaded before
// main(), as every program that needs a lock is.
//
// glibc's x86-64 lock code drops the `lock` prefix of its compare-and-swap
// while a process has never had a second thread, so a std::mutex
// lock+unlock measured before any thread exists costs a fraction of what
// it costs in a real program (2.4 ns against 12.8 ns on the Intel guest of
// docs/PERFORMANCE.md). Which side of a ratio saw that depended on whether
// a tracked run had started its collector thread yet; this thread, started
// and joined at load time, takes the question away. The flag glibc reads
// stays set after the thread exits.
#include <thread>

namespace lockscope_bench {
namespace {

const bool kMultiThreaded = [] {
  std::thread([] {}).join();
  return true;
}();

}  // namespace
}  // namespace lockscope_bench
