#include "runtime/registry.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/proc_file.h"

namespace lockscope::runtime {

void Registry::AddThread(ThreadState* thread,
                         const collector::ThreadInfo& info) {
  RawMutexLock lock(&mu_);
  threads_.push_back(thread);
  thread_info_[info.id] = info;
}

void Registry::NameIsFinal(collector::ThreadId id) {
  RawMutexLock lock(&mu_);
  final_names_.insert(id);
}

bool Registry::RefreshName(collector::ThreadId id,
                           collector::ThreadInfo* info, const char* own_name) {
  RawMutexLock lock(&mu_);
  auto it = thread_info_.find(id);
  if (it == thread_info_.end() || final_names_.contains(id)) return false;
  std::string comm =
      own_name != nullptr
          ? std::string(own_name)
          : ReadSmallFile(absl::StrCat("/proc/self/task/", it->second.os_tid,
                                       "/comm")
                              .c_str());
  while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  if (comm.empty() || comm == it->second.name) return false;
  it->second.name = comm;
  *info = it->second;
  return true;
}

std::vector<ThreadState*> Registry::Threads() {
  RawMutexLock lock(&mu_);
  return threads_;
}

void Registry::FreeThreads(const std::vector<ThreadState*>& finished) {
  RawMutexLock lock(&mu_);
  for (ThreadState* t : finished) {
    threads_.erase(std::find(threads_.begin(), threads_.end(), t));
    delete t;
  }
}

std::vector<BlockedThread> Registry::BlockedThreads() {
  std::vector<BlockedThread> out;
  RawMutexLock lock(&mu_);
  for (ThreadState* t : threads_) {
    RawMutexLock wlock(&t->wait_mu);
    if (t->wait.waiting_for_id != 0 ||
        t->wait.kind != ThreadState::WaitKind::kLock) {
      BlockedThread b;
      b.thread = t->id();
      b.wait = t->wait;
      b.pthread = t->pthread();
      out.push_back(std::move(b));
    }
  }
  for (BlockedThread& b : out) {
    if (b.wait.waiting_for_id != 0 ||
        b.wait.kind != ThreadState::WaitKind::kCond) {
      continue;
    }
    for (const ThreadState* t : threads_) {
      if (t->id() == b.thread) continue;
      if (t->notified.Contains(b.wait.cond_key)) {
        b.notifiers.push_back(t->id());
      } else if (t->notified.overflowed()) {
        b.notifiers_unknown = true;
      }
    }
  }
  return out;
}

collector::ThreadId Registry::ThreadOfPthread(uint64_t pthread) {
  // The newest thread with this pthread_t: a thread being joined may have
  // exited already (its state is kept until then), and its pthread_t is
  // not reused before the join, so older matches are earlier threads that
  // were joined long ago.
  RawMutexLock lock(&mu_);
  collector::ThreadId newest = 0;
  for (const ThreadState* t : threads_) {
    if (t->pthread() == pthread) newest = t->id();
  }
  return newest;
}

void Registry::AddObject(ObjectState* object) {
  RawMutexLock lock(&mu_);
  live_.insert(object);
  by_id_[object->id()] = object;
}

ObjectState* Registry::Find(collector::ObjectId id) {
  RawMutexLock lock(&mu_);
  auto it = by_id_.find(id);
  return it != by_id_.end() ? it->second : nullptr;
}

uint64_t Registry::RemoveObject(ObjectState* object, bool keep_info) {
  RawMutexLock lock(&mu_);
  live_.erase(object);
  by_id_.erase(object->id());
  if (keep_info) retired_[object->id()] = object->info;
  return object->written_acquisitions;
}

void Registry::Abandon(ObjectState* object) {
  RawMutexLock lock(&mu_);
  abandoned_.push_back(object);
}

std::vector<collector::ObjectCounters> Registry::CountersToWrite(
    bool only_changed) {
  std::vector<collector::ObjectCounters> out;
  RawMutexLock lock(&mu_);
  for (ObjectState* o : live_) {
    if (!o->announced.load(std::memory_order_acquire)) continue;
    const collector::ObjectCounters c = SnapshotCounters(*o);
    if (only_changed && c.acquisitions == o->written_acquisitions) continue;
    o->written_acquisitions = c.acquisitions;
    out.push_back(c);
  }
  return out;
}

void Registry::CopyInfos(
    const absl::flat_hash_set<collector::ObjectId>& objects,
    const absl::flat_hash_set<collector::ThreadId>& threads,
    absl::flat_hash_map<collector::ObjectId, collector::ObjectInfo>*
        object_infos,
    absl::flat_hash_map<collector::ThreadId, collector::ThreadInfo>*
        thread_infos) {
  RawMutexLock lock(&mu_);
  for (collector::ObjectId id : objects) {
    if (auto it = by_id_.find(id); it != by_id_.end()) {
      (*object_infos)[id] = it->second->info;
      (*object_infos)[id].owner_thread =
          it->second->owner_thread.load(std::memory_order_relaxed);
    } else if (auto r = retired_.find(id); r != retired_.end()) {
      (*object_infos)[id] = r->second;
    }
  }
  for (collector::ThreadId id : threads) {
    if (auto it = thread_info_.find(id); it != thread_info_.end()) {
      (*thread_infos)[id] = it->second;
    }
  }
}

void Registry::KeepOnlyAfterFork(ThreadState* self) {
  RawMutexLock lock(&mu_);
  for (ThreadState* t : threads_) {
    if (t != self) fork_abandoned_.push_back(t);
  }
  threads_.clear();
  if (self != nullptr) threads_.push_back(self);
  for (ObjectState* o : live_) {
    o->announced.store(false, std::memory_order_relaxed);
    o->written_acquisitions = 0;
  }
}

std::vector<collector::ThreadInfo> Registry::ThreadInfosAfterFork(
    ThreadState* self) {
  std::vector<collector::ThreadInfo> infos;
  RawMutexLock lock(&mu_);
  for (auto& [id, info] : thread_info_) {
    if (self != nullptr && id == self->id()) {
      info.os_tid = static_cast<int64_t>(syscall(SYS_gettid));
    } else {
      final_names_.insert(id);
    }
    infos.push_back(info);
  }
  return infos;
}

}  // namespace lockscope::runtime
