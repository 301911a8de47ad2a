// collector/analysis/fingerprint.h — a finding's identity across runs,
// builds, machines and checkouts: what a baseline (baseline.h) remembers and
// SARIF's partialFingerprints carry.
//
// A fingerprint is 16 lowercase hex digits: the 64-bit FNV-1a hash of the
// text
//   KIND "\n" LOCK "\n" LOCK ...        (sorted, duplicates dropped)
//   [ "\n@" FUNCTION ]                  (findings that are not cycles)
// where KIND is the finding kind's name, each LOCK is a stable name of one
// of the finding's objects (StableLockName; its class for a
// lock-class-cycle), and FUNCTION is the innermost named function of the
// finding's stack outside lockscope's wrappers and runtime and the standard
// library (`lockscope::Mutex::lock()`, `std::lock_guard`, ...; the innermost
// named function when every frame is theirs). Cycles are identified by their locks alone: which of the
// cycle's sites a run happened to see first does not change the finding.
//
// Never part of it: object, thread or stack ids, addresses, pids, os thread
// ids, times, line numbers and directories. So the same finding from two
// builds whose lines shifted, from another process, or from a checkout
// under another directory has the same fingerprint; another lock (class)
// has another one. (A lock named by its creation site has the name
// "file.cc:42", which holds a line; StableLockName replaces it.)
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_FINGERPRINT_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_FINGERPRINT_H_

#include <string>

#include "collector/analysis/model.h"

namespace lockscope::collector {

// The name a fingerprint uses for an object: its given name (or class, for
// `use_class`), except that a name that is only the creation site
// ("bank.cc:42" or "src/bank.cc:42") becomes the file's base name and the
// creating function ("bank.cc@Bank::Bank()"; "bank.cc" when the function is
// unknown). "?" for an unknown object (nullptr).
std::string StableLockName(const ObjectInfo* object, bool use_class);

// The text hashed (see the file comment); exposed for tests and debugging.
std::string FingerprintText(const Finding& finding,
                            const FindingContext& context);

// 16 hex digits of FNV-1a 64 over FingerprintText.
std::string FindingFingerprint(const Finding& finding,
                               const FindingContext& context);

// A one-line, human-readable name of what a fingerprint covers, for the
// comment next to it in a baseline file: "lock-order-cycle accounts,
// ledger" or "cross-thread-borrow app @ Worker::Run()". Control characters
// are replaced, so the line stays one line.
std::string FingerprintLabel(const Finding& finding,
                             const FindingContext& context);

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_FINGERPRINT_H_
