#include "tests/interpose/run_program.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>

#include "gtest/gtest.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"
#include "tests/viewer/json_checker.h"

#ifndef LOCKSCOPE_CLI_PATH
#error "LOCKSCOPE_CLI_PATH must name the lockscope binary"
#endif

namespace lockscope::interpose_test {
namespace {

using ::lockscope::testing::ChildOptions;
using ::lockscope::testing::ChildResult;
using viewer::test_traces::Json;
using viewer::test_traces::ParseJson;

// Runs `lockscope ARGS` with stdin from `input`, in an environment of PATH
// and `env`, killed after timeout_s seconds.
ChildResult Run(const std::vector<std::string>& args,
                const std::vector<std::string>& env, const std::string& input,
                int timeout_s) {
  std::vector<std::string> argv = {LOCKSCOPE_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildOptions options;
  options.clear_env = true;
  options.env = {"PATH=/usr/bin:/bin"};
  options.env.insert(options.env.end(), env.begin(), env.end());
  options.timeout_seconds = timeout_s;
  if (!input.empty()) {
    options.stdin_path = ::lockscope::testing::TempPath("stdin");
    EXPECT_TRUE(::lockscope::testing::WriteFile(options.stdin_path, input))
        << "cannot write " << options.stdin_path;
  }
  const ChildResult run = ::lockscope::testing::RunChild(argv, options);
  EXPECT_EQ(run.error, "");
  return run;
}

std::unique_ptr<Json> JsonOf(const ChildResult& run, const std::string& what) {
  std::string error;
  std::unique_ptr<Json> json = ParseJson(run.out, &error);
  if (json == nullptr) {
    ADD_FAILURE() << what << ": not JSON (" << error
                  << "); stderr: " << run.err;
  }
  return json;
}

}  // namespace

std::string MakeRunDir() {
  const std::string dir = ::lockscope::testing::TempPath("run");
  if (mkdir(dir.c_str(), 0700) != 0) {
    ADD_FAILURE() << "mkdir " << dir << ": " << std::strerror(errno);
  }
  return dir;
}

Outcome RunUnderLockscope(const std::string& dir,
                          const std::vector<std::string>& argv,
                          const std::string& options, const std::string& input,
                          int timeout_s) {
  std::string all_options = "--options=trace=" + dir + "/t.%p.lstrace";
  if (!options.empty()) all_options += ":" + options;
  std::vector<std::string> args = {"run", all_options, "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  Outcome outcome;
  static_cast<ChildResult&>(outcome) = Run(args, {}, input, timeout_s);
  outcome.traces = ::lockscope::testing::FilesIn(dir, ".lstrace");
  return outcome;
}

ChildResult RunCli(const std::vector<std::string>& args,
                   const std::vector<std::string>& env, int timeout_s) {
  const ChildResult run = Run(args, env, "", timeout_s);
  EXPECT_FALSE(run.timed_out) << "lockscope hung; stderr: " << run.err;
  return run;
}

std::vector<Finding> FindingsOf(const std::string& trace) {
  std::vector<Finding> findings;
  const ChildResult run = RunCli({"check", "--format=json", trace});
  EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1)
      << "lockscope check " << trace << ": " << run.err;
  const std::unique_ptr<Json> json = JsonOf(run, "lockscope check " + trace);
  if (json == nullptr || json->Get("findings") == nullptr) return findings;
  for (const Json& f : json->Get("findings")->array) {
    Finding finding;
    if (const Json* kind = f.Get("kind")) finding.kind = kind->string;
    if (const Json* failing = f.Get("failing"))
      finding.failing = failing->boolean;
    if (const Json* summary = f.Get("summary"))
      finding.summary = summary->string;
    if (const Json* locks = f.Get("locks")) {
      for (const Json& lock : locks->array) {
        if (const Json* name = lock.Get("name"))
          finding.locks.insert(name->string);
      }
    }
    findings.push_back(finding);
  }
  return findings;
}

std::set<std::pair<std::string, std::string>> EdgesOf(
    const std::string& trace) {
  std::set<std::pair<std::string, std::string>> edges;
  const ChildResult run = RunCli({"graph", "--format=json", trace});
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

long SummaryCount(const std::string& trace, const std::string& label) {
  const ChildResult run = RunCli({"summary", trace});
  EXPECT_EQ(run.exit_code, 0)
      << "lockscope summary " << trace << ": " << run.err;
  std::istringstream lines(run.out);
  std::string line;
  const std::string key = label + ":";
  while (std::getline(lines, line)) {
    const size_t at = line.find(key);
    if (at == std::string::npos) continue;
    return std::strtol(line.c_str() + at + key.size(), nullptr, 10);
  }
  ADD_FAILURE() << "lockscope summary " << trace << " has no '" << key
                << "' line:\n"
                << run.out;
  return -1;
}

std::set<std::string> RingNames(int n) {
  std::set<std::string> names;
  for (int i = 0; i < n; ++i) names.insert("ring[" + std::to_string(i) + "]");
  return names;
}

}  // namespace lockscope::interpose_test
