// collector/analysis/analyzer.cc — lock-order edges in, cycle findings out.
//
// Two levels share one implementation (Level): instances (node = ObjectId)
// and classes (node = an interned class id). At each level an edge is either
// in the LockGraph (which stays a DAG) or "rejected": it closed a cycle when
// last tried. A rejected edge is retried whenever it is seen again and
// whenever an object dies (the path that blocked it may be gone), so it joins
// the order as soon as it fits.
//
// Cycle order (the canonical order of Finding::objects and ::edges): a cycle
// is found when the edge x -> y is refused because y already reaches x. The
// finding lists the path y -> ... -> x first and the closing edge x -> y
// last, so objects[0] is the closing edge's `to` and edges.back() is the
// sighting that completed the cycle. `stack` is that sighting's acquisition
// and `other_stack` the first edge's (the acquisition in the other order).
#include "collector/analysis/analyzer.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/lock_graph.h"

namespace lockscope::collector {
namespace {

using EdgeKey = std::pair<uint64_t, uint64_t>;
using NodeKey = std::vector<uint64_t>;  // a sorted node set: the dedup key

// The access combinations an edge was seen with, one bit each:
// bit (from exclusive ? 2 : 0) | (to exclusive ? 1 : 0).
uint8_t ComboBit(Access from, Access to) {
  return static_cast<uint8_t>(1u << ((from == Access::kExclusive ? 2 : 0) |
                                     (to == Access::kExclusive ? 1 : 0)));
}
bool ComboFromExclusive(int bit) { return (bit & 2) != 0; }
bool ComboToExclusive(int bit) { return (bit & 1) != 0; }

struct EdgeRecord {
  EdgeState state;
  // Every lock held (besides the ends) in any sighting, sorted: the locks
  // that reached `to` through `from`, to bridge over `from` when it dies.
  std::vector<ObjectId> ever_held;
  uint8_t combos = 0;
  bool rejected = false;  // refused by the graph: it closed a cycle
};

// One graph level: instances or classes.
struct Level {
  internal::LockGraph graph;
  absl::flat_hash_map<EdgeKey, EdgeRecord> edges;
  // Rejected edges, and the subset whose every cycle is harmless
  // (shared/shared), to re-examine when access combinations change.
  absl::flat_hash_set<EdgeKey> rejected;
  absl::flat_hash_set<EdgeKey> harmless;
  absl::flat_hash_map<NodeKey, size_t> finding_by_key;
  // Most edges lie on one finding at most: no allocation for that one.
  absl::flat_hash_map<EdgeKey, absl::InlinedVector<size_t, 1>>
      findings_by_edge;
};

struct FindingRecord {
  Finding finding;
  std::vector<EdgeKey> edge_keys;                 // in cycle order
  std::vector<std::vector<ObjectId>> edge_gates;  // kept current
  std::vector<ObjectId> members;                  // sorted; never gates
  std::vector<std::string> node_names;            // for the message
};

struct ObjectRecord {
  ObjectInfo info;
  uint64_t class_id = 0;
  // Instance edge partners, rejected edges included.
  absl::flat_hash_set<ObjectId> out;
  absl::flat_hash_set<ObjectId> in;
};

std::vector<ObjectId> SortedUnique(std::vector<ObjectId> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::vector<ObjectId> Intersect(const std::vector<ObjectId>& a,
                                const std::vector<ObjectId>& b) {
  std::vector<ObjectId> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(),
                        std::back_inserter(out));
  return out;
}

// Matches report.cc's headlines; the message is the headline without the
// "lockscope: " prefix, plus the cycle.
std::string_view CycleMeaning(FindingKind kind) {
  return kind == FindingKind::kLockClassCycle
             ? "potential deadlock between lock classes"
             : "potential deadlock";
}

}  // namespace

struct Analyzer::Rep {
  explicit Rep(uint64_t first_id) : next_id(first_id) {}

