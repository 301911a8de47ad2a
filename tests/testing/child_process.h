// tests/testing/child_process.h — runs a program as a child process and
// collects its exit status and output: the one way tests start a child.
//
//   ChildResult r = RunChild({program, "counts", "10"},
//                            {.env = {"LOCKSCOPE_OPTIONS=trace=off"}});
//
// For a handshake, start it and talk to it while it runs: ReadLine() and
// ReadUntil() read its output as it appears, CloseStdin() is the signal a
// child waiting for EOF on stdin goes on with. Ordering is by these pipes,
// never by sleeping. A child that may hang gets a timeout: Wait() kills it
// (SIGKILL) once the time is up and says so in ChildResult::timed_out, so
// a hung child fails its test instead of hanging ctest.
#ifndef LOCKSCOPE_TESTS_TESTING_CHILD_PROCESS_H_
#define LOCKSCOPE_TESTS_TESTING_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace lockscope::testing {

struct ChildOptions {
  // "NAME=value" entries set in the child's environment (replacing the
  // inherited value of NAME).
  std::vector<std::string> env;
  // Start from an empty environment: the child sees `env` only.
  bool clear_env = false;
  // stdin is a pipe from the parent (see CloseStdin), else the file
  // `stdin_path` when set, else /dev/null.
  bool stdin_pipe = false;
  std::string stdin_path;
  // stdout and stderr are pipes read into ChildResult::out and ::err unless
  // discarded (/dev/null). merge_stderr sends stderr into the stdout pipe,
  // as 2>&1 does.
  bool discard_stdout = false;
  bool discard_stderr = false;
  bool merge_stderr = false;
  // When >= 0, the child's stdout is this descriptor (a pseudo-terminal,
  // say) instead of a pipe. The caller keeps and closes it.
  int stdout_fd = -1;
  // Run as this user (and group of the same number), dropping root.
  std::optional<uid_t> uid;
  // When > 0: the child leads a new process group, and Wait() kills that
  // group (SIGKILL) if the child has not exited and closed its output
  // within this many seconds of its start (ChildResult::timed_out).
  int timeout_seconds = 0;
};

struct ChildResult {
  // The exit status when the child exited, else -1.
  int exit_code = -1;
  // The signal that killed it, else 0.
  int signal = 0;
  std::string out;
  std::string err;
  // Why the child could not be run; empty when it ran.
  std::string error;
  // It outlived ChildOptions::timeout_seconds and was killed (signal is
  // SIGKILL); out and err hold what it wrote until then.
  bool timed_out = false;

  // The exit status, or 128 + the signal, as a shell reports it.
  int status() const { return signal != 0 ? 128 + signal : exit_code; }
};

class ChildProcess {
 public:
  // Starts argv[0] (a path; no PATH search) with `argv`. On failure the
  // child is not started() and error() says why, in one line.
  ChildProcess(const std::vector<std::string>& argv,
               const ChildOptions& options = {});
  // Kills (SIGKILL) and reaps a child that was not waited for.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  const std::string& error() const { return result_.error; }
  pid_t pid() const { return pid_; }

  // The next line of stdout, without its newline; what is left at EOF.
  std::string ReadLine();
  // Reads the child's output until stdout (or, with `from_stderr`, stderr)
  // holds `text`, both pipes reach EOF, or `timeout_ms` passes (a bound for
  // a failing test, not a way to order anything). True when `text` is there.
  bool ReadUntil(const std::string& text, bool from_stderr,
                 int timeout_ms = 60000);
  // The output read so far.
  const std::string& out() const { return result_.out; }
  const std::string& err() const { return result_.err; }

  // Closes the write end of the child's stdin: it reads EOF.
  void CloseStdin();
  // Closes stdin, reads stdout and stderr to EOF and reaps the child; with
  // a timeout, kills it first if it outlives the timeout.
  ChildResult Wait();

 private:
  // One poll() round over the open pipes; false when none is open or
  // nothing arrived within `timeout_ms`.
  bool ReadSome(int timeout_ms);
  // Milliseconds left until the timeout (0 once it passed); -1 without one.
  int MillisLeft() const;
  // True when the child exits within MillisLeft() (or has no timeout).
  bool ExitsInTime() const;
  // SIGKILLs the child (its process group when it leads one).
  void Kill();

  pid_t pid_ = -1;
  bool own_group_ = false;
  std::chrono::steady_clock::time_point deadline_;
  int stdin_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  size_t line_start_ = 0;  // of the next ReadLine in result_.out
  ChildResult result_;
};

// Runs the child to completion.
ChildResult RunChild(const std::vector<std::string>& argv,
                     const ChildOptions& options = {});

}  // namespace lockscope::testing

#endif  // LOCKSCOPE_TESTS_TESTING_CHILD_PROCESS_H_
