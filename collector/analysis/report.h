// collector/analysis/report.h — the text of a finding, as printed live on
// stderr and by the viewer.
//
// Pure formatting: no I/O, no locking. Everything the text mentions is looked
// up through a FindingContext, so a live process and a trace read offline
// print the same report.
//
// Shape (TSan and lockdep in one):
//   lockscope: lock-order-cycle (potential deadlock)
//     cycle: accounts => ledger => accounts
//     edge 1 of 2: ledger acquired while holding accounts, in thread 3 'worker'
//       ledger acquired at:
//         #0 Transfer bank.cc:42
//         #1 main::{lambda()#1}::operator()() const bank.cc:80
//            … 6 frames in the C++ library
//         #8 start_thread ./nptl/pthread_create.c:442
//       accounts acquired earlier at:
//         #0 Transfer bank.cc:40
//     ...
//     possible unsafe scenario:            (2-lock cycles only)
//            thread 'worker'         thread 'main'
//            ----                    ----
//       lock(accounts);
//                                    lock(ledger);
//                                    lock(accounts);
//       lock(ledger);
//   SUMMARY: lockscope: lock-order-cycle accounts => ledger => accounts
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_REPORT_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_REPORT_H_

#include <string>
#include <string_view>

#include "collector/analysis/model.h"
#include "collector/analysis/user_frames.h"

namespace lockscope::collector {

struct ReportStyle {
  // ANSI colours for the headline and names.
  bool color = false;
  // Frames printed per stack (0 = all), counted from the first frame shown.
  int max_frames = 0;
  // kUser (the default): stacks start at the first frame outside lockscope
  // and the standard library's lock guards, and runs of C++-library frames
  // below the user's first frame fold into one line; kFull: every frame
  // (`--full-stacks`).
  StackView stack_view = StackView::kUser;
};

// The full multi-line report of one finding, ending in a SUMMARY line and a
// newline. Names and the message are printed Printable (printable.h): no
// control character from a trace reaches the text.
std::string FormatReport(const Finding& finding, const FindingContext& context,
                         const ReportStyle& style = {});

// The finding's headline: "lockscope: <kind> (<what it means>)".
std::string FormatHeadline(const Finding& finding);

// A one-line form, used in SUMMARY lines and lists:
// "lock-order-cycle accounts => ledger => accounts".
std::string FormatOneLine(const Finding& finding,
                          const FindingContext& context);

// An object's display name ("name" or "file:line"), or "#<id>" if unknown.
std::string ObjectName(ObjectId id, const FindingContext& context);
// A thread's display form: "thread 3 'worker'" or "thread 3".
std::string ThreadName(ThreadId id, const FindingContext& context);

// The stack's lines as printed in reports, each prefixed by `indent`:
// "#0 Transfer() bank.cc:42", folded runs as "… 6 frames in the C++
// library", and "... 3 more frames" past style.max_frames. "(no stack
// captured)" for id 0.
std::string FormatStackLines(StackId id, const FindingContext& context,
                             const ReportStyle& style, std::string_view indent);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_REPORT_H_
