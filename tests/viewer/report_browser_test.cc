// `lockscope report` pages opened in headless Chromium: the demo's trace
// and a merge of 300 traces. For each page: the script ran to its end with
// no error (the page marks <body data-js="ok">; Chromium's console log has
// no "Uncaught"), every finding's element, the graph's SVG and a
// highlighted cycle edge are in the DOM Chromium dumps, and a screenshot is
// written under the build directory (LOCKSCOPE_REPORT_ARTIFACTS).
//
// Chromium missing is a failure, not a skip: scripts/setup.sh installs the
// Debian package "chromium".
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/viewer/json_checker.h"
#include "tests/viewer/test_traces.h"

#ifndef LOCKSCOPE_CLI_PATH
#error "LOCKSCOPE_CLI_PATH must name the lockscope binary"
#endif
#ifndef LOCKSCOPE_DEMO_PATH
#error "LOCKSCOPE_DEMO_PATH must name the demo program"
#endif
#ifndef LOCKSCOPE_REPORT_ARTIFACTS
#error "LOCKSCOPE_REPORT_ARTIFACTS must name a directory in the build tree"
#endif

namespace lockscope::viewer::test_traces {
namespace {

using collector::EventType;
using collector::ObjectId;
using collector::ThreadId;
using ::lockscope::testing::ChildOptions;
using ::lockscope::testing::ChildResult;
using ::lockscope::testing::RunChild;
using ::testing::HasSubstr;
using ::testing::Not;

std::string FindChromium() {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      const std::string candidate = std::string(dir) + "/" + name;
      if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) {
        return candidate;
      }
    }
  }
  return "";
}

ChildResult Chromium(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {FindChromium(),
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--no-first-run",
                                   "--user-data-dir=" + TempPath("chromium"),
                                   "--enable-logging=stderr",
                                   "--v=0"};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildOptions options;
  options.env = {"HOME=" + TempPath("home")};
  options.timeout_seconds = 50;
  return RunChild(argv, options);
}

