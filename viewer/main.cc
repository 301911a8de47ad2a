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

#include "viewer/output.h"
#include "viewer/subcommand.h"
#include "viewer/version.h"


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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version print and succeed; every real parse error is a
    // usage error: one line, exit 2.
    if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(error);
    }
    std::string help = "lockscope --help";
    for (size_t i = 0; i < apps.size(); ++i) {
      if (apps[i]->parsed()) {
        help = "lockscope " + apps[i]->get_name() + " --help";
      }
    }
    std::cerr << "lockscope: " << OneLine(error.what()) << " (see '" << help
              << "')" << std::endl;
    return kExitError;
  }

  const std::optional<ColorMode> mode = ParseColorMode(color);
  CommandContext context{std::cout, std::cerr,
                         UseColor(mode.value_or(ColorMode::kAuto),
                                  STDOUT_FILENO),
                         isatty(STDERR_FILENO) == 1};
  for (size_t i = 0; i < apps.size(); ++i) {
    if (!apps[i]->parsed()) continue;
    absl::StatusOr<int> status = subcommands[i]->Run(context);
    std::cout.flush();
    if (!status.ok()) {
      std::cerr << "lockscope: " << OneLine(std::string(status.status().message()))
                << std::endl;
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