  uint64_t next_id;
  absl::flat_hash_map<ObjectId, ObjectRecord> objects;  // live objects
  absl::flat_hash_map<std::string, uint64_t> class_ids;
  std::vector<std::string> class_names;  // class id i is class_names[i - 1]
  Level instances;
  Level classes;
  std::vector<FindingRecord> findings;
  // Class sets of reported instance cycles: a class cycle over one of these
  // is already covered by an instance finding.
  absl::flat_hash_set<NodeKey> covered_class_sets;
  // Set while the class level sees an edge whose instance sighting closed a
  // cycle: class cycles found then are not reported.
  bool suppress_class_findings = false;
  // Meanwhile, the class edge that sighting maps to (see TryInsert).
  std::optional<EdgeKey> covered_class_edge;

  std::string NodeName(const Level& level, uint64_t node) const {
    if (&level == &classes) return class_names[node - 1];
    auto it = objects.find(node);
    return it == objects.end() ? absl::StrCat("#", node) : it->second.info.name;
  }

  // Records a sighting on `key`; returns whether the gates changed and
  // whether a new access combination appeared.
  struct Sighting {
    bool is_new = false;
    bool gates_changed = false;
    bool combos_changed = false;
  };
  Sighting Record(Level& level, EdgeKey key, const EdgeObservation& obs,
                  const std::vector<ObjectId>& held) {
    Sighting s;
    auto [it, inserted] = level.edges.try_emplace(key);
    EdgeRecord& rec = it->second;
    const uint8_t bit = ComboBit(obs.from_access, obs.to_access);
    if (inserted) {
      // The held set lives on as `gates` (and `ever_held`), not twice more.
      rec.state.first.from = obs.from;
      rec.state.first.to = obs.to;
      rec.state.first.from_access = obs.from_access;
      rec.state.first.to_access = obs.to_access;
      rec.state.first.thread = obs.thread;
      rec.state.first.from_stack = obs.from_stack;
      rec.state.first.to_stack = obs.to_stack;
      rec.state.first.time_ns = obs.time_ns;
      rec.state.gates = held;
      if (&level == &instances) rec.ever_held = held;
      s.is_new = s.gates_changed = s.combos_changed = true;
    } else {
      if (&level == &instances &&
          !std::includes(rec.ever_held.begin(), rec.ever_held.end(),
                         held.begin(), held.end())) {
        std::vector<ObjectId> all;
        std::set_union(rec.ever_held.begin(), rec.ever_held.end(),
                       held.begin(), held.end(), std::back_inserter(all));
        rec.ever_held = std::move(all);
      }
      std::vector<ObjectId> gates = Intersect(rec.state.gates, held);
      s.gates_changed = gates.size() != rec.state.gates.size();
      rec.state.gates = std::move(gates);
      s.combos_changed = (rec.combos & bit) == 0;
    }
    rec.combos |= bit;
    ++rec.state.count;
    return s;
  }

  // The rest of a cycle the refused edge x -> y would close, y -> ... -> x,
  // chosen so that the cycle can deadlock: no lock on it may be awaited
  // shared on its incoming edge and held shared on its outgoing edge. Empty
  // if every cycle through the edge is harmless. Breadth-first over (node,
  // how the node was awaited) states, in id order so reports are stable.
  std::vector<uint64_t> FindDeadlockPath(const Level& level, uint64_t x,
                                         uint64_t y, uint8_t combos) const {
    const int64_t bound = level.graph.Rank(x);
    std::vector<uint64_t> best;
    using State = std::pair<uint64_t, bool>;  // node, awaited exclusively
    // The queue is the list of states reached, each with the index of the
    // state it was reached from: the path is read back along those indices.
    struct Reached {
      State state;
      size_t from;
    };
    std::vector<Reached> reached;
    absl::flat_hash_set<State> seen;
    std::vector<uint64_t> succ;
    for (int c = 0; c < 4; ++c) {
      if ((combos & (1 << c)) == 0) continue;
      const bool closing_from_x = ComboFromExclusive(c);
      reached.clear();
      seen.clear();
      const State start{y, ComboToExclusive(c)};
      reached.push_back({start, 0});
      seen.insert(start);
      std::vector<uint64_t> found;
      for (size_t head = 0; head < reached.size() && found.empty(); ++head) {
        const State at = reached[head].state;
        const absl::flat_hash_set<uint64_t>* next_nodes =
            level.graph.Successors(at.first);
        if (next_nodes == nullptr) continue;
        succ.assign(next_nodes->begin(), next_nodes->end());
        if (succ.size() > 1) std::sort(succ.begin(), succ.end());
        for (uint64_t v : succ) {
          if (v != x && level.graph.Rank(v) > bound) continue;
          const uint8_t m = level.edges.at({at.first, v}).combos;
          for (int b = 0; b < 4 && found.empty(); ++b) {
            if ((m & (1 << b)) == 0) continue;
            if (!at.second && !ComboFromExclusive(b)) continue;
            const State next{v, ComboToExclusive(b)};
            if (v == x) {
              if (!next.second && !closing_from_x) continue;
              for (size_t i = head;; i = reached[i].from) {
                found.push_back(reached[i].state.first);
                if (i == 0) break;
              }
              std::reverse(found.begin(), found.end());
              found.push_back(x);
            } else if (seen.insert(next).second) {
              reached.push_back({next, head});
            }
          }
          if (!found.empty()) break;
        }
      }
      if (!found.empty() && (best.empty() || found.size() < best.size())) {
        best = std::move(found);
      }
    }
    return best;
  }

