#include "viewer/setid_check.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace lockscope::viewer {

absl::Status RefuseSetIdProgram(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    const int err = errno;
    const std::string message =
        absl::StrCat("lockscope run: ", path, ": ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(message)
                         : absl::FailedPreconditionError(message);
  }
  const bool uid = (st.st_mode & S_ISUID) != 0;
  // Set-group-ID without group execute marks mandatory locking, not a
  // privilege; the loader does not treat it as secure.
  const bool gid = (st.st_mode & S_ISGID) != 0 && (st.st_mode & S_IXGRP) != 0;
  if (!uid && !gid) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "lockscope run: ", path, " is ",
      uid && gid ? "setuid and setgid" : uid ? "setuid" : "setgid",
      "; the dynamic loader ignores LD_PRELOAD for it, so it cannot be "
      "tracked"));
}

}  // namespace lockscope::viewer
