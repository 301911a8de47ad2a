// The HTML report's generator, in-process: escaping of hostile trace
// contents, self-containment, the graph (both layouts) and its highlighted
// cycles, the timeline's bounded buckets, source lines.
#include <cctype>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "viewer/html_report.h"
#include "viewer/html_source.h"
#include "viewer/html_svg_graph.h"
#include "viewer/html_timeline.h"
#include "tests/viewer/test_traces.h"

namespace lockscope::viewer {
namespace {

using collector::EventType;
using collector::FindingKind;
using collector::ObjectId;
using collector::StackId;
using collector::ThreadId;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace test_traces;

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

struct Built {
  std::vector<collector::TraceData> traces;
  std::unique_ptr<Analysis> analysis;
  std::vector<Verdict> verdicts;
  std::string html;
  std::string graph_svg;
};

// The report of `paths`, as `lockscope report` makes it, with `layout`.
Built BuildReport(const std::vector<std::string>& paths, GraphLayout layout,
                  const std::vector<std::string>& source_roots = {""}) {
  Built built;
  Timeline timeline;
  for (size_t i = 0; i < paths.size(); ++i) {
    auto data = LoadOne(paths[i], {}, [&](const collector::TraceEvent& e) {
      timeline.Add(i, e);
    });
    EXPECT_TRUE(data.ok()) << data.status();
    if (data.ok()) built.traces.push_back(*std::move(data));
  }
  built.analysis = std::make_unique<Analysis>(Analysis::Build(built.traces));
  built.verdicts = Judge(*built.analysis, nullptr, {});
  auto svg = RenderGraphSvg(BuildSvgGraph(*built.analysis, built.verdicts),
                            layout);
  EXPECT_TRUE(svg.ok()) << svg.status();
  SourceLines sources(source_roots);
  HtmlReportInput input;
  input.traces = &built.traces;
  input.analysis = built.analysis.get();
  input.verdicts = &built.verdicts;
  if (svg.ok()) {
    input.graph_svg = svg->svg;
    input.graph_layout = svg->layout;
    built.graph_svg = svg->svg;
  }
  input.timeline_html = timeline.Render(built.traces, *built.analysis);
  input.sources = &sources;
  built.html = RenderHtmlReport(input);
  return built;
}

// A trace whose every name is an attack on the page.
std::string HostileTrace() {
  const std::string path = TempPath("hostile.lstrace");
  TraceBuilder b(path, 7);
  const ThreadId t1 = b.Thread("<img src=x onerror=alert(1)>");
  const ThreadId t2 = b.Thread("</title><script>alert(2)</script>");
  const ObjectId a = b.Mutex("<script>alert(3)</script>", 1);
  const ObjectId c = b.Object("\"><a href=\"http://evil.example/\">x</a>",
                              collector::ObjectKind::kMutex,
                              "<svg onload=alert(4)>.cc", 2);
  const StackId s = b.Stack({{"</pre><script>alert(5)</script>",
                              "https://evil.example/x.cc", 3},
                             {"main' onclick='alert(6)", "src/\x1b[31mred.cc", 4}});
  b.Edge(a, c, t1, s, s);
  b.Edge(c, a, t2, s, s);
  collector::Finding finding;
  finding.kind = FindingKind::kLockOrderCycle;
  finding.severity = collector::Severity::kError;
  finding.objects = {a, c};
  finding.threads = {t1, t2};
  finding.edges = {{a, c, t1, s, s}, {c, a, t2, s, s}};
  finding.message = "<b>bold</b> & <i>more</i>";
  b.Finding(finding);
  b.Events(t1, {Ev(10, a, EventType::kAcquireWait), Ev(20, a, EventType::kAcquired),
                Ev(90, a, EventType::kReleased)});
  b.End(100);
  return path;
}

// Whether some src/href/xlink:href/action/data attribute of `html` names a
// network resource ("//host", "http://", "https://"), case-insensitively.
// (Scanned by hand: std::regex trips g++ 12's -Wmaybe-uninitialized under
// the sanitizer build.)
bool NamesRemoteResource(const std::string& html) {
  std::string lower = html;
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  auto skip_blanks = [&lower](size_t at) {
    while (at < lower.size() &&
           std::isspace(static_cast<unsigned char>(lower[at]))) {
      ++at;
    }
    return at;
  };
  for (const std::string attribute : {"src", "href", "action", "data"}) {
    for (size_t at = lower.find(attribute); at != std::string::npos;
         at = lower.find(attribute, at + 1)) {
      size_t p = skip_blanks(at + attribute.size());
      if (p >= lower.size() || lower[p] != '=') continue;
      p = skip_blanks(p + 1);
      if (p < lower.size() && (lower[p] == '"' || lower[p] == '\'')) ++p;
      p = skip_blanks(p);
      const std::string rest = lower.substr(p, 8);
      if (rest.rfind("//", 0) == 0 || rest.rfind("http://", 0) == 0 ||
          rest.rfind("https://", 0) == 0) {
        return true;
      }
    }
  }
  return false;
}

TEST(HtmlSelfContained, TheScannerSeesRemoteResources) {
  EXPECT_TRUE(NamesRemoteResource("<img SRC = 'HTTPS://x/y.png'>"));
  EXPECT_TRUE(NamesRemoteResource("<use xlink:href=\"//cdn/x\">"));
  EXPECT_FALSE(NamesRemoteResource("<a href=\"#finding-1\">"));
}

// No resource the page names may come from the network.
void ExpectSelfContained(const std::string& html) {
  EXPECT_FALSE(NamesRemoteResource(html));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(http")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("<iframe")));
}

TEST(HtmlEscape, EscapesMarkupAndControls) {
  EXPECT_EQ(HtmlEscape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &apos;b&apos;&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("a\x1b[31mb"), "a [31mb");
  EXPECT_EQ(HtmlEscape("\xff"), "&#xFFFD;");
}

TEST(HtmlReport, HostileNamesAreEscaped) {
  for (GraphLayout layout : {GraphLayout::kBuiltin, GraphLayout::kDot}) {
    const Built built = BuildReport({HostileTrace()}, layout);
    const std::string& html = built.html;
    // The page's own script is the only one.
    EXPECT_EQ(Count(html, "<script"), 1u);
    EXPECT_THAT(html, Not(HasSubstr("<img")));
    EXPECT_THAT(html, Not(HasSubstr("<a href")));
    EXPECT_THAT(html, Not(HasSubstr("<svg onload")));
    EXPECT_THAT(html, Not(HasSubstr("<b>bold")));
    EXPECT_THAT(html, Not(HasSubstr("onclick='")));
    EXPECT_THAT(html, Not(HasSubstr("\x1b")));
    EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(3)&lt;/script&gt;"));
    EXPECT_THAT(html, HasSubstr("&lt;b&gt;bold&lt;/b&gt; &amp;"));
    ExpectSelfContained(html);
    // The cycle is still drawn and highlighted.
    EXPECT_EQ(Count(built.graph_svg, "class=\"edge cycle-edge cycle-fail f-1"),
              2u)
        << built.graph_svg;
  }
}

TEST(HtmlReport, BankTraceHasEverySection) {
  const std::string path = TempPath("bank.lstrace");
  WriteBankTrace(path);
  const Built built = BuildReport({path}, GraphLayout::kBuiltin);
  const std::string& html = built.html;
  ASSERT_FALSE(built.verdicts.empty());
  for (size_t i = 1; i <= built.verdicts.size(); ++i) {
    EXPECT_THAT(html, HasSubstr("id=\"finding-" + std::to_string(i) + "\""));
  }
  EXPECT_THAT(html, HasSubstr("<div class=\"verdict failed\""));
  EXPECT_THAT(html, HasSubstr("lockscope check: FAILED"));
  EXPECT_THAT(html, HasSubstr("<details"));
  EXPECT_THAT(html, HasSubstr("data-layout=\"built-in\""));
  EXPECT_THAT(html, HasSubstr("class=\"sortable\" id=\"contention\""));
  EXPECT_THAT(html, HasSubstr("class=\"timeline-svg\""));
  // The unguarded cycle fails (red); the guarded one passes (yellow).
  EXPECT_THAT(html, HasSubstr("cycle-edge cycle-fail"));
  EXPECT_THAT(html, HasSubstr("cycle-edge cycle-pass"));
  ExpectSelfContained(html);
}

TEST(HtmlReport, SourceLinesAroundFrames) {
  const std::string dir = ::lockscope::testing::TempDir();
  ASSERT_EQ(system(("mkdir -p " + dir + "/src").c_str()), 0);
  std::string text;
  for (int i = 1; i <= 100; ++i) {
    text += "line " + std::to_string(i) + (i == 42 ? " <Transfer>" : "") + "\n";
  }
  ASSERT_TRUE(WriteFile(dir + "/src/bank.cc", text));
  const std::string path = TempPath("bank.lstrace");
  WriteBankTrace(path);
  const Built built = BuildReport({path}, GraphLayout::kBuiltin, {dir});
  // Three lines either side of the frame's line, which is marked.
  EXPECT_THAT(built.html,
              HasSubstr("<span class=\"site\">src/bank.cc:42</span>"
                        "<pre class=\"src\">   39  line 39\n   40  line 40\n"
                        "   41  line 41\n<span class=\"hit\">   42  line 42 "
                        "&lt;Transfer&gt;</span>\n   43  line 43\n"
                        "   44  line 44\n   45  line 45\n</pre>"));
  // Without the file, no source.
  const Built elsewhere = BuildReport({path}, GraphLayout::kBuiltin, {"/nonexistent"});
  EXPECT_THAT(elsewhere.html, Not(HasSubstr("<pre class=\"src\">")));
}

TEST(SourceLines, ReadsOnlySourceFiles) {
  const std::string secret = TempPath("secret.txt");
  ASSERT_TRUE(WriteFile(secret, "a\nb\nc\n"));
  SourceLines sources({""});
  EXPECT_TRUE(sources.Around(secret, 2, 3).lines.empty());
  EXPECT_TRUE(sources.Around("/etc", 1, 3).lines.empty());
  const std::string code = TempPath("x.cc");
  ASSERT_TRUE(WriteFile(code, "1\n2\n3\n4\n5\n"));
  const SourceLines::Snippet snippet = sources.Around(code, 1, 3);
  EXPECT_EQ(snippet.first, 1u);
  EXPECT_EQ(snippet.lines, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_TRUE(sources.Around(code, 99, 3).lines.empty());
  EXPECT_FALSE(SourceLines::IsSourcePath("notes.txt"));
  EXPECT_FALSE(SourceLines::IsSourcePath("dir.cc/file"));
  EXPECT_TRUE(SourceLines::IsSourcePath("a/b.hpp"));
}

SvgGraph ThreeCycle() {
  SvgGraph graph;
  for (const char* name : {"a", "b", "c", "d"}) {
    graph.nodes.push_back({name, "mutex", name});
  }
  graph.edges.push_back({0, 1, "cycle-edge cycle-fail f-1", "", "a->b"});
  graph.edges.push_back({1, 2, "cycle-edge cycle-fail f-1", "x2", "b->c"});
  graph.edges.push_back({2, 0, "cycle-edge cycle-fail f-1", "", "c->a"});
  graph.edges.push_back({2, 3, "", "", "c->d"});
  graph.edges.push_back({3, 3, "", "", "d->d"});
  return graph;
}

TEST(GraphSvg, BuiltinLayoutDrawsEveryEdge) {
  const std::string svg = BuiltinGraphSvg(ThreeCycle());
  EXPECT_EQ(Count(svg, "<g class=\"edge"), 5u);
  EXPECT_EQ(Count(svg, "<g class=\"edge cycle-edge cycle-fail f-1\">"), 3u);
  EXPECT_EQ(Count(svg, "<g class=\"node\">"), 4u);
  EXPECT_THAT(svg, HasSubstr("x2"));
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
  EXPECT_EQ(BuiltinGraphSvg(SvgGraph{}).substr(0, 4), "<svg");
}

TEST(GraphSvg, DotLayoutKeepsTheHighlight) {
  const std::string dot = FindDot();
  ASSERT_FALSE(dot.empty())
      << "Graphviz 'dot' is not on PATH; scripts/setup.sh installs graphviz";
  auto svg = DotGraphSvg(ThreeCycle(), dot);
  ASSERT_TRUE(svg.ok()) << svg.status();
  EXPECT_EQ(svg->substr(0, 4), "<svg");
  EXPECT_EQ(Count(*svg, "class=\"edge cycle-edge cycle-fail f-1\""), 3u) << *svg;
  EXPECT_THAT(*svg, Not(HasSubstr("<?xml")));
  EXPECT_THAT(*svg, Not(HasSubstr("<!DOCTYPE")));
  // A dot that is not Graphviz fails, and auto falls back.
  EXPECT_FALSE(DotGraphSvg(ThreeCycle(), "/bin/false").ok());
}

TEST(Timeline, BucketsStayBoundedAndDrawWaitsAndHolds) {
  Timeline timeline;
  collector::TraceEvent event;
  // 200k events over a range that forces many bucket doublings, plus
  // hostile times (backwards, far future).
  int64_t t = 1'000;
  for (int i = 0; i < 50'000; ++i) {
    for (EventType type : {EventType::kAcquireWait, EventType::kAcquired,
                           EventType::kReleased, EventType::kBorrow}) {
      event.thread = 1 + (i % 3);
      event.event.time_ns = t;
      event.event.type = type;
      event.event.object = 1;
      timeline.Add(0, event);
      t += 1 + i;
    }
  }
  event.event.time_ns = -5;
  timeline.Add(0, event);
  event.thread = 9;
  event.event.time_ns = std::numeric_limits<int64_t>::max();
  timeline.Add(0, event);
  event.event.time_ns = std::numeric_limits<int64_t>::min();
  timeline.Add(0, event);
  EXPECT_EQ(timeline.events(), 200'003u);

  std::vector<collector::TraceData> traces(1);
  traces[0].path = "t.lstrace";
  collector::TraceData& trace = traces[0];
  for (ThreadId id : {1u, 2u, 3u, 9u}) trace.threads[id] = {id, 0, "w" + std::to_string(id)};
  const Analysis analysis = Analysis::Build(traces);
  const std::string html = timeline.Render(traces, analysis);
  EXPECT_THAT(html, HasSubstr("class=\"hold\""));
  EXPECT_THAT(html, HasSubstr("class=\"wait\""));
  EXPECT_THAT(html, HasSubstr("class=\"ev\""));
  EXPECT_EQ(Count(html, "<g class=\"lane\">"), 4u);
  EXPECT_THAT(html, HasSubstr("200003 events, 4 threads"));
  // At most one run per column per band and level: the size is bounded by
  // lanes x columns, not by events.
  EXPECT_LT(html.size(), 4u * 3 * Timeline::kColumns * 40);
}

TEST(Timeline, NoEventsNoSection) {
  Timeline timeline;
  std::vector<collector::TraceData> traces(1);
  EXPECT_EQ(timeline.Render(traces, Analysis::Build(traces)), "");
}

}  // namespace
}  // namespace lockscope::viewer
