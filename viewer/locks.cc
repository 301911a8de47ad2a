// lockscope locks TRACE... — acquisitions, contention, wait and hold times.
#include <algorithm>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collector/analysis/plural.h"
#include "viewer/subcommand.h"

namespace lockscope::viewer {
namespace {

using collector::ObjectCounters;
using collector::ObjectInfo;
using collector::ObjectKind;

struct Row {
  const ObjectInfo* object;
  ObjectCounters counters;
};

class LocksCommand : public Subcommand {
 public:
  std::string_view name() const override { return "locks"; }
  std::string_view description() const override {
    return "per-lock acquisitions, contention, wait and hold time";
  }
  void Configure(CLI::App& command) override {
    AddTracesArgument(command, &paths_);
    command.add_option("--sort", sort_, "sort key (descending; name ascending)")
        ->check(CLI::IsMember(
            {"acquisitions", "contended", "wait", "hold", "name"}))
        ->type_name("KEY")
        ->capture_default_str();
    command.add_option("--top", top_, "show only the first N rows (0 = all)")
        ->check(CLI::NonNegativeNumber)
        ->type_name("N");
    command.footer(
        "wait = time blocked in lock() after the fast try failed; hold = time\n"
        "held, measured for waited acquisitions only unless the trace was\n"
        "recorded with events=all. Cells appear when they have counters.\n\n"
        "Example:\n  lockscope locks --sort=wait --top 10 app.12345.lstrace");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    absl::StatusOr<LoadedSet> set = LoadAndAnalyze(paths_, context);
    if (!set.ok()) return set.status();
    const Analysis& analysis = set->analysis;
    std::vector<Row> rows;
    for (collector::ObjectId id : SortedKeys(analysis.objects)) {
      const ObjectInfo& object = analysis.objects.at(id);
      auto it = analysis.counters.find(id);
      if (object.kind == ObjectKind::kCell && it == analysis.counters.end()) {
        continue;
      }
      Row row{&object, {}};
      if (it != analysis.counters.end()) row.counters = it->second;
      rows.push_back(row);
    }
    std::stable_sort(rows.begin(), rows.end(), Order());
    if (top_ > 0 && rows.size() > static_cast<size_t>(top_)) {
      rows.resize(static_cast<size_t>(top_));
    }
    if (rows.empty()) {
      context.out << "no locks in "
                  << collector::Plural(set->traces.size(), "trace") << "\n";
      return kExitOk;
    }

    Table table({"LOCK", "KIND", "ACQUIRED", "SHARED", "CONTENDED",
                 "WAIT TOTAL", "WAIT MAX", "HOLD TOTAL", "HOLD MAX"});
    for (size_t column = 2; column < 9; ++column) table.AlignRight(column);
    uint64_t acquisitions = 0, samples = 0;
    const Style style = context.style();
    const auto names = UniqueObjectNames(analysis.objects);
    for (const Row& row : rows) {
      const ObjectCounters& c = row.counters;
      acquisitions += c.acquisitions;
      samples += c.hold_samples;
      std::string contended = absl::StrCat(c.contended);
      if (c.acquisitions > 0 && c.contended > 0) {
        const double percent = 100.0 * c.contended / c.acquisitions;
        absl::StrAppend(&contended, percent < 0.1
                                        ? std::string(" (<0.1%)")
                                        : absl::StrFormat(" (%.1f%%)", percent));
      }
      table.AddRow({names.at(row.object->id),
                    std::string(collector::ObjectKindName(row.object->kind)),
                    absl::StrCat(c.acquisitions), absl::StrCat(c.shared),
                    c.contended > 0 ? style.Yellow(contended) : contended,
                    FormatDuration(c.wait_total_ns),
                    FormatDuration(c.wait_max_ns),
                    FormatDuration(c.hold_total_ns),
                    FormatDuration(c.hold_max_ns)});
    }
    table.Render(context.out);
    if (samples < acquisitions) {
      context.out << "\nhold times cover " << samples << " of " << acquisitions
                  << " acquisitions (only waited ones unless events=all)\n";
    }
    return kExitOk;
  }

 private:
  // The comparison for --sort: larger first, then more acquisitions, then
  // (and for --sort=name only) by name.
  std::function<bool(const Row&, const Row&)> Order() const {
    std::function<uint64_t(const ObjectCounters&)> key;
    if (sort_ == "contended") {
      key = [](const ObjectCounters& c) { return c.contended; };
    } else if (sort_ == "wait") {
      key = [](const ObjectCounters& c) { return c.wait_total_ns; };
    } else if (sort_ == "hold") {
      key = [](const ObjectCounters& c) { return c.hold_total_ns; };
    } else if (sort_ == "acquisitions") {
      key = [](const ObjectCounters& c) { return c.acquisitions; };
    }
    return [key](const Row& a, const Row& b) {
      if (key) {
        const uint64_t ka = key(a.counters), kb = key(b.counters);
        if (ka != kb) return ka > kb;
        // Ties (often all zero) put the busiest locks first.
        if (a.counters.acquisitions != b.counters.acquisitions) {
          return a.counters.acquisitions > b.counters.acquisitions;
        }
      }
      return a.object->name < b.object->name;
    };
  }

  std::vector<std::string> paths_;
  std::string sort_ = "acquisitions";
  int top_ = 0;
};

}  // namespace

std::unique_ptr<Subcommand> NewLocksCommand() {
  return std::make_unique<LocksCommand>();
}

}  // namespace lockscope::viewer
