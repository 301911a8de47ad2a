#include "tests/interpose/run_program.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "gtest/gtest.h"
#include "tests/viewer/json_checker.h"

#ifndef LOCKSCOPE_CLI_PATH
#error "LOCKSCOPE_CLI_PATH must name the lockscope binary"
#endif

namespace lockscope::interpose_test {
namespace {

using viewer::test_traces::Json;
using viewer::test_traces::ParseJson;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> TracesIn(const std::string& dir) {
  std::vector<std::string> traces;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return traces;
  while (dirent* entry = readdir(d)) {
    const std::string name = entry->d_name;
    const std::string suffix = ".lstrace";
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) ==
            0) {
      traces.push_back(dir + "/" + name);
    }
  }
  closedir(d);
  std::sort(traces.begin(), traces.end());
  return traces;
}

// Runs argv (argv[0] a path) with stdin from `input`, stdout and stderr
// captured, in its own process group, killed after timeout_s seconds.
Outcome Spawn(const std::string& dir, const std::vector<std::string>& argv,
              const std::string& input, int timeout_s) {
  static int serial = 0;
  const std::string base = dir + "/io." + std::to_string(serial++);
  const std::string in_path = base + ".in", out_path = base + ".out",
                    err_path = base + ".err";
  WriteFile(in_path, input);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_ptrs;
  for (std::string& a : args) arg_ptrs.push_back(a.data());
  arg_ptrs.push_back(nullptr);
  std::string path_env = "PATH=/usr/bin:/bin";
  char* env[] = {path_env.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in_path.c_str(),
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, arg_ptrs[0], &actions, &attr,
                             arg_ptrs.data(), env);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  Outcome outcome;
  if (rc != 0) {
    ADD_FAILURE() << "cannot run " << argv[0] << ": " << std::strerror(rc);
    return outcome;
  }
  // A hung child must fail the test, not hang it: poll for its exit.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      ADD_FAILURE() << "waitpid: " << std::strerror(errno);
      return outcome;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      outcome.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    const timespec poll_interval = {0, 2000000};
    nanosleep(&poll_interval, nullptr);
  }
  kill(-pid, SIGKILL);  // anything the run left behind in its group
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.term_signal = WTERMSIG(status);
  }
  outcome.out = ReadFile(out_path);
  outcome.err = ReadFile(err_path);
  unlink(in_path.c_str());
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  outcome.traces = TracesIn(dir);
  return outcome;
}

std::unique_ptr<Json> JsonOf(const Outcome& run, const std::string& what) {
  std::string error;
  std::unique_ptr<Json> json = ParseJson(run.out, &error);
  if (json == nullptr) {
    ADD_FAILURE() << what << ": not JSON (" << error << "); stderr: "
                  << run.err;
  }
  return json;
}

}  // namespace

ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
      "/lockscope-interpose.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << pattern << ": " << std::strerror(errno);
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  DIR* d = opendir(path_.c_str());
  if (d == nullptr) return;
  while (dirent* entry = readdir(d)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") unlink((path_ + "/" + name).c_str());
  }
  closedir(d);
  rmdir(path_.c_str());
}

Outcome RunUnderLockscope(const ScratchDir& dir,
                          const std::vector<std::string>& argv,
                          const std::string& options,
                          const std::string& input, int timeout_s) {
  std::string all_options = "--options=trace=" + dir.path() + "/t.%p.lstrace";
  if (!options.empty()) all_options += ":" + options;
  std::vector<std::string> args = {LOCKSCOPE_CLI_PATH, "run", all_options,
                                   "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  return Spawn(dir.path(), args, input, timeout_s);
}

Outcome RunCli(const ScratchDir& dir, const std::vector<std::string>& args,
               int timeout_s) {
  std::vector<std::string> all = {LOCKSCOPE_CLI_PATH};
  all.insert(all.end(), args.begin(), args.end());
  return Spawn(dir.path(), all, "", timeout_s);
}

std::vector<Finding> FindingsOf(const ScratchDir& dir,
                                const std::string& trace) {
  std::vector<Finding> findings;
  const Outcome run = RunCli(dir, {"check", "--format=json", trace});
  EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1)
      << "lockscope check " << trace << ": " << run.err;
  const std::unique_ptr<Json> json = JsonOf(run, "lockscope check " + trace);
  if (json == nullptr || json->Get("findings") == nullptr) return findings;
  for (const Json& f : json->Get("findings")->array) {
    Finding finding;
    if (const Json* kind = f.Get("kind")) finding.kind = kind->string;
    if (const Json* failing = f.Get("failing")) finding.failing = failing->boolean;
    if (const Json* summary = f.Get("summary")) finding.summary = summary->string;
    if (const Json* locks = f.Get("locks")) {
      for (const Json& lock : locks->array) {
        if (const Json* name = lock.Get("name")) finding.locks.insert(name->string);
      }
    }
    findings.push_back(finding);
  }
  return findings;
}

std::set<std::pair<std::string, std::string>> EdgesOf(
    const ScratchDir& dir, const std::string& trace) {
  std::set<std::pair<std::string, std::string>> edges;
  const Outcome run = RunCli(dir, {"graph", "--format=json", trace});
  EXPECT_EQ(run.exit_code, 0) << "lockscope graph " << trace << ": " << run.err;
  const std::unique_ptr<Json> json = JsonOf(run, "lockscope graph " + trace);
  if (json == nullptr || json->Get("edges") == nullptr) return edges;
  for (const Json& e : json->Get("edges")->array) {
    const Json* from = e.Get("from");
    const Json* to = e.Get("to");
    if (from != nullptr && to != nullptr) {
      edges.emplace(from->string, to->string);
    }
  }
  return edges;
}

long SummaryCount(const ScratchDir& dir, const std::string& trace,
                  const std::string& label) {
  const Outcome run = RunCli(dir, {"summary", trace});
  EXPECT_EQ(run.exit_code, 0) << "lockscope summary " << trace << ": "
                              << run.err;
  std::istringstream lines(run.out);
  std::string line;
  const std::string key = label + ":";
  while (std::getline(lines, line)) {
    const size_t at = line.find(key);
    if (at == std::string::npos) continue;
    return std::strtol(line.c_str() + at + key.size(), nullptr, 10);
  }
  ADD_FAILURE() << "lockscope summary " << trace << " has no '" << key
                << "' line:\n" << run.out;
  return -1;
}

std::set<std::string> RingNames(int n) {
  std::set<std::string> names;
  for (int i = 0; i < n; ++i) names.insert("ring[" + std::to_string(i) + "]");
  return names;
}

}  // namespace lockscope::interpose_test
