// lockscope events TRACE — the timeline of recorded events, filtered.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <queue>

#include <CLI/CLI.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/plural.h"
#include "viewer/subcommand.h"

namespace lockscope::viewer {
namespace {

using collector::EventType;
using collector::ObjectId;
using collector::ThreadId;
using collector::TraceData;
using collector::TraceEvent;

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kAcquireWait:
      return "acquire-wait";
    case EventType::kAcquired:
      return "acquired";
    case EventType::kReleased:
      return "released";
    case EventType::kBorrow:
      return "borrow";
    case EventType::kBorrowRelease:
      return "borrow-release";
  }
  return "?";
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return absl::ascii_isdigit(c); });
}

// An event and its position in the file, so equal times keep file order.
struct Sequenced {
  TraceEvent event;
  uint64_t index;
};
bool Earlier(const Sequenced& a, const Sequenced& b) {
  if (a.event.event.time_ns != b.event.event.time_ns) {
    return a.event.event.time_ns < b.event.event.time_ns;
  }
  return a.index < b.index;
}

class EventsCommand : public Subcommand {
 public:
  std::string_view name() const override { return "events"; }
  std::string_view description() const override {
    return "the event timeline of one trace, filtered by thread, lock, time";
  }
  void Configure(CLI::App& command) override {
    AddTraceArgument(command, &path_);
    command.add_option("--thread", thread_, "only this thread (id or name)")
        ->type_name("T");
    command.add_option("--lock", lock_, "only this lock or cell (id or name)")
        ->type_name("L");
    since_option_ = command.add_option("--since", since_value_,
                       "only events at or after NS nanoseconds from the "
                       "trace start")
        ->type_name("NS");
    until_option_ = command.add_option("--until", until_value_,
                       "only events before NS nanoseconds from the trace "
                       "start")
        ->type_name("NS");
    command.add_option("--limit", limit_, "show the first N events (0 = all)")
        ->check(CLI::NonNegativeNumber)
        ->type_name("N");
    command.footer(
        "One line per event: time in seconds since the trace start, thread,\n"
        "event (acquire-wait, acquired, released, borrow, borrow-release),\n"
        "object, access, and 'try' for try_lock/try_borrow. Events are\n"
        "sorted by time. With events=contended (the default) only waited\n"
        "acquisitions are recorded.\n\n"
        "Example:\n"
        "  lockscope events --thread=worker --lock=accounts --limit=50 "
        "app.lstrace");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    // Pass 1: the tables, so that names given as filters (and threads
    // renamed late in the trace) resolve before any event is printed.
    absl::StatusOr<TraceData> tables = LoadOne(path_, context.load_options());
    if (!tables.ok()) return tables.status();
    absl::Status resolved = Resolve(*tables);
    if (!resolved.ok()) return resolved;
    const int64_t start = tables->header.start_clock_ns != 0
                              ? tables->header.start_clock_ns
                              : tables->first_time_ns;

    // Pass 2: stream the events, keeping the matching ones (only the
    // `limit_` earliest when a limit is given).
    std::vector<Sequenced> kept;
    std::priority_queue<Sequenced, std::vector<Sequenced>,
                        decltype(&Earlier)>
        earliest(&Earlier);
    uint64_t index = 0, matched = 0;
    LoadOptions quiet;  // the warning was printed by pass 1
    quiet.progress = context.progress;
    absl::StatusOr<TraceData> again =
        LoadOne(path_, quiet, [&](const TraceEvent& event) {
          const uint64_t i = index++;
          if (!Matches(event, start)) return;
          ++matched;
          if (limit_ == 0) {
            kept.push_back({event, i});
            return;
          }
          earliest.push({event, i});
          if (earliest.size() > static_cast<size_t>(limit_)) earliest.pop();
        });
    if (!again.ok()) return again.status();
    while (!earliest.empty()) {
      kept.push_back(earliest.top());
      earliest.pop();
    }
    std::sort(kept.begin(), kept.end(), Earlier);
    Print(*tables, kept, start, matched, index, context);
    return kExitOk;
  }

