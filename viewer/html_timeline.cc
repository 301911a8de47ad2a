// viewer/html_timeline.cc — per-thread time buckets filled from the event
// stream, drawn as SVG lanes (see html_timeline.h).
#include "viewer/html_timeline.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collector/analysis/report.h"
#include "viewer/output.h"

namespace lockscope::viewer {

using collector::EventType;
using collector::ThreadId;

namespace {

struct Bucket {
  uint64_t wait_ns = 0;
  uint64_t hold_ns = 0;
  uint64_t events = 0;
};

constexpr double kLabelWidth = 190;
constexpr double kLaneHeight = 22;
constexpr double kTop = 22;
constexpr int kLevels = 4;

}  // namespace

struct Timeline::Lane {
  size_t trace = 0;
  ThreadId thread = 0;
  int64_t origin = 0;  // the first event's time
  int shift = 0;       // buckets are 2^shift ns wide
  uint64_t last = 0;   // latest time seen, relative to origin
  uint64_t events = 0;
  std::vector<Bucket> buckets = std::vector<Bucket>(kBuckets);
  // Open spans, relative to origin.
  uint32_t depth = 0;
  uint64_t hold_start = 0;
  bool waiting = false;
  uint64_t wait_start = 0;

  // Widens the buckets until `rel` falls in one.
  void Cover(uint64_t rel) {
    while ((rel >> shift) >= kBuckets) {
      for (size_t i = 0; i < kBuckets / 2; ++i) {
        Bucket& into = buckets[i];
        const Bucket a = buckets[2 * i], b = buckets[2 * i + 1];
        into.wait_ns = a.wait_ns + b.wait_ns;
        into.hold_ns = a.hold_ns + b.hold_ns;
        into.events = a.events + b.events;
      }
      std::fill(buckets.begin() + kBuckets / 2, buckets.end(), Bucket{});
      ++shift;
    }
  }