  std::vector<ObjectId> Guard(const FindingRecord& rec) const {
    std::vector<ObjectId> gates = rec.edge_gates.front();
    for (const auto& g : rec.edge_gates) gates = Intersect(gates, g);
    std::vector<ObjectId> out;
    std::set_difference(gates.begin(), gates.end(), rec.members.begin(),
                        rec.members.end(), std::back_inserter(out));
    return out;
  }

  std::string Message(const FindingRecord& rec) const {
    std::string cycle = absl::StrJoin(rec.node_names, " => ");
    absl::StrAppend(&cycle, " => ", rec.node_names.front());
    // absl::string_view is not std::string_view in this Abseil build, so
    // the enum names are appended as std::string.
    std::string msg(FindingKindName(rec.finding.kind));
    msg.append(" (").append(CycleMeaning(rec.finding.kind)).append("): ");
    msg.append(cycle);
    if (!rec.finding.guarded_by.empty()) {
      std::vector<std::string> names;
      for (ObjectId g : rec.finding.guarded_by) {
        names.push_back(NodeName(instances, g));
      }
      absl::StrAppend(&msg, " [guarded by ", absl::StrJoin(names, ", "), "]");
    }
    return msg;
  }

  // Makes the finding for the cycle `path` + (x -> y), or bumps the count of
  // the one with the same node set. Returns its index if it is new.
  std::optional<size_t> MakeOrBump(Level& level, std::vector<uint64_t> path,
                                   int64_t time_ns) {
    NodeKey key = path;
    std::sort(key.begin(), key.end());
    if (auto it = level.finding_by_key.find(key);
        it != level.finding_by_key.end()) {
      ++findings[it->second].finding.count;
      return std::nullopt;
    }
    const bool is_class = &level == &classes;
    if (is_class &&
        (suppress_class_findings || covered_class_sets.contains(key))) {
      return std::nullopt;
    }

    FindingRecord rec;
    Finding& f = rec.finding;
    rec.edge_keys.reserve(path.size());
    rec.edge_gates.reserve(path.size());
    rec.node_names.reserve(path.size());
    rec.members.reserve(2 * path.size());
    f.edges.reserve(path.size());
    f.objects.reserve(path.size());
    f.id = next_id++;
    f.kind =
        is_class ? FindingKind::kLockClassCycle : FindingKind::kLockOrderCycle;
    f.severity = DefaultSeverity(f.kind);
    f.time_ns = time_ns;
    for (size_t i = 0; i < path.size(); ++i) {
      const EdgeKey ek{path[i], path[(i + 1) % path.size()]};
      const EdgeRecord& er = level.edges.at(ek);
      const EdgeObservation& first = er.state.first;
      rec.edge_keys.push_back(ek);
      rec.edge_gates.push_back(er.state.gates);
      rec.node_names.push_back(NodeName(level, path[i]));
      f.edges.push_back(FindingEdge{first.from, first.to, first.thread,
                                    first.to_stack, first.from_stack});
      if (std::find(f.threads.begin(), f.threads.end(), first.thread) ==
          f.threads.end()) {
        f.threads.push_back(first.thread);
      }
      // Instance cycles name their nodes; class cycles name one instance
      // per class, the one that opens the class's outgoing edge.
      f.objects.push_back(is_class ? first.from : path[i]);
      rec.members.push_back(first.from);
      rec.members.push_back(first.to);
    }
    rec.members = SortedUnique(std::move(rec.members));
    f.stack = f.edges.back().to_stack;
    f.other_stack = f.edges.front().to_stack;
    f.guarded_by = Guard(rec);
    f.message = Message(rec);

    const size_t index = findings.size();
    level.finding_by_key.emplace(std::move(key), index);
    for (const EdgeKey& ek : rec.edge_keys) {
      auto& list = level.findings_by_edge[ek];
      if (list.empty() || list.back() != index) list.push_back(index);
    }
    if (!is_class) {
      std::vector<uint64_t> class_set;
      class_set.reserve(path.size());
      for (ObjectId id : path) class_set.push_back(objects.at(id).class_id);
      covered_class_sets.insert(SortedUnique(std::move(class_set)));
    }
    findings.push_back(std::move(rec));
    return index;
  }

