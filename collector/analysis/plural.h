// collector/analysis/plural.h — "1 trace", "2 traces": a count with its noun
// in the right number, for every line the viewer and the reports print.
#ifndef LOCKSCOPE_COLLECTOR_ANALYSIS_PLURAL_H_
#define LOCKSCOPE_COLLECTOR_ANALYSIS_PLURAL_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace lockscope::collector {

// "<n> <one>" when n is 1, else "<n> <many>"; `many` defaults to one + "s"
// (pass it for the irregular ones: Plural(n, "mutex", "mutexes")).
inline std::string Plural(uint64_t n, std::string_view one,
                          std::string_view many = {}) {
  std::string out = std::to_string(n);
  out += ' ';
  if (n == 1) {
    out += one;
  } else if (many.empty()) {
    out += one;
    out += 's';
  } else {
    out += many;
  }
  return out;
}

}  // namespace lockscope::collector

#endif  // LOCKSCOPE_COLLECTOR_ANALYSIS_PLURAL_H_
