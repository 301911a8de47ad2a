// viewer/html_timeline.h — the report's timeline: one lane per thread
// showing when it held locks, waited for them and recorded events, as SVG.
//
// Events are streamed in (Add) and never kept. Each thread accumulates into
// a fixed number of time buckets starting at its first event; when an event
// falls past the last bucket, buckets are merged pairwise (their width
// doubles). So memory is kBuckets per thread whatever the number of events,
// one pass suffices, and a lane always has between kBuckets/2 and kBuckets
// buckets over its own time span. Render() re-bins every lane onto the
// report's pixel columns over the common time range (traces are aligned on
// their wall-clock start when the headers give it).
//
// A lane shows: hold (a lock held: from `acquired` to the `released` that
// ends the thread's last held lock) and wait (`acquire-wait` to `acquired`)
// as the fraction of each column's time, and event density. With the
// default events=contended only waited acquisitions are recorded, so hold
// covers those only.
#ifndef LOCKSCOPE_VIEWER_HTML_TIMELINE_H_
#define LOCKSCOPE_VIEWER_HTML_TIMELINE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "collector/trace/trace_loader.h"
#include "viewer/trace_set.h"

namespace lockscope::viewer {

class Timeline {
 public:
  static constexpr size_t kBuckets = 1024;
  // Pixel columns of the drawn timeline, and the most lanes drawn (the
  // threads with the most events; the rest are counted in a note).
  static constexpr size_t kColumns = 1000;
  static constexpr size_t kMaxLanes = 64;

  Timeline();
  ~Timeline();
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  // One event of trace number `trace` (its index in the report's list).
  void Add(size_t trace, const collector::TraceEvent& event);

  uint64_t events() const { return events_; }

  // The timeline section's body: an SVG and a legend; "" when no event was
  // added. `traces` and `analysis` give thread names and clock offsets.
  std::string Render(const std::vector<collector::TraceData>& traces,
                     const Analysis& analysis) const;

  struct Lane;

 private:
  Lane* LaneFor(size_t trace, collector::ThreadId thread);

  std::vector<std::unique_ptr<Lane>> lanes_;
  absl::flat_hash_map<std::pair<size_t, collector::ThreadId>, size_t> index_;
  // The lane of the previous event (events come in per-thread batches).
  size_t last_trace_ = 0;
  collector::ThreadId last_thread_ = 0;
  Lane* last_lane_ = nullptr;
  uint64_t events_ = 0;
};

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_HTML_TIMELINE_H_
