// lockscope::AppCell borrow+release on its owner thread.
//
// Built twice (bench/CMakeLists.txt): app_cell_plain_benchmark (untracked:
// the borrow check alone) and app_cell_tracked_benchmark (tracked: plus the
// runtime's owner check, site cache and counters). The target is absolute
// (nanoseconds per borrow+release), there being no std counterpart.
#include <benchmark/benchmark.h>

#include "lockscope/app_cell.h"

namespace lockscope_bench {
namespace {

struct App {
  int frame = 0;
};

void BM_Borrow(benchmark::State& state) {
  lockscope::AppCell<App> app{App{}, "app"};
  for (auto _ : state) {
    auto ref = app.borrow();
    benchmark::DoNotOptimize(ref->frame);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Borrow);

void BM_BorrowMut(benchmark::State& state) {
  lockscope::AppCell<App> app{App{}, "app"};
  for (auto _ : state) {
    auto mut = app.borrow_mut();
    ++mut->frame;
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BorrowMut);

}  // namespace
}  // namespace lockscope_bench

BENCHMARK_MAIN();
