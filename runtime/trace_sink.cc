#include "runtime/trace_sink.h"

#include <cstdio>
#include <utility>

namespace lockscope::runtime {

void TraceSink::Attach(std::unique_ptr<collector::TraceWriter> writer) {
  RawMutexLock lock(&mu_);
  writer_ = std::move(writer);
  // Reserved, so that edges seldom allocate on the program's threads: a
  // program that frees and reallocates an object between lock calls gets
  // its memory back as it would untraced (the interposer's reuse test).
  wanted_.reserve(1024);
  wanted_todo_.reserve(256);
  modules_ = ListModules();
  for (const auto& m : modules_) writer_->WriteModule(m);
  (void)writer_->Flush();
  signal_writer_.store(writer_.get(), std::memory_order_release);
}

bool TraceSink::opened() {
  RawMutexLock lock(&mu_);
  return writer_ != nullptr;
}

bool TraceSink::writing() {
  RawMutexLock lock(&mu_);
  return WritingLocked();
}

void TraceSink::WriteThread(const collector::ThreadInfo& info,
                            int64_t time_ns) {
  RawMutexLock lock(&mu_);
  if (WritingLocked()) writer_->WriteThread(info, time_ns);
}

void TraceSink::AnnounceObject(ObjectState* object) {
  RawMutexLock lock(&mu_);
  if (object->announced.load(std::memory_order_relaxed)) return;
  if (WritingLocked()) {
    if (writer_->buffered() > kMaxBufferedBytes) (void)writer_->Flush();
    collector::ObjectInfo info = object->info;
    info.owner_thread = object->owner_thread.load(std::memory_order_relaxed);
    writer_->WriteObject(info);
  }
  object->announced.store(true, std::memory_order_release);
}

void TraceSink::WriteObject(const ObjectState& object) {
  RawMutexLock lock(&mu_);
  if (!WritingLocked()) return;
  if (writer_->buffered() > kMaxBufferedBytes) (void)writer_->Flush();
  collector::ObjectInfo info = object.info;
  info.owner_thread = object.owner_thread.load(std::memory_order_relaxed);
  writer_->WriteObject(info);
}

collector::StackId TraceSink::InternStack(const std::vector<uint64_t>& pcs) {
  bool is_new = false;
  RawMutexLock lock(&mu_);
  const collector::StackId id = depot_.Intern(pcs, &is_new);
  if (is_new && WritingLocked()) {
    writer_->WriteStack(id, pcs.data(), pcs.size());
  }
  return id;
}

std::vector<uint64_t> TraceSink::StackPcs(collector::StackId id) const {
  return depot_.Get(id);
}

void TraceSink::WriteEdge(const collector::EdgeObservation& edge,
                          const std::vector<collector::ObjectId>& gates,
                          uint64_t count) {
  RawMutexLock lock(&mu_);
  if (!WritingLocked()) return;
  writer_->WriteEdge(edge, gates, count);
  WantLocked(edge.from_stack);
  WantLocked(edge.to_stack);
}

void TraceSink::WantLocked(collector::StackId stack) {
  if (stack != 0 && wanted_.insert(stack).second) {
    wanted_todo_.push_back(stack);
  }
}

void TraceSink::WantFrames(
    const absl::flat_hash_set<collector::StackId>& stacks) {
  RawMutexLock lock(&mu_);
  if (!WritingLocked()) return;
  for (collector::StackId id : stacks) WantLocked(id);
}

std::vector<uint64_t> TraceSink::TakeWantedPcs() {
  std::vector<collector::StackId> stacks;
  {
    RawMutexLock lock(&mu_);
    if (!WritingLocked()) return {};
    // Copied and cleared, not swapped: wanted_todo_ keeps its capacity.
    stacks = wanted_todo_;
    wanted_todo_.clear();
  }
  absl::flat_hash_set<uint64_t> seen;
  std::vector<uint64_t> pcs;
  for (collector::StackId id : stacks) {
    for (uint64_t pc : depot_.Get(id)) {
      if (seen.insert(pc).second) pcs.push_back(pc);
    }
  }
  return FramesToWrite(pcs);
}

void TraceSink::WriteDestroyed(const collector::ObjectCounters& counters,
                               uint64_t written, int64_t time_ns) {
  RawMutexLock lock(&mu_);
  if (!WritingLocked()) return;
  if (counters.acquisitions != written) writer_->WriteCounters(counters);
  writer_->WriteDestroyed(counters.object, time_ns);
  // Programs that churn objects write faster than the periodic flush
  // drains; keep the buffer (and so the resident size) bounded.
  if (writer_->buffered() > kMaxBufferedBytes) (void)writer_->Flush();
}

void TraceSink::WriteFinding(const collector::Finding& finding) {
  RawMutexLock lock(&mu_);
  if (WritingLocked()) writer_->WriteFinding(finding);
}

void TraceSink::WriteEvents(collector::ThreadId thread,
                            const std::vector<collector::RawEvent>& events,
                            uint64_t dropped) {
  RawMutexLock lock(&mu_);
  if (WritingLocked() && (!events.empty() || dropped > 0)) {
    writer_->WriteEvents(thread, events.data(), events.size(), dropped);
    events_written_ += events.size();
  } else {
    events_dropped_ += events.size();
  }
  events_dropped_ += dropped;
}

void TraceSink::WriteCounters(
    const std::vector<collector::ObjectCounters>& counters) {
  RawMutexLock lock(&mu_);
  if (!WritingLocked()) return;
  for (const auto& c : counters) writer_->WriteCounters(c);
}

std::vector<uint64_t> TraceSink::FramesToWrite(
    const std::vector<uint64_t>& pcs) {
  std::vector<uint64_t> todo;
  RawMutexLock lock(&mu_);
  if (!WritingLocked()) return todo;
  for (uint64_t pc : pcs) {
    if (!frames_written_.contains(pc)) todo.push_back(pc);
  }
  return todo;
}

void TraceSink::WriteFrames(
    std::vector<std::vector<collector::Frame>> symbolized) {
  RawMutexLock lock(&mu_);
  if (!WritingLocked()) return;
  for (std::vector<collector::Frame>& frames : symbolized) {
    const collector::Frame physical = frames.back();
    frames.pop_back();
    if (!frames_written_.insert(physical.pc).second) continue;
    uint64_t module = 0;
    for (const auto& m : modules_) {
      if (physical.pc >= m.base && physical.pc < m.end) {
        module = m.id;
        break;
      }
    }
    writer_->WriteFrame(physical, module, frames);
  }
}

void TraceSink::Flush() {
  RawMutexLock lock(&mu_);
  if (writer_ == nullptr) return;
  absl::Status s = writer_->Flush();
  if (!s.ok() && !write_error_reported_) {
    write_error_reported_ = true;
    std::fprintf(stderr, "lockscope: %s; later trace records are lost\n",
                 std::string(s.message()).c_str());
  }
}

void TraceSink::FlushFromSignal() {
  collector::TraceWriter* w = signal_writer_.load(std::memory_order_acquire);
  if (w != nullptr) w->FlushFromSignal();
}

void TraceSink::Close(const std::vector<collector::Finding>& repeated,
                      const std::string& reason, int64_t end_ns) {
  RawMutexLock lock(&mu_);
  if (!WritingLocked()) return;
  for (const collector::Finding& f : repeated) writer_->WriteFinding(f);
  collector::TraceEndInfo end;
  end.end_time_ns = end_ns;
  end.events_written = events_written_;
  end.events_dropped = events_dropped_;
  end.reason = reason;
  writer_->WriteEnd(end);
  (void)writer_->Flush();
  closed_ = true;
}

void TraceSink::PrepareFork() {
  mu_.Lock();
  depot_.PrepareFork();
}

void TraceSink::AfterFork() {
  depot_.AfterFork();
  mu_.Unlock();
}

void TraceSink::AbandonAfterFork() {
  RawMutexLock lock(&mu_);
  signal_writer_.store(nullptr, std::memory_order_release);
  if (writer_ != nullptr) abandoned_.push_back(std::move(writer_));
  frames_written_.clear();
  wanted_.clear();
  wanted_todo_.clear();
  events_written_ = 0;
  events_dropped_ = 0;
  closed_ = false;
}

void TraceSink::WriteAllStacks() {
  RawMutexLock lock(&mu_);
  if (writer_ == nullptr) return;
  depot_.ForEach([this](collector::StackId id,
                        const std::vector<uint64_t>& pcs)
                     ABSL_NO_THREAD_SAFETY_ANALYSIS {
                       writer_->WriteStack(id, pcs.data(), pcs.size());
                     });
}

}  // namespace lockscope::runtime
