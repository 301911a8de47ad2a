// collector/analysis/printable.h — names from a trace, made safe to print.
//
// Lock, class, thread, function and file names come from the traced
// program, and a trace may come from code nobody reviewed. Text meant for
// a terminal must not carry a control character from a name: ESC and the
// C1 controls start sequences that recolour, retitle or clear a terminal,
// and a newline or carriage return in a name would forge report lines.
#ifndef LOCKSCOPE_COLLECTOR_PRINTABLE_H_
#define LOCKSCOPE_COLLECTOR_PRINTABLE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collector/analysis/model.h"

namespace lockscope::collector {

// `text` with every C0 control (newline and tab too), DEL and C1 control
// (U+0080..U+009F) replaced by a space, and every byte that is not part of
// valid UTF-8 replaced by U+FFFD. Printable ASCII and other code points
// are kept.
std::string Printable(std::string_view text);

// A FindingContext that hands out the wrapped context's records with
// every name Printable: objects' name, class, creation file and function;
// threads' names; frames' function, file and module. Copies are made on
// first use and live as long as this object. Not thread-safe; meant as a
// local in a formatting function.
class PrintableContext : public FindingContext {
 public:
  explicit PrintableContext(const FindingContext& wrapped)
      : wrapped_(wrapped) {}

  const ObjectInfo* Object(ObjectId id) const override;
  const ThreadInfo* Thread(ThreadId id) const override;
  std::vector<Frame> Stack(StackId id) const override;

 private:
  const FindingContext& wrapped_;
  mutable std::map<ObjectId, ObjectInfo> objects_;
  mutable std::map<ThreadId, ThreadInfo> threads_;
};

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_PRINTABLE_H_
