// viewer/declared_order.h — `--lock-order=FILE` for `check` and
// `baseline`: the lock-order-violation findings a declared lock order
// (collector/analysis/lock_order_file.h) makes of recorded edges, and the
// order the traces show, for `lockscope order`.
#ifndef LOCKSCOPE_VIEWER_DECLARED_ORDER_H_
#define LOCKSCOPE_VIEWER_DECLARED_ORDER_H_

#include <cstddef>
#include <string>

#include "collector/analysis/lock_order_file.h"
#include "viewer/trace_set.h"

namespace lockscope::viewer {

// Adds to analysis->findings one lock-order-violation for each pair of lock
// names (held, taken) whose recorded edges break `order`, unless the traced
// process already reported it (the runtime's lock_order option). The new
// finding's stacks, thread and traces are its first edge's; its count is
// the edges' sightings. Returns how many were added.
size_t AddDeclaredOrderFindings(const collector::DeclaredLockOrder& order,
                                Analysis* analysis);

// The text of a lock-order file holding the order the analysis's edges
// show between lock classes, as chains "a < b < c" (sorted, one edge of the
// transitive reduction at each step), each commented with the sightings of
// its steps. Classes that take part in a cycle are left out and named in a
// comment (the traces do not show one order for them). `sources` says
// where it comes from in the header comment ("2 traces").
std::string FormatObservedOrder(const Analysis& analysis,
                                const std::string& sources);

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_DECLARED_ORDER_H_
