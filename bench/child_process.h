// bench/child_process.h — running a program as a child process, for the
// benchmarks that measure a whole run (the traced workload, the viewer):
// its exit status, wall time and peak resident memory.
#ifndef LOCKSCOPE_BENCH_CHILD_PROCESS_H_
#define LOCKSCOPE_BENCH_CHILD_PROCESS_H_

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace lockscope_bench {

struct ChildResult {
  bool ok = false;  // started and exited with status 0
  int status = -1;  // exit status, or -1 (did not start / killed)
  double seconds = 0;
  double cpu_seconds = 0;  // user + system time of the child
  long max_rss_kib = 0;
};

// Runs argv[0] with argv, the current environment plus `env` ("KEY=value"
// entries, which win over inherited ones), and stdout/stderr sent to
// `output` (a file path; "/dev/null" to drop them).
inline ChildResult RunChild(const std::vector<std::string>& argv,
                            const std::vector<std::string>& env,
                            const std::string& output) {
  std::vector<std::string> env_strings = env;
  for (char** e = environ; *e != nullptr; ++e) {
    const char* eq = std::strchr(*e, '=');
    const std::string key(*e, eq != nullptr ? eq - *e + 1 : 0);
    bool overridden = false;
    for (const std::string& mine : env) {
      overridden |= !key.empty() && mine.compare(0, key.size(), key) == 0;
    }
    if (!overridden) env_strings.emplace_back(*e);
  }
  std::vector<char*> args, envp;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);

  ChildResult result;
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int err =
      posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) return result;
  int status = 0;
  rusage usage;
  std::memset(&usage, 0, sizeof(usage));
  if (wait4(pid, &status, 0, &usage) != pid) return result;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  result.max_rss_kib = usage.ru_maxrss;
  result.cpu_seconds =
      static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) *
          1e-6;
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.ok = result.status == 0;
  return result;
}

}  // namespace lockscope_bench

#endif  // LOCKSCOPE_BENCH_CHILD_PROCESS_H_
