// Tests for collector/trace/trace_writer.h: framing, interning, the event
// column encoding and its size, file creation rules, flushing and write errors.
#include "collector/trace/trace_writer.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "collector/trace/trace_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"
#include "proto/trace.pb.h"

namespace lockscope::collector {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

using ::lockscope::testing::ReadFile;
using ::lockscope::testing::TempPath;

TraceHeaderInfo TestHeader() {
  TraceHeaderInfo h;
  h.pid = 4242;
  h.executable = "/usr/bin/test-app";
  h.start_unix_ns = 1700000000123456789;
  h.start_clock_ns = 987654321;
  h.options = "trace=x.lstrace:events=all";
  h.events_mode = "all";
  return h;
}

// The whole file must parse as one TraceFile message: that is the framing
// contract that lets generic protobuf tools read a trace.
trace::TraceFile ParseWhole(const std::string& path) {
  trace::TraceFile file;
  EXPECT_TRUE(file.ParseFromString(ReadFile(path))) << path;
  return file;
}

TEST(TraceWriterTest, FileIsATraceFileStartingWithTheHeader) {
  const std::string path = TempPath("header.lstrace");
  {
    auto writer = TraceWriter::Create(path, TestHeader());
    ASSERT_TRUE(writer.ok()) << writer.status();
    (*writer)->WriteThread(ThreadInfo{1, 100, "main"}, 5);
  }
  const std::string bytes = ReadFile(path);
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), 0x0A);  // TraceFile field 1
  trace::TraceFile file = ParseWhole(path);
  ASSERT_THAT(file.record(), SizeIs(2));
  const trace::Header& h = file.record(0).header();
  EXPECT_EQ(h.magic(), "LOCKSCOPE-TRACE");
  EXPECT_EQ(h.schema_version(), kTraceSchemaVersion);
  EXPECT_EQ(h.pid(), 4242);
  EXPECT_EQ(h.executable(), "/usr/bin/test-app");
  EXPECT_EQ(h.start_unix_ns(), 1700000000123456789);
  EXPECT_EQ(h.clock(), "CLOCK_MONOTONIC");
  EXPECT_EQ(h.start_clock_ns(), 987654321);
  EXPECT_EQ(h.options(), "trace=x.lstrace:events=all");
  EXPECT_EQ(h.events_mode(), "all");
  EXPECT_EQ(file.record(1).thread().name(), "main");
  EXPECT_EQ(file.record(1).thread().start_ns(), 5);
  std::remove(path.c_str());
}

TEST(TraceWriterTest, StringsAreInternedOnceBeforeFirstUse) {
  const std::string path = TempPath("intern.lstrace");
  {
    auto writer = TraceWriter::Create(path, TestHeader());
    ASSERT_TRUE(writer.ok()) << writer.status();
    ObjectInfo a;
    a.id = 1;
    a.created = SourceSite{"bank.cc", "Transfer", 10};
    ObjectInfo b = a;
    b.id = 2;
    b.created.line = 11;
    (*writer)->WriteObject(a);
    (*writer)->WriteObject(b);
    (*writer)->WriteFrame(Frame{0x1000, "Transfer", "bank.cc", 12, ""}, 0);
  }
  trace::TraceFile file = ParseWhole(path);
  // header, "bank.cc", "Transfer", object 1, object 2, frame.
  ASSERT_THAT(file.record(), SizeIs(6));
  EXPECT_EQ(file.record(1).string().value(), "bank.cc");
  EXPECT_EQ(file.record(2).string().value(), "Transfer");
  const uint64_t file_id = file.record(1).string().id();
  const uint64_t function_id = file.record(2).string().id();
  EXPECT_NE(file_id, 0u);
  EXPECT_NE(file_id, function_id);
  for (int i : {3, 4}) {
    EXPECT_EQ(file.record(i).object().created_file(), file_id);
    EXPECT_EQ(file.record(i).object().created_function(), function_id);
  }
  EXPECT_EQ(file.record(5).frame().file(), file_id);
  EXPECT_EQ(file.record(5).frame().function(), function_id);
  std::remove(path.c_str());
}

