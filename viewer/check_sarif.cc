// SARIF 2.1.0 output of `lockscope check` (see check_formats.h).
//
// One result per finding, ruleId = finding kind. Each cycle gets a code flow
// with one thread flow per edge (where the first lock was taken, then where
// the second was taken while holding it), so code-scanning UIs can step
// through the inversion.
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/finding_kinds.h"
#include "collector/analysis/report.h"
#include "viewer/check_formats.h"
#include "viewer/output.h"
#include "viewer/build_info.h"


namespace lockscope::viewer {
namespace {

using collector::Finding;
using collector::FindingKind;

constexpr char kSchema[] = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr char kRootId[] = "SRCROOT";


// Percent-encodes everything but unreserved characters and '/'.
std::string PercentEncodePath(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (absl::ascii_isalnum(c) || c == '/' || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, absl::StrFormat("%%%02X", c));
    }
  }
  return out;
}

struct Place {
  std::string file;
  uint32_t line = 0;
  std::string function;
};

// lockscope's public headers (<lockscope/mutex.h>, ...): inlined frames
// there carry unqualified names ("borrow", "AcquireShared"), so the file
// tells them apart.
bool IsPublicHeader(std::string_view file) {
  static constexpr std::string_view kHeaders[] = {
      "/lockscope/app_cell.h", "/lockscope/config.h", "/lockscope/gtest.h",
      "/lockscope/lockscope.h", "/lockscope/mutex.h",
      "/lockscope/rwlock.h",   "/lockscope/source_location.h"};
  for (std::string_view header : kHeaders) {
    if (file.size() >= header.size() &&
        file.substr(file.size() - header.size()) == header) {
      return true;
    }
  }
  return false;
}

// Where a stack points in the user's code: the innermost frame in a file
// under `root` that is not lockscope's or the standard library's; else the
// innermost such frame anywhere outside /usr; else the innermost frame with
// a file.
// (Stacks start inside lockscope::Mutex::lock and std::lock_guard, which is
// not where a user wants a code-scanning alert.)
std::optional<Place> TopPlace(const collector::FindingContext& context,
                              collector::StackId stack,
                              const std::string& root) {
  if (stack == 0) return std::nullopt;
  const std::vector<collector::Frame> frames = context.Stack(stack);
  const auto library = [](const collector::Frame& frame) {
    return absl::StartsWith(frame.function, "lockscope::") ||
           absl::StartsWith(frame.function, "std::") ||
           absl::StartsWith(frame.file, "/usr/") || IsPublicHeader(frame.file);
  };
  // An absolute path under the root, or a relative one that names a file
  // there (debug info of system libraries holds relative paths such as
  // "./nptl/pthread_create.c" too).
  const auto in_root = [&](const collector::Frame& frame) {
    bool relative = false;
    ArtifactUri(frame.file, root, &relative);
    if (!relative) return false;
    if (frame.file[0] == '/') return true;
    struct stat st;
    return !root.empty() && stat((root + "/" + frame.file).c_str(), &st) == 0;
  };
  const auto place = [](const collector::Frame& frame) {
    return Place{frame.file, frame.line, frame.function};
  };
  for (const collector::Frame& frame : frames) {
    if (!frame.file.empty() && !library(frame) && in_root(frame)) {
      return place(frame);
    }
  }
  for (const collector::Frame& frame : frames) {
    if (!frame.file.empty() && !library(frame)) return place(frame);
  }
  for (const collector::Frame& frame : frames) {
    if (!frame.file.empty()) return place(frame);
  }
  return std::nullopt;
}

std::optional<Place> CreationPlace(const collector::FindingContext& context,
                                   collector::ObjectId id) {
  const collector::ObjectInfo* object = context.Object(id);
  if (object == nullptr || object->created.file.empty()) return std::nullopt;
  return Place{object->created.file, object->created.line,
               object->created.function};
}

class SarifWriter {
 public:
  SarifWriter(const CheckResult& result, std::string root)
      : result_(result),
        analysis_(*result.analysis),
        stacks_(*result.analysis, result.stack_view),
        root_(std::move(root)) {}

