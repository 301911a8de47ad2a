// viewer/main.cc with its main() renamed LockscopeCliMain (cli_main.h), so
// that the whole command line, main's own try/catch included, runs in the
// test process. Everything main.cc includes is included first, so the
// macro renames main.cc's own main and nothing in those headers.
#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tests/viewer/cli_main.h"
#include "viewer/output.h"
#include "viewer/subcommand.h"

#define main LockscopeCliMain
#include "viewer/main.cc"  // NOLINT: compiled here on purpose
#undef main