TEST(TraceWriterTest, EmptyStringsAreIdZeroWithoutARecord) {
  const std::string path = TempPath("empty_strings.lstrace");
  {
    auto writer = TraceWriter::Create(path, TestHeader());
    ASSERT_TRUE(writer.ok()) << writer.status();
    (*writer)->WriteFrame(Frame{0x1000, "", "", 0, ""}, 0);
  }
  trace::TraceFile file = ParseWhole(path);
  ASSERT_THAT(file.record(), SizeIs(2));
  EXPECT_EQ(file.record(1).frame().function(), 0u);
  EXPECT_EQ(file.record(1).frame().file(), 0u);
  std::remove(path.c_str());
}

TEST(TraceWriterTest, InvalidUtf8BecomesReplacementCharacters) {
  const std::string path = TempPath("utf8.lstrace");
  {
    auto writer = TraceWriter::Create(path, TestHeader());
    ASSERT_TRUE(writer.ok()) << writer.status();
    // Latin-1, a truncated sequence, and valid multi-byte text.
    (*writer)->WriteThread(ThreadInfo{1, 1, "caf\xe9 \xe2\x82 \xe2\x82\xac"},
                           0);
    ObjectInfo object;
    object.id = 1;
    object.created.file = "/src/\xff.cc";
    (*writer)->WriteObject(object);
  }
  trace::TraceFile file = ParseWhole(path);  // proto3 rejects bad UTF-8
  ASSERT_EQ(file.record_size(), 4);
  EXPECT_EQ(file.record(1).thread().name(),
            "caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd \xe2\x82\xac");
  EXPECT_EQ(file.record(2).string().value(), "/src/\xef\xbf\xbd.cc");
  std::remove(path.c_str());
}

// Ten thousand events shaped like a real events=all run: a few locks with
// nearby ids, acquire/release pairs a few hundred ns to a few us apart, an
// occasional contended wait, a stack now and then.
std::vector<RawEvent> RealisticEvents(size_t count) {
  std::mt19937_64 rng(7);
  std::vector<RawEvent> events;
  int64_t now = 5'000'000'000;
  while (events.size() < count) {
    const ObjectId lock = 1000 + rng() % 4;
    const bool contended = rng() % 10 == 0;
    const bool shared = lock == 1003;
    const Access access = shared ? Access::kShared : Access::kExclusive;
    if (contended) {
      now += 50 + static_cast<int64_t>(rng() % 500);
      events.push_back(
          RawEvent{now, lock, 0, EventType::kAcquireWait, access, false});
    }
    now += 50 + static_cast<int64_t>(rng() % 2000);
    events.push_back(RawEvent{now, lock, rng() % 50 == 0 ? 3u : 0u,
                              EventType::kAcquired, access, false});
    now += 100 + static_cast<int64_t>(rng() % 3000);
    events.push_back(
        RawEvent{now, lock, 0, EventType::kReleased, access, false});
  }
  events.resize(count);
  return events;
}

