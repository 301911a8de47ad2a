// collector/analysis/merge_analysis.cc — Analysis::Build (see
// merge_analysis.h for what the result means).
#include "collector/analysis/merge_analysis.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/analyzer.h"
#include "collector/analysis/finding_kinds.h"

namespace lockscope::collector {

// Builds an Analysis from loaded traces.
class AnalysisBuilder {
 public:
  explicit AnalysisBuilder(const std::vector<TraceData>& traces)
      : traces_(traces) {}

  // One trace: everything copied with ids unchanged.
  Analysis Single();
  // Several traces: ids remapped, lock-order analysis re-run.
  Analysis Merged();

 private:
  void MergeThreads();
  void MergeObjects();
  void MergeModulesAndFrames();
  void MergeStacks();
  void MergeEdges();
  void MergeCounters();
  void Reanalyze();
  void KeepStoredFindings();
  void CarrySuppressions();

  // `finding` with trace `trace`'s ids replaced by the Analysis's.
  Finding Remap(size_t trace, const Finding& finding) const;
  // The key under which two cycles are "the same": kind plus the sorted
  // object ids (instance cycles) or class names (class cycles).
  std::string CycleKey(const Finding& finding) const;

  const std::vector<TraceData>& traces_;
  Analysis out_;
};

namespace {

// Abseil 20220623's string_view is not std::string_view.
absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

bool IsLock(const ObjectInfo& object) {
  return object.kind == ObjectKind::kMutex ||
         object.kind == ObjectKind::kRwLock;
}

template <typename T>
void SortUnique(std::vector<T>* values) {
  std::sort(values->begin(), values->end());
  values->erase(std::unique(values->begin(), values->end()), values->end());
}

// Adds `more` to the sorted set `into`.
void UnionInto(std::vector<size_t>* into, const std::vector<size_t>& more) {
  into->insert(into->end(), more.begin(), more.end());
  SortUnique(into);
}

template <typename Map, typename Key>
auto LookupOr(const Map& map, const Key& key,
              typename Map::mapped_type fallback) {
  auto it = map.find(key);
  return it == map.end() ? fallback : it->second;
}

// A trace's Edge record as an edge of the analysis.
AnalyzedEdge EdgeFromTrace(const EdgeState& edge) {
  AnalyzedEdge out;
  out.first = edge.first;
  out.gates = edge.gates;
  out.count = edge.count;
  return out;
}

}  // namespace

Analysis AnalysisBuilder::Single() {
  const TraceData& trace = traces_[0];
  out_.merged = false;
  out_.objects = trace.objects;
  out_.threads = trace.threads;
  out_.stacks = trace.stacks;
  out_.frames = trace.frames;
  out_.inlined = trace.inlined;
  out_.counters = trace.counters;
  IdMaps& maps = out_.maps.emplace_back();
  for (const auto& [id, object] : trace.objects) {
    maps.objects[id] = id;
    out_.object_traces[id] = {0};
  }
  for (const auto& [id, thread] : trace.threads) maps.threads[id] = id;
  for (const auto& [id, stack] : trace.stacks) {
    maps.stacks[id] = id;
    for (uint64_t pc : stack) maps.pcs[pc] = pc;
  }
  for (const auto& [pc, frame] : trace.frames) maps.pcs[pc] = pc;
  for (const auto& [id, module] : trace.modules) {
    maps.modules[id] = id;
    out_.modules[id] = module;
  }
  for (const EdgeState& edge : trace.edges) {
    AnalyzedEdge analyzed = EdgeFromTrace(edge);
    analyzed.traces = {0};
    out_.edges.push_back(std::move(analyzed));
  }
  for (const Finding& finding : trace.findings) {
    out_.findings.push_back(AnalyzedFinding{finding, {0}});
  }
  out_.IndexEdges();
  return std::move(out_);
}

Analysis AnalysisBuilder::Merged() {
  out_.merged = true;
  out_.maps.resize(traces_.size());
  MergeThreads();
  MergeObjects();
  MergeModulesAndFrames();
  MergeStacks();
  MergeEdges();
  MergeCounters();
  Reanalyze();
  CarrySuppressions();
  KeepStoredFindings();
  return std::move(out_);
}

void AnalysisBuilder::MergeThreads() {
  ThreadId next = 1;
  for (size_t i = 0; i < traces_.size(); ++i) {
    const TraceData& trace = traces_[i];
    for (ThreadId old : SortedKeys(trace.threads)) {
      ThreadInfo thread = trace.threads.at(old);
      thread.id = next++;
      // Thread ids restart in every process; the pid tells them apart
      // (unless a previous merge already said which process it was).
      if (!absl::StrContains(thread.name, "[pid ")) {
        thread.name = absl::StrCat(thread.name, thread.name.empty() ? "" : " ",
                                   "[pid ", trace.header.pid, "]");
      }
      out_.maps[i].threads[old] = thread.id;
      out_.threads[thread.id] = std::move(thread);
    }
  }
}

void AnalysisBuilder::MergeObjects() {
  ObjectId next = 1;
  absl::flat_hash_map<std::string, ObjectId> by_key;
  for (size_t i = 0; i < traces_.size(); ++i) {
    const TraceData& trace = traces_[i];
    IdMaps& maps = out_.maps[i];
    absl::flat_hash_map<std::string, int> lock_names;
    for (const auto& [id, object] : trace.objects) {
      if (IsLock(object)) ++lock_names[object.name];
    }
    for (ObjectId old : SortedKeys(trace.objects)) {
      const ObjectInfo& object = trace.objects.at(old);
      // Only a name that is unique within its trace identifies a lock
      // across traces (see trace_set.h).
      const bool shared = IsLock(object) && lock_names[object.name] == 1;
      const std::string key =
          shared ? absl::StrCat("lock:", ToAbsl(ObjectKindName(object.kind)),
                                ":", object.name)
                 : absl::StrCat("trace:", i, ":", old);
      auto [it, inserted] = by_key.try_emplace(key, next);
      if (inserted) {
        ObjectInfo copy = object;
        copy.id = next++;
        copy.created_thread = LookupOr(maps.threads, object.created_thread, 0);
        copy.owner_thread = LookupOr(maps.threads, object.owner_thread, 0);
        out_.objects[copy.id] = std::move(copy);
      }
      maps.objects[old] = it->second;
      std::vector<size_t>& where = out_.object_traces[it->second];
      if (where.empty() || where.back() != i) where.push_back(i);
    }
  }
}

void AnalysisBuilder::MergeModulesAndFrames() {
  uint64_t next_module = 1;
  absl::flat_hash_map<std::string, uint64_t> module_by_key;
  // What each merged pc stands for: the symbolization it was first given.
  absl::flat_hash_map<uint64_t, std::string> claimed;
  uint64_t next_synthetic = kSyntheticPcBase;
  for (size_t i = 0; i < traces_.size(); ++i) {
    const TraceData& trace = traces_[i];
    IdMaps& maps = out_.maps[i];
    for (uint64_t old : SortedKeys(trace.modules)) {
      const ModuleInfo& module = trace.modules.at(old);
      const std::string key = absl::StrCat(module.path, "\n", module.build_id,
                                           "\n", module.base);
      auto [it, inserted] = module_by_key.try_emplace(key, next_module);
      if (inserted) {
        ModuleInfo copy = module;
        copy.id = next_module;
        out_.modules[next_module] = std::move(copy);
        ++next_module;
      }
      maps.modules[old] = it->second;
    }
    std::vector<uint64_t> pcs = SortedKeys(trace.frames);
    for (const auto& [id, stack] : trace.stacks) {
      pcs.insert(pcs.end(), stack.begin(), stack.end());
    }
    SortUnique(&pcs);
    const auto frame_identity = [](const Frame& frame) {
      return absl::StrCat(frame.function, "\n", frame.file, "\n", frame.line,
                          "\n", frame.module, "\n");
    };
    for (uint64_t pc : pcs) {
      auto frame = trace.frames.find(pc);
      auto inlined = trace.inlined.find(pc);
      std::string identity = "?";
      if (frame != trace.frames.end()) {
        identity = frame_identity(frame->second);
        if (inlined != trace.inlined.end()) {
          for (const Frame& f : inlined->second) {
            absl::StrAppend(&identity, frame_identity(f));
          }
        }
      }
      uint64_t merged = pc;
      auto [it, inserted] = claimed.try_emplace(pc, identity);
      if (!inserted && it->second != identity) {
        merged = next_synthetic++;
        claimed[merged] = identity;
      }
      maps.pcs[pc] = merged;
      if (frame != trace.frames.end()) {
        Frame copy = frame->second;
        copy.pc = merged;
        out_.frames[merged] = std::move(copy);
        if (inlined != trace.inlined.end()) {
          std::vector<Frame> chain = inlined->second;
          for (Frame& f : chain) f.pc = merged;
          out_.inlined[merged] = std::move(chain);
        }
      } else if (std::string module = trace.ModuleOfPc(pc); !module.empty()) {
        // Unsymbolized: keep the module this trace attributes it to, which
        // the merged module table (other processes' bases) could not redo.
        Frame raw;
        raw.pc = merged;
        raw.module = std::move(module);
        out_.frames[merged] = std::move(raw);
      }
    }
  }
}

void AnalysisBuilder::MergeStacks() {
  StackId next = 1;
  for (size_t i = 0; i < traces_.size(); ++i) {
    const TraceData& trace = traces_[i];
    IdMaps& maps = out_.maps[i];
    for (StackId old : SortedKeys(trace.stacks)) {
      std::vector<uint64_t> pcs = trace.stacks.at(old);
      for (uint64_t& pc : pcs) pc = LookupOr(maps.pcs, pc, pc);
      maps.stacks[old] = next;
      out_.stacks[next++] = std::move(pcs);
    }
  }
}

void AnalysisBuilder::MergeEdges() {
  for (size_t i = 0; i < traces_.size(); ++i) {
    const IdMaps& maps = out_.maps[i];
    for (const EdgeState& record : traces_[i].edges) {
      AnalyzedEdge edge = EdgeFromTrace(record);
      EdgeObservation& first = edge.first;
      first.from = LookupOr(maps.objects, first.from, 0);
      first.to = LookupOr(maps.objects, first.to, 0);
      // An edge naming an object the trace never defined cannot be drawn.
      if (first.from == 0 || first.to == 0 || first.from == first.to) continue;
      first.thread = LookupOr(maps.threads, first.thread, 0);
      first.to_stack = LookupOr(maps.stacks, first.to_stack, 0);
      first.from_stack = LookupOr(maps.stacks, first.from_stack, 0);
      std::vector<ObjectId> gates;
      for (ObjectId held : edge.gates) {
        const ObjectId mapped = LookupOr(maps.objects, held, 0);
        if (mapped != 0 && mapped != first.from && mapped != first.to) {
          gates.push_back(mapped);
        }
      }
      SortUnique(&gates);
      const auto* existing = out_.FindEdge(first.from, first.to);
      if (existing != nullptr) {
        AnalyzedEdge& seen = out_.edges[existing - out_.edges.data()];
        std::vector<ObjectId> common;
        std::set_intersection(seen.gates.begin(), seen.gates.end(),
                              gates.begin(), gates.end(),
                              std::back_inserter(common));
        seen.gates = std::move(common);
        seen.first.held = seen.gates;
        seen.count += edge.count;
        UnionInto(&seen.traces, {i});
        continue;
      }
      edge.gates = gates;
      first.held = std::move(gates);
      edge.traces = {i};
      out_.edge_index_[{first.from, first.to}] = out_.edges.size();
      out_.edges.push_back(std::move(edge));
    }
  }
}

void AnalysisBuilder::MergeCounters() {
  for (size_t i = 0; i < traces_.size(); ++i) {
    for (const auto& [old, counters] : traces_[i].counters) {
      const ObjectId id = LookupOr(out_.maps[i].objects, old, 0);
      if (id == 0) continue;
      ObjectCounters& sum = out_.counters[id];
      sum.object = id;
      sum.acquisitions += counters.acquisitions;
      sum.contended += counters.contended;
      sum.wait_total_ns += counters.wait_total_ns;
      sum.wait_max_ns = std::max(sum.wait_max_ns, counters.wait_max_ns);
      sum.hold_total_ns += counters.hold_total_ns;
      sum.hold_max_ns = std::max(sum.hold_max_ns, counters.hold_max_ns);
      sum.hold_samples += counters.hold_samples;
      sum.shared += counters.shared;
    }
  }
}

void AnalysisBuilder::Reanalyze() {
  Analyzer analyzer(/*first_id=*/1);
  for (ObjectId id : SortedKeys(out_.objects)) {
    analyzer.AddObject(out_.objects.at(id));
  }
  for (const AnalyzedEdge& edge : out_.edges) {
    EdgeObservation sighting = edge.first;
    sighting.held = edge.gates;
    analyzer.AddEdge(sighting);
  }
  for (Finding& finding : analyzer.Findings()) {
    std::vector<size_t> where;
    for (const FindingEdge& step : finding.edges) {
      if (const AnalyzedEdge* edge = out_.FindEdge(step.from, step.to)) {
        UnionInto(&where, edge->traces);
      }
    }
    if (where.empty()) {
      for (ObjectId id : finding.objects) {
        auto it = out_.object_traces.find(id);
        if (it != out_.object_traces.end()) UnionInto(&where, it->second);
      }
    }
    if (where.empty()) {
      for (size_t i = 0; i < traces_.size(); ++i) where.push_back(i);
    }
    out_.findings.push_back(AnalyzedFinding{std::move(finding), where});
  }
}

std::string AnalysisBuilder::CycleKey(const Finding& finding) const {
  std::vector<std::string> parts;
  for (ObjectId id : finding.objects) {
    if (finding.kind == FindingKind::kLockClassCycle) {
      const ObjectInfo* object = out_.Object(id);
      parts.push_back(object ? object->class_name : absl::StrCat("#", id));
    } else {
      parts.push_back(absl::StrCat(id));
    }
  }
  SortUnique(&parts);
  return absl::StrCat(ToAbsl(FindingKindName(finding.kind)), ":",
                      absl::StrJoin(parts, "\n"));
}

void AnalysisBuilder::CarrySuppressions() {
  absl::flat_hash_set<std::string> suppressed;
  for (size_t i = 0; i < traces_.size(); ++i) {
    for (const Finding& finding : traces_[i].findings) {
      if (FromLockGraph(finding.kind) && finding.suppressed) {
        suppressed.insert(CycleKey(Remap(i, finding)));
      }
    }
  }
  for (AnalyzedFinding& analyzed : out_.findings) {
    if (suppressed.contains(CycleKey(analyzed.finding))) {
      analyzed.finding.suppressed = true;
    }
  }
}

void AnalysisBuilder::KeepStoredFindings() {
  uint64_t next_id = 1;
  for (const AnalyzedFinding& analyzed : out_.findings) {
    next_id = std::max(next_id, analyzed.finding.id + 1);
  }
  // The same finding about the same shared locks in several processes is
  // reported once, like repetitions within one process.
  absl::flat_hash_map<std::string, size_t> by_key;
  for (size_t i = 0; i < traces_.size(); ++i) {
    for (const Finding& stored : traces_[i].findings) {
      if (FromLockGraph(stored.kind)) continue;
      Finding finding = Remap(i, stored);
      std::string key;
      if (!finding.objects.empty()) {
        std::vector<ObjectId> objects = finding.objects;
        SortUnique(&objects);
        key = absl::StrCat(ToAbsl(FindingKindName(finding.kind)), ":",
                           absl::StrJoin(objects, ","));
        auto it = by_key.find(key);
        if (it != by_key.end()) {
          AnalyzedFinding& same = out_.findings[it->second];
          same.finding.count += finding.count;
          same.finding.suppressed =
              same.finding.suppressed && finding.suppressed;
          UnionInto(&same.traces, {i});
          continue;
        }
        by_key[key] = out_.findings.size();
      }
      finding.id = next_id++;
      out_.findings.push_back(AnalyzedFinding{std::move(finding), {i}});
    }
  }
}

Finding AnalysisBuilder::Remap(size_t trace, const Finding& finding) const {
  const IdMaps& maps = out_.maps[trace];
  Finding out = finding;
  out.objects.clear();
  for (ObjectId id : finding.objects) {
    if (ObjectId mapped = LookupOr(maps.objects, id, 0)) {
      out.objects.push_back(mapped);
    }
  }
  out.threads.clear();
  for (ThreadId id : finding.threads) {
    if (ThreadId mapped = LookupOr(maps.threads, id, 0)) {
      out.threads.push_back(mapped);
    }
  }
  out.guarded_by.clear();
  for (ObjectId id : finding.guarded_by) {
    if (ObjectId mapped = LookupOr(maps.objects, id, 0)) {
      out.guarded_by.push_back(mapped);
    }
  }
  for (FindingEdge& edge : out.edges) {
    edge.from = LookupOr(maps.objects, edge.from, 0);
    edge.to = LookupOr(maps.objects, edge.to, 0);
    edge.thread = LookupOr(maps.threads, edge.thread, 0);
    edge.to_stack = LookupOr(maps.stacks, edge.to_stack, 0);
    edge.from_stack = LookupOr(maps.stacks, edge.from_stack, 0);
  }
  out.stack = LookupOr(maps.stacks, finding.stack, 0);
  out.other_stack = LookupOr(maps.stacks, finding.other_stack, 0);
  for (FindingBorrow& borrow : out.borrows) {
    borrow.thread = LookupOr(maps.threads, borrow.thread, 0);
    borrow.stack = LookupOr(maps.stacks, borrow.stack, 0);
  }
  return out;
}

Analysis Analysis::Build(const std::vector<TraceData>& traces) {
  AnalysisBuilder builder(traces);
  return traces.size() == 1 ? builder.Single() : builder.Merged();
}

const AnalyzedEdge* Analysis::FindEdge(ObjectId from, ObjectId to) const {
  auto it = edge_index_.find(std::make_pair(from, to));
  return it == edge_index_.end() ? nullptr : &edges[it->second];
}

void Analysis::IndexEdges() {
  edge_index_.clear();
  for (size_t i = 0; i < edges.size(); ++i) {
    edge_index_[{edges[i].first.from, edges[i].first.to}] = i;
  }
}

const ObjectInfo* Analysis::Object(ObjectId id) const {
  auto it = objects.find(id);
  return it == objects.end() ? nullptr : &it->second;
}

const ThreadInfo* Analysis::Thread(ThreadId id) const {
  auto it = threads.find(id);
  return it == threads.end() ? nullptr : &it->second;
}

}  // namespace lockscope::collector
