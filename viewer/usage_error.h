// viewer/usage_error.h — every usage error in lockscope's own one-line form:
//
//   lockscope: <command>: <what is wrong> (see 'lockscope <command> --help')
//
// CLI11's messages ("The following argument was not expected: b", "Value abc
// not in range 0.000000 to 1797...") are rewritten into that form, so a
// mistake reads the same whichever layer caught it.
#ifndef LOCKSCOPE_VIEWER_USAGE_ERROR_H_
#define LOCKSCOPE_VIEWER_USAGE_ERROR_H_

#include <string>
#include <string_view>

namespace lockscope::viewer {

// What is wrong, in lockscope's words, from a CLI11 parse error's text.
// `single_trace`: the command takes exactly one TRACE (an unexpected
// positional is then "reads one trace").
std::string RewriteCli11Message(std::string_view message, bool single_trace);

// The whole line (no newline): `command` empty for errors before any
// subcommand ("lockscope: <what> (see 'lockscope --help')").
std::string UsageErrorLine(std::string_view command, std::string_view what);

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_USAGE_ERROR_H_
