// Tests for collector/trace/trace_reader.h: every record type round-trips
// through a real file, events decode exactly, and bad input (torn, corrupt,
// foreign, dangling ids, newer versions) gives a clean, located error.
#include "collector/trace/trace_loader.h"
#include "collector/trace/trace_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "collector/trace/trace_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace lockscope::collector {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using ::lockscope::testing::ReadFile;
using ::lockscope::testing::TempPath;
using ::lockscope::testing::WriteFile;

bool SameEvent(const RawEvent& a, const RawEvent& b) {
  return a.time_ns == b.time_ns && a.object == b.object && a.stack == b.stack &&
         a.type == b.type && a.access == b.access && a.was_try == b.was_try;
}

bool SameEvents(const std::vector<RawEvent>& a,
                const std::vector<RawEvent>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), SameEvent);
}

std::vector<RawEvent> EventsOfThread1() {
  return {
      {1000, 7, 1, EventType::kAcquireWait, Access::kExclusive, false},
      {1250, 7, 0, EventType::kAcquired, Access::kExclusive, false},
      // Object deltas both ways, a shared try, a stack on a later event.
      {1300, 8, 0, EventType::kAcquired, Access::kShared, true},
      {9'000'000'000, 8, 2, EventType::kReleased, Access::kShared, false},
      {9'000'000'001, 7, 0, EventType::kReleased, Access::kExclusive, false},
  };
}

std::vector<RawEvent> EventsOfThread2() {
  return {
      {2000, 9, 0, EventType::kBorrow, Access::kShared, false},
      {2000, 9, 0, EventType::kBorrowRelease, Access::kShared, false},
      {2100, 9, 2, EventType::kBorrow, Access::kExclusive, true},
  };
}

Finding CycleFinding() {
  Finding f;
  f.id = 1;
  f.kind = FindingKind::kLockOrderCycle;
  f.severity = Severity::kError;
  f.objects = {7, 8};
  f.threads = {1, 2};
  f.edges = {FindingEdge{7, 8, 1, 2, 1}, FindingEdge{8, 7, 2, 1, 0}};
  f.stack = 1;
  f.message = "lock-order-cycle: accounts -> config -> accounts";
  f.time_ns = 3000;
  return f;
}

// A trace with every record type, including superseded edges, counters and
// findings, and Frame records after the stacks that use their pcs.
void WriteSample(TraceWriter& w, bool with_end) {
  w.WriteModule(ModuleInfo{1, "/usr/bin/app", "00ff", 0x400000, 0x500000});
  w.WriteThread(ThreadInfo{1, 100, "main"}, 10);
  w.WriteThread(ThreadInfo{2, 101, ""}, 20);
  w.WriteThread(ThreadInfo{2, 101, "worker"}, 25);
  w.WriteObject(ObjectInfo{7, ObjectKind::kMutex, "accounts", "accounts",
                           SourceSite{"bank.cc", "Bank::Bank()", 12}, 1, 0});
  w.WriteObject(ObjectInfo{8, ObjectKind::kRwLock, "config", "config",
                           SourceSite{"config.cc", "Load", 3}, 1, 0});
  w.WriteObject(ObjectInfo{9, ObjectKind::kCell, "app.cc:5", "app.cc:5",
                           SourceSite{"app.cc", "main", 5}, 1, 1});
  const uint64_t stack1[] = {0x400100, 0x400200};
  const uint64_t stack2[] = {0x400300, 0x9999999};
  w.WriteStack(1, stack1, 2);
  w.WriteStack(2, stack2, 2);
  EdgeObservation edge{7,   8,  Access::kExclusive, Access::kShared, 1, 1, 2,
                       {9}, 100, {}};
  w.WriteEdge(edge, {9}, 1);
  w.WriteEdge(
      EdgeObservation{
          8, 7, Access::kShared, Access::kExclusive, 2, 2, 1, {}, 150, {}},
      {}, 1);
  edge.time_ns = 200;
  w.WriteEdge(edge, {}, 3);  // the gate set shrank: supersedes the first
  const std::vector<RawEvent> e1 = EventsOfThread1();
  const std::vector<RawEvent> e2 = EventsOfThread2();
  w.WriteEvents(1, e1.data(), e1.size(), 2);
  w.WriteEvents(2, e2.data(), e2.size(), 3);
  w.WriteCounters(ObjectCounters{7, 10, 2, 300, 200, 1000, 400, 5, 0});
  w.WriteCounters(ObjectCounters{7, 11, 3, 310, 210, 1100, 410, 6, 1});
  w.WriteFinding(CycleFinding());
  Finding borrow;
  borrow.id = 2;
  borrow.kind = FindingKind::kCrossThreadBorrow;
  borrow.severity = Severity::kWarning;
  borrow.objects = {9};
  borrow.threads = {2};
  borrow.stack = 2;
  borrow.other_stack = 1;
  borrow.message = "cross-thread-borrow of app.cc:5";
  borrow.suppressed = true;
  w.WriteFinding(borrow);
  Finding guarded = CycleFinding();
  guarded.guarded_by = {9};
  guarded.message = "guarded";
  w.WriteFinding(guarded);
  w.WriteFrame(Frame{0x400100, "main", "app.cc", 5, ""}, 1);
  w.WriteFrame(Frame{0x400200, "Bank::Transfer(int)", "bank.cc", 40, ""}, 1);
  w.WriteDestroyed(9, 500);
  if (with_end) w.WriteEnd(TraceEndInfo{600, 8, 4, "exit"});
}

std::string WriteSampleFile(const std::string& name, bool with_end = true) {
  const std::string path = TempPath(name);
  TraceHeaderInfo header;
  header.pid = 77;
  header.executable = "/usr/bin/app";
  header.events_mode = "all";
  auto writer = TraceWriter::Create(path, header);
  EXPECT_TRUE(writer.ok()) << writer.status();
  if (writer.ok()) WriteSample(**writer, with_end);
  return path;
}

TEST(LoadTraceTest, EveryRecordTypeRoundTrips) {
  const std::string path = WriteSampleFile("roundtrip.lstrace");
  std::vector<TraceEvent> events;
  auto data =
      LoadTrace(path, [&](const TraceEvent& e) { events.push_back(e); });
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->path, path);
  EXPECT_EQ(data->header.pid, 77);
  EXPECT_EQ(data->header.events_mode, "all");
  EXPECT_TRUE(data->warning.empty());

  ASSERT_EQ(data->threads.size(), 2u);
  EXPECT_EQ(data->Thread(1)->name, "main");
  EXPECT_EQ(data->Thread(2)->name, "worker");  // renamed by a later record
  EXPECT_EQ(data->Thread(2)->os_tid, 101);
  EXPECT_EQ(data->Thread(3), nullptr);

  const ObjectInfo* mutex = data->Object(7);
  ASSERT_NE(mutex, nullptr);
  EXPECT_EQ(mutex->kind, ObjectKind::kMutex);
  EXPECT_EQ(mutex->name, "accounts");
  EXPECT_EQ(mutex->class_name, "accounts");
  EXPECT_EQ(mutex->created.file, "bank.cc");
  EXPECT_EQ(mutex->created.function, "Bank::Bank()");
  EXPECT_EQ(mutex->created.line, 12u);
  EXPECT_EQ(mutex->created_thread, 1u);
  EXPECT_EQ(data->Object(8)->kind, ObjectKind::kRwLock);
  EXPECT_EQ(data->Object(9)->kind, ObjectKind::kCell);
  EXPECT_EQ(data->Object(9)->owner_thread, 1u);
  EXPECT_EQ(data->Object(10), nullptr);
  EXPECT_EQ(data->destroyed.at(9), 500);

  ASSERT_EQ(data->modules.size(), 1u);
  EXPECT_EQ(data->modules.at(1).path, "/usr/bin/app");
  EXPECT_EQ(data->modules.at(1).build_id, "00ff");
  EXPECT_EQ(data->modules.at(1).base, 0x400000u);
  EXPECT_EQ(data->modules.at(1).end, 0x500000u);
  EXPECT_THAT(data->stacks.at(1), ElementsAre(0x400100u, 0x400200u));

  // Edges: latest record per (from, to), in first-seen order.
  ASSERT_EQ(data->edges.size(), 2u);
  EXPECT_EQ(data->edges[0].first.from, 7u);
  EXPECT_EQ(data->edges[0].first.to, 8u);
  EXPECT_EQ(data->edges[0].first.from_access, Access::kExclusive);
  EXPECT_EQ(data->edges[0].first.to_access, Access::kShared);
  EXPECT_EQ(data->edges[0].first.thread, 1u);
  EXPECT_EQ(data->edges[0].first.from_stack, 1u);
  EXPECT_EQ(data->edges[0].first.to_stack, 2u);
  EXPECT_TRUE(data->edges[0].first.held.empty());
  EXPECT_EQ(data->edges[0].first.time_ns, 200);
  EXPECT_EQ(data->edges[0].count, 3u);
  EXPECT_EQ(data->edges[1].first.from, 8u);

  EXPECT_EQ(data->counters.at(7).acquisitions, 11u);
  EXPECT_EQ(data->counters.at(7).contended, 3u);
  EXPECT_EQ(data->counters.at(7).wait_total_ns, 310u);
  EXPECT_EQ(data->counters.at(7).wait_max_ns, 210u);
  EXPECT_EQ(data->counters.at(7).hold_total_ns, 1100u);
  EXPECT_EQ(data->counters.at(7).hold_max_ns, 410u);
  EXPECT_EQ(data->counters.at(7).hold_samples, 6u);
  EXPECT_EQ(data->counters.at(7).shared, 1u);

  // Findings: latest version per id, first-seen order.
  ASSERT_EQ(data->findings.size(), 2u);
  const Finding& cycle = data->findings[0];
  EXPECT_EQ(cycle.id, 1u);
  EXPECT_EQ(cycle.kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(cycle.severity, Severity::kError);
  EXPECT_THAT(cycle.objects, ElementsAre(7u, 8u));
  EXPECT_THAT(cycle.threads, ElementsAre(1u, 2u));
  ASSERT_EQ(cycle.edges.size(), 2u);
  EXPECT_EQ(cycle.edges[0].from, 7u);
  EXPECT_EQ(cycle.edges[0].to, 8u);
  EXPECT_EQ(cycle.edges[0].thread, 1u);
  EXPECT_EQ(cycle.edges[0].to_stack, 2u);
  EXPECT_EQ(cycle.edges[0].from_stack, 1u);
  EXPECT_THAT(cycle.guarded_by, ElementsAre(9u));
  EXPECT_EQ(cycle.stack, 1u);
  EXPECT_EQ(cycle.message, "guarded");
  EXPECT_EQ(cycle.time_ns, 3000);
  EXPECT_FALSE(cycle.suppressed);
  const Finding& borrow = data->findings[1];
  EXPECT_EQ(borrow.kind, FindingKind::kCrossThreadBorrow);
  EXPECT_EQ(borrow.severity, Severity::kWarning);
  EXPECT_EQ(borrow.other_stack, 1u);
  EXPECT_TRUE(borrow.suppressed);

  ASSERT_TRUE(data->end.has_value());
  EXPECT_EQ(data->end->reason, "exit");
  EXPECT_EQ(data->end->end_time_ns, 600);
  EXPECT_EQ(data->end->events_written, 8u);
  // End's total wins over the per-batch counts (2 + 3).
  EXPECT_EQ(data->events_dropped, 4u);
  EXPECT_EQ(data->events, 8u);
  EXPECT_EQ(data->first_time_ns, 1000);
  EXPECT_EQ(data->last_time_ns, 9'000'000'001);

  ASSERT_EQ(events.size(), 8u);
  std::vector<RawEvent> t1, t2;
  for (const TraceEvent& e : events)
    (e.thread == 1 ? t1 : t2).push_back(e.event);
  EXPECT_TRUE(SameEvents(t1, EventsOfThread1()));
  EXPECT_TRUE(SameEvents(t2, EventsOfThread2()));
  std::remove(path.c_str());
}

TEST(LoadTraceTest, StackResolvesFramesAndModules) {
  const std::string path = WriteSampleFile("stack.lstrace");
  auto data = LoadTrace(path);
  ASSERT_TRUE(data.ok()) << data.status();
  const std::vector<Frame> s1 = data->Stack(1);
  ASSERT_EQ(s1.size(), 2u);
  EXPECT_EQ(s1[0].pc, 0x400100u);
  EXPECT_EQ(s1[0].function, "main");
  EXPECT_EQ(s1[0].file, "app.cc");
  EXPECT_EQ(s1[0].line, 5u);
  EXPECT_EQ(s1[0].module, "/usr/bin/app");
  EXPECT_EQ(s1[1].function, "Bank::Transfer(int)");
  // No Frame records: raw pcs, with the module when a range holds them.
  const std::vector<Frame> s2 = data->Stack(2);
  ASSERT_EQ(s2.size(), 2u);
  EXPECT_EQ(s2[0].pc, 0x400300u);
  EXPECT_EQ(s2[0].function, "");
  EXPECT_EQ(s2[0].module, "/usr/bin/app");
  EXPECT_EQ(s2[1].module, "");
  EXPECT_TRUE(data->Stack(99).empty());
  std::remove(path.c_str());
}

TEST(LoadTraceTest, WithoutEndDropsAreTheSumOfTheBatches) {
  const std::string path = WriteSampleFile("noend.lstrace", false);
  auto data = LoadTrace(path);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_FALSE(data->end.has_value());
  EXPECT_EQ(data->events_dropped, 5u);
  EXPECT_TRUE(data->warning.empty());  // stopped at a record boundary
  std::remove(path.c_str());
}

TEST(LoadTraceTest, ManyEventsDecodeExactlyAcrossLargeRecords) {
  const std::string path = TempPath("many.lstrace");
  // Random but reproducible: every delta size, both object directions,
  // sparse stacks; one batch is several records, some above the reader's
  // 256 KiB window.
  std::mt19937_64 rng(42);
  std::vector<RawEvent> in(300'000);
  int64_t now = 1;
  for (RawEvent& e : in) {
    now += static_cast<int64_t>(rng() % (rng() % 2 ? 100 : 10'000'000));
    e.time_ns = now;
    e.object = 1 + rng() % 5;
    e.stack = rng() % 3 == 0 ? 1 + rng() % 2 : 0;
    e.type = static_cast<EventType>(1 + rng() % 5);
    e.access = rng() % 2 ? Access::kShared : Access::kExclusive;
    e.was_try = rng() % 7 == 0;
  }
  {
    auto writer = TraceWriter::Create(path, TraceHeaderInfo{});
    ASSERT_TRUE(writer.ok()) << writer.status();
    (*writer)->WriteThread(ThreadInfo{1, 1, "t"}, 0);
    for (ObjectId id = 1; id <= 5; ++id) {
      (*writer)->WriteObject(
          ObjectInfo{id, ObjectKind::kMutex, "", "", {}, 1, 0});
    }
    const uint64_t pcs[] = {1};
    (*writer)->WriteStack(1, pcs, 1);
    (*writer)->WriteStack(2, pcs, 1);
    (*writer)->WriteEvents(1, in.data(), in.size(), 0);
  }
  size_t i = 0;
  size_t mismatches = 0;
  auto data = LoadTrace(path, [&](const TraceEvent& e) {
    if (i >= in.size() || !SameEvent(e.event, in[i])) ++mismatches;
    ++i;
  });
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(i, in.size());
  EXPECT_EQ(data->events, in.size());
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(data->first_time_ns, in.front().time_ns);
  EXPECT_EQ(data->last_time_ns, in.back().time_ns);
  std::remove(path.c_str());
}

// Byte offsets where each record starts, and the end of the file.
std::vector<uint64_t> RecordStarts(const std::string& path) {
  std::vector<uint64_t> starts = {0};
  auto reader = TraceReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status();
  trace::Record record;
  while (reader.ok() && *(*reader)->Next(&record)) {
    starts.push_back((*reader)->offset());
  }
  starts.push_back(ReadFile(path).size());
  return starts;
}

TEST(LoadTraceTest, TornAtEveryByteReadsAPrefixOrFailsInTheHeader) {
  const std::string full = WriteSampleFile("full.lstrace");
  const std::string bytes = ReadFile(full);
  const std::vector<uint64_t> starts = RecordStarts(full);
  const std::string path = TempPath("torn.lstrace");
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    SCOPED_TRACE(cut);
    WriteFile(path, bytes.substr(0, cut));
    auto data = LoadTrace(path);
    if (cut == 0) {
      ASSERT_FALSE(data.ok());
      EXPECT_EQ(data.status().message(), path + ": empty file");
      continue;
    }
    if (cut < starts[1]) {  // inside the header record
      ASSERT_FALSE(data.ok());
      EXPECT_THAT(std::string(data.status().message()),
                  StartsWith(path + ": truncated at byte " +
                             std::to_string(cut) + ", inside the header"));
      continue;
    }
    ASSERT_TRUE(data.ok()) << data.status();
    // Complete records before the cut.
    uint64_t whole = 0;
    while (whole + 1 < starts.size() && starts[whole + 1] <= cut) ++whole;
    EXPECT_EQ(data->records, whole);
    if (starts[whole] == cut) {
      EXPECT_EQ(data->warning, "");
    } else {
      EXPECT_EQ(data->warning,
                absl::StrFormat("%s: truncated at byte %d (record %d cut "
                                "short); %d records read",
                                path, cut, whole + 1, whole));
    }
  }
  std::remove(path.c_str());
  std::remove(full.c_str());
}

TEST(LoadTraceTest, CorruptFramingIsAnErrorNamingRecordAndByte) {
  const std::string full = WriteSampleFile("corrupt_src.lstrace");
  const std::string bytes = ReadFile(full);
  const std::vector<uint64_t> starts = RecordStarts(full);
  const size_t at = starts[3];  // record 4
  const std::string where =
      absl::StrFormat("record 4 at byte %d: ", static_cast<uint64_t>(at));
  const std::string path = TempPath("corrupt.lstrace");
  struct Case {
    std::string patch;
    size_t offset;
    std::string what;
  };
  const Case cases[] = {
      {"\x12", 0, "bad record tag 0x12"},
      {"\xff", 2, "malformed record"},
      {"\xff\xff\xff\xff\x0f", 1, "exceeds the limit"},
      {std::string(10, '\xff'), 1, "not a varint (over 64 bits)"},
      {std::string(9, '\xff') + '\x81', 1, "not a varint (over 10 bytes)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::string bad = bytes;
    bad.replace(at + c.offset, c.patch.size(), c.patch);
    WriteFile(path, bad);
    auto data = LoadTrace(path);
    ASSERT_FALSE(data.ok());
    const std::string message(data.status().message());
    EXPECT_THAT(message, StartsWith(path + ": " + where));
    EXPECT_THAT(message, HasSubstr(c.what));
  }
  std::remove(path.c_str());
  std::remove(full.c_str());
}

TEST(LoadTraceTest, AnyFlippedByteNeverCrashes) {
  const std::string full = WriteSampleFile("flip_src.lstrace");
  const std::string bytes = ReadFile(full);
  const std::string path = TempPath("flip.lstrace");
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (char mask : {'\x01', '\x80', '\xff'}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      WriteFile(path, bad);
      auto data = LoadTrace(path);
      if (!data.ok()) {
        EXPECT_THAT(std::string(data.status().message()),
                    StartsWith(path + ": "));
      }
    }
  }
  std::remove(path.c_str());
  std::remove(full.c_str());
}

TEST(TraceReaderTest, ForeignInputGivesCleanErrors) {
  const std::string path = TempPath("foreign.lstrace");
  auto expect_error = [&](const std::string& bytes, const std::string& what) {
    WriteFile(path, bytes);
    auto reader = TraceReader::Open(path);
    ASSERT_FALSE(reader.ok());
    EXPECT_THAT(std::string(reader.status().message()),
                StartsWith(path + ": " + what));
    EXPECT_FALSE(LoadTrace(path).ok());
  };
  expect_error("", "empty file");
  expect_error("hello, world\n", "not a lockscope trace (bad magic at byte 0");
  std::mt19937 rng(1);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  expect_error(noise, "not a lockscope trace");
  // A valid protobuf of another type: a bare, unframed Header.
  trace::Header header;
  header.set_magic(kTraceMagic);
  header.set_schema_version(1);
  expect_error(header.SerializeAsString(), "not a lockscope trace");
  // A framed record that is not a header.
  trace::TraceFile other;
  other.add_record()->mutable_thread()->set_id(1);
  expect_error(other.SerializeAsString(), "not a lockscope trace");
  std::remove(path.c_str());
}

TEST(TraceReaderTest, MissingFileAndDirectory) {
  const std::string missing = TempPath("missing.lstrace");
  auto reader = TraceReader::Open(missing);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().message(),
            missing + ": cannot open: No such file or directory");
  const std::string dir = testing::TempDir();
  reader = TraceReader::Open(dir);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().message(), dir + ": is a directory");
}

std::string Framed(const trace::Record& record) {
  trace::TraceFile file;
  *file.add_record() = record;
  return file.SerializeAsString();
}

TEST(TraceReaderTest, RefusesANewerSchemaVersion) {
  const std::string path = TempPath("newer.lstrace");
  trace::Record record;
  record.mutable_header()->set_magic(kTraceMagic);
  record.mutable_header()->set_schema_version(kTraceSchemaVersion + 1);
  WriteFile(path, Framed(record));
  auto reader = TraceReader::Open(path);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().message(),
            path + ": schema version 2 is newer than this reader (1)");
  std::remove(path.c_str());
}