  // Tries to put `key` into the order. Returns true when the edge closes a
  // cycle that can deadlock (reported now or before).
  bool TryInsert(Level& level, EdgeKey key, int64_t time_ns,
                 std::vector<size_t>* touched) {
    EdgeRecord& rec = level.edges.at(key);
    if (level.graph.InsertEdge(key.first, key.second)) {
      rec.rejected = false;
      level.rejected.erase(key);
      level.harmless.erase(key);
      return false;
    }
    rec.rejected = true;
    level.rejected.insert(key);
    if (&level == &classes && covered_class_edge == key) {
      // The instance cycle closed by this same sighting maps onto a class
      // cycle through this edge with the same access modes, and its class
      // finding would not be reported: no search (a long cycle's search
      // is most of the cost of the lock() that closes it). Other refused
      // class edges rechecked meanwhile are searched as usual.
      level.harmless.erase(key);
      return true;
    }
    std::vector<uint64_t> path =
        FindDeadlockPath(level, key.first, key.second, rec.combos);
    if (path.empty()) {
      level.harmless.insert(key);
      return false;
    }
    level.harmless.erase(key);
    if (auto index = MakeOrBump(level, std::move(path), time_ns)) {
      touched->push_back(*index);
    }
    return true;
  }

  // The gates of `key` changed: findings through it may have lost theirs.
  void RefreshGates(Level& level, EdgeKey key, std::vector<size_t>* touched) {
    auto it = level.findings_by_edge.find(key);
    if (it == level.findings_by_edge.end()) return;
    const std::vector<ObjectId>& gates = level.edges.at(key).state.gates;
    for (size_t index : it->second) {
      FindingRecord& rec = findings[index];
      for (size_t i = 0; i < rec.edge_keys.size(); ++i) {
        if (rec.edge_keys[i] == key) rec.edge_gates[i] = gates;
      }
      std::vector<ObjectId> guard = Guard(rec);
      if (guard == rec.finding.guarded_by) continue;
      rec.finding.guarded_by = std::move(guard);
      rec.finding.message = Message(rec);
      touched->push_back(index);
    }
  }

  // Re-examines every harmless refused edge; returns true if one now closes
  // a cycle that can deadlock.
  bool RecheckHarmless(Level& level, int64_t time_ns,
                       std::vector<size_t>* touched) {
    bool cycle = false;
    std::vector<EdgeKey> keys(level.harmless.begin(), level.harmless.end());
    std::sort(keys.begin(), keys.end());
    for (const EdgeKey& key : keys) {
      cycle |= TryInsert(level, key, time_ns, touched);
    }
    return cycle;
  }

