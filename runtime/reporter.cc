// Findings: suppression, the trace record, the live report on stderr,
// halt_on_finding and the fatal (aborting) kinds (the Session's side; the
// findings themselves are kept by FindingStore).
#include <cstdio>
#include <cstdlib>

#include "absl/container/flat_hash_set.h"
#include "collector/analysis/finding_kinds.h"
#include "collector/analysis/report.h"
#include "runtime/session.h"

namespace lockscope::runtime {

// What a report needs, copied out of the registry so that formatting runs
// without holding any runtime lock.
class Session::Context : public collector::FindingContext {
 public:
  const collector::ObjectInfo* Object(collector::ObjectId id) const override {
    auto it = objects_.find(id);
    return it == objects_.end() ? nullptr : &it->second;
  }
  const collector::ThreadInfo* Thread(collector::ThreadId id) const override {
    auto it = threads_.find(id);
    return it == threads_.end() ? nullptr : &it->second;
  }
  std::vector<collector::Frame> Stack(collector::StackId id) const override {
    auto it = stacks_.find(id);
    return it == stacks_.end() ? std::vector<collector::Frame>() : it->second;
  }

 private:
  friend class Session;
  absl::flat_hash_map<collector::ObjectId, collector::ObjectInfo> objects_;
  absl::flat_hash_map<collector::ThreadId, collector::ThreadInfo> threads_;
  absl::flat_hash_map<collector::StackId, std::vector<collector::Frame>>
      stacks_;
};

std::vector<collector::Frame> Session::Symbolize(collector::StackId id) {
  return symbols_.Symbolize(trace_.StackPcs(id));
}

void Session::WriteWantedFrames() {
  const std::vector<uint64_t> todo = trace_.TakeWantedPcs();
  if (todo.empty()) return;
  trace_.WriteFrames(symbols_.SymbolizeEach(todo));
}

absl::flat_hash_set<collector::ObjectId> Session::ObjectsNamedBy(
    const collector::Finding& finding) {
  absl::flat_hash_set<collector::ObjectId> objects(finding.objects.begin(),
                                                   finding.objects.end());
  for (const auto& e : finding.edges) {
    objects.insert(e.from);
    objects.insert(e.to);
  }
  objects.insert(finding.guarded_by.begin(), finding.guarded_by.end());
  return objects;
}

absl::flat_hash_set<collector::StackId> Session::StacksNamedBy(
    const collector::Finding& finding) {
  absl::flat_hash_set<collector::StackId> stacks;
  for (const auto& e : finding.edges) {
    stacks.insert(e.from_stack);
    stacks.insert(e.to_stack);
  }
  stacks.insert(finding.stack);
  stacks.insert(finding.other_stack);
  for (const auto& b : finding.borrows) stacks.insert(b.stack);
  stacks.erase(0);
  return stacks;
}

std::unique_ptr<Session::Context> Session::MakeContext(
    const collector::Finding& finding) {
  auto ctx = std::make_unique<Context>();
  const absl::flat_hash_set<collector::ObjectId> objects =
      ObjectsNamedBy(finding);
  absl::flat_hash_set<collector::ThreadId> threads(finding.threads.begin(),
                                                   finding.threads.end());
  for (const auto& e : finding.edges) threads.insert(e.thread);
  for (const auto& b : finding.borrows) threads.insert(b.thread);
  const absl::flat_hash_set<collector::StackId> stacks =
      StacksNamedBy(finding);
  for (collector::ThreadId t : threads) RefreshThreadName(t);
  registry_.CopyInfos(objects, threads, &ctx->objects_, &ctx->threads_);
  for (collector::StackId id : stacks) ctx->stacks_[id] = Symbolize(id);
  return ctx;
}

// The lock() (or borrow) that made a finding pays only for what must not
// wait: the finding's record and its objects, written and flushed at once,
// so that even a SIGKILL right after leaves it in the trace. Its stacks are
// there already as raw pcs (Stack records, written when captured) next to
// the module map (path, build id, load bias) written when the trace was
// opened: a reader with the binaries at hand symbolizes them
// (collector/trace/symbolizer.h). Symbolizing them here would stall the
// program inside lock() (the process's first finding loads the DWARF of
// every module it names: ~70 ms) while it holds its locks; the background
// thread, woken at once, writes their Frame records and prints the report
// on stderr (its context copied out of the registry and formatted). Both
// happen here instead when there is no background thread or
// halt_on_finding is set.
void Session::EmitFinding(collector::Finding finding) {
  PendingReport pending;
  if (!suppressions_.empty()) {
    pending.context = MakeContext(finding);
    finding.suppressed =
        suppressions_.Match(finding, *pending.context) != nullptr;
  }
  const bool failing = collector::FailsByDefault(finding);
  // The trace must define every object the finding names and hold the
  // finding itself before anything else can go wrong.
  // Under the registry lock so none of them can be freed meanwhile.
  registry_.ForEachLive(ObjectsNamedBy(finding), [this](ObjectState* o) {
    o->named_by_finding.store(true, std::memory_order_release);
    Announce(o);
  });
  trace_.WantFrames(StacksNamedBy(finding));
  trace_.WriteFinding(finding);
  FlushTrace();
  const bool halt = options_.halt_on_finding && failing;
  const bool now = options_.halt_on_finding || !background_.running();
  pending.id = finding.id;
  findings_.Record(std::move(finding), failing, options_.report,
                   std::move(pending));
  if (now) {
    WriteWantedFrames();
    FlushTrace();
    if (options_.report) ReportPendingFindings();
  } else {
    frames_after_finding_.store(true, std::memory_order_release);
    WakeBackgroundThread();
  }
  if (halt) {
    Shutdown("halt_on_finding");
    std::fflush(nullptr);
    std::abort();
  }
}

void Session::ReportPendingFindings() {
  // One reporter at a time, so reports come out in the order found.
  RawMutexLock serial(&report_mu_);
  std::vector<PendingReport> todo = findings_.TakePending();
  // A finding made again (its gates changed) before its first report was
  // printed is printed once, as it stands now.
  absl::flat_hash_set<uint64_t> printed;
  for (PendingReport& p : todo) {
    if (!printed.insert(p.id).second) continue;
    const collector::Finding finding = findings_.Get(p.id);
    if (!finding.suppressed) {
      if (p.context == nullptr) p.context = MakeContext(finding);
      collector::ReportStyle style;
      const std::string text =
          collector::FormatReport(finding, *p.context, style);
      std::fputs(text.c_str(), stderr);
      std::fflush(stderr);
    }
  }
}

bool Session::Report(collector::Finding finding, uint64_t dedup_key) {
  if (!findings_.NewId(dedup_key, &finding.id)) return false;
  finding.severity = collector::DefaultSeverity(finding.kind);
  finding.time_ns = NowNs();
  EmitFinding(std::move(finding));
  return true;
}

void Session::ReportFatal(collector::Finding finding,
                          const std::string& headline) {
  std::fprintf(stderr, "%s\n", headline.c_str());
  std::fflush(stderr);
  if (finding.message.empty()) finding.message = headline;
  const std::string reason =
      "abort: " + std::string(collector::FindingKindName(finding.kind));
  Report(std::move(finding), 0);
  Shutdown(reason);
  std::fflush(nullptr);
  std::abort();
}

uint64_t Session::FindingCount() { return findings_.Count(); }

bool Session::DescribeFinding(uint64_t index, std::string* line,
                              bool* fails) {
  collector::Finding f;
  if (!findings_.At(index, &f, fails)) return false;
  std::unique_ptr<Context> ctx = MakeContext(f);
  *line = collector::FormatOneLine(f, *ctx);
  return true;
}

std::vector<std::string> Session::TestOnlyFindingLines() {
  std::vector<std::string> lines;
  for (const collector::Finding& f : TestOnlyFindings()) {
    std::unique_ptr<Context> ctx = MakeContext(f);
    std::string line = collector::FormatOneLine(f, *ctx);
    if (!f.guarded_by.empty()) {
      line += " [guarded by";
      for (collector::ObjectId g : f.guarded_by) {
        line.append(" ").append(collector::ObjectName(g, *ctx));
      }
      line += "]";
    }
    if (f.suppressed) line += " [suppressed]";
    lines.push_back(line);
  }
  return lines;
}

}  // namespace lockscope::runtime