TEST(TraceReaderTest, SkipsRecordsOfUnknownType) {
  const std::string path = TempPath("unknown_type.lstrace");
  trace::Record header;
  header.mutable_header()->set_magic(kTraceMagic);
  header.mutable_header()->set_schema_version(kTraceSchemaVersion);
  // Field 99 (varint 1): what a record type added later looks like here.
  const std::string future = std::string("\x0a\x03\x98\x06\x01", 5);
  WriteFile(path, Framed(header) + future);
  auto data = LoadTrace(path);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->records, 2u);
  std::remove(path.c_str());
}

// Writes a minimal trace, lets `bad` append a record, and returns the
// expected "path: record K at byte N: " prefix of the error it causes.
std::string WriteWithBadRecord(const std::string& path,
                               void (*bad)(TraceWriter&)) {
  auto writer = TraceWriter::Create(path, TraceHeaderInfo{});
  EXPECT_TRUE(writer.ok()) << writer.status();
  TraceWriter& w = **writer;
  w.WriteThread(ThreadInfo{1, 1, "main"}, 0);
  w.WriteObject(ObjectInfo{5, ObjectKind::kMutex, "m", "m", {}, 1, 0});
  const uint64_t at = w.bytes();
  bad(w);
  writer->reset();
  return absl::StrFormat("%s: record 4 at byte %d: ", path, at);
}

