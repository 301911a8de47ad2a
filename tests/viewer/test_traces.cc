#include "tests/viewer/test_traces.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "gtest/gtest.h"

namespace lockscope::viewer::test_traces {

using collector::Access;
using collector::EventType;
using collector::FindingKind;
using collector::ObjectId;
using collector::ObjectKind;
using collector::Severity;
using collector::StackId;
using collector::ThreadId;

TraceBuilder::TraceBuilder(const std::string& path, int64_t pid,
                           const std::string& events_mode) {
  collector::TraceHeaderInfo header;
  header.pid = pid;
  header.executable = "/usr/bin/bank";
  header.start_unix_ns = 1'700'000'000'000'000'000;
  header.start_clock_ns = kStartNs;
  header.options = "trace=test.lstrace";
  header.events_mode = events_mode;
  auto writer = collector::TraceWriter::Create(path, header);
  EXPECT_TRUE(writer.ok()) << writer.status();
  if (writer.ok()) writer_ = *std::move(writer);
}

TraceBuilder::~TraceBuilder() = default;

ThreadId TraceBuilder::Thread(const std::string& name) {
  collector::ThreadInfo thread;
  thread.id = next_thread_++;
  thread.os_tid = 1000 + thread.id;
  thread.name = name;
  writer_->WriteThread(thread, kStartNs);
  return thread.id;
}

ObjectId TraceBuilder::Object(const std::string& name, ObjectKind kind,
                              const std::string& file, uint32_t line,
                              const std::string& class_name, ThreadId owner) {
  collector::ObjectInfo object;
  object.id = next_object_++;
  object.kind = kind;
  object.name = name;
  object.class_name = class_name.empty() ? name : class_name;
  object.created = {file, "Setup", line};
  object.created_thread = 1;
  object.owner_thread = owner;
  writer_->WriteObject(object);
  return object.id;
}

StackId TraceBuilder::Stack(
    const std::vector<std::tuple<std::string, std::string, uint32_t>>&
        frames) {
  std::vector<uint64_t> pcs;
  for (const auto& [function, file, line] : frames) {
    collector::Frame frame;
    frame.pc = next_pc_;
    next_pc_ += 0x10;
    frame.function = function;
    frame.file = file;
    frame.line = line;
    writer_->WriteFrame(frame, 0);
    pcs.push_back(frame.pc);
  }
  const StackId id = next_stack_++;
  writer_->WriteStack(id, pcs.data(), pcs.size());
  return id;
}

StackId TraceBuilder::InlinedStack(
    const std::tuple<std::string, std::string, uint32_t>& physical,
    const std::vector<std::tuple<std::string, std::string, uint32_t>>&
        inlined) {
  const uint64_t pc = next_pc_;
  next_pc_ += 0x10;
  const auto frame = [pc](const auto& spec) {
    collector::Frame f;
    f.pc = pc;
    f.function = std::get<0>(spec);
    f.file = std::get<1>(spec);
    f.line = std::get<2>(spec);
    return f;
  };
  std::vector<collector::Frame> chain;
  for (const auto& spec : inlined) chain.push_back(frame(spec));
  writer_->WriteFrame(frame(physical), 0, chain);
  const StackId id = next_stack_++;
  writer_->WriteStack(id, &pc, 1);
  return id;
}

void TraceBuilder::Edge(ObjectId from, ObjectId to, ThreadId thread,
                        StackId from_stack, StackId to_stack,
                        const std::vector<ObjectId>& held, Access from_access,
                        Access to_access) {
  collector::EdgeObservation edge;
  edge.from = from;
  edge.to = to;
  edge.from_access = from_access;
  edge.to_access = to_access;
  edge.thread = thread;
  edge.from_stack = from_stack;
  edge.to_stack = to_stack;
  edge.held = held;
  edge.time_ns = kStartNs + 100;
  writer_->WriteEdge(edge, held, 1);
}

void TraceBuilder::Finding(collector::Finding finding) {
  finding.id = next_finding_++;
  finding.time_ns += kStartNs;
  writer_->WriteFinding(finding);
}

void TraceBuilder::Events(ThreadId thread,
                          std::vector<collector::RawEvent> events) {
  for (collector::RawEvent& event : events) event.time_ns += kStartNs;
  events_ += events.size();
  writer_->WriteEvents(thread, events.data(), events.size(), 0);
}

void TraceBuilder::Counters(const collector::ObjectCounters& counters) {
  writer_->WriteCounters(counters);
}

void TraceBuilder::End(int64_t end_ns) {
  collector::TraceEndInfo end;
  end.end_time_ns = kStartNs + end_ns;
  end.events_written = events_;
  end.events_dropped = 3;
  end.reason = "exit";
  writer_->WriteEnd(end);
  EXPECT_TRUE(writer_->Flush().ok());
  writer_.reset();
}

collector::RawEvent Ev(int64_t time_ns, ObjectId object, EventType type,
                       Access access, bool was_try) {
  collector::RawEvent event;
  event.time_ns = time_ns;
  event.object = object;
  event.type = type;
  event.access = access;
  event.was_try = was_try;
  return event;
}

namespace {

collector::Finding Cycle(FindingKind kind,
                         std::vector<collector::FindingEdge> edges,
                         std::vector<ThreadId> threads,
                         std::vector<ObjectId> guarded_by = {}) {
  collector::Finding finding;
  finding.kind = kind;
  finding.severity = collector::DefaultSeverity(kind);
  for (const auto& edge : edges) finding.objects.push_back(edge.from);
  finding.edges = std::move(edges);
  finding.threads = std::move(threads);
  finding.guarded_by = std::move(guarded_by);
  finding.message = "potential deadlock";
  finding.time_ns = 3000;
  return finding;
}

}  // namespace

void WriteBankTrace(const std::string& path) {
  TraceBuilder b(path, 4242);
  const ThreadId main = b.Thread("main");
  const ThreadId worker = b.Thread("worker");
  const ObjectId accounts = b.Mutex("accounts", 10);
  const ObjectId ledger = b.Mutex("ledger", 11);
  const ObjectId gate = b.Mutex("gate", 12);
  const ObjectId alpha = b.Mutex("alpha", 13);
  const ObjectId beta = b.Mutex("beta", 14);
  const ObjectId config =
      b.Object("config", ObjectKind::kRwLock, "src/bank.cc", 15);
  const ObjectId app =
      b.Object("app", ObjectKind::kCell, "src/app.cc", 5, "", main);
  // Two instances each of two unnamed classes.
  const ObjectId account1 =
      b.Object("src/account.h:7", ObjectKind::kMutex, "src/account.h", 7);
  const ObjectId account2 =
      b.Object("src/account.h:7", ObjectKind::kMutex, "src/account.h", 7);
  const ObjectId branch1 =
      b.Object("src/branch.h:3", ObjectKind::kMutex, "src/branch.h", 3);
  const ObjectId branch2 =
      b.Object("src/branch.h:3", ObjectKind::kMutex, "src/branch.h", 3);

  const StackId s_ledger = b.Stack(
      {{"Transfer", "src/bank.cc", 42}, {"WorkerMain", "src/bank.cc", 90}});
  const StackId s_accounts = b.Stack(
      {{"Transfer", "src/bank.cc", 40}, {"WorkerMain", "src/bank.cc", 90}});
  const StackId s_audit_accounts =
      b.Stack({{"Audit", "src/bank.cc", 62}, {"main", "src/bank.cc", 95}});
  const StackId s_audit_ledger =
      b.Stack({{"Audit", "src/bank.cc", 60}, {"main", "src/bank.cc", 95}});
  const StackId s_render =
      b.Stack({{"Render", "src/ui.cc", 12}, {"WorkerLoop", "src/ui.cc", 30}});
  const StackId s_update = b.Stack({{"Update", "src/app.cc", 20}});
  const StackId s_paint = b.Stack({{"Paint", "src/app.cc", 25}});
  const StackId s_sync = b.Stack({{"Sync", "src/bank.cc", 70}});

  b.Edge(accounts, ledger, worker, s_accounts, s_ledger);
  b.Edge(ledger, accounts, main, s_audit_ledger, s_audit_accounts);
  b.Edge(alpha, beta, worker, s_sync, s_sync, {gate});
  b.Edge(beta, alpha, main, s_sync, s_sync, {gate});
  b.Edge(config, accounts, main, s_audit_ledger, s_audit_accounts, {},
         Access::kShared, Access::kExclusive);
  b.Edge(account1, branch1, worker, s_sync, s_sync);
  b.Edge(branch2, account2, main, s_sync, s_sync);

  b.Finding(Cycle(FindingKind::kLockOrderCycle,
                  {{accounts, ledger, worker, s_ledger, s_accounts},
                   {ledger, accounts, main, s_audit_accounts, s_audit_ledger}},
                  {worker, main}));
  b.Finding(Cycle(FindingKind::kLockOrderCycle,
                  {{alpha, beta, worker, s_sync, s_sync},
                   {beta, alpha, main, s_sync, s_sync}},
                  {worker, main}, {gate}));
  collector::Finding cross;
  cross.kind = FindingKind::kCrossThreadBorrow;
  cross.severity = Severity::kError;
  cross.objects = {app};
  cross.threads = {worker};
  cross.stack = s_render;
  cross.message = "app borrowed on thread 2 'worker', owned by thread 1";
  cross.time_ns = 2000;
  b.Finding(cross);
  collector::Finding conflict;
  conflict.kind = FindingKind::kBorrowConflict;
  conflict.severity = Severity::kError;
  conflict.objects = {app};
  conflict.threads = {main, worker};
  conflict.stack = s_update;
  conflict.other_stack = s_paint;
  conflict.message = "borrow_mut of app while borrowed";
  conflict.time_ns = 2500;
  b.Finding(conflict);
  collector::Finding classes =
      Cycle(FindingKind::kLockClassCycle,
            {{account1, branch1, worker, s_sync, s_sync},
             {branch2, account2, main, s_sync, s_sync}},
            {worker, main});
  b.Finding(classes);

  b.Events(worker,
           {Ev(1000, accounts, EventType::kAcquireWait),
            Ev(1500, accounts, EventType::kAcquired),
            Ev(1600, ledger, EventType::kAcquired),
            Ev(1700, ledger, EventType::kReleased),
            Ev(1800, accounts, EventType::kReleased),
            Ev(2000, app, EventType::kBorrow, Access::kShared),
            Ev(2100, app, EventType::kBorrowRelease, Access::kShared)});
  b.Events(main, {Ev(1200, ledger, EventType::kAcquired, Access::kExclusive,
                     /*was_try=*/true),
                  Ev(1300, ledger, EventType::kReleased),
                  Ev(1400, config, EventType::kAcquired, Access::kShared),
                  Ev(1450, config, EventType::kReleased, Access::kShared)});
  b.Counters({accounts, 10, 2, 900, 500, 5000, 1500, 10, 0});
  b.Counters({ledger, 20, 0, 0, 0, 2000, 300, 20, 0});
  b.Counters({config, 3, 1, 50, 50, 150, 60, 3, 3});
  b.End(10'000);
}

void WriteCleanTrace(const std::string& path) {
  TraceBuilder b(path, 77);
  const ThreadId main = b.Thread("main");
  const ObjectId first = b.Mutex("first", 20);
  const ObjectId second = b.Mutex("second", 21);
  const StackId stack = b.Stack({{"Work", "src/clean.cc", 5}});
  b.Edge(first, second, main, stack, stack);
  b.Events(main, {Ev(100, first, EventType::kAcquired),
                  Ev(200, second, EventType::kAcquired),
                  Ev(300, second, EventType::kReleased),
                  Ev(400, first, EventType::kReleased)});
  b.Counters({first, 1, 0, 0, 0, 300, 300, 1, 0});
  b.Counters({second, 1, 0, 0, 0, 100, 100, 1, 0});
  b.End(1000);
}

void WriteHalfInversion(const std::string& path, int64_t pid, bool forward) {
  TraceBuilder b(path, pid);
  const ThreadId main = b.Thread(forward ? "producer" : "consumer");
  // Different creation order per process, so ids differ between the files.
  ObjectId left, right;
  if (forward) {
    b.Mutex("unrelated", 30);
    left = b.Mutex("left", 31);
    right = b.Mutex("right", 32);
  } else {
    right = b.Mutex("right", 32);
    left = b.Mutex("left", 31);
  }
  const StackId stack = b.Stack({{forward ? "Produce" : "Consume",
                                  forward ? "src/producer.cc" : "src/consumer.cc",
                                  forward ? 11u : 22u}});
  if (forward) {
    b.Edge(left, right, main, stack, stack);
  } else {
    b.Edge(right, left, main, stack, stack);
  }
  b.End(500);
}

void WriteSingleFindingTrace(const std::string& path, FindingKind kind,
                             bool suppressed, bool guarded) {
  TraceBuilder b(path, 99);
  const ThreadId main = b.Thread("main");
  const ThreadId worker = b.Thread("worker");
  const bool cell = kind == FindingKind::kCrossThreadBorrow ||
                    kind == FindingKind::kBorrowConflict;
  const ObjectId m = b.Object("m", cell ? ObjectKind::kCell : ObjectKind::kMutex,
                              "src/single.cc", 3, "", cell ? main : 0);
  const ObjectId n = b.Mutex("n", 4);
  const ObjectId g = b.Mutex("g", 5);
  const StackId stack = b.Stack({{"Offender", "src/single.cc", 40}});
  collector::Finding finding;
  const bool cycle = kind == FindingKind::kLockOrderCycle ||
                     kind == FindingKind::kLockClassCycle ||
                     kind == FindingKind::kActualDeadlock;
  if (cycle) {
    const std::vector<ObjectId> held =
        guarded ? std::vector<ObjectId>{g} : std::vector<ObjectId>{};
    b.Edge(m, n, main, stack, stack, held);
    b.Edge(n, m, worker, stack, stack, held);
    finding = Cycle(kind,
                    {{m, n, main, stack, stack}, {n, m, worker, stack, stack}},
                    {main, worker}, held);
  } else {
    finding.kind = kind;
    finding.severity = collector::DefaultSeverity(kind);
    finding.objects = {m};
    finding.threads = {worker};
    finding.stack = stack;
    finding.message = "single finding";
  }
  finding.suppressed = suppressed;
  b.Finding(finding);
  b.End(100);
}

}  // namespace lockscope::viewer::test_traces