  // Adds the span [from, to) to the buckets' `field`.
  void Span(uint64_t from, uint64_t to, uint64_t Bucket::*field) {
    if (to <= from) return;
    for (uint64_t k = from >> shift; k <= (to - 1) >> shift; ++k) {
      const uint64_t start = k << shift;
      const uint64_t last_ns = start + ((uint64_t{1} << shift) - 1);
      const uint64_t lo = std::max(from, start);
      const uint64_t hi = std::min(to - 1, last_ns);
      buckets[k].*field += hi - lo + 1;
    }
  }
};

Timeline::Timeline() = default;
Timeline::~Timeline() = default;

Timeline::Lane* Timeline::LaneFor(size_t trace, ThreadId thread) {
  if (last_lane_ != nullptr && last_trace_ == trace && last_thread_ == thread) {
    return last_lane_;
  }
  auto [it, inserted] = index_.try_emplace({trace, thread}, lanes_.size());
  if (inserted) {
    lanes_.push_back(std::make_unique<Lane>());
    lanes_.back()->trace = trace;
    lanes_.back()->thread = thread;
  }
  last_trace_ = trace;
  last_thread_ = thread;
  last_lane_ = lanes_[it->second].get();
  return last_lane_;
}

void Timeline::Add(size_t trace, const collector::TraceEvent& event) {
  Lane& lane = *LaneFor(trace, event.thread);
  const int64_t time = event.event.time_ns;
  if (lane.events == 0) lane.origin = time;
  ++events_;
  ++lane.events;
  // A time before the lane's first (out of order, hostile) counts at it.
  const uint64_t rel = time > lane.origin ? static_cast<uint64_t>(time) -
                                                static_cast<uint64_t>(lane.origin)
                                          : 0;
  lane.Cover(rel);
  lane.last = std::max(lane.last, rel);
  ++lane.buckets[rel >> lane.shift].events;
  switch (event.event.type) {
    case EventType::kAcquireWait:
      if (!lane.waiting) {
        lane.waiting = true;
        lane.wait_start = rel;
      }
      break;
    case EventType::kAcquired:
      if (lane.waiting) {
        lane.Span(lane.wait_start, rel, &Bucket::wait_ns);
        lane.waiting = false;
      }
      if (lane.depth++ == 0) lane.hold_start = rel;
      break;
    case EventType::kReleased:
      if (lane.depth > 0 && --lane.depth == 0) {
        lane.Span(lane.hold_start, rel, &Bucket::hold_ns);
      }
      break;
    case EventType::kBorrow:
    case EventType::kBorrowRelease:
      break;
  }
}

namespace {

// One band of a lane: per column a level 0..kLevels, drawn as one <path>
// per level (runs of equal columns merged).
void AppendBand(std::string* svg, const std::vector<int>& level,
                const char* cls, double y, double height) {
  std::vector<std::string> paths(kLevels + 1);
  for (size_t c = 0; c < level.size();) {
    size_t end = c + 1;
    while (end < level.size() && level[end] == level[c]) ++end;
    if (level[c] > 0) {
      absl::StrAppend(&paths[level[c]],
                      absl::StrFormat("M%.0f %.0fh%dv%.0fh-%dz",
                                      kLabelWidth + static_cast<double>(c), y,
                                      end - c, height, end - c));
    }
    c = end;
  }
  for (int l = 1; l <= kLevels; ++l) {
    if (paths[l].empty()) continue;
    absl::StrAppend(svg, "<path class=\"", cls, "\" fill-opacity=\"",
                    absl::StrFormat("%.2f", 0.25 * l), "\" d=\"", paths[l],
                    "\"/>");
  }
}

int Level(double fraction) {
  if (fraction <= 0) return 0;
  return std::clamp(static_cast<int>(std::ceil(fraction * kLevels)), 1,
                    kLevels);
}

}  // namespace

std::string Timeline::Render(const std::vector<collector::TraceData>& traces,
                             const Analysis& analysis) const {
  if (events_ == 0) return "";
  // Align traces on wall-clock time when every one says where it started.
  bool aligned = true;
  for (const auto& lane : lanes_) {
    const auto& header = traces[lane->trace].header;
    aligned = aligned && header.start_unix_ns != 0 && header.start_clock_ns != 0;
  }
  auto offset = [&](const Lane& lane) -> double {
    if (!aligned) return 0;
    const auto& header = traces[lane.trace].header;
    return static_cast<double>(header.start_unix_ns) -
           static_cast<double>(header.start_clock_ns);
  };
  double begin = 0, end = 0;
  bool first = true;
  for (const auto& lane : lanes_) {
    const double from = static_cast<double>(lane->origin) + offset(*lane);
    const double to = from + static_cast<double>(lane->last);
    begin = first ? from : std::min(begin, from);
    end = first ? to : std::max(end, to);
    first = false;
  }
  const double span = std::max(end - begin, 1.0);
  const double column_ns = span / kColumns;

  // The busiest lanes, shown in trace and thread order.
  std::vector<const Lane*> shown;
  for (const auto& lane : lanes_) shown.push_back(lane.get());
  std::stable_sort(shown.begin(), shown.end(), [](const Lane* a, const Lane* b) {
    return a->events > b->events;
  });
  const size_t omitted = shown.size() > kMaxLanes ? shown.size() - kMaxLanes : 0;
  shown.resize(shown.size() - omitted);
  std::sort(shown.begin(), shown.end(), [](const Lane* a, const Lane* b) {
    return std::make_pair(a->trace, a->thread) <
           std::make_pair(b->trace, b->thread);
  });

  const double width = kLabelWidth + kColumns + 10;
  const double height = kTop + kLaneHeight * static_cast<double>(shown.size()) + 4;
  std::string svg = absl::StrFormat(
      "<svg class=\"timeline-svg\" width=\"%.0f\" height=\"%.0f\" "
      "viewBox=\"0 0 %.0f %.0f\">\n",
      width, height, width, height);
  for (int tick = 0; tick <= 5; ++tick) {
    const double x = kLabelWidth + tick * (kColumns / 5.0);
    absl::StrAppend(
        &svg,
        absl::StrFormat("<text class=\"axis\" x=\"%.0f\" y=\"12\" "
                        "text-anchor=\"%s\">",
                        x, tick == 0 ? "start" : tick == 5 ? "end" : "middle"),
        FormatDuration(static_cast<uint64_t>(span * tick / 5)), "</text>",
        absl::StrFormat("<path d=\"M%.0f 15v%.0f\" stroke=\"#d0d7de\"/>", x,
                        height - 15));
  }
  auto column_of = [&](double t) {
    return std::clamp(static_cast<double>(t - begin) / column_ns, 0.0,
                      static_cast<double>(kColumns) - 1e-9);
  };
  for (size_t i = 0; i < shown.size(); ++i) {
    const Lane& lane = *shown[i];
    std::vector<double> wait(kColumns, 0), hold(kColumns, 0);
    std::vector<uint64_t> events(kColumns, 0);
    const double base = static_cast<double>(lane.origin) + offset(lane);
    const double width_ns = std::ldexp(1.0, lane.shift);
    // Spreads `ns` over [from, from + len) into `into`, by overlap.
    auto spread = [&](double from, double len, double ns,
                      std::vector<double>& into) {
      if (ns <= 0) return;
      const double a = column_of(from), b = column_of(from + len);
      const size_t ca = static_cast<size_t>(a), cb = static_cast<size_t>(b);
      if (ca == cb || b - a <= 0) {
        into[ca] += ns;
        return;
      }
      for (size_t c = ca; c <= cb; ++c) {
        const double lo = std::max(a, static_cast<double>(c));
        const double hi = std::min(b, static_cast<double>(c + 1));
        into[c] += ns * std::max(hi - lo, 0.0) / (b - a);
      }
    };
    for (size_t k = 0; k < kBuckets; ++k) {
      const Bucket& bucket = lane.buckets[k];
      if (bucket.events == 0 && bucket.wait_ns == 0 && bucket.hold_ns == 0) {
        continue;
      }
      const double from = base + static_cast<double>(k) * width_ns;
      spread(from, width_ns, static_cast<double>(bucket.wait_ns), wait);
      spread(from, width_ns, static_cast<double>(bucket.hold_ns), hold);
      events[static_cast<size_t>(column_of(from))] += bucket.events;
    }
    // Spans still open at the lane's last event end there.
    const double last = static_cast<double>(lane.last);
    if (lane.depth > 0) {
      const double from = static_cast<double>(lane.hold_start);
      spread(base + from, last - from, last - from, hold);
    }
    if (lane.waiting) {
      const double from = static_cast<double>(lane.wait_start);
      spread(base + from, last - from, last - from, wait);
    }
    uint64_t busiest = 1;
    for (uint64_t e : events) busiest = std::max(busiest, e);
    std::vector<int> hold_level(kColumns), wait_level(kColumns),
        event_level(kColumns);
    for (size_t c = 0; c < kColumns; ++c) {
      hold_level[c] = Level(hold[c] / column_ns);
      wait_level[c] = Level(wait[c] / column_ns);
      event_level[c] =
          events[c] == 0 ? 0
                         : Level(std::log1p(static_cast<double>(events[c])) /
                                 std::log1p(static_cast<double>(busiest)));
    }
    const double y = kTop + kLaneHeight * static_cast<double>(i);
    std::string name = collector::ThreadName(lane.thread, traces[lane.trace]);
    if (traces.size() > 1) {
      auto mapped = analysis.maps[lane.trace].threads.find(lane.thread);
      if (mapped != analysis.maps[lane.trace].threads.end()) {
        name = collector::ThreadName(mapped->second, analysis);
      }
    }
    absl::StrAppend(&svg, "<g class=\"lane\"><title>", XmlEscape(OneLine(name)),
                    absl::StrFormat(": %d events", lane.events), "</title>",
                    absl::StrFormat("<text class=\"lane-label\" x=\"2\" "
                                    "y=\"%.0f\">",
                                    y + 13),
                    XmlEscape(OneLine(name.size() > 30
                                          ? name.substr(0, 28) + ".."
                                          : name)),
                    "</text>");
    AppendBand(&svg, hold_level, "hold", y + 2, 7);
    AppendBand(&svg, wait_level, "wait", y + 9, 7);
    AppendBand(&svg, event_level, "ev", y + 17, 3);
    absl::StrAppend(&svg, "</g>\n");
  }
  absl::StrAppend(&svg, "</svg>");
  std::string html = absl::StrCat(
      "<p class=\"legend\"><span><i style=\"background:#218bff\"></i>holding "
      "a lock</span><span><i style=\"background:#cf222e\"></i>waiting for a "
      "lock</span><span><i style=\"background:#57606a\"></i>events "
      "(log scale)</span> darker = a larger share of the column's ",
      FormatDuration(static_cast<uint64_t>(column_ns)), "</p>\n",
      "<div class=\"timeline\">", svg, "</div>\n");
  absl::StrAppend(&html, "<p class=\"meta\">", events_, " events, ",
                  lanes_.size(), " thread", lanes_.size() == 1 ? "" : "s");
  if (omitted > 0) {
    absl::StrAppend(&html, "; the ", kMaxLanes,
                    " busiest threads are shown, ", omitted, " more are not");
  }
  absl::StrAppend(&html, ".</p>\n");
  return html;
}

}  // namespace lockscope::viewer
