// collector/analysis/report.cc — the text of findings (see report.h for the
// shape).
//
// Layout: the headline at column 0, sections at 2, their items at 4, stack
// frames at 6, and the closing SUMMARY line at 0. Everything is looked up
// through the FindingContext; unknown objects, threads and stacks print as
// placeholders ("#7", "thread 3", "(no stack captured)"), never fail.
#include "collector/analysis/report.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "collector/analysis/printable.h"
#include "collector/analysis/finding_kinds.h"
#include "collector/analysis/plural.h"

namespace lockscope::collector {
namespace {

// A node of the finding's cycle: lock classes for class cycles, else the
// object's own name.
std::string NodeName(const Finding& finding, ObjectId id,
                     const FindingContext& context) {
  if (finding.kind == FindingKind::kLockClassCycle) {
    const ObjectInfo* info = context.Object(id);
    if (info != nullptr && !info->class_name.empty()) return info->class_name;
  }
  return ObjectName(id, context);
}

std::string CycleText(const Finding& finding, const FindingContext& context) {
  // An actual-deadlock through a condition wait or a join: one step an
  // edge, "(wait)" for a step that waits for no lock.
  if (std::any_of(finding.edges.begin(), finding.edges.end(),
                  [](const FindingEdge& e) { return e.to == 0; })) {
    std::vector<std::string> steps;
    for (const FindingEdge& e : finding.edges) {
      steps.push_back(e.to != 0 ? NodeName(finding, e.to, context)
                                : std::string("(wait)"));
    }
    steps.push_back(steps.front());
    return absl::StrJoin(steps, " => ");
  }
  if (finding.objects.empty()) return "(no locks)";
  std::vector<std::string> names;
  for (ObjectId id : finding.objects) {
    names.push_back(NodeName(finding, id, context));
  }
  names.push_back(names.front());
  return absl::StrJoin(names, " => ");
}

std::string GateNames(const Finding& finding, const FindingContext& context) {
  std::vector<std::string> names;
  for (ObjectId id : finding.guarded_by) {
    names.push_back(ObjectName(id, context));
  }
  return absl::StrJoin(names, ", ");
}

// "thread 'worker'", or "thread 3" when unnamed: the scenario's column head.
// `other` is the other column's thread: when both carry one name (every
// thread of a program that names none is called after the program), the id
// tells them apart: "thread 'bank' #2".
std::string ShortThreadName(ThreadId id, ThreadId other,
                            const FindingContext& context) {
  const ThreadInfo* info = context.Thread(id);
  if (info == nullptr || info->name.empty()) {
    return absl::StrCat("thread ", id);
  }
  const ThreadInfo* other_info = context.Thread(other);
  if (other != id && other_info != nullptr && other_info->name == info->name) {
    return absl::StrCat("thread '", info->name, "' #", id);
  }
  return absl::StrCat("thread '", info->name, "'");
}

std::string FormatFrame(size_t index, const Frame& frame) {
  std::string out = absl::StrCat("#", index, " ");
  if (frame.function.empty()) {
    absl::StrAppend(&out, absl::StrFormat("0x%x", frame.pc));
  } else {
    absl::StrAppend(&out, frame.function);
  }
  if (!frame.file.empty()) {
    absl::StrAppend(&out, " ", frame.file);
    if (frame.line != 0) absl::StrAppend(&out, ":", frame.line);
  } else if (!frame.module.empty()) {
    absl::StrAppend(&out, " (", frame.module, ")");
  }
  return out;
}

// `label` at column 4, then the stack's frames at column 6.
void AppendStack(std::string* out, std::string_view label, StackId id,
                 const FindingContext& context, const ReportStyle& style) {
  absl::StrAppend(out, "    ", std::string(label), "\n");
  absl::StrAppend(out, FormatStackLines(id, context, style, "      "));
}

// "accounts (mutex, class accounts) created at bank.cc:10 in thread 1
// 'main'", plus the owner for cells.
std::string ObjectLine(ObjectId id, const FindingContext& context) {
  const ObjectInfo* info = context.Object(id);
  if (info == nullptr) return absl::StrCat("#", id, " (unknown object)");
  std::string out = absl::StrCat(
      ObjectName(id, context), " (", std::string(ObjectKindName(info->kind)),
      ", class ", info->class_name.empty() ? "?" : info->class_name, ")");
  if (info->created.file.empty()) {
    absl::StrAppend(&out, " creation site unknown");
  } else {
    absl::StrAppend(&out, " created at ", info->created.file, ":",
                    info->created.line);
  }
  if (info->created_thread != 0) {
    absl::StrAppend(&out, " in ", ThreadName(info->created_thread, context));
  }
  if (info->kind == ObjectKind::kCell && info->owner_thread != 0) {
    absl::StrAppend(&out, ", owner ", ThreadName(info->owner_thread, context));
  }
  return out;
}

void AppendThreads(std::string* out, const Finding& finding,
                   const FindingContext& context) {
  if (finding.threads.empty()) return;
  std::vector<std::string> names;
  for (ThreadId id : finding.threads) names.push_back(ThreadName(id, context));
  absl::StrAppend(out,
                  finding.threads.size() == 1 ? "  thread: " : "  threads: ",
                  absl::StrJoin(names, ", "), "\n");
}

// The lockdep-style interleaving for a two-lock cycle: edge 1's thread takes
// its first lock, edge 2's thread takes both of its locks' first, then edge
// 1's thread blocks on its second.
void AppendScenario(std::string* out, const Finding& finding,
                    const FindingContext& context) {
  const FindingEdge& e1 = finding.edges[0];
  const FindingEdge& e2 = finding.edges[1];
  const std::string left = ShortThreadName(e1.thread, e2.thread, context);
  const std::string right = ShortThreadName(e2.thread, e1.thread, context);
  auto lock = [&](ObjectId id) {
    return absl::StrCat("lock(", NodeName(finding, id, context), ");");
  };
  const std::string l1 = lock(e1.from), r1 = lock(e2.from), r2 = lock(e2.to),
                    l2 = lock(e1.to);
  const size_t col = std::max<size_t>(
      {33, 9 + left.size() + 4, 4 + l1.size() + 4, 4 + l2.size() + 4});
  auto row = [&](std::string_view l, std::string_view r) {
    std::string line(std::string(l).append(col - l.size(), ' '));
    return absl::StrCat(line, std::string(r), "\n");
  };
  absl::StrAppend(out, "  possible unsafe scenario:\n");
  absl::StrAppend(out, row("         " + left, right));
  absl::StrAppend(out, row("         ----", "----"));
  absl::StrAppend(out, "    ", l1, "\n");
  absl::StrAppend(out, row("", r1));
  absl::StrAppend(out, row("", r2));
  absl::StrAppend(out, "    ", l2, "\n");
}

void AppendCycleBody(std::string* out, const Finding& finding,
                     const FindingContext& context, const ReportStyle& style) {
  absl::StrAppend(out, "  cycle: ", CycleText(finding, context), "\n");
  if (!finding.guarded_by.empty()) {
    const std::string gates = GateNames(finding, context);
    absl::StrAppend(out, "  guarded by: ", gates, " (cannot deadlock while ",
                    gates, finding.guarded_by.size() == 1 ? " is" : " are",
                    " held)\n");
  }
  const size_t n = finding.edges.size();
  const bool deadlock = finding.kind == FindingKind::kActualDeadlock;
  const bool through_waits =
      deadlock && std::any_of(finding.edges.begin(), finding.edges.end(),
                              [](const FindingEdge& e) {
                                return e.from == 0 || e.to == 0;
                              });
  if (through_waits && !finding.message.empty()) {
    absl::StrAppend(out, "  ", Printable(finding.message), "\n");
  }
  for (size_t i = 0; i < n; ++i) {
    const FindingEdge& e = finding.edges[i];
    const std::string from = ObjectName(e.from, context);
    const std::string to = ObjectName(e.to, context);
    const std::string thread = ThreadName(e.thread, context);
    if (deadlock && (e.from == 0 || e.to == 0)) {
      // A step through a condition wait or a join (the watchdog's message,
      // printed above, says which): what the thread holds, where it waits.
      absl::StrAppend(out, "  edge ", i + 1, " of ", n, ": ", thread,
                      e.from != 0 ? absl::StrCat(" holds ", from, " and") : "",
                      e.to != 0 ? absl::StrCat(" waits for ", to)
                                : std::string(" waits"),
                      "\n");
      AppendStack(out,
                  e.to != 0 ? absl::StrCat("waiting for ", to, " at:")
                            : std::string("waiting at:"),
                  e.to_stack, context, style);
      if (e.from != 0) {
        AppendStack(out, absl::StrCat(from, " acquired at:"), e.from_stack,
                    context, style);
      }
    } else if (deadlock) {
      absl::StrAppend(out, "  edge ", i + 1, " of ", n, ": ", thread, " holds ",
                      from, " and waits for ", to, "\n");
      AppendStack(out, absl::StrCat("waiting for ", to, " at:"), e.to_stack,
                  context, style);
      AppendStack(out, absl::StrCat(from, " acquired at:"), e.from_stack,
                  context, style);
    } else {
      absl::StrAppend(out, "  edge ", i + 1, " of ", n, ": ", to,
                      " acquired while holding ", from, ", in ", thread, "\n");
      AppendStack(out, absl::StrCat(to, " acquired at:"), e.to_stack, context,
                  style);
      AppendStack(out, absl::StrCat(from, " acquired earlier at:"),
                  e.from_stack, context, style);
    }
  }
  // Every lock the text mentions: the cycle's nodes and, for class cycles,
  // the other instances that formed its edges.
  std::vector<ObjectId> locks = finding.objects;
  for (const FindingEdge& e : finding.edges) {
    for (ObjectId id : {e.from, e.to}) {
      if (id != 0 && std::find(locks.begin(), locks.end(), id) == locks.end()) {
        locks.push_back(id);
      }
    }
  }
  absl::StrAppend(out, "  locks:\n");
  for (ObjectId id : locks) {
    absl::StrAppend(out, "    ", ObjectLine(id, context), "\n");
  }
  AppendThreads(out, finding, context);
  if (n == 2 && !deadlock) AppendScenario(out, finding, context);
}

// Labels for a non-cycle finding's two stacks.
struct StackLabels {
  std::string_view stack;
  std::string_view other;
};
StackLabels LabelsFor(const Finding& finding, const FindingContext& context) {
  switch (finding.kind) {
    case FindingKind::kCrossThreadBorrow:
      return {"borrowed off the owner thread at:", "earlier borrow at:"};
    case FindingKind::kBorrowConflict:
      return {"new borrow at:", "outstanding borrow at:"};
    case FindingKind::kRecursiveLock:
      return {"acquired again at:", "first acquired at:"};
    case FindingKind::kUnlockNotOwner:
      return {"unlocked at:", "acquired at:"};
    case FindingKind::kDestroyedWhileHeld: {
      const ObjectInfo* info = finding.objects.empty()
                                   ? nullptr
                                   : context.Object(finding.objects.front());
      if (info != nullptr && info->kind == ObjectKind::kCell) {
        return {"destroyed at:", "still borrowed, borrowed at:"};
      }
      return {"destroyed at:", "still held, acquired at:"};
    }
    case FindingKind::kWaitWhileHolding:
      return {"waits at:", "holding the lock acquired at:"};
    case FindingKind::kLockOrderViolation:
      return {"taken at:", "while holding the later lock, acquired at:"};
    case FindingKind::kLockOrderCycle:
    case FindingKind::kLockClassCycle:
    case FindingKind::kActualDeadlock:
      break;
  }
  return {"at:", "other party at:"};
}

// "outstanding borrow 1 of 2: shared, in thread 1 'ui', at app.cc:9 in
// Update:"
std::string OutstandingBorrowLabel(const FindingBorrow& borrow, size_t i,
                                   size_t n, const FindingContext& context) {
  std::string out = absl::StrCat(
      "outstanding borrow ", i + 1, " of ", n, ": ",
      borrow.access == Access::kExclusive ? "exclusive" : "shared");
  if (borrow.thread != 0) {
    absl::StrAppend(&out, ", in ", ThreadName(borrow.thread, context));
  }
  if (!borrow.site.file.empty()) {
    absl::StrAppend(&out, ", at ", Printable(borrow.site.file), ":",
                    borrow.site.line);
    if (!borrow.site.function.empty()) {
      absl::StrAppend(&out, " in ", Printable(borrow.site.function));
    }
  }
  absl::StrAppend(&out, ":");
  return out;
}

void AppendOtherBody(std::string* out, const Finding& finding,
                     const FindingContext& context, const ReportStyle& style) {
  if (!finding.message.empty()) {
    absl::StrAppend(out, "  ", Printable(finding.message), "\n");
  }
  for (ObjectId id : finding.objects) {
    const ObjectInfo* info = context.Object(id);
    const bool cell = info != nullptr && info->kind == ObjectKind::kCell;
    absl::StrAppend(
        out, cell ? "  cell: " : "  lock: ", ObjectLine(id, context), "\n");
  }
  AppendThreads(out, finding, context);
  const StackLabels labels = LabelsFor(finding, context);
  AppendStack(out, labels.stack, finding.stack, context, style);
  if (!finding.borrows.empty()) {
    // Every outstanding borrow (traces since they were recorded).
    const size_t n = finding.borrows.size();
    for (size_t i = 0; i < n; ++i) {
      AppendStack(out, OutstandingBorrowLabel(finding.borrows[i], i, n, context),
                  finding.borrows[i].stack, context, style);
    }
  } else if (finding.other_stack != 0) {
    AppendStack(out, labels.other, finding.other_stack, context, style);
  }
}

}  // namespace

std::string ObjectName(ObjectId id, const FindingContext& context) {
  const ObjectInfo* info = context.Object(id);
  if (info != nullptr) {
    if (!info->name.empty()) return info->name;
    if (!info->created.file.empty()) {
      return absl::StrCat(info->created.file, ":", info->created.line);
    }
  }
  return absl::StrCat("#", id);
}

std::string FormatStackLines(StackId id, const FindingContext& context,
                             const ReportStyle& style,
                             std::string_view indent) {
  const std::string pad(indent);
  if (id == 0) return absl::StrCat(pad, "(no stack captured)\n");
  std::vector<Frame> frames = UserFrames(context.Stack(id), style.stack_view);
  if (frames.empty()) {
    return absl::StrCat(pad, "(stack ", id, " unavailable)\n");
  }
  const size_t total = frames.size();
  if (style.max_frames > 0 &&
      frames.size() > static_cast<size_t>(style.max_frames)) {
    frames.resize(static_cast<size_t>(style.max_frames));
  }
  std::string out;
  for (const StackLine& line : StackLines(frames, style.stack_view)) {
    if (line.folded > 0) {
      // Under the frame numbers, not under "#".
      absl::StrAppend(&out, pad, "   ", FoldedText(line.folded), "\n");
    } else {
      absl::StrAppend(&out, pad, FormatFrame(line.index, frames[line.index]),
                      "\n");
    }
  }
  if (frames.size() < total) {
    const size_t more = total - frames.size();
    absl::StrAppend(&out, pad, "... ", more,
                    more == 1 ? " more frame\n" : " more frames\n");
  }
  return out;
}

std::string ThreadName(ThreadId id, const FindingContext& context) {
  const ThreadInfo* info = context.Thread(id);
  if (info != nullptr && !info->name.empty()) {
    return absl::StrCat("thread ", id, " '", info->name, "'");
  }
  return absl::StrCat("thread ", id);
}

std::string FormatHeadline(const Finding& finding) {
  return absl::StrCat("lockscope: ", std::string(FindingKindName(finding.kind)),
                      " (", std::string(KindInfo(finding.kind).title), ")");
}

std::string FormatOneLine(const Finding& finding,
                          const FindingContext& trace_context) {
  // Names come from the traced program: no control character is printed.
  const PrintableContext context(trace_context);
  std::string out(FindingKindName(finding.kind));
  if (IsCycle(finding.kind)) {
    absl::StrAppend(&out, " ", CycleText(finding, context));
    if (!finding.guarded_by.empty()) {
      absl::StrAppend(&out, " (guarded by ", GateNames(finding, context), ")");
    }
    return out;
  }
  std::vector<std::string> names;
  for (ObjectId id : finding.objects) names.push_back(ObjectName(id, context));
  if (!names.empty()) absl::StrAppend(&out, " ", absl::StrJoin(names, ", "));
  std::vector<std::string> threads;
  for (ThreadId id : finding.threads)
    threads.push_back(ThreadName(id, context));
  if (!threads.empty()) {
    absl::StrAppend(&out, " in ", absl::StrJoin(threads, ", "));
  }
  return out;
}

std::string FormatReport(const Finding& finding,
                         const FindingContext& trace_context,
                         const ReportStyle& style) {
  // Names come from the traced program: no control character is printed.
  const PrintableContext context(trace_context);
  std::string out;
  if (style.color) {
    absl::StrAppend(&out, "\033[1;31m", FormatHeadline(finding), "\033[0m\n");
  } else {
    absl::StrAppend(&out, FormatHeadline(finding), "\n");
  }
  if (IsCycle(finding.kind)) {
    AppendCycleBody(&out, finding, context, style);
  } else {
    AppendOtherBody(&out, finding, context, style);
  }
  if (finding.count > 1) {
    absl::StrAppend(&out, "  seen ", finding.count, " times\n");
  }
  absl::StrAppend(&out, "SUMMARY: lockscope: ", FormatOneLine(finding, context),
                  "\n");
  return out;
}

}  // namespace lockscope::collector
