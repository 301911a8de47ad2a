// collector/trace/trace_reader.cc — TraceReader: framing, bounds, header
// checks. LoadTrace lives in trace_loader.cc.
//
// The file is read sequentially through a fixed window, and each record is
// parsed on its own from a bounded buffer, so neither the file size nor a
// length field can make the reader allocate more than kMaxRecordBytes, and
// protobuf's 2 GiB message limit applies per record, not per file.
#include "collector/trace/trace_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/stubs/logging.h"

namespace lockscope::collector {
namespace {

constexpr uint8_t kRecordTag = 0x0A;
// Read window; records up to its size are parsed in place. A small regular
// file gets a window its size (at least kMinWindowBytes), not the largest.
constexpr size_t kWindowBytes = 256 << 10;
constexpr size_t kMinWindowBytes = 16 << 10;
// Tag byte plus the longest varint.
constexpr size_t kMaxPrefixBytes = 11;

}  // namespace

struct TraceReader::Rep {
  int fd = -1;
  // File size at open (or as refreshed), if the file is regular.
  bool size_known = false;
  uint64_t size = 0;
  // File offset of window[begin].
  uint64_t pos = 0;
  std::vector<char> window;
  size_t begin = 0;
  size_t end = 0;
  bool eof = false;
  // Holds records larger than the window.
  std::string big;
  // Set once reading has stopped: torn tail, clean end or error.
  bool done = false;
  absl::Status error;
  // What went wrong, without the "path: record K at byte N" prefix.
  std::string error_what;
  // End of the data when a torn tail was met.
  uint64_t torn_at = 0;

  ~Rep() {
    if (fd >= 0) close(fd);
  }

  // Makes up to n bytes at the cursor contiguous in the window (n must not
  // exceed the window). Returns how many are available: fewer than n only
  // at the end of the file.
  absl::StatusOr<size_t> Fill(size_t n) {
    if (end - begin >= n || eof) return std::min(n, end - begin);
    if (begin + n > window.size()) {
      std::memmove(window.data(), window.data() + begin, end - begin);
      end -= begin;
      begin = 0;
    }
    while (end - begin < n && !eof) {
      const ssize_t got = read(fd, window.data() + end, window.size() - end);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        return absl::DataLossError(absl::StrFormat("read error at byte %d: %s",
                                                   pos + (end - begin),
                                                   std::strerror(errno)));
      }
      if (got == 0) eof = true;
      end += static_cast<size_t>(got);
    }
    return std::min(n, end - begin);
  }

  void Consume(size_t n) {
    begin += n;
    pos += n;
  }

  // Reads n bytes (n may exceed the window) into `big`. Returns how many
  // were read: fewer than n only at the end of the file.
  absl::StatusOr<size_t> ReadBig(size_t n) {
    big.resize(n);
    size_t have = std::min(n, end - begin);
    std::memcpy(big.data(), window.data() + begin, have);
    Consume(have);
    while (have < n && !eof) {
      const ssize_t got = read(fd, big.data() + have, n - have);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        return absl::DataLossError(absl::StrFormat("read error at byte %d: %s",
                                                   pos, std::strerror(errno)));
      }
      if (got == 0) eof = true;
      have += static_cast<size_t>(got);
      pos += static_cast<uint64_t>(got);
    }
    return have;
  }

  // Whether n more bytes can follow the cursor. A regular file may have
  // grown since it was opened, so its size is refreshed before saying no.
  bool Holds(uint64_t n) {
    if (!size_known) return true;
    if (size < pos) size = pos;
    if (n <= size - pos) return true;
    struct stat st;
    if (fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) > size) {
      size = static_cast<uint64_t>(st.st_size);
    }
    return n <= size - pos;
  }
};

TraceReader::TraceReader() : rep_(std::make_unique<Rep>()) {}
TraceReader::~TraceReader() = default;