 private:
  absl::Status Resolve(const TraceData& trace) {
    if (since_option_->count() > 0) since_ = since_value_;
    if (until_option_->count() > 0) until_ = until_value_;
    if (!thread_.empty()) {
      for (const auto& [id, info] : trace.threads) {
        if (info.name == thread_ ||
            (AllDigits(thread_) && absl::StrCat(id) == thread_)) {
          threads_.insert(id);
        }
      }
      if (threads_.empty()) {
        std::vector<std::string> known;
        for (ThreadId id : SortedKeys(trace.threads)) {
          const std::string& name = trace.threads.at(id).name;
          known.push_back(name.empty() ? absl::StrCat(id)
                                       : absl::StrCat(id, " '", name, "'"));
        }
        return absl::NotFoundError(absl::StrCat(
            trace.path, ": --thread=", thread_, ": no such thread (threads: ",
            known.empty() ? "none" : absl::StrJoin(known, ", "), ")"));
      }
    }
    if (!lock_.empty()) {
      for (const auto& [id, info] : trace.objects) {
        if (info.name == lock_ ||
            (AllDigits(lock_) && absl::StrCat(id) == lock_)) {
          objects_.insert(id);
        }
      }
      if (objects_.empty()) {
        return absl::NotFoundError(absl::StrCat(
            trace.path, ": --lock=", lock_,
            ": no lock or cell with that id or name (see 'lockscope graph' "
            "or 'lockscope locks')"));
      }
    }
    if (since_.has_value() && until_.has_value() && *until_ < *since_) {
      return absl::InvalidArgumentError(
          absl::StrCat("--until=", *until_, " is before --since=", *since_));
    }
    return absl::OkStatus();
  }

  bool Matches(const TraceEvent& event, int64_t start) const {
    if (!threads_.empty() && !threads_.contains(event.thread)) return false;
    if (!objects_.empty() && !objects_.contains(event.event.object)) {
      return false;
    }
    const int64_t t = event.event.time_ns - start;
    if (since_.has_value() && t < *since_) return false;
    if (until_.has_value() && t >= *until_) return false;
    return true;
  }

  void Print(const TraceData& trace, const std::vector<Sequenced>& events,
             int64_t start, uint64_t matched, uint64_t total,
             const CommandContext& context) const {
    const auto names = UniqueObjectNames(trace.objects);
    Table table({"TIME(s)", "THREAD", "EVENT", "OBJECT", "ACCESS", "TRY"});
    table.AlignRight(0);
    const Style style = context.style();
    for (const Sequenced& item : events) {
      const collector::RawEvent& e = item.event.event;
      const int64_t t = e.time_ns - start;
      const std::string time =
          absl::StrFormat("%s%d.%09d", t < 0 ? "-" : "", std::abs(t) / 1000000000,
                          std::abs(t) % 1000000000);
      std::string thread = absl::StrCat(item.event.thread);
      if (const collector::ThreadInfo* info = trace.Thread(item.event.thread);
          info != nullptr && !info->name.empty()) {
        absl::StrAppend(&thread, " ", OneLine(info->name));
      }
      auto name = names.find(e.object);
      const std::string object = name != names.end()
                                     ? name->second
                                     : absl::StrCat("#", e.object);
      std::string type(EventTypeName(e.type));
      if (e.type == EventType::kAcquireWait) type = style.Yellow(type);
      table.AddRow({time, thread, type, object,
                    std::string(collector::AccessName(e.access)),
                    e.was_try ? "try" : ""});
    }
    if (table.rows() > 0) table.Render(context.out);
    if (matched == total) {
      context.out << events.size() << " of "
                  << collector::Plural(total, "event") << " shown\n";
    } else {
      context.out << events.size() << " of "
                  << collector::Plural(matched, "matching event") << " shown ("
                  << total << " in the trace)\n";
    }
  }

  std::string path_;
  std::string thread_;
  std::string lock_;
  CLI::Option* since_option_ = nullptr;
  CLI::Option* until_option_ = nullptr;
  int64_t since_value_ = 0;
  int64_t until_value_ = 0;
  std::optional<int64_t> since_;
  std::optional<int64_t> until_;
  int limit_ = 0;
  absl::flat_hash_set<ThreadId> threads_;
  absl::flat_hash_set<ObjectId> objects_;
};

}  // namespace

std::unique_ptr<Subcommand> NewEventsCommand() {
  return std::make_unique<EventsCommand>();
}

}  // namespace lockscope::viewer
