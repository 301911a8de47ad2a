// collector/analysis/user_frames.cc — see user_frames.h.
#include "collector/analysis/user_frames.h"

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace lockscope::collector {
namespace {

// The qualified name of a demangled function: without its return type
// ("void std::lock<A, B>(A&, B&)" -> "std::lock<A, B>") and argument list.
std::string_view QualifiedName(std::string_view function) {
  constexpr std::string_view kAnon = "(anonymous namespace)";
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < function.size(); ++i) {
    const char c = function[i];
    if (depth == 0 && c == '(' && function.substr(i, kAnon.size()) == kAnon) {
      i += kAnon.size() - 1;
      continue;
    }
    if (c == '<') {
      ++depth;
    } else if (c == '>') {
      if (depth > 0) --depth;
    } else if (depth == 0 && c == '(') {
      return function.substr(start, i - start);
    } else if (depth == 0 && c == ' ') {
      start = i + 1;  // what came before was the return type
    }
  }
  return function.substr(start);
}

// (absl's string_view is not std::string_view in this Abseil.)
bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool EndsWithAny(std::string_view s,
                 std::initializer_list<std::string_view> suffixes) {
  for (std::string_view suffix : suffixes) {
    if (EndsWith(s, suffix)) return true;
  }
  return false;
}

bool StartsWithAny(std::string_view s,
                   std::initializer_list<std::string_view> prefixes) {
  for (std::string_view prefix : prefixes) {
    if (StartsWith(s, prefix)) return true;
  }
  return false;
}

// lockscope's own code: its namespace, its public headers (inlined frames
// there carry unqualified names), its libraries.
bool IsLockscopeFrame(const Frame& frame) {
  if (StartsWith(QualifiedName(frame.function), "lockscope::")) {
    return true;
  }
  if (EndsWithAny(frame.file,
                  {"/lockscope/app_cell.h", "/lockscope/cond_var.h",
                   "/lockscope/config.h", "/lockscope/gtest.h",
                   "/lockscope/lockscope.h", "/lockscope/mutex.h",
                   "/lockscope/rwlock.h", "/lockscope/source_location.h",
                   "/lockscope/internal/hooks.h"})) {
    return true;
  }
  return StartsWith(BaseName(frame.module), "liblockscope");
}

bool InCxxHeaders(std::string_view file) {
  return file.find("/c++/") != std::string_view::npos;
}

// The standard library's lock guards and lock primitives, by qualified name
// or, for inlined frames, by their header.
bool IsStdLockFrame(const Frame& frame) {
  const std::string_view name = QualifiedName(frame.function);
  if (StartsWithAny(
          name,
          {"std::lock_guard<", "std::unique_lock<", "std::scoped_lock<",
           "std::shared_lock<", "std::lock<", "std::try_lock<",
           "std::__lock_impl", "std::__try_lock_impl",
           "std::__detail::__lock_impl", "std::__detail::__try_lock_impl",
           "std::condition_variable_any::",
           "std::_V2::condition_variable_any::", "std::mutex::",
           "std::recursive_mutex::", "std::timed_mutex::",
           "std::recursive_timed_mutex::", "std::shared_mutex::",
           "std::shared_timed_mutex::", "std::__shared_mutex_pthread::",
           "std::__shared_mutex_cv::", "std::condition_variable::",
           "std::_V2::condition_variable::", "__gthread_", "__gthrw_"})) {
    return true;
  }
  if (!InCxxHeaders(frame.file)) return false;
  const std::string_view base = BaseName(frame.file);
  return base == "std_mutex.h" || base == "unique_lock.h" || base == "mutex" ||
         base == "shared_mutex" || base == "condition_variable" ||
         base == "gthr-default.h" || base == "gthr-posix.h";
}

// A frame of the C++ library (std::thread's trampolines, std::invoke,
// std::function): folded between the user's frames and the thread's entry.
bool IsCxxLibraryFrame(const Frame& frame) {
  const std::string_view name = QualifiedName(frame.function);
  if (StartsWithAny(name, {"std::", "__gnu_cxx::", "__cxxabiv1::"})) {
    return true;
  }
  if (InCxxHeaders(frame.file)) return true;
  return frame.function.empty() && frame.file.empty() &&
         StartsWith(BaseName(frame.module), "libstdc++");
}

}  // namespace

std::vector<Frame> UserFrames(const std::vector<Frame>& frames,
                              StackView view) {
  if (view == StackView::kFull) return frames;
  size_t first = 0;
  while (first < frames.size() &&
         (IsLockscopeFrame(frames[first]) || IsStdLockFrame(frames[first]))) {
    ++first;
  }
  if (first == frames.size()) return frames;
  return std::vector<Frame>(frames.begin() + static_cast<ptrdiff_t>(first),
                            frames.end());
}

std::vector<StackLine> StackLines(const std::vector<Frame>& frames,
                                  StackView view) {
  std::vector<StackLine> lines;
  size_t i = 0;
  while (i < frames.size()) {
    size_t run = 0;
    if (view == StackView::kUser && i > 0) {
      while (i + run < frames.size() && IsCxxLibraryFrame(frames[i + run])) {
        ++run;
      }
    }
    if (run >= 2) {
      lines.push_back(StackLine{i, run});
      i += run;
    } else {
      lines.push_back(StackLine{i, 0});
      ++i;
    }
  }
  return lines;
}

std::string FoldedText(size_t folded) {
  return absl::StrCat("\u2026 ", folded,
                      folded == 1 ? " frame" : " frames",
                      " in the C++ library");
}

}  // namespace lockscope::collector
