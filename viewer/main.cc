// lockscope — the command-line viewer for .lstrace files.
//
// Exit status: 0 clean, 1 unsuppressed findings (`check`), 2 unreadable
// input or bad usage. Every error is one line on stderr.
#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/status/status.h"

#include "viewer/output.h"
#include "viewer/subcommand.h"
#include "viewer/build_info.h"
#include "viewer/usage_error.h"


namespace lockscope::viewer {
namespace {

constexpr char kFooter[] = R"(Examples:
  lockscope summary app.12345.lstrace
  lockscope cycles  test1.lstrace test2.lstrace
  lockscope check --suppressions=lockscope.supp --format=sarif *.lstrace > lockscope.sarif
  lockscope graph app.lstrace | dot -Tsvg -o locks.svg

Run 'lockscope SUBCOMMAND --help' for a subcommand's options.
Exit status: 0 clean, 1 unsuppressed findings (check), 2 unreadable input or
bad usage. NO_COLOR=1 turns colour off unless --color=always.)";

// For `lockscope [--color W] run [--trace F] [--options O] -- PROGRAM ...`:
// the number of arguments before that "--" (argc when there is none before
// PROGRAM), with what follows it in *rest.
int SplitRunCommandLine(int argc, char** argv, std::vector<std::string>* rest) {
  int i = 1;
  while (i < argc && std::string_view(argv[i]) != "run") {
    if (std::string_view(argv[i]) == "--color") ++i;
    else if (argv[i][0] != '-') return argc;  // another subcommand
    ++i;
  }
  for (++i; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      rest->assign(argv + i + 1, argv + argc);
      return i;
    }
    if (arg == "--trace" || arg == "--options") {
      ++i;  // its value follows
    } else if (arg.empty() || arg[0] != '-') {
      break;  // PROGRAM: the rest is its own
    }
  }
  return argc;
}

// "run: no PROGRAM given (see 'lockscope run --help')" -> "no PROGRAM
// given": UsageErrorLine adds both back.
std::string StripCommandAndHint(const std::string& command,
                                std::string message) {
  const std::string prefix = command + ": ";
  if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
  const std::string hint = " (see 'lockscope " + command + " --help')";
  if (message.size() >= hint.size() &&
      message.compare(message.size() - hint.size(), hint.size(), hint) == 0) {
    message.resize(message.size() - hint.size());
  }
  return message;
}

int Main(int argc, char** argv) {
  CLI::App app{"lockscope: lock-order deadlocks and cross-thread borrows, "
               "from lockscope traces",
               "lockscope"};
  // Global options (--color) may follow the subcommand name.
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("--version", "lockscope " LOCKSCOPE_VERSION);
  app.footer(kFooter);
  std::string color = "auto";
  app.add_option("--color", color,
                 "colour text output: auto (a terminal, unless NO_COLOR is "
                 "set), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");

  std::vector<std::unique_ptr<Subcommand>> subcommands = AllSubcommands();
  std::vector<CLI::App*> apps;
  for (const auto& subcommand : subcommands) {
    CLI::App* command =
        app.add_subcommand(std::string(subcommand->name()),
                           std::string(subcommand->description()));
    subcommand->Configure(*command);
    apps.push_back(command);
  }

  // CLI11 would call a misspelt subcommand a missing one; name it instead.
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--color") {
      ++i;  // its value follows
      continue;
    }
    if (!arg.empty() && arg[0] == '-') continue;
    bool known = false;
    std::string names;
    for (const auto& subcommand : subcommands) {
      known = known || arg == subcommand->name();
      names += (names.empty() ? "" : ", ") + std::string(subcommand->name());
    }
    if (!known) {
      std::cerr << "lockscope: unknown subcommand '" << OneLine(arg)
                << "' (expected one of " << names
                << "; see 'lockscope --help')" << std::endl;
      return kExitError;
    }
    break;
  }

  // `run`'s "--" ends lockscope's own options: the program's command line
  // follows, kept out of CLI11's hands (see SplitRunCommandLine).
  std::vector<std::string> after_dashes;
  const int parse_argc = SplitRunCommandLine(argc, argv, &after_dashes);
  try {
    app.parse(parse_argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version print and succeed; every real parse error is a
    // usage error: one line in lockscope's words, exit 2.
    if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(error);
    }
    std::string command;
    bool single_trace = false;
    for (CLI::App* sub : apps) {
      if (!sub->parsed()) continue;
      command = sub->get_name();
      const CLI::Option* trace = sub->get_option_no_throw("TRACE");
      single_trace = trace != nullptr && trace->get_items_expected_max() == 1;
    }
    std::cerr << UsageErrorLine(command,
                                RewriteCli11Message(error.what(), single_trace))
              << std::endl;
    return kExitError;
  }

  const std::optional<ColorMode> mode = ParseColorMode(color);
  CommandContext context{std::cout, std::cerr,
                         UseColor(mode.value_or(ColorMode::kAuto),
                                  STDOUT_FILENO),
                         isatty(STDERR_FILENO) == 1, std::move(after_dashes)};
  for (size_t i = 0; i < apps.size(); ++i) {
    if (!apps[i]->parsed()) continue;
    absl::StatusOr<int> status = subcommands[i]->Run(context);
    std::cout.flush();
    if (!status.ok()) {
      const std::string message(status.status().message());
      if (absl::IsInvalidArgument(status.status())) {
        // A usage error found after parsing: the same form as CLI11's.
        std::cerr << UsageErrorLine(apps[i]->get_name(),
                                    StripCommandAndHint(apps[i]->get_name(),
                                                        message))
                  << std::endl;
      } else {
        std::cerr << "lockscope: " << OneLine(message) << std::endl;
      }
      return kExitError;
    }
    return *status;
  }
  return kExitError;  // not reached: require_subcommand(1)
}

}  // namespace
}  // namespace lockscope::viewer

int main(int argc, char** argv) {
  try {
    return lockscope::viewer::Main(argc, argv);
  } catch (const std::exception& e) {
    // Bad input must never crash the viewer; this is the last line of that
    // defence (an allocation failure on an absurd trace, say).
    std::cerr << "lockscope: internal error: "
              << lockscope::viewer::OneLine(e.what()) << std::endl;
    return lockscope::viewer::kExitError;
  }
}