TEST(TraceWriterTest, RealisticEventsCostAtMostSixBytesEach) {
  const std::string path = TempPath("size.lstrace");
  auto writer = TraceWriter::Create(path, TestHeader());
  ASSERT_TRUE(writer.ok()) << writer.status();
  const uint64_t before = (*writer)->bytes();
  const std::vector<RawEvent> events = RealisticEvents(10'000);
  // The runtime drains per-thread buffers in batches of this order.
  for (size_t i = 0; i < events.size(); i += 1000) {
    (*writer)->WriteEvents(1, events.data() + i, 1000, 0);
  }
  const uint64_t used = (*writer)->bytes() - before;
  EXPECT_LE(static_cast<double>(used) / events.size(), 6.0)
      << used << " bytes for " << events.size() << " events";
  writer->reset();
  std::remove(path.c_str());
}

TEST(TraceWriterTest, EventColumnsFollowTheSchema) {
  const std::string path = TempPath("columns.lstrace");
  {
    auto writer = TraceWriter::Create(path, TestHeader());
    ASSERT_TRUE(writer.ok()) << writer.status();
    const RawEvent events[] = {
        {1000, 50, 0, EventType::kAcquireWait, Access::kExclusive, false},
        {1300, 50, 9, EventType::kAcquired, Access::kShared, false},
        {1350, 48, 0, EventType::kBorrow, Access::kExclusive, true},
    };
    (*writer)->WriteEvents(3, events, 3, 17);
  }
  trace::TraceFile file = ParseWhole(path);
  ASSERT_THAT(file.record(), SizeIs(2));
  const trace::EventBatch& b = file.record(1).events();
  EXPECT_EQ(b.thread(), 3u);
  EXPECT_EQ(b.base_time_ns(), 1000);
  EXPECT_EQ(b.dropped_before(), 17u);
  EXPECT_THAT(b.kind(), ::testing::ElementsAre(1u, 2u | 16u, 4u | 32u));
  EXPECT_THAT(b.time_delta_ns(), ::testing::ElementsAre(0u, 300u, 50u));
  EXPECT_THAT(b.object_delta(), ::testing::ElementsAre(50, 0, -2));
  EXPECT_THAT(b.stack_event(), ::testing::ElementsAre(1u));
  EXPECT_THAT(b.stack_id(), ::testing::ElementsAre(9u));
  std::remove(path.c_str());
}

TEST(TraceWriterTest, HugeBatchIsSplitIntoBoundedRecords) {
  const std::string path = TempPath("split.lstrace");
  const size_t count = 200'000;
  std::vector<RawEvent> events(count);
  for (size_t i = 0; i < count; ++i) {
    events[i] =
        RawEvent{static_cast<int64_t>(i) * 10, 1 + i % 3,          0,
                 EventType::kAcquired,         Access::kExclusive, false};
  }
  {
    auto writer = TraceWriter::Create(path, TestHeader());
    ASSERT_TRUE(writer.ok()) << writer.status();
    (*writer)->WriteEvents(1, events.data(), count, 5);
  }
  trace::TraceFile file = ParseWhole(path);
  ASSERT_GT(file.record_size(), 2);
  size_t total = 0;
  uint64_t dropped = 0;
  for (int i = 1; i < file.record_size(); ++i) {
    const trace::EventBatch& b = file.record(i).events();
    EXPECT_LT(file.record(i).ByteSizeLong(), kMaxRecordBytes / 8);
    // Each record stands alone: its base time is its first event's time.
    EXPECT_EQ(b.base_time_ns(), static_cast<int64_t>(total) * 10);
    total += static_cast<size_t>(b.kind_size());
    dropped += b.dropped_before();
  }
  EXPECT_EQ(total, count);
  EXPECT_EQ(dropped, 5u);  // counted once, in the first record
  std::remove(path.c_str());
}

TEST(TraceWriterTest, CreateRefusesToFollowASymlink) {
  const std::string target = TempPath("target.txt");
  const std::string link = TempPath("link.lstrace");
  {
    std::ofstream out(target);
    out << "precious";
  }
  std::remove(link.c_str());
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  auto writer = TraceWriter::Create(link, TestHeader());
  ASSERT_FALSE(writer.ok());
  EXPECT_THAT(writer.status().message(),
              HasSubstr("cannot open trace file '" + link + "'"));
  EXPECT_THAT(writer.status().message(), HasSubstr("symbolic link"));
  EXPECT_EQ(ReadFile(target), "precious");
  std::remove(link.c_str());
  std::remove(target.c_str());
}

TEST(TraceWriterTest, CreateNamesThePathAndTheErrno) {
  const std::string path = TempPath("no/such/dir.lstrace");
  auto writer = TraceWriter::Create(path, TestHeader());
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().message(),
            "cannot open trace file '" + path + "': No such file or directory");
}

