// viewer/html_graph_dot.cc — the report's graph laid out by Graphviz: a DOT
// text with escaped strings goes to `dot -Tsvg` (a child process with a
// time limit); the SVG that comes back is checked and trimmed to its <svg>
// element.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "collector/trace/output_file.h"
#include "viewer/html_svg_graph.h"
#include "viewer/output.h"

extern char** environ;

namespace lockscope::viewer {
namespace {

// dot's SVG beyond this is not embedded (the built-in layout is used).
constexpr size_t kMaxDotOutput = 64u << 20;

// A DOT string literal of one line of untrusted text.
std::string DotString(std::string_view text) {
  std::string out = "\"";
  for (char c : OneLine(text)) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string DotText(const SvgGraph& graph) {
  std::string out =
      "digraph lockscope {\n  rankdir=LR;\n"
      "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f6f8fa\", "
      "fontname=\"monospace\", fontsize=11];\n"
      "  edge [fontname=\"monospace\", fontsize=10];\n";
  // Node ids are the labels (dot shows them as the <title> tooltip); a
  // repeated label gets its index appended.
  std::vector<std::string> ids;
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    std::string id = graph.nodes[i].label;
    if (!seen.insert(id).second) absl::StrAppend(&id, " [", i, "]");
    ids.push_back(DotString(id));
    std::string label = OneLine(graph.nodes[i].label);
    if (!graph.nodes[i].sublabel.empty()) {
      absl::StrAppend(&label, "\n", OneLine(graph.nodes[i].sublabel));
    }
    std::string escaped = "\"";
    for (char c : label) {
      if (c == '\n') {
        escaped += "\\n";
        continue;
      }
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    escaped.push_back('"');
    absl::StrAppend(&out, "  ", ids.back(), " [label=", escaped, "];\n");
  }
  for (const SvgGraph::Edge& edge : graph.edges) {
    // dot writes class="edge <ours>" itself.
    absl::StrAppend(&out, "  ", ids[edge.from], " -> ", ids[edge.to],
                    " [class=", DotString(edge.classes));
    if (!edge.label.empty()) {
      absl::StrAppend(&out, ", label=", DotString(edge.label));
    }
    if (absl::StrContains(edge.classes, "cycle-fail")) {
      absl::StrAppend(&out, ", color=\"#cf222e\", penwidth=2.5");
    } else if (absl::StrContains(edge.classes, "cycle-pass")) {
      absl::StrAppend(&out, ", color=\"#d4a72c\", style=dashed, penwidth=2.5");
    } else if (absl::StrContains(edge.classes, "cycle-suppressed")) {
      absl::StrAppend(&out, ", color=\"#8c959f\", style=dotted");
    }
    absl::StrAppend(&out, "];\n");
  }
  absl::StrAppend(&out, "}\n");
  return out;
}

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == ':' || c == '_';
}

// The elements and attributes dot's SVG of our graphs uses; anything else
// (a script, a link, an event handler, foreign content) is refused.
bool AllowedElement(absl::string_view name) {
  for (const char* ok : {"svg", "g", "title", "path", "polygon", "polyline",
                         "ellipse", "text", "rect", "tspan"}) {
    if (name == ok) return true;
  }
  return false;
}
bool AllowedAttribute(absl::string_view name) {
  for (const char* ok :
       {"id", "class", "width", "height", "viewBox", "transform", "fill",
        "stroke", "stroke-width", "stroke-dasharray", "fill-opacity",
        "stroke-opacity", "d", "points", "cx", "cy", "rx", "ry", "x", "y",
        "text-anchor", "font-family", "font-size", "font-weight",
        "font-style"}) {
    if (name == ok) return true;
  }
  return false;
}

// The <svg> element of dot's output without comments and namespace
// declarations, or an error when a tag or attribute is not on the allow
// lists above. dot escapes '<', '&' and '"' in text and attribute values,
// so every '<' starts a tag and every '"' delimits a value.
absl::StatusOr<std::string> SanitizeSvg(const std::string& svg) {
  const size_t start = svg.find("<svg");
  const size_t end = svg.rfind("</svg>");
  if (start == std::string::npos || end == std::string::npos || end < start) {
    return absl::DataLossError("dot's output holds no <svg> element");
  }
  const std::string_view in(svg.data() + start, end + 6 - start);
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  auto refuse = [](absl::string_view what) {
    return absl::DataLossError(
        absl::StrCat("dot's SVG holds ", what, "; not embedded"));
  };
  while (i < in.size()) {
    const size_t lt = in.find('<', i);
    out.append(in.substr(i, lt == std::string_view::npos ? in.npos : lt - i));
    if (lt == std::string_view::npos) break;
    if (in.substr(lt, 4) == "<!--") {
      const size_t close = in.find("-->", lt + 4);
      if (close == std::string_view::npos) return refuse("an open comment");
      i = close + 3;
      continue;
    }
    size_t j = lt + 1;
    const bool closing = j < in.size() && in[j] == '/';
    if (closing) ++j;
    const size_t name_start = j;
    while (j < in.size() && IsNameChar(in[j])) ++j;
    const absl::string_view name(in.data() + name_start, j - name_start);
    if (!AllowedElement(name)) {
      return refuse(absl::StrCat("a <", OneLine(std::string_view(
                                               name.data(), name.size())),
                                 "> element"));
    }
    std::string tag = absl::StrCat("<", closing ? "/" : "", name);
    while (true) {
      while (j < in.size() && absl::ascii_isspace(static_cast<unsigned char>(in[j]))) ++j;
      if (j >= in.size()) return refuse("an unterminated tag");
      if (in[j] == '>' || (in[j] == '/' && j + 1 < in.size() && in[j + 1] == '>')) {
        const size_t close = in[j] == '>' ? j + 1 : j + 2;
        tag.append(in.substr(j, close - j));
        j = close;
        break;
      }
      const size_t attr_start = j;
      while (j < in.size() && IsNameChar(in[j])) ++j;
      const absl::string_view attr(in.data() + attr_start, j - attr_start);
      if (attr.empty() || j + 1 >= in.size() || in[j] != '=' || in[j + 1] != '"') {
        return refuse("a malformed attribute");
      }
      const size_t value_end = in.find('"', j + 2);
      if (value_end == std::string_view::npos) return refuse("an open value");
      const std::string_view value = in.substr(j + 2, value_end - j - 2);
      j = value_end + 1;
      if (attr == "xmlns" || attr == "xmlns:xlink") continue;  // not in HTML
      if (!AllowedAttribute(attr)) {
        return refuse(absl::StrCat("an attribute '",
                                   OneLine(std::string_view(attr.data(), attr.size())),
                                   "'"));
      }
      absl::StrAppend(&tag, " ", attr, "=\"", ToAbsl(value), "\"");
    }
    out.append(tag);
    i = j;
  }
  absl::StrReplaceAll({{"&#45;", "-"}}, &out);
  return out;
}

}  // namespace

std::string FindDot() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = absl::StrCat(dir, "/dot");
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

absl::StatusOr<std::string> DotGraphSvg(const SvgGraph& graph,
                                        const std::string& dot_path,
                                        int timeout_seconds) {
  // The DOT text goes through a scratch file (stdin), so that no write to
  // dot can block while dot blocks writing to us.
  const char* tmpdir = std::getenv("TMPDIR");
  std::string scratch = absl::StrCat(
      tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp",
      "/lockscope-report-XXXXXX");
  const int in_fd = mkstemp(scratch.data());
  if (in_fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot make a scratch file for dot: ", std::strerror(errno)));
  }
  unlink(scratch.c_str());
  absl::Status written = collector::WriteAll(in_fd, DotText(graph), scratch);
  if (!written.ok() || lseek(in_fd, 0, SEEK_SET) != 0) {
    close(in_fd);
    return absl::UnavailableError("cannot write the scratch file for dot");
  }
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    close(in_fd);
    return absl::UnavailableError("cannot make a pipe for dot");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  std::string arg0 = dot_path, arg1 = "-Tsvg";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  const int spawned =
      posix_spawn(&pid, dot_path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_fd);
  close(out_pipe[1]);
  if (spawned != 0) {
    close(out_pipe[0]);
    return absl::UnavailableError(absl::StrCat(
        "cannot run ", dot_path, ": ", std::strerror(spawned)));
  }
  std::string svg;
  bool timed_out = false, too_large = false;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::seconds(timeout_seconds);
  char buffer[1 << 16];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fd{out_pipe[0], POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline check above ends it
    const ssize_t n = read(out_pipe[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    svg.append(buffer, static_cast<size_t>(n));
    if (svg.size() > kMaxDotOutput) {
      too_large = true;
      break;
    }
  }
  close(out_pipe[0]);
  if (timed_out || too_large) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return absl::DeadlineExceededError(
        absl::StrCat(dot_path, " did not finish in ", timeout_seconds, " s"));
  }
  if (too_large) {
    return absl::ResourceExhaustedError(
        absl::StrCat(dot_path, " wrote more than 64 MiB of SVG"));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(dot_path, " failed (status ",
                                            WIFEXITED(status)
                                                ? WEXITSTATUS(status)
                                                : 128 + WTERMSIG(status),
                                            ")"));
  }
  return SanitizeSvg(svg);
}

}  // namespace lockscope::viewer