absl::StatusOr<std::unique_ptr<TraceReader>> TraceReader::Open(
    const std::string& path) {
  std::unique_ptr<TraceReader> reader(new TraceReader());
  reader->path_ = path;
  Rep& r = *reader->rep_;
  r.fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r.fd < 0) {
    const int err = errno;
    std::string message =
        absl::StrFormat("%s: cannot open: %s", path, std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(message)
                         : absl::FailedPreconditionError(message);
  }
  struct stat st;
  if (fstat(r.fd, &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrFormat("%s: cannot stat: %s", path, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrFormat("%s: is a directory", path));
  }
  if (S_ISREG(st.st_mode)) {
    r.size_known = true;
    r.size = static_cast<uint64_t>(st.st_size);
  }
  r.window.resize(r.size_known ? std::clamp<uint64_t>(r.size, kMinWindowBytes,
                                                      kWindowBytes)
                               : kWindowBytes);

  absl::StatusOr<size_t> first = r.Fill(1);
  if (!first.ok()) {
    return absl::DataLossError(
        absl::StrFormat("%s: %s", path, first.status().message()));
  }
  if (*first == 0) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: empty file", path));
  }
  const auto not_ours = [&path](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: not a lockscope trace (%s)", path, why));
  };
  if (static_cast<uint8_t>(r.window[r.begin]) != kRecordTag) {
    return not_ours(absl::StrFormat(
        "bad magic at byte 0: 0x%02x where a record tag 0x0a belongs",
        static_cast<uint8_t>(r.window[r.begin])));
  }

  trace::Record record;
  absl::StatusOr<bool> got = reader->Next(&record);
  if (!got.ok()) {
    return not_ours(
        absl::StrFormat("the first record does not parse: %s", r.error_what));
  }
  if (!*got) {
    // Next() set a torn-tail warning; inside the header it is an error.
    return absl::DataLossError(absl::StrFormat(
        "%s: truncated at byte %d, inside the header record; not a complete "
        "lockscope trace",
        path, r.torn_at));
  }
  if (!record.has_header() || record.header().magic() != kTraceMagic) {
    return not_ours(
        "bad magic at byte 0: the first record is not a "
        "LOCKSCOPE-TRACE header");
  }
  reader->header_ = std::move(*record.mutable_header());
  const uint32_t version = reader->header_.schema_version();
  if (version > kTraceSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrFormat("%s: schema version %d is newer than this reader (%d)",
                        path, version, kTraceSchemaVersion));
  }
  if (version == 0) return not_ours("the header has no schema version");
  return reader;
}

absl::StatusOr<bool> TraceReader::Next(trace::Record* record) {
  Rep& r = *rep_;
  if (!r.error.ok()) return r.error;
  if (r.done) return false;
  const uint64_t start = r.pos;
  const uint64_t number = records_ + 1;
  const auto fail = [&](std::string_view what) {
    r.error_what = std::string(what);
    r.error = absl::DataLossError(absl::StrFormat(
        "%s: record %d at byte %d: %s", path_, number, start, what));
    r.done = true;
    return r.error;
  };
  const auto torn = [&]() {
    r.torn_at = r.pos + (r.end - r.begin);
    if (r.size_known) r.torn_at = std::max(r.torn_at, r.size);
    warning_ = absl::StrFormat(
        "%s: truncated at byte %d (record %d cut short); %d records read",
        path_, r.torn_at, number, records_);
    r.done = true;
    return false;
  };

  absl::StatusOr<size_t> avail = r.Fill(kMaxPrefixBytes);
  if (!avail.ok()) return fail(std::string(avail.status().message()));
  if (*avail == 0) {
    r.done = true;  // clean end at a record boundary
    return false;
  }
  const auto* p = reinterpret_cast<const uint8_t*>(r.window.data() + r.begin);
  if (p[0] != kRecordTag) {
    return fail(absl::StrFormat(
        "bad record tag 0x%02x (expected 0x0a: TraceFile field 1, "
        "length-delimited)",
        p[0]));
  }
  uint64_t length = 0;
  size_t prefix = 1;
  for (int shift = 0;; shift += 7) {
    if (prefix == kMaxPrefixBytes) {
      return fail("record length is not a varint (over 10 bytes)");
    }
    if (prefix == *avail) return torn();  // the varint runs into EOF
    const uint8_t byte = p[prefix++];
    if (shift == 63 && (byte & 0x7F) > 1) {
      return fail("record length is not a varint (over 64 bits)");
    }
    length |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (length > kMaxRecordBytes) {
    return fail(absl::StrFormat("record length %d exceeds the limit of %d",
                                length, kMaxRecordBytes));
  }
  r.Consume(prefix);
  // Do not allocate for a length the file cannot hold: that is a tear.
  if (!r.Holds(length)) return torn();

  const char* body = nullptr;
  if (length <= r.window.size()) {
    absl::StatusOr<size_t> got = r.Fill(length);
    if (!got.ok()) return fail(std::string(got.status().message()));
    if (*got < length) return torn();
    body = r.window.data() + r.begin;
    r.Consume(length);
  } else {
    absl::StatusOr<size_t> got = r.ReadBig(length);
    if (!got.ok()) return fail(std::string(got.status().message()));
    if (*got < length) return torn();
    body = r.big.data();
  }
  bool parsed;
  {
    // A corrupt record is reported once, by us, not also by protobuf's log.
    google::protobuf::LogSilencer quiet;
    parsed = record->ParseFromArray(body, static_cast<int>(length));
  }
  if (!parsed) {
    return fail(
        absl::StrFormat("malformed record (%d bytes do not parse as "
                        "lockscope.trace.Record)",
                        length));
  }
  offset_ = start;
  records_ = number;
  return true;
}

}  // namespace lockscope::collector
