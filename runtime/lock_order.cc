#include "runtime/lock_order.h"

#include <utility>

namespace lockscope::runtime {

std::vector<collector::Finding> LockOrder::AddEdges(
    const std::vector<collector::EdgeObservation>& edges, Registry* registry,
    TraceSink* trace) {
  std::vector<collector::Finding> findings;
  RawMutexLock lock(&mu_);
  for (const collector::EdgeObservation& e : edges) {
    for (collector::ObjectId id : {e.from, e.to}) {
      ObjectState* o = registry->Find(id);
      if (o != nullptr && !o->in_graph.exchange(true)) {
        analyzer_.AddObject(o->info);
      }
    }
    collector::EdgeUpdate update = analyzer_.AddEdge(e);
    if (update.gates_changed) {
      const collector::EdgeState* state = analyzer_.FindEdge(e.from, e.to);
      if (state != nullptr) {
        trace->WriteEdge(update.new_edge ? e : state->first, state->gates,
                         state->count);
      }
    }
    for (collector::Finding& f : update.findings) {
      // Recorded under mu_, so an object destroyed before this finding is
      // reported is still retired (see Session::DestroyObject).
      NameObjectsOf(f);
      findings.push_back(std::move(f));
    }
  }
  return findings;
}

void LockOrder::NameObjectsOf(const collector::Finding& f) {
  named_by_findings_.insert(f.objects.begin(), f.objects.end());
  named_by_findings_.insert(f.guarded_by.begin(), f.guarded_by.end());
  for (const collector::FindingEdge& fe : f.edges) {
    named_by_findings_.insert({fe.from, fe.to});
  }
}

void LockOrder::KeepObjectsOf(const collector::Finding& finding) {
  RawMutexLock lock(&mu_);
  NameObjectsOf(finding);
}

bool LockOrder::RemoveObject(collector::ObjectId id) {
  RawMutexLock lock(&mu_);
  analyzer_.RemoveObject(id);
  return named_by_findings_.contains(id);
}

}  // namespace lockscope::runtime
