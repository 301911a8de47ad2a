#include "tests/testing/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace lockscope::testing {
namespace {

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// The child's environment: the parent's (unless cleared) with `env` set.
std::vector<std::string> ChildEnv(const ChildOptions& options) {
  std::vector<std::string> env;
  auto name_of = [](const std::string& entry) {
    return entry.substr(0, entry.find('='));
  };
  if (!options.clear_env) {
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      bool replaced = false;
      for (const std::string& set : options.env) {
        replaced = replaced || name_of(set) == name_of(entry);
      }
      if (!replaced) env.push_back(entry);
    }
  }
  env.insert(env.end(), options.env.begin(), options.env.end());
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& items) {
  std::vector<char*> out;
  for (std::string& item : items) out.push_back(item.data());
  out.push_back(nullptr);
  return out;
}

// In the forked child: reports errno on `error_fd` and exits 127.
[[noreturn]] void ExecFailed(int error_fd) {
  const int e = errno;
  (void)!write(error_fd, &e, sizeof(e));
  _exit(127);
}

// In the forked child: only async-signal-safe calls.
[[noreturn]] void Exec(char** argv, char** envp, const ChildOptions& options,
                       int stdin_fd, int stdout_fd, int stderr_fd,
                       int error_fd) {
  auto fail = [error_fd] { ExecFailed(error_fd); };
  const int null = open("/dev/null", O_RDWR);
  if (null < 0) fail();
  if (stdin_fd < 0 && !options.stdin_path.empty()) {
    stdin_fd = open(options.stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (stdin_fd < 0) fail();
  }
  if (dup2(stdin_fd >= 0 ? stdin_fd : null, STDIN_FILENO) < 0) fail();
  if (dup2(stdout_fd >= 0 ? stdout_fd : null, STDOUT_FILENO) < 0) fail();
  if (dup2(stderr_fd >= 0 ? stderr_fd : null, STDERR_FILENO) < 0) fail();
  if (null > STDERR_FILENO) close(null);
  if (options.timeout_seconds > 0 && setpgid(0, 0) != 0) fail();
  if (options.uid.has_value() &&
      (setgroups(0, nullptr) != 0 || setgid(*options.uid) != 0 ||
       setuid(*options.uid) != 0)) {
    fail();
  }
  execve(argv[0], argv, envp);
  ExecFailed(error_fd);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const ChildOptions& options) {
  if (argv.empty()) {
    result_.error = "no program to run";
    return;
  }
  std::vector<std::string> args = argv;
  std::vector<std::string> env = ChildEnv(options);
  std::vector<char*> arg_ptrs = Pointers(args);
  std::vector<char*> env_ptrs = Pointers(env);

  // Parent ends are close-on-exec (and closed in the child by exec); the
  // child's ends are dup2'ed onto 0, 1 and 2.
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  int error_pipe[2] = {-1, -1};
  const bool out_pipe = options.stdout_fd < 0 && !options.discard_stdout;
  const bool err_pipe = !options.merge_stderr && !options.discard_stderr;
  if ((options.stdin_pipe && pipe2(in, O_CLOEXEC) != 0) ||
      (out_pipe && pipe2(out, O_CLOEXEC) != 0) ||
      (err_pipe && pipe2(err, O_CLOEXEC) != 0) ||
      pipe2(error_pipe, O_CLOEXEC) != 0) {
    result_.error = std::string("cannot make a pipe: ") + std::strerror(errno);
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err[0], &err[1],
                    &error_pipe[0], &error_pipe[1]}) {
      CloseFd(fd);
    }
    return;
  }
  const int child_out = options.stdout_fd >= 0 ? options.stdout_fd : out[1];
  const int child_err = options.merge_stderr ? child_out : err[1];
  const pid_t pid = fork();
  if (pid == 0) {
    Exec(arg_ptrs.data(), env_ptrs.data(), options, in[0], child_out,
         child_err, error_pipe[1]);
  }
  const int fork_errno = errno;
  for (int* fd : {&in[0], &out[1], &err[1], &error_pipe[1]}) CloseFd(fd);
  if (pid < 0) {
    result_.error = std::string("cannot fork: ") + std::strerror(fork_errno);
    for (int* fd : {&in[1], &out[0], &err[0], &error_pipe[0]}) CloseFd(fd);
    return;
  }
  // EOF on the error pipe: exec succeeded. An errno: it did not.
  int exec_errno = 0;
  ssize_t n;
  while ((n = read(error_pipe[0], &exec_errno, sizeof(exec_errno))) < 0 &&
         errno == EINTR) {
  }
  CloseFd(&error_pipe[0]);
  if (n > 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result_.error = "cannot run " + argv[0] + ": " + std::strerror(exec_errno);
    result_.err = result_.error + "\n";
    for (int* fd : {&in[1], &out[0], &err[0]}) CloseFd(fd);
    return;
  }
  pid_ = pid;
  own_group_ = options.timeout_seconds > 0;
  deadline_ = std::chrono::steady_clock::now() +
              std::chrono::seconds(options.timeout_seconds);
  stdin_ = in[1];
  stdout_ = out[0];
  stderr_ = err[0];
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    Kill();
    Wait();
  }
  CloseStdin();
  CloseFd(&stdout_);
  CloseFd(&stderr_);
}