  // One level's share of AddEdge. Returns true when a cycle was found.
  bool Observe(Level& level, EdgeKey key, const EdgeObservation& obs,
               const std::vector<ObjectId>& held, EdgeUpdate* update,
               std::vector<size_t>* touched) {
    const Sighting s = Record(level, key, obs, held);
    if (update != nullptr) {
      update->new_edge = s.is_new;
      update->gates_changed = s.gates_changed;
    }
    bool cycle = false;
    if (!level.graph.HasEdge(key.first, key.second)) {
      cycle = TryInsert(level, key, obs.time_ns, touched);
    }
    if (s.gates_changed && !s.is_new) RefreshGates(level, key, touched);
    // A new edge or access mode can open a path through which a harmless
    // (shared/shared) cycle becomes one that can deadlock. Harmless cycles
    // need rwlocks read on both sides, so the set is almost always empty.
    if ((s.is_new || s.combos_changed) && !level.harmless.empty()) {
      cycle |= RecheckHarmless(level, obs.time_ns, touched);
    }
    return cycle;
  }

  // The instance edges that replace the paths through `dead`, which is about
  // to leave the graph. Edges run only from the newest held lock (lockdep's
  // rule), so an older lock P held while `dead` and then S were taken
  // reached S only through `dead`: that acquisition of S is the edge P -> S
  // (a real one: S was taken while P was held), made here from the
  // sighting of dead -> S. Bridges are made only where P was held then,
  // so no path appears that no thread took.
  std::vector<std::pair<EdgeKey, EdgeRecord>> Bridges(
      ObjectId dead, const ObjectRecord& rec) const {
    std::vector<std::pair<EdgeKey, EdgeRecord>> out;
    std::vector<ObjectId> preds(rec.in.begin(), rec.in.end());
    std::vector<ObjectId> succs(rec.out.begin(), rec.out.end());
    std::sort(preds.begin(), preds.end());
    std::sort(succs.begin(), succs.end());
    for (ObjectId to : succs) {
      auto out_it = instances.edges.find({dead, to});
      if (out_it == instances.edges.end()) continue;
      const EdgeRecord& onward = out_it->second;
      for (ObjectId from : preds) {
        if (from == to ||
            !std::binary_search(onward.ever_held.begin(),
                                onward.ever_held.end(), from) ||
            instances.edges.contains({from, to})) {
          continue;
        }
        auto in_it = instances.edges.find({from, dead});
        if (in_it == instances.edges.end()) continue;
        const EdgeRecord& inward = in_it->second;
        EdgeRecord bridge;
        EdgeObservation& first = bridge.state.first;
        first = onward.state.first;
        first.from = from;
        // `from`'s own acquisition, when this thread's sighting of
        // from -> dead recorded it.
        first.from_access = inward.state.first.from_access;
        first.from_stack = inward.state.first.thread == first.thread
                               ? inward.state.first.from_stack
                               : 0;
        for (const std::vector<ObjectId>* set :
             {&onward.state.gates, &onward.ever_held}) {
          std::vector<ObjectId> ids;
          for (ObjectId id : *set) {
            // Only live locks: a gate must be one a report can name.
            if (id != from && id != dead && objects.contains(id)) {
              ids.push_back(id);
            }
          }
          (set == &onward.state.gates ? bridge.state.gates
                                      : bridge.ever_held) = std::move(ids);
        }
        bridge.state.count = 1;
        bridge.combos = ComboBit(first.from_access, first.to_access);
        out.emplace_back(EdgeKey{from, to}, std::move(bridge));
      }
    }
    return out;
  }

