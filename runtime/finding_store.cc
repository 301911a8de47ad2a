#include "runtime/finding_store.h"

#include <algorithm>
#include <utility>

namespace lockscope::runtime {

bool FindingStore::NewId(uint64_t dedup_key, uint64_t* id) {
  RawMutexLock lock(&mu_);
  if (dedup_key != 0) {
    auto it = dedup_.find(dedup_key);
    if (it != dedup_.end()) {
      auto f = findings_.find(it->second);
      if (f != findings_.end()) ++f->second.count;
      return false;
    }
  }
  *id = next_id_++;
  if (dedup_key != 0) dedup_[dedup_key] = *id;
  return true;
}

void FindingStore::Record(collector::Finding finding, bool failing,
                          bool report, PendingReport pending) {
  RawMutexLock lock(&mu_);
  if (!findings_.contains(finding.id)) order_.push_back(finding.id);
  if (failing) {
    failing_ids_.insert(finding.id);
  } else {
    failing_ids_.erase(finding.id);
  }
  failing_.store(failing_ids_.size(), std::memory_order_relaxed);
  findings_[finding.id] = std::move(finding);
  if (report) pending_.push_back(std::move(pending));
}

std::vector<PendingReport> FindingStore::TakePending() {
  std::vector<PendingReport> todo;
  RawMutexLock lock(&mu_);
  todo.swap(pending_);
  return todo;
}

void FindingStore::DropPending() {
  RawMutexLock lock(&mu_);
  pending_.clear();
}

collector::Finding FindingStore::Get(uint64_t id) {
  RawMutexLock lock(&mu_);
  return findings_.at(id);
}

uint64_t FindingStore::Count() {
  RawMutexLock lock(&mu_);
  return order_.size();
}

bool FindingStore::At(uint64_t index, collector::Finding* finding,
                      bool* fails) {
  RawMutexLock lock(&mu_);
  if (index >= order_.size()) return false;
  *finding = findings_.at(order_[index]);
  *fails = failing_ids_.contains(finding->id);
  return true;
}

std::vector<collector::Finding> FindingStore::All() {
  std::vector<collector::Finding> out;
  {
    RawMutexLock lock(&mu_);
    for (const auto& [id, f] : findings_) out.push_back(f);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::vector<collector::Finding> FindingStore::MergeFinalCounts(
    const std::vector<collector::Finding>& analyzer_findings) {
  std::vector<collector::Finding> repeated;
  RawMutexLock lock(&mu_);
  for (const collector::Finding& f : analyzer_findings) {
    auto it = findings_.find(f.id);
    if (it != findings_.end() && f.count > it->second.count) {
      it->second.count = f.count;
    }
  }
  for (const auto& [id, f] : findings_) {
    if (f.count > 1) repeated.push_back(f);
  }
  return repeated;
}

}  // namespace lockscope::runtime