TEST(TraceWriterTest, CreateRefusesANonRegularFile) {
  const std::string path = TempPath("fifo");
  std::remove(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  // Has no reader: a blocking open would hang; Create must not.
  auto writer = TraceWriter::Create(path, TestHeader());
  ASSERT_FALSE(writer.ok());
  EXPECT_THAT(writer.status().message(), HasSubstr(path));
  std::remove(path.c_str());
}

TEST(TraceWriterTest, CreateTruncatesAnExistingFileAndCreatesNewOnesOwnerOnly) {
  const std::string path = TempPath("truncate.lstrace");
  {
    std::ofstream out(path);
    out << std::string(10000, 'x');
  }
  {
    auto writer = TraceWriter::Create(path, TestHeader());
    ASSERT_TRUE(writer.ok()) << writer.status();
  }
  EXPECT_EQ(ParseWhole(path).record_size(), 1);
  std::remove(path.c_str());
  const mode_t old_mask = umask(0);
  {
    auto writer = TraceWriter::Create(path, TestHeader());
    ASSERT_TRUE(writer.ok()) << writer.status();
  }
  umask(old_mask);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::remove(path.c_str());
}

TEST(TraceWriterTest, BuffersUntilFlush) {
  const std::string path = TempPath("buffer.lstrace");
  auto writer = TraceWriter::Create(path, TestHeader());
  ASSERT_TRUE(writer.ok()) << writer.status();
  TraceWriter& w = **writer;
  EXPECT_GT(w.buffered(), 0u);  // the header
  EXPECT_EQ(ReadFile(path).size(), 0u);
  ASSERT_TRUE(w.Flush().ok());
  EXPECT_EQ(w.buffered(), 0u);
  EXPECT_EQ(ReadFile(path).size(), w.bytes());
  // Enough to grow the buffer several times over before one flush.
  for (uint32_t i = 1; i <= 20000; ++i) {
    w.WriteThread(ThreadInfo{i, i, "worker-" + std::to_string(i)}, i);
  }
  EXPECT_EQ(w.bytes(), ReadFile(path).size() + w.buffered());
  ASSERT_TRUE(w.Flush().ok());
  trace::TraceFile file = ParseWhole(path);
  ASSERT_EQ(file.record_size(), 20001);
  for (uint32_t i = 1; i <= 20000; ++i) {
    ASSERT_EQ(file.record(static_cast<int>(i)).thread().id(), i);
  }
  writer->reset();
  std::remove(path.c_str());
}

TEST(TraceWriterTest, WriteErrorIsReportedOnceAndLaterRecordsDropped) {
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto writer = TraceWriter::FromFd(fd, TestHeader());
  const absl::Status first = writer->Flush();
  EXPECT_FALSE(first.ok());
  EXPECT_THAT(first.message(), HasSubstr("cannot write trace file"));
  EXPECT_THAT(first.message(), HasSubstr("Bad file descriptor"));
  writer->WriteThread(ThreadInfo{1, 1, "t"}, 0);
  EXPECT_EQ(writer->buffered(), 0u);
  EXPECT_TRUE(writer->Flush().ok());
}

TEST(TraceWriterTest, FlushFromSignalWritesWholeRecordsOnce) {
  const std::string path = TempPath("signal.lstrace");
  auto writer = TraceWriter::Create(path, TestHeader());
  ASSERT_TRUE(writer.ok()) << writer.status();
  TraceWriter& w = **writer;
  w.WriteThread(ThreadInfo{1, 1, "main"}, 0);
  ASSERT_TRUE(w.Flush().ok());
  w.WriteThread(ThreadInfo{2, 2, "worker"}, 0);
  w.WriteEnd(TraceEndInfo{10, 0, 0, "signal SIGTERM"});
  w.FlushFromSignal();
  EXPECT_EQ(w.buffered(), 0u);
  trace::TraceFile file = ParseWhole(path);
  ASSERT_EQ(file.record_size(), 4);
  EXPECT_EQ(file.record(3).end().reason(), "signal SIGTERM");
  // A later Flush does not write the same records again.
  ASSERT_TRUE(w.Flush().ok());
  EXPECT_EQ(ParseWhole(path).record_size(), 4);
  writer->reset();
  EXPECT_EQ(ParseWhole(path).record_size(), 4);
  std::remove(path.c_str());
}

TraceWriter* signal_writer = nullptr;
void FlushHandler(int) { signal_writer->FlushFromSignal(); }

TEST(TraceWriterTest, FlushFromSignalWorksInsideAHandler) {
  const std::string path = TempPath("handler.lstrace");
  auto writer = TraceWriter::Create(path, TestHeader());
  ASSERT_TRUE(writer.ok()) << writer.status();
  (*writer)->WriteThread(ThreadInfo{1, 1, "main"}, 0);
  signal_writer = writer->get();
  struct sigaction action = {};
  struct sigaction old = {};
  action.sa_handler = FlushHandler;
  sigemptyset(&action.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR1, &action, &old), 0);
  raise(SIGUSR1);  // delivered synchronously to this thread
  sigaction(SIGUSR1, &old, nullptr);
  signal_writer = nullptr;
  EXPECT_EQ(ParseWhole(path).record_size(), 2);
  writer->reset();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lockscope::collector