TEST(LoadTraceTest, UnknownIdsAreErrorsNamingTheId) {
  const std::string path = TempPath("dangling.lstrace");
  struct Case {
    void (*bad)(TraceWriter&);
    std::string what;
  };
  const Case cases[] = {
      {[](TraceWriter& w) {
         RawEvent e{10, 77, 0, EventType::kAcquired, Access::kExclusive, false};
         w.WriteEvents(1, &e, 1, 0);
       },
       "event refers to unknown object 77"},
      {[](TraceWriter& w) {
         RawEvent e{10, 5, 0, EventType::kAcquired, Access::kExclusive, false};
         w.WriteEvents(3, &e, 1, 0);
       },
       "event batch refers to unknown thread 3"},
      {[](TraceWriter& w) {
         RawEvent e{10, 5, 12, EventType::kAcquired, Access::kExclusive, false};
         w.WriteEvents(1, &e, 1, 0);
       },
       "event refers to unknown stack 12"},
      {[](TraceWriter& w) {
         w.WriteEdge(
             EdgeObservation{
                 5, 6, Access::kExclusive, Access::kExclusive, 1, 0, 0, {}, 0,
                 {}},
             {}, 1);
       },
       "edge refers to unknown object 6"},
      {[](TraceWriter& w) { w.WriteCounters(ObjectCounters{8}); },
       "counters refers to unknown object 8"},
      {[](TraceWriter& w) {
         Finding f = CycleFinding();
         f.objects = {5};
         f.edges.clear();
         f.stack = 0;
         f.threads = {4};
         w.WriteFinding(f);
       },
       "finding refers to unknown thread 4"},
      {[](TraceWriter& w) {
         w.WriteFrame(Frame{1, "", "", 0, ""}, 3);
       },
       "frame refers to unknown module 3"},
      {[](TraceWriter& w) { w.WriteDestroyed(6, 0); },
       "destroy refers to unknown object 6"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string prefix = WriteWithBadRecord(path, c.bad);
    auto data = LoadTrace(path);
    ASSERT_FALSE(data.ok());
    EXPECT_EQ(data.status().message(), prefix + c.what);
  }
  std::remove(path.c_str());
}

TEST(LoadTraceTest, InconsistentEventColumnsAreErrors) {
  const std::string path = TempPath("columns.lstrace");
  trace::Record header;
  header.mutable_header()->set_magic(kTraceMagic);
  header.mutable_header()->set_schema_version(kTraceSchemaVersion);
  trace::Record thread;
  thread.mutable_thread()->set_id(1);
  trace::Record batch;
  batch.mutable_events()->set_thread(1);
  batch.mutable_events()->add_kind(2);
  batch.mutable_events()->add_time_delta_ns(0);
  WriteFile(path, Framed(header) + Framed(thread) + Framed(batch));
  auto data = LoadTrace(path);
  ASSERT_FALSE(data.ok());
  EXPECT_THAT(
      std::string(data.status().message()),
      HasSubstr("record 3 at byte " +
                std::to_string(Framed(header).size() + Framed(thread).size()) +
                ": event batch columns disagree"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lockscope::collector