ChildResult Lockscope(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {LOCKSCOPE_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildOptions options;
  options.env = {"LOCKSCOPE_OPTIONS=trace=off"};
  options.timeout_seconds = 120;
  return RunChild(argv, options);
}

// The number of findings `lockscope check --format=json` reports.
size_t FindingCount(const std::vector<std::string>& traces) {
  std::vector<std::string> args = {"check", "--format=json"};
  args.insert(args.end(), traces.begin(), traces.end());
  const ChildResult check = Lockscope(args);
  std::string error;
  const std::unique_ptr<Json> json = ParseJson(check.out, &error);
  EXPECT_NE(json, nullptr) << error << "\n" << check.err;
  if (json == nullptr || json->Get("findings") == nullptr) return 0;
  return json->Get("findings")->array.size();
}

// Makes the report of `traces` as `name`.html, opens it in Chromium and
// checks it; the screenshot is `name`.png.
// `inputs` are the report's arguments, `traces` the files they name;
// `layout` its --layout.
void CheckInBrowser(const std::string& name,
                    const std::vector<std::string>& inputs,
                    const std::vector<std::string>& traces,
                    const std::string& layout) {
  const std::string chromium = FindChromium();
  ASSERT_FALSE(chromium.empty())
      << "chromium is not on PATH: this test opens the report in headless "
         "Chromium; scripts/setup.sh installs the Debian package 'chromium'";
  const std::string dir = LOCKSCOPE_REPORT_ARTIFACTS;
  mkdir(dir.c_str(), 0755);
  const std::string html = dir + "/" + name + ".html";
  const std::string png = dir + "/" + name + ".png";
  unlink(png.c_str());
  std::vector<std::string> args = {"report", "-o", html};
  args.push_back("--layout=" + layout);
  args.insert(args.end(), inputs.begin(), inputs.end());
  const ChildResult report = Lockscope(args);
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const size_t findings = FindingCount(traces);
  ASSERT_GT(findings, 0u);

  const ChildResult dom = Chromium({"--dump-dom", "file://" + html});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  // Chromium logs every console message as ":CONSOLE"; the page writes
  // none, and an uncaught exception would be one.
  EXPECT_THAT(dom.err, Not(HasSubstr("Uncaught"))) << dom.err;
  EXPECT_THAT(dom.err, Not(HasSubstr(":CONSOLE"))) << dom.err;
  // The body's attributes as the script left them.
  EXPECT_THAT(dom.out, ::testing::ContainsRegex("<body data-js=\"ok\">"))
      << dom.err;
  EXPECT_THAT(dom.out, Not(::testing::ContainsRegex("<body[^>]*data-js-errors")));
  for (size_t i = 1; i <= findings; ++i) {
    EXPECT_THAT(dom.out, HasSubstr("id=\"finding-" + std::to_string(i) + "\""));
  }
  EXPECT_THAT(dom.out, Not(HasSubstr(
                           "id=\"finding-" + std::to_string(findings + 1))));
  EXPECT_THAT(dom.out, HasSubstr("<div class=\"graph\"><svg"));
  EXPECT_THAT(dom.out, ::testing::ContainsRegex(
                           "<g [^>]*class=\"edge cycle-edge cycle-fail"));
  EXPECT_THAT(dom.out, HasSubstr("<table class=\"sortable\""));

  const ChildResult shot = Chromium(
      {"--screenshot=" + png, "--window-size=1280,2400", "file://" + html});
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  EXPECT_THAT(shot.err, Not(HasSubstr("Uncaught"))) << shot.err;
  const std::string image = ReadFile(png);
  ASSERT_GT(image.size(), 1000u) << png;
  EXPECT_EQ(image.substr(1, 3), "PNG");
}

// The values of the contention table's "acquired" column after clicking
// its header `clicks` times: a copy of the page with a script appended that
// clicks and writes the column into <body data-order="...">.
std::vector<double> AcquiredAfterClicks(const std::string& html, int clicks) {
  std::string page = ReadFile(html);
  const size_t end = page.rfind("</body>");
  EXPECT_NE(end, std::string::npos);
  if (end == std::string::npos) return {};
  page.insert(end,
              "<script>var th=document.querySelectorAll('#contention th');"
              "for(var i=0;i<" + std::to_string(clicks) + ";i++)th[2].click();"
              "document.body.setAttribute('data-order',Array.prototype.map."
              "call(document.querySelectorAll('#contention tbody tr'),"
              "function(r){return r.cells[2].getAttribute('data-sort')})"
              ".join(' '));</script>");
  const std::string copy = TempPath("sorted.html");
  EXPECT_TRUE(WriteFile(copy, page));
  const ChildResult dom = Chromium({"--dump-dom", "file://" + copy});
  const size_t at = dom.out.find("data-order=\"");
  EXPECT_NE(at, std::string::npos) << dom.err;
  if (at == std::string::npos) return {};
  const size_t start = at + 12;
  std::vector<double> values;
  for (absl::string_view v : absl::StrSplit(
           dom.out.substr(start, dom.out.find('"', start) - start), ' ',
           absl::SkipEmpty())) {
    values.push_back(std::stod(std::string(v)));
  }
  return values;
}

TEST(ReportBrowserTest, DemoTrace) {
  const std::string trace = TempPath("demo.lstrace");
  ChildOptions options;
  options.env = {"LOCKSCOPE_OPTIONS=trace=" + trace};
  options.discard_stdout = true;
  options.discard_stderr = true;
  options.timeout_seconds = 120;
  const ChildResult demo = RunChild({LOCKSCOPE_DEMO_PATH}, options);
  ASSERT_GE(demo.exit_code, 0) << demo.error;
  CheckInBrowser("demo", {trace}, {trace}, "dot");
  // The contention table sorts on a header click: descending, then
  // ascending.
  const std::string html = std::string(LOCKSCOPE_REPORT_ARTIFACTS) + "/demo.html";
  const std::vector<double> down = AcquiredAfterClicks(html, 1);
  const std::vector<double> up = AcquiredAfterClicks(html, 2);
  ASSERT_GE(down.size(), 2u);
  EXPECT_TRUE(std::is_sorted(down.rbegin(), down.rend()));
  EXPECT_TRUE(std::is_sorted(up.begin(), up.end()));
  EXPECT_NE(down, up);
}

// 300 small traces (given as their directory, laid out by the built-in
// layout, where the demo's page uses dot), one test process each: half
// take left -> right, half right -> left, so the merge has a cross-process cycle; each has a thread
// with a few waits and holds for the timeline.
TEST(ReportBrowserTest, MergeOf300Traces) {
  const std::string dir = TempPath("fleet");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  std::vector<std::string> paths;
  for (int i = 0; i < 300; ++i) {
    const std::string path = dir + "/test-" + std::to_string(1000 + i) + ".lstrace";
    paths.push_back(path);
    TraceBuilder b(path, 1000 + i, "contended");
    const ThreadId thread = b.Thread(i % 2 == 0 ? "producer" : "consumer");
    const ObjectId left = b.Mutex("left", 31);
    const ObjectId right = b.Mutex("right", 32);
    const ObjectId own = b.Mutex("pool-" + std::to_string(i % 7), 40 + i % 7);
    const auto stack = b.Stack({{i % 2 == 0 ? "Produce" : "Consume",
                                 "src/fleet.cc", 10u + i % 2}});
    if (i % 2 == 0) {
      b.Edge(left, right, thread, stack, stack);
    } else {
      b.Edge(right, left, thread, stack, stack);
    }
    b.Edge(own, left, thread, stack, stack);
    const int64_t t = 1000 * i;
    b.Events(thread, {Ev(t, own, EventType::kAcquireWait),
                      Ev(t + 200, own, EventType::kAcquired),
                      Ev(t + 900, own, EventType::kReleased)});
    b.End(1000 * i + 1000);
  }
  CheckInBrowser("merge300", {dir}, paths, "builtin");
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