  void DropInstanceEdge(EdgeKey key) {
    instances.edges.erase(key);
    instances.rejected.erase(key);
    instances.harmless.erase(key);
    instances.findings_by_edge.erase(key);
  }
};

Analyzer::Analyzer(uint64_t first_id) : rep_(std::make_unique<Rep>(first_id)) {}
Analyzer::~Analyzer() = default;

void Analyzer::AddObject(const ObjectInfo& object) {
  if (object.id == 0) return;
  auto [cit, inserted] = rep_->class_ids.try_emplace(
      object.class_name, rep_->class_names.size() + 1);
  if (inserted) rep_->class_names.push_back(object.class_name);
  ObjectRecord& rec = rep_->objects[object.id];
  rec.info = object;
  rec.class_id = cit->second;
}

void Analyzer::RemoveObject(ObjectId id) {
  auto it = rep_->objects.find(id);
  if (it == rep_->objects.end()) return;
  Level& level = rep_->instances;
  const absl::flat_hash_set<uint64_t>* succ = level.graph.Successors(id);
  const bool had_graph_edges =
      (succ != nullptr && !succ->empty()) ||
      std::any_of(it->second.in.begin(), it->second.in.end(),
                  [&](ObjectId p) { return level.graph.HasEdge(p, id); });
  std::vector<std::pair<EdgeKey, EdgeRecord>> bridges =
      rep_->Bridges(id, it->second);
  for (ObjectId to : it->second.out) {
    rep_->DropInstanceEdge({id, to});
    if (auto t = rep_->objects.find(to); t != rep_->objects.end()) {
      t->second.in.erase(id);
    }
  }
  for (ObjectId from : it->second.in) {
    rep_->DropInstanceEdge({from, id});
    if (auto f = rep_->objects.find(from); f != rep_->objects.end()) {
      f->second.out.erase(id);
    }
  }
  level.graph.RemoveNode(id);
  rep_->objects.erase(it);
  // A bridge joins two nodes the dead one connected, so it closes no cycle
  // that was not there before; one that does not fit the order (a cycle
  // already reported through the dead object) waits with the refused edges.
  for (auto& [key, bridge] : bridges) {
    rep_->objects.at(key.first).out.insert(key.second);
    rep_->objects.at(key.second).in.insert(key.first);
    EdgeRecord& rec = level.edges.emplace(key, std::move(bridge)).first->second;
    if (!level.graph.InsertEdge(key.first, key.second)) {
      rec.rejected = true;
      level.rejected.insert(key);
    }
  }
  if (!had_graph_edges) return;
  // Paths through the dead object are gone: a refused edge may fit now.
  // Those that still do not are left as they are (already reported).
  std::vector<EdgeKey> keys(level.rejected.begin(), level.rejected.end());
  std::sort(keys.begin(), keys.end());
  for (const EdgeKey& key : keys) {
    if (level.graph.InsertEdge(key.first, key.second)) {
      level.edges.at(key).rejected = false;
      level.rejected.erase(key);
      level.harmless.erase(key);
    }
  }
}

EdgeUpdate Analyzer::AddEdge(const EdgeObservation& edge) {
  EdgeUpdate update;
  if (edge.from == edge.to) return update;
  auto from = rep_->objects.find(edge.from);
  auto to = rep_->objects.find(edge.to);
  if (from == rep_->objects.end() || to == rep_->objects.end()) return update;
  std::vector<ObjectId> held;
  for (ObjectId h : edge.held) {
    if (h != edge.from && h != edge.to) held.push_back(h);
  }
  held = SortedUnique(std::move(held));
  from->second.out.insert(edge.to);
  to->second.in.insert(edge.from);
  const uint64_t from_class = from->second.class_id;
  const uint64_t to_class = to->second.class_id;

  std::vector<size_t> touched;
  const bool instance_cycle = rep_->Observe(
      rep_->instances, {edge.from, edge.to}, edge, held, &update, &touched);
  if (from_class != to_class) {
    // A class cycle closed by the same sighting as an instance cycle says
    // nothing new; the class edge's bookkeeping is kept all the same.
    rep_->suppress_class_findings = instance_cycle;
    if (instance_cycle) {
      rep_->covered_class_edge = EdgeKey{from_class, to_class};
    }
    rep_->Observe(rep_->classes, {from_class, to_class}, edge, held, nullptr,
                  &touched);
    rep_->suppress_class_findings = false;
    rep_->covered_class_edge.reset();
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (size_t index : touched) {
    update.findings.push_back(rep_->findings[index].finding);
  }
  return update;
}

const EdgeState* Analyzer::FindEdge(ObjectId from, ObjectId to) const {
  auto it = rep_->instances.edges.find(EdgeKey{from, to});
  return it == rep_->instances.edges.end() ? nullptr : &it->second.state;
}

std::vector<const EdgeState*> Analyzer::Edges() const {
  std::vector<const EdgeState*> out;
  out.reserve(rep_->instances.edges.size());
  for (const auto& [key, rec] : rep_->instances.edges) {
    out.push_back(&rec.state);
  }
  return out;
}

std::vector<Finding> Analyzer::Findings() const {
  std::vector<Finding> out;
  out.reserve(rep_->findings.size());
  for (const FindingRecord& rec : rep_->findings) out.push_back(rec.finding);
  return out;
}

}  // namespace lockscope::collector
