// lockscope/source_location.h — a source position captured at a call site.
//
// lockscope's own, because clang 14 with libstdc++ has no
// std::source_location. `SourceLocation::current()` as a default argument
// records the caller's file, line and function, like std::source_location.
#ifndef LOCKSCOPE_SOURCE_LOCATION_H_
#define LOCKSCOPE_SOURCE_LOCATION_H_

#include <cstdint>

#include "lockscope/config.h"

namespace lockscope {
inline namespace LOCKSCOPE_MODE_NAMESPACE {

class SourceLocation {
 public:
  constexpr SourceLocation() noexcept = default;

  // The position of the expression that evaluates this default argument.
  static constexpr SourceLocation current(
      const char* file = __builtin_FILE(), int line = __builtin_LINE(),
      const char* function = __builtin_FUNCTION()) noexcept {
    return SourceLocation(file, line, function);
  }

  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr uint32_t line() const noexcept { return line_; }

  // The same position in the runtime's plain form.
  constexpr runtime::Site site() const noexcept {
    return runtime::Site{file_, function_, line_};
  }

 private:
  constexpr SourceLocation(const char* file, int line,
                           const char* function) noexcept
      : file_(file), function_(function), line_(static_cast<uint32_t>(line)) {}

  const char* file_ = "";
  const char* function_ = "";
  uint32_t line_ = 0;
};

}  // namespace LOCKSCOPE_MODE_NAMESPACE
}  // namespace lockscope

#endif  // LOCKSCOPE_SOURCE_LOCATION_H_