  std::string Write() {
    std::string out;
    JsonWriter json(&out);
    json.BeginObject();
    json.Field("$schema", kSchema);
    json.Field("version", "2.1.0");
    json.Key("runs").BeginArray().BeginObject();
    json.Key("tool").BeginObject().Key("driver").BeginObject();
    json.Field("name", "lockscope");
    json.Field("version", LOCKSCOPE_VERSION);
    json.Key("rules").BeginArray();
    for (const collector::FindingKindInfo& rule : collector::FindingKinds()) {
      json.BeginObject();
      json.Field("id", rule.name);
      json.Key("shortDescription").BeginObject();
      json.Field("text", rule.sarif_text);
      json.EndObject();
      json.Key("help").BeginObject();
      json.Field("text", rule.help);
      json.EndObject();
      json.Key("defaultConfiguration").BeginObject();
      json.Field("level", collector::SeverityName(rule.severity));
      json.EndObject();
      json.EndObject();
    }
    json.EndArray();
    json.EndObject().EndObject();  // driver, tool
    if (!root_.empty()) {
      json.Key("originalUriBaseIds").BeginObject().Key(kRootId).BeginObject();
      json.Field("uri", absl::StrCat("file://", PercentEncodePath(root_), "/"));
      json.EndObject().EndObject();
    }
    json.Key("results").BeginArray();
    for (const Verdict& verdict : result_.verdicts) WriteResult(json, verdict);
    for (const collector::BaselineEntry& entry : result_.absent) {
      WriteAbsent(json, entry);
    }
    json.EndArray();
    json.EndObject().EndArray();  // run, runs
    json.EndObject();
    out.push_back('\n');
    return out;
  }

 private:
  // A SARIF location object; `id` > 0 gives it an id (relatedLocations).
  void WriteLocation(JsonWriter& json, const std::optional<Place>& place,
                     std::string_view message, int id = 0) {
    json.BeginObject();
    if (id > 0) json.Field("id", id);
    if (place.has_value()) {
      json.Key("physicalLocation").BeginObject();
      json.Key("artifactLocation").BeginObject();
      bool relative = false;
      json.Field("uri", ArtifactUri(place->file, root_, &relative));
      if (relative && !root_.empty()) json.Field("uriBaseId", kRootId);
      json.EndObject();
      if (place->line > 0) {
        json.Key("region").BeginObject();
        json.Field("startLine", place->line);
        json.EndObject();
      }
      json.EndObject();
      if (!place->function.empty()) {
        json.Key("logicalLocations").BeginArray().BeginObject();
        json.Field("fullyQualifiedName", place->function);
        json.Field("kind", "function");
        json.EndObject().EndArray();
      }
    }
    if (!message.empty()) {
      json.Key("message").BeginObject();
      json.Field("text", message);
      json.EndObject();
    }
    json.EndObject();
  }

  // Where the result points: the first cycle edge's acquisition, else the
  // offending operation, else the first object's creation site.
  std::optional<Place> PrimaryPlace(const Finding& finding) {
    std::optional<Place> place;
    if (!finding.edges.empty()) {
      place = TopPlace(stacks_, finding.edges[0].to_stack, root_);
    }
    if (!place) place = TopPlace(stacks_, finding.stack, root_);
    if (!place && !finding.objects.empty()) {
      place = CreationPlace(analysis_, finding.objects[0]);
    }
    return place;
  }