bool ChildProcess::ReadSome(int timeout_ms) {
  pollfd fds[2];
  std::string* sinks[2];
  int count = 0;
  if (stdout_ >= 0) {
    fds[count] = {stdout_, POLLIN, 0};
    sinks[count++] = &result_.out;
  }
  if (stderr_ >= 0) {
    fds[count] = {stderr_, POLLIN, 0};
    sinks[count++] = &result_.err;
  }
  if (count == 0) return false;
  const int ready = poll(fds, count, timeout_ms);
  if (ready < 0) return errno == EINTR;
  if (ready == 0) return false;
  for (int i = 0; i < count; ++i) {
    if (fds[i].revents == 0) continue;
    char buf[4096];
    const ssize_t n = read(fds[i].fd, buf, sizeof(buf));
    if (n > 0) {
      sinks[i]->append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      CloseFd(fds[i].fd == stdout_ ? &stdout_ : &stderr_);
    }
  }
  return true;
}

std::string ChildProcess::ReadLine() {
  size_t end;
  while ((end = result_.out.find('\n', line_start_)) == std::string::npos &&
         ReadSome(-1)) {
  }
  if (end == std::string::npos) end = result_.out.size();
  std::string line = result_.out.substr(line_start_, end - line_start_);
  line_start_ = std::min(end + 1, result_.out.size());
  return line;
}

bool ChildProcess::ReadUntil(const std::string& text, bool from_stderr,
                             int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(timeout_ms);
  const std::string& stream = from_stderr ? result_.err : result_.out;
  while (stream.find(text) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !ReadSome(static_cast<int>(left.count()))) {
      return stream.find(text) != std::string::npos;
    }
  }
  return true;
}

void ChildProcess::CloseStdin() { CloseFd(&stdin_); }

int ChildProcess::MillisLeft() const {
  if (!own_group_) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline_ - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

bool ChildProcess::ExitsInTime() const {
  if (!own_group_) return true;
  // A pidfd is readable once the process has exited.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd < 0) return MillisLeft() > 0;
  pollfd fd = {pidfd, POLLIN, 0};
  int ready;
  while ((ready = poll(&fd, 1, MillisLeft())) < 0 && errno == EINTR) {
  }
  close(pidfd);
  return ready > 0;
}

void ChildProcess::Kill() {
  if (pid_ > 0) kill(own_group_ ? -pid_ : pid_, SIGKILL);
}

ChildResult ChildProcess::Wait() {
  CloseStdin();
  while (MillisLeft() != 0 && ReadSome(MillisLeft())) {
  }
  if (pid_ > 0 && own_group_ &&
      (stdout_ >= 0 || stderr_ >= 0 || !ExitsInTime())) {
    // Out of time with output still open, or not exited: kill it, and stop
    // reading (what it started may hold the pipes).
    result_.timed_out = true;
    Kill();
    CloseFd(&stdout_);
    CloseFd(&stderr_);
  }
  if (pid_ > 0) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
    pid_ = -1;
  }
  return result_;
}

ChildResult RunChild(const std::vector<std::string>& argv,
                     const ChildOptions& options) {
  ChildProcess child(argv, options);
  return child.Wait();
}

}  // namespace lockscope::testing
