#include "collector/trace/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace lockscope::collector {
namespace {

absl::Status Refuse(std::string_view what, const std::string& path,
                    std::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrFormat("cannot open %s '%s': %s", std::string(what), path,
                      std::string(why)));
}

absl::Status Failed(std::string_view what, const std::string& path, int err) {
  return Refuse(
      what, path,
      absl::StrCat(std::strerror(err),
                   err == ELOOP
                       ? " (it is a symbolic link; refusing to follow it)"
                       : ""));
}

// Checks an existing file opened without O_CREAT, then empties it.
absl::Status Adopt(int fd, std::string_view what, const std::string& path,
                   mode_t mode) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Failed(what, path, errno);
  if (!S_ISREG(st.st_mode)) return Refuse(what, path, "not a regular file");
  // The real user: a setuid program's effective uid owns files its caller
  // must not be able to overwrite through it.
  if (st.st_uid != getuid()) {
    return Refuse(what, path,
                  absl::StrFormat("owned by uid %d, not by this user; "
                                  "refusing to write into it",
                                  st.st_uid));
  }
  const mode_t bits = st.st_mode & 07777;
  if ((bits & ~mode) != 0 && fchmod(fd, bits & mode) != 0) {
    return Failed(what, path, errno);
  }
  if (ftruncate(fd, 0) != 0) {
    const int err = errno;
    return absl::FailedPreconditionError(absl::StrFormat(
        "cannot truncate %s '%s': %s", std::string(what), path,
        std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int> CreateOutputFile(const std::string& path,
                                     std::string_view what, mode_t mode) {
  // A file this call creates is ours whatever the uids say. Otherwise the
  // existing file is opened without following a link and without
  // truncating, and checked first; O_NONBLOCK keeps open() from hanging on
  // a FIFO. A file removed or created in between is retried.
  for (int attempt = 0; attempt < 8; ++attempt) {
    int fd = open(path.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0) return fd;
    if (errno != EEXIST) return Failed(what, path, errno);
    fd = open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      return Failed(what, path, errno);
    }
    const absl::Status adopted = Adopt(fd, what, path, mode);
    if (!adopted.ok()) {
      close(fd);
      return adopted;
    }
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
  }
  return Refuse(what, path, "created and removed repeatedly while opening");
}

absl::Status WriteAll(int fd, std::string_view data, std::string_view path) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      return absl::UnavailableError(
          absl::StrCat(std::string(path), ": write failed: ",
                       std::strerror(err)));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace lockscope::collector