  void WriteThreadFlow(JsonWriter& json, const std::string& message,
                       const std::vector<std::pair<std::optional<Place>,
                                                   std::string>>& steps) {
    json.BeginObject();
    json.Key("message").BeginObject().Field("text", message).EndObject();
    json.Key("locations").BeginArray();
    for (const auto& [place, text] : steps) {
      json.BeginObject().Key("location");
      WriteLocation(json, place, text);
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }

  void WriteCodeFlows(JsonWriter& json, const Finding& finding) {
    using Steps = std::vector<std::pair<std::optional<Place>, std::string>>;
    std::vector<std::pair<std::string, Steps>> flows;
    for (size_t i = 0; i < finding.edges.size(); ++i) {
      const collector::FindingEdge& edge = finding.edges[i];
      const std::string from = collector::ObjectName(edge.from, analysis_);
      const std::string to = collector::ObjectName(edge.to, analysis_);
      flows.push_back(
          {absl::StrCat("edge ", i + 1, " of ", finding.edges.size(), ": ",
                        to, " acquired while holding ", from, ", in ",
                        collector::ThreadName(edge.thread, analysis_)),
           Steps{{TopPlace(stacks_, edge.from_stack, root_),
                  absl::StrCat(from, " acquired")},
                 {TopPlace(stacks_, edge.to_stack, root_),
                  absl::StrCat(to, " acquired while holding ", from)}}});
    }
    // borrow-conflict: one flow per outstanding borrow.
    for (size_t i = 0; i < finding.borrows.size(); ++i) {
      const collector::FindingBorrow& borrow = finding.borrows[i];
      std::optional<Place> place = TopPlace(stacks_, borrow.stack, root_);
      if (!place && !borrow.site.file.empty()) {
        place = Place{borrow.site.file, borrow.site.line, borrow.site.function};
      }
      flows.push_back(
          {absl::StrCat("outstanding borrow ", i + 1, " of ",
                        finding.borrows.size(), ", in ",
                        collector::ThreadName(borrow.thread, analysis_)),
           Steps{{place, absl::StrCat(borrow.access ==
                                              collector::Access::kExclusive
                                          ? "exclusive"
                                          : "shared",
                                      " borrow still outstanding")}}});
    }
    if (finding.edges.empty() && finding.borrows.empty() &&
        finding.other_stack != 0) {
      flows.push_back({"the other party",
                       Steps{{TopPlace(stacks_, finding.other_stack, root_),
                              "earlier operation"}}});
    }
    if (finding.edges.empty() && finding.stack != 0) {
      flows.push_back(
          {"the offending operation",
           Steps{{TopPlace(stacks_, finding.stack, root_), finding.message}}});
    }
    if (flows.empty()) return;
    json.Key("codeFlows").BeginArray().BeginObject();
    json.Key("threadFlows").BeginArray();
    for (const auto& [message, steps] : flows) {
      WriteThreadFlow(json, message, steps);
    }
    json.EndArray();
    json.EndObject().EndArray();
  }

  void WriteResult(JsonWriter& json, const Verdict& verdict) {
    const Finding& finding = verdict.analyzed->finding;
    // Rules are listed in table order, which is enum order.
    const int rule_index = static_cast<int>(finding.kind);
    std::string level;
    if (verdict.failing) {
      level = "error";
    } else if (verdict.suppressed) {
      level = std::string(collector::SeverityName(finding.severity));
    } else if (verdict.baseline) {
      level = "note";
    } else {
      level = IsGuarded(finding) || finding.severity ==
                                        collector::Severity::kNote
                  ? "note"
                  : "warning";
    }
    json.BeginObject();
    json.Field("ruleId", collector::FindingKindName(finding.kind));
    json.Field("ruleIndex", rule_index);
    json.Field("level", level);
    std::string message = collector::FormatOneLine(finding, analysis_);
    if (IsGuarded(finding)) {
      std::vector<std::string> gates;
      for (collector::ObjectId gate : finding.guarded_by) {
        gates.push_back(collector::ObjectName(gate, analysis_));
      }
      absl::StrAppend(&message, " (guarded by ", absl::StrJoin(gates, ", "),
                      ")");
    }
    json.Key("message").BeginObject().Field("text", message).EndObject();
    json.Key("locations").BeginArray();
    if (std::optional<Place> place = PrimaryPlace(finding)) {
      WriteLocation(json, place, "");
    }
    json.EndArray();
    json.Key("relatedLocations").BeginArray();
    int related_id = 1;
    for (collector::ObjectId id : finding.objects) {
      if (std::optional<Place> place = CreationPlace(analysis_, id)) {
        WriteLocation(json, place,
                      absl::StrCat(collector::ObjectName(id, analysis_),
                                   " created here"),
                      related_id++);
      }
    }
    json.EndArray();
    json.Key("partialFingerprints").BeginObject();
    json.Field("lockscope/v1", Fingerprint(finding, analysis_));
    json.EndObject();
    if (!result_.baseline_path.empty()) {
      json.Field("baselineState", verdict.baseline ? "unchanged" : "new");
    }
    WriteCodeFlows(json, finding);
    if (verdict.suppressed) {
      json.Key("suppressions").BeginArray().BeginObject();
      json.Field("kind", finding.suppressed ? "inSource" : "external");
      json.Field("justification", verdict.suppressed_by);
      json.EndObject().EndArray();
    }
    json.Key("properties").BeginObject();
    json.Field("severity", collector::SeverityName(finding.severity));
    json.Field("failing", verdict.failing);
    json.Field("baseline", verdict.baseline);
    json.Field("count", finding.count);
    json.Key("guarded_by").BeginArray();
    for (collector::ObjectId gate : finding.guarded_by) {
      json.String(collector::ObjectName(gate, analysis_));
    }
    json.EndArray();
    json.Key("traces").BeginArray();
    for (size_t index : verdict.analyzed->traces) {
      json.String((*result_.traces)[index].path);
    }
    json.EndArray();
    json.EndObject();
    json.EndObject();
  }

  // A baseline entry no finding matched: a result in state "absent", named
  // by the kind its comment starts with.
  void WriteAbsent(JsonWriter& json, const collector::BaselineEntry& entry) {
    const std::string_view label = entry.label;
    const std::optional<collector::FindingKind> kind =
        collector::ParseFindingKind(label.substr(0, label.find(' ')));
    json.BeginObject();
    if (kind.has_value()) {
      json.Field("ruleId", collector::FindingKindName(*kind));
      json.Field("ruleIndex", static_cast<int>(*kind));
    } else {
      json.Field("ruleId", "lockscope-baseline-entry");
    }
    json.Field("level", "none");
    json.Key("message").BeginObject();
    json.Field("text",
               absl::StrCat("baseline entry ", entry.fingerprint,
                            entry.label.empty() ? "" : " (", entry.label,
                            entry.label.empty() ? "" : ")",
                            " matched no finding (", result_.baseline_path,
                            ":", entry.line, ")"));
    json.EndObject();
    json.Key("partialFingerprints").BeginObject();
    json.Field("lockscope/v1", entry.fingerprint);
    json.EndObject();
    json.Field("baselineState", "absent");
    json.EndObject();
  }

  const CheckResult& result_;
  const Analysis& analysis_;
  // The analysis with stacks from the user's first frame (--full-stacks:
  // every frame): locations and code flows start in the user's code.
  const collector::UserStackContext stacks_;
  std::string root_;
};

}  // namespace

std::string FindSourceRoot() {
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof(buf)) == nullptr) return "";
  const std::string cwd = buf;
  std::string dir = cwd;
  while (true) {
    struct stat st;
    if (stat((dir == "/" ? std::string("/.git") : dir + "/.git").c_str(),
             &st) == 0) {
      return dir;
    }
    const size_t slash = dir.rfind('/');
    if (dir == "/" || slash == std::string::npos) break;
    dir = slash == 0 ? "/" : dir.substr(0, slash);
  }
  return cwd;
}

std::string ArtifactUri(const std::string& path, const std::string& root,
                        bool* relative) {
  *relative = false;
  if (!path.empty() && path[0] != '/') {
    *relative = true;
    return PercentEncodePath(path);
  }
  if (!root.empty()) {
    const std::string prefix = root == "/" ? "/" : root + "/";
    if (absl::StartsWith(path, prefix)) {
      *relative = true;
      return PercentEncodePath(path.substr(prefix.size()));
    }
  }
  return absl::StrCat("file://", PercentEncodePath(path));
}

std::string CheckSarif(const CheckResult& result,
                       const std::string& source_root) {
  return SarifWriter(result, source_root).Write();
}

}  // namespace lockscope::viewer
